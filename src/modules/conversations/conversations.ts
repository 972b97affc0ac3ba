import type { Kysely } from 'kysely';
import { realClock, type Clock } from '../../clock/index.js';
import { newId, prepared, type ConversationsTable, type Schema } from '../../db/index.js';

export const WINDOW_MS = 24 * 3600 * 1000;

export interface ConversationView {
  id: string;
  contact_id: string;
  phone_number_id: string;
  /** Who answers it now, and since when (see ownership.ts). */
  owner: { type: string; id: string | null; since: string };
  /** The queue it waits in, or the one its agent took it from; null with the bot. */
  queue: string | null;
  /** When it was last resolved (back to the bot); null when never, or when it left the bot since. */
  resolved_at: string | null;
  last_inbound_at: string | null;
  /** When the customer service window closes; null or past: only templates may be sent. */
  window_expires_at: string | null;
  window_open: boolean;
  free_entry_point_until: string | null;
  last_message_at: string | null;
  created_at: string;
  /** Snoozed (out of its agent's "mine" view) until a time or the customer's next message; null when awake. */
  snooze: { until: string | null; until_next_message: boolean } | null;
}

// Every customer message and every answer passes here: built once (src/db/prepared.ts).
const conversationOf = prepared((db: Kysely<Schema>, p: { phoneNumberRowId: string; contactId: string }) =>
  db.selectFrom('conversations').selectAll().where('phone_number_id', '=', p.phoneNumberRowId).where('contact_id', '=', p.contactId),
);
const touchConversation = prepared((db: Kysely<Schema>, p: { id: string; at: string }) =>
  db
    .updateTable('conversations')
    .set({ last_message_at: p.at, updated_at: p.at })
    .where('id', '=', p.id)
    .where((eb) => eb.or([eb('last_message_at', 'is', null), eb('last_message_at', '<', p.at)])),
);
// Each column moves only forward, decided in the statement itself; `referralUntil` is null
// when the message came from no ad.
const recordInboundMessage = prepared((db: Kysely<Schema>, p: { id: string; at: string; expiresAt: string; updatedAt: string; referralUntil: string | null }) =>
  db
    .updateTable('conversations')
    .set((eb) => {
      const later = eb.or([eb('last_inbound_at', 'is', null), eb('last_inbound_at', '<', p.at)]);
      return {
        updated_at: p.updatedAt,
        snoozed_until: null,
        snooze_until_next_message: 0,
        last_inbound_at: eb.case().when(later).then(p.at).else(eb.ref('last_inbound_at')).end(),
        window_expires_at: eb.case().when(later).then(p.expiresAt).else(eb.ref('window_expires_at')).end(),
        last_message_at: eb
          .case()
          .when(eb.or([eb('last_message_at', 'is', null), eb('last_message_at', '<', p.at)]))
          .then(p.at)
          .else(eb.ref('last_message_at'))
          .end(),
        free_entry_point_until: eb.fn.coalesce(eb.val(p.referralUntil), eb.ref('free_entry_point_until')),
      };
    })
    .where('id', '=', p.id),
);

/**
 * One conversation per contact and phone number, with its customer service window (24 h from
 * the contact's last message) and an owner (the bot, a queue or an agent; `Ownership` moves it).
 */
export class Conversations {
  constructor(
    private readonly db: Kysely<Schema>,
    /** Windows and timestamps follow each conversation's number's clock. */
    private readonly clock: Clock = realClock,
  ) {}

  /** The conversation of a contact on a number, created (owned by the bot) when new. */
  async ensure(workspaceId: string, phoneNumberRowId: string, contactId: string, trx: Kysely<Schema> = this.db): Promise<ConversationsTable> {
    const existing = await conversationOf.first(trx, { phoneNumberRowId, contactId });
    if (existing) return existing;
    const row = newConversation(workspaceId, phoneNumberRowId, contactId, (await this.clock.at(phoneNumberRowId, trx)).toISOString());
    await trx.insertInto('conversations').values(row).onConflict((oc) => oc.columns(['phone_number_id', 'contact_id']).doNothing()).execute();
    const made = await conversationOf.first(trx, { phoneNumberRowId, contactId });
    if (!made) throw new Error(`conversation of contact ${contactId} on number ${phoneNumberRowId} was neither found nor created`);
    return made;
  }

