import type { Kysely } from 'kysely';
import type { Clock } from '../../clock/index.js';
import type { Schema } from '../../db/index.js';

/** Removes the media an inbound message brought (the media module), bytes included. */
export interface MessageMediaEraser {
  eraseMessageMedia(workspaceId: string, messageId: string): Promise<void>;
}

/**
 * Deleting a message here. A queued message not yet sent (or held after an unknown send
 * outcome) is cancelled: its status becomes `cancelled` in a compare-and-set against the
 * dispatcher's claim, and the claim skips any row with `deleted_at`, so it is never sent. Any
 * other message becomes a tombstone: ids, status, timestamps and cost stay; the content becomes
 * null and the media it brought is erased. WhatsApp has no "unsend" for business messages:
 * nothing changes on the customer's phone.
 */
export class MessageEraser {
  constructor(private readonly deps: { db: Kysely<Schema>; media?: MessageMediaEraser; clock: Clock }) {}

  /**
   * Erasure of a person (issue 13), in `trx`: deletes the rows (not tombstones) of every message
   * of their conversations and every message they wrote elsewhere (in a group's conversation).
   * The media they name is the caller's (the media module, after this commits). Answers how many.
   */
  async forgetPerson(trx: Kysely<Schema>, workspaceId: string, contactId: string, conversationIds: readonly string[]): Promise<number> {
    let deleted = Number((await trx.deleteFrom('messages').where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).executeTakeFirst()).numDeletedRows);
    for (let i = 0; i < conversationIds.length; i += 500) {
      const chunk = conversationIds.slice(i, i + 500);
      deleted += Number((await trx.deleteFrom('messages').where('workspace_id', '=', workspaceId).where('conversation_id', 'in', chunk).executeTakeFirst()).numDeletedRows);
    }
    return deleted;
  }

  /**
   * Answers `cancelled` or `erased` (also for a message erased before), `not_found`, or
   * `sending` while a dispatcher holds the message (its request may be at Meta; try again).
   */
  async erase(workspaceId: string, messageId: string): Promise<{ ok: true; outcome: 'cancelled' | 'erased' } | { ok: false; reason: 'not_found' | 'sending' }> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const row = await this.deps.db
        .selectFrom('messages')
        .select(['id', 'phone_number_id', 'direction', 'status', 'deleted_at'])
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', messageId)
        .executeTakeFirst();
      if (!row) return { ok: false, reason: 'not_found' };
      if (row.deleted_at) return { ok: true, outcome: row.status === 'cancelled' ? 'cancelled' : 'erased' };
      const at = (await this.deps.clock.at(row.phone_number_id)).toISOString(); // a message's time: its number's clock
      if (row.direction === 'out' && row.status === 'sending') return { ok: false, reason: 'sending' };
      const cancel = row.direction === 'out' && (row.status === 'queued' || row.status === 'unknown');
      const result = await this.deps.db
        .updateTable('messages')
        .set({
          content: 'null',
          deleted_at: at,
          updated_at: at,
          ...(cancel ? { status: 'cancelled', next_attempt_at: null, claimed_at: null } : {}),
        })
        .where('id', '=', row.id)
        // Compare-and-set: a dispatcher claiming the row meanwhile wins, and we look again.
        .where('status', '=', row.status)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) continue;
      if (row.direction === 'in') await this.deps.media?.eraseMessageMedia(workspaceId, row.id);
      return { ok: true, outcome: cancel ? 'cancelled' : 'erased' };
    }
    return { ok: false, reason: 'sending' };
  }
}
