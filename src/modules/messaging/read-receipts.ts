import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../clock/index.js';
import { prepared, type Schema } from '../../db/index.js';
import type { GraphEndpoint, GraphResult } from '../../whatsapp/index.js';

/** The Graph call read receipts need (the WhatsApp client, or a fake). */
export interface ReadMarker {
  markRead(endpoint: GraphEndpoint, phoneNumberId: string, wamid: string, options?: { typing?: boolean }): Promise<GraphResult<{ success: boolean }>>;
}

/** Where a phone number (our row id) is reached. */
export interface ReadReceiptDirectory {
  sender(phoneNumberRowId: string): Promise<{ endpoint: GraphEndpoint; metaPhoneNumberId: string } | undefined>;
}

/** How long the customer sees "typing…" at most (Meta: until the reply, or 25 s). */
export const TYPING_MS = 25_000;

// A literal, not a bound value, so SQLite matches the partial index `messages_unread` once
// when it prepares the statement rather than preparing it again on every run (migration 0032).
const UNREAD_DIRECTION = sql.lit<'in'>('in');

/** What marking read answered. */
export interface ReadReceipt {
  message_id: string;
  conversation_id: string;
  wamid: string;
  /** When the business first marked this message (or a later one) read. */
  read_by_business_at: string;
  typing: boolean;
  /** With typing: when the indicator ends at the latest (the reply ends it sooner). */
  typing_until: string | null;
}

export type ReadRefusal =
  | { reason: 'not_found' }
  | { reason: 'not_inbound' }
  | { reason: 'no_inbound_message' }
  | { reason: 'provider'; result: Exclude<GraphResult<unknown>, { ok: true }> };

/**
 * Blue ticks and "typing…": marks an inbound message read at the provider (Meta's
 * `status: read` call; earlier messages count as read too), optionally with the typing
 * indicator, and records here that the business read it and when, which lowers the
 * conversation's unread count.
 */
export class ReadReceipts {
  constructor(
    private readonly deps: { db: Kysely<Schema>; directory: ReadReceiptDirectory; graph: ReadMarker; clock: Clock },
  ) {}

  /** Marks a workspace's inbound message read (with `typing`, shows the typing indicator too). */
  async markMessageRead(workspaceId: string, messageId: string, options: { typing?: boolean } = {}): Promise<{ ok: true; receipt: ReadReceipt } | ({ ok: false } & ReadRefusal)> {
    const row = await this.deps.db
      .selectFrom('messages')
      .select(['id', 'conversation_id', 'phone_number_id', 'direction', 'wamid', 'created_at'])
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', messageId)
      .executeTakeFirst();
    if (!row) return { ok: false, reason: 'not_found' };
    if (row.direction !== 'in' || !row.wamid) return { ok: false, reason: 'not_inbound' };
    return this.#mark({ ...row, wamid: row.wamid }, options.typing === true);
  }

  /**
   * Blue ticks for a message being answered inside a transaction (the chatbot's): recorded here
   * in `trx` (with the earlier ones, as Meta counts them), and the returned function tells the
   * provider once the caller committed (best effort: the answer does not wait on it). One
   * statement in the caller's transaction instead of a transaction of its own per message.
   */
  async markReadWithin(trx: Kysely<Schema>, message: { id: string; conversationId: string; phoneNumberRowId: string; wamid: string; createdAt: string }): Promise<() => Promise<void>> {
    const at = (await this.deps.clock.at(message.phoneNumberRowId, trx)).toISOString();
    await markReadUpTo(trx, { conversationId: message.conversationId, createdAt: message.createdAt, id: message.id }, at);
    return async () => {
      const sender = await this.deps.directory.sender(message.phoneNumberRowId);
      if (sender) await this.deps.graph.markRead(sender.endpoint, sender.metaPhoneNumberId, message.wamid, { typing: false });
    };
  }

  /** Shows "typing…" on the latest inbound message of a conversation (and marks it read). */
  async typingInConversation(workspaceId: string, conversationId: string): Promise<{ ok: true; receipt: ReadReceipt } | ({ ok: false } & ReadRefusal)> {
    return this.markConversationRead(workspaceId, conversationId, { typing: true });
  }

  /**
   * Marks the latest inbound message of a conversation read at the provider (and so every
   * earlier one), with `typing` the typing indicator too: what an agent opening it does.
   */
  async markConversationRead(workspaceId: string, conversationId: string, options: { typing: boolean }): Promise<{ ok: true; receipt: ReadReceipt } | ({ ok: false } & ReadRefusal)> {
    const conversation = await this.deps.db.selectFrom('conversations').select('id').where('workspace_id', '=', workspaceId).where('id', '=', conversationId).executeTakeFirst();
    if (!conversation) return { ok: false, reason: 'not_found' };
    const latest = await this.deps.db
      .selectFrom('messages')
      .select(['id', 'conversation_id', 'phone_number_id', 'direction', 'wamid', 'created_at'])
      .where('conversation_id', '=', conversationId)
      .where('direction', '=', 'in')
      .where('wamid', 'is not', null)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!latest?.wamid) return { ok: false, reason: 'no_inbound_message' };
    return this.#mark({ ...latest, wamid: latest.wamid }, options.typing);
  }

  async #mark(
    row: { id: string; conversation_id: string; phone_number_id: string; wamid: string; created_at: string },
    typing: boolean,
  ): Promise<{ ok: true; receipt: ReadReceipt } | ({ ok: false } & ReadRefusal)> {
    const sender = await this.deps.directory.sender(row.phone_number_id);
    if (!sender) return { ok: false, reason: 'not_found' };
    const result = await this.deps.graph.markRead(sender.endpoint, sender.metaPhoneNumberId, row.wamid, { typing });
    if (!result.ok) return { ok: false, reason: 'provider', result };
    // A message's timestamp: on its number's clock, as its created_at.
    const now = await this.deps.clock.at(row.phone_number_id);
    const at = now.toISOString();
    // Meta counts the earlier messages as read too: so do we, in (time, id) order.
    await markReadUpTo(this.deps.db, { conversationId: row.conversation_id, createdAt: row.created_at, id: row.id }, at);
    const stored = await this.deps.db.selectFrom('messages').select('business_read_at').where('id', '=', row.id).executeTakeFirst();
    return {
      ok: true,
      receipt: {
        message_id: row.id,
        conversation_id: row.conversation_id,
        wamid: row.wamid,
        read_by_business_at: stored?.business_read_at ?? at,
        typing,
        typing_until: typing ? new Date(now.getTime() + TYPING_MS).toISOString() : null,
      },
    };
  }
}

// The bot marks every message it answers read: built once (src/db/prepared.ts).
const markRead = prepared((db: Kysely<Schema>, p: { conversationId: string; createdAt: string; id: string; at: string }) =>
  db
    .updateTable('messages')
    .set({ business_read_at: p.at })
    .where('conversation_id', '=', p.conversationId)
    .where('direction', '=', UNREAD_DIRECTION)
    .where('business_read_at', 'is', null)
    .where((eb) => eb(eb.refTuple('created_at', 'id'), '<=', eb.tuple(p.createdAt, p.id))),
);

/**
 * Records that the business read a conversation's inbound messages up to one message, in
 * (time, id) order (Meta counts the earlier ones as read too), on the unread ones only.
 */
async function markReadUpTo(db: Kysely<Schema>, upTo: { conversationId: string; createdAt: string; id: string }, at: string): Promise<void> {
  await markRead.run(db, { ...upTo, at });
}