  /**
   * A group's one conversation (issue 12): the conversation of the group's own contact record on
   * its number, marked with the group's id (`group_id`), created (owned by the bot) when new.
   */
  async ensureForGroup(workspaceId: string, phoneNumberRowId: string, groupContactId: string, groupId: string, trx: Kysely<Schema> = this.db): Promise<ConversationsTable> {
    const conversation = await this.ensure(workspaceId, phoneNumberRowId, groupContactId, trx);
    if (conversation.group_id === groupId) return conversation;
    await trx.updateTable('conversations').set({ group_id: groupId }).where('id', '=', conversation.id).where('workspace_id', '=', workspaceId).execute();
    return { ...conversation, group_id: groupId };
  }

  /**
   * The customer service windows of many contacts on one number (contacts without a
   * conversation there are absent): one select, in `trx`. For campaigns deciding a chunk.
   */
  async windows(phoneNumberRowId: string, contactIds: readonly string[], trx: Kysely<Schema> = this.db): Promise<Array<Pick<ConversationsTable, 'contact_id' | 'last_inbound_at' | 'free_entry_point_until'>>> {
    if (contactIds.length === 0) return [];
    return trx.selectFrom('conversations').select(['contact_id', 'last_inbound_at', 'free_entry_point_until']).where('phone_number_id', '=', phoneNumberRowId).where('contact_id', 'in', contactIds).execute();
  }

  /**
   * The conversations of many contacts on one number, created (owned by the bot) where missing:
   * one insert and one select per call, for campaigns queueing a chunk of recipients.
   */
  async ensureMany(workspaceId: string, phoneNumberRowId: string, contactIds: readonly string[], trx: Kysely<Schema> = this.db): Promise<Map<string, ConversationsTable>> {
    const found = new Map<string, ConversationsTable>();
    if (contactIds.length === 0) return found;
    const read = async () => {
      const rows = await trx.selectFrom('conversations').selectAll().where('phone_number_id', '=', phoneNumberRowId).where('contact_id', 'in', contactIds).execute();
      for (const row of rows) found.set(row.contact_id, row);
    };
    await read();
    const missing = contactIds.filter((id) => !found.has(id));
    if (missing.length === 0) return found;
    const at = (await this.clock.at(phoneNumberRowId, trx)).toISOString();
    const rows = missing.map((contactId) => newConversation(workspaceId, phoneNumberRowId, contactId, at));
    for (let i = 0; i < rows.length; i += 500) {
      await trx.insertInto('conversations').values(rows.slice(i, i + 500)).onConflict((oc) => oc.columns(['phone_number_id', 'contact_id']).doNothing()).execute();
    }
    await read();
    return found;
  }

  /**
   * Records a customer message at `at`: the window reopens for 24 h from it. Messages that
   * arrive out of order never move the window back. Answers the window after it, and whether
   * this message opened it (it was closed, or never open, at `at`).
   */
  async recordInbound(
    conversation: ConversationsTable,
    at: Date,
    options: { referral?: boolean } = {},
    trx: Kysely<Schema> = this.db,
  ): Promise<{ opened: boolean; expiresAt: string | null; lastMessageAt: string | null; freeEntryPointUntil: string | null }> {
    const iso = at.toISOString();
    const expiresAt = new Date(at.getTime() + WINDOW_MS).toISOString();
    // Click-to-WhatsApp ads open a 72 h free entry point window (cloud-api-facts.md §4.2).
    const referralUntil = options.referral ? new Date(at.getTime() + 72 * 3600 * 1000).toISOString() : null;
    // A customer message wakes a snoozed conversation (until their next message, or a time).
    const updatedAt = (await this.clock.at(conversation.phone_number_id, trx)).toISOString();
    await recordInboundMessage.run(trx, { id: conversation.id, at: iso, expiresAt, updatedAt, referralUntil });
    // The answer as the statement decided it, from the row the caller read.
    const later = (stored: string | null) => !stored || stored < iso;
    return {
      opened: !conversation.window_expires_at || conversation.window_expires_at <= iso,
      expiresAt: later(conversation.last_inbound_at) ? expiresAt : conversation.window_expires_at,
      lastMessageAt: later(conversation.last_message_at) ? iso : conversation.last_message_at,
      freeEntryPointUntil: referralUntil ?? conversation.free_entry_point_until,
    };
  }

  async touch(conversationId: string, at: Date, trx: Kysely<Schema> = this.db): Promise<void> {
    await touchConversation.run(trx, { id: conversationId, at: at.toISOString() });
  }

  async get(workspaceId: string, id: string): Promise<ConversationView | undefined> {
    const row = await this.db.selectFrom('conversations').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? await this.view(row) : undefined;
  }

  /** A conversation as API users see it; `window_open` on its number's clock. */
  async view(row: ConversationsTable): Promise<ConversationView> {
    const now = (await this.clock.at(row.phone_number_id)).toISOString();
    return {
      id: row.id,
      contact_id: row.contact_id,
      phone_number_id: row.phone_number_id,
      owner: { type: row.owner_type, id: row.owner_id, since: row.owner_since ?? row.created_at },
      queue: row.queue,
      resolved_at: row.resolved_at,
      last_inbound_at: row.last_inbound_at,
      window_expires_at: row.window_expires_at,
      window_open: row.window_expires_at !== null && row.window_expires_at > now,
      free_entry_point_until: row.free_entry_point_until,
      last_message_at: row.last_message_at,
      created_at: row.created_at,
      snooze: snoozeOf(row, now),
    };
  }

  /**
   * Snoozes a conversation of the workspace until `until`, or until the customer's next message
   * (`untilNextMessage`); the customer's next message wakes either. Answers the row after it,
   * or undefined when the workspace has no such conversation.
   */
  async snooze(workspaceId: string, id: string, input: { until: Date } | { untilNextMessage: true }): Promise<ConversationsTable | undefined> {
    const set = 'until' in input ? { snoozed_until: input.until.toISOString(), snooze_until_next_message: 0 } : { snoozed_until: null, snooze_until_next_message: 1 };
    return this.#setSnooze(workspaceId, id, set);
  }

  /** Wakes a snoozed conversation now (nothing changes when it is awake). */
  async unsnooze(workspaceId: string, id: string): Promise<ConversationsTable | undefined> {
    return this.#setSnooze(workspaceId, id, { snoozed_until: null, snooze_until_next_message: 0 });
  }

  async #setSnooze(workspaceId: string, id: string, set: Pick<ConversationsTable, 'snoozed_until' | 'snooze_until_next_message'>): Promise<ConversationsTable | undefined> {
    const row = await this.db.selectFrom('conversations').select('phone_number_id').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const at = (await this.clock.at(row.phone_number_id)).toISOString();
    await this.db.updateTable('conversations').set({ ...set, updated_at: at }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    return this.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
  }
}

/** The snooze in force at `now` (an ISO time), or null. */
function snoozeOf(row: Pick<ConversationsTable, 'snoozed_until' | 'snooze_until_next_message'>, now: string): ConversationView['snooze'] {
  if (Number(row.snooze_until_next_message) === 1) return { until: null, until_next_message: true };
  if (row.snoozed_until !== null && row.snoozed_until > now) return { until: row.snoozed_until, until_next_message: false };
  return null;
}

/** A new conversation, owned by the bot, with no window open yet. */
function newConversation(workspaceId: string, phoneNumberRowId: string, contactId: string, at: string): ConversationsTable {
  return {
    id: newId('cv'),
    workspace_id: workspaceId,
    contact_id: contactId,
    phone_number_id: phoneNumberRowId,
    owner_type: 'bot',
    owner_id: null,
    last_inbound_at: null,
    window_expires_at: null,
    free_entry_point_until: null,
    last_message_at: null,
    created_at: at,
    updated_at: at,
    queue: null,
    owner_since: at,
    resolved_at: null,
    handoff_transition_id: null,
    snoozed_until: null,
    snooze_until_next_message: 0,
  };
}
