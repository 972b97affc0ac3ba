import { sql, type Kysely } from 'kysely';
import { realClock, type Clock } from '../../clock/index.js';
import { newId, prepared, type MessagesTable, type Schema } from '../../db/index.js';
import type { Events } from '../events/index.js';

/**
 * Outbound message states. `sending`: claimed by a dispatcher, the request may be in flight.
 * `unknown`: a dispatcher died mid-request, so Meta may or may not have the message; it is held
 * until a status webhook names it (by our id in `biz_opaque_callback_data`) or a grace period
 * passes. `accepted`: Meta answered 200 with a wamid. Then `sent` < `delivered` < `read`;
 * `failed` ends the send.
 */
export type OutboundStatus = 'queued' | 'sending' | 'unknown' | 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';

const RANK: Record<string, number> = { queued: 0, sending: 1, unknown: 1, accepted: 2, sent: 3, delivered: 4, read: 5, failed: 6, received: 0 };

/** The column that keeps when a message reached each stage. */
const STAGE_COLUMN = { sent: 'sent_at', delivered: 'delivered_at', read: 'read_at', failed: 'failed_at' } as const;

/** What a message row must show for a status to be applied to it. */
const STATUS_ROW_COLUMNS = ['id', 'status', 'wamid', 'workspace_id', 'phone_number_id', 'category', 'pricing_type', 'cost_micros', 'played_at', 'provider_conversation'] as const;
type StatusRow = Pick<MessagesTable, (typeof STATUS_ROW_COLUMNS)[number]>;
/** Wamids read per query by {@link Messages.applyStatuses} (well under SQLite's bound parameters). */
const STATUS_READ_CHUNK = 500;

/** A status webhook for {@link Messages.applyStatus}. */
export interface StatusInput {
  workspaceId: string;
  /** Our row id of the number the status names; without it our id is never used. */
  phoneNumberRowId?: string | undefined;
  wamid: string;
  ourId?: string | undefined;
  /** `played`: a voice message's first play, after `read`; its time is kept, the status stays. */
  status: 'sent' | 'delivered' | 'read' | 'failed' | 'played';
  at: Date;
  error?: { code: number; title: string; details: string } | undefined;
  /** Meta's `pricing`: its category and billing replace our estimate (`cost_source: provider`). */
  pricing?: ProviderPricing | undefined;
  /** Meta's `conversation`: kept on the message. */
  conversation?: { id?: string | undefined; expiration_timestamp?: string | undefined; origin?: { type?: string | undefined } | undefined } | undefined;
  /** The rate card's price of a category and pricing type for this message's recipient (micro-USD). */
  reprice?: ((category: string, pricingType: string) => number | undefined) | undefined;
}

/** A status that moved a message: published as `message.status`. */
export interface AppliedStatus {
  messageId: string;
  workspaceId: string;
  from: string;
  to: string;
}

/** Statuses from webhooks only move forward; `failed` is terminal (cloud-api-facts.md §2.7). */
export function canAdvance(from: string, to: string): boolean {
  if (from === 'failed' || from === 'read') return false;
  if (to === 'failed') return true;
  return (RANK[to] ?? 0) > (RANK[from] ?? 0);
}

export interface MessageView {
  id: string;
  conversation_id: string;
  contact_id: string;
  direction: 'in' | 'out';
  type: string;
  content: unknown;
  status: string;
  wamid: string | null;
  error: { code: number; title: string | null; details: string | null } | null;
  category: string | null;
  pricing_type: string | null;
  cost: { currency: 'USD'; amount_micros: number } | null;
  attempts: number;
  created_at: string;
  sent_at: string | null;
  delivered_at: string | null;
  read_at: string | null;
  failed_at: string | null;
  /** Inbound: when the business marked it read (it or a later message, `POST /api/v1/messages/{id}/read`). */
  read_by_business_at: string | null;
  /** When it was erased here (content null) or, still queued, cancelled. */
  deleted_at: string | null;
  /** `provider`: category and billing from Meta's status webhook (`pricing`); `rate_card`: our estimate at queue time. */
  cost_source: 'provider' | 'rate_card' | null;
  /** The status webhook's `pricing`, as Meta sent it. */
  pricing: { billable: boolean | null; category: string | null; pricing_model: string | null; type: string | null } | null;
  /** The status webhook's `conversation` (Meta's billing conversation; CBP, optional under PMP). */
  provider_conversation: { id: string | null; origin_type: string | null; expires_at: string | null } | null;
  /** A voice message's first play (status `played`, after `read`). */
  played_at: string | null;
  /** An inbound reaction: our id of the message it reacts to. */
  reacts_to: string | null;
  /** Inbound: the Click-to-WhatsApp ad or post the customer came from. */
  referral: Record<string, unknown> | null;
  /** Inbound: forwarded (`context.forwarded`), or forwarded many times (`context.frequently_forwarded`). */
  forwarded: boolean;
  frequently_forwarded: boolean;
  /** Inbound: the product a "Message business" inquiry is about (`context.referred_product`). */
  referred_product: { catalog_id: string; product_retailer_id: string } | null;
  /** The customer's current reactions to this message (`GET /api/v1/messages/{id}` only; [] elsewhere). */
  reactions: Array<{ emoji: string; from: string; at: string }>;
  /**
   * Outbound: who queued it (null when not known: inbound, campaigns, older messages). `name`: the
   * person's name for `agent`, in history pages (`MessageHistory.page`) only.
   */
  sent_by: { type: MessageAuthor['type']; id: string | null; name?: string } | null;
}

/** The status webhook's `pricing` (cloud-api-facts.md §2.5). */
export interface ProviderPricing {
  billable?: boolean | undefined;
  category?: string | undefined;
  pricing_model?: string | undefined;
  type?: string | undefined;
}

export interface NewOutbound {
  workspaceId: string;
  conversationId: string;
  contactId: string;
  phoneNumberRowId: string;
  type: string;
  content: unknown;
  idempotencyKey?: string | undefined;
  /** Canonical hash of the request that used `idempotencyKey` (see `canonicalHash`). */
  requestHash?: string | undefined;
  category: string;
  pricingType: string;
  costMicros: number;
  /** Send no earlier than this (default now). */
  notBefore?: Date | undefined;
  /** The message id to use (campaigns assign it when planning); default a new one. */
  id?: string | undefined;
  /** Who queued it, when known (published with `message.created`). */
  sentBy?: MessageAuthor | undefined;
}

/** Who queued an outbound message: a person of the inbox, the bot, an API key, or the platform itself (keyword confirmations). */
export interface MessageAuthor {
  type: 'agent' | 'bot' | 'api' | 'system';
  /** The user id, the flow id, the API key id; null when not known. */
  id: string | null;
}

// Every customer message and every answer is one of these inserts: built once (src/db/prepared.ts).
const insertOutbound = prepared((db: Kysely<Schema>, row: MessagesTable) => db.insertInto('messages').values(row).onConflict((oc) => oc.columns(['workspace_id', 'idempotency_key']).doNothing()));
const insertInbound = prepared((db: Kysely<Schema>, row: MessagesTable) => db.insertInto('messages').values(row).onConflict((oc) => oc.column('wamid').doNothing()));

/** The messages table: both directions, and for outbound rows the outbox itself. */
export class Messages {
  constructor(
    private readonly db: Kysely<Schema>,
    /** A message's timestamps follow its number's clock. */
    private readonly clock: Clock = realClock,
    /** The outbox: each message queued by `queue` records `message.created` in its transaction (for the inbox). */
    private readonly events?: Pick<Events, 'record'>,
  ) {}

  /**
   * Queues an outbound message. With an idempotency key already used in the workspace, the
   * existing message is answered instead, with the request hash stored with the key, and
   * nothing new is queued.
   */
  async queue(input: NewOutbound, trx: Kysely<Schema> = this.db): Promise<{ message: MessageView; duplicate: boolean; requestHash: string | null }> {
    // The message and its event commit together: outside a transaction, open one.
    if (this.events && !trx.isTransaction) return trx.transaction().execute((inner) => this.queue(input, inner));
    const row = outboundRow(input, (await this.clock.at(input.phoneNumberRowId, trx)).toISOString());
    if ((await insertOutbound.affected(trx, row)) === 1) {
      await this.events?.record(trx, row.workspace_id, 'message.created', {
        conversation_id: row.conversation_id,
        message_id: row.id,
        type: row.type,
        direction: 'out',
        status: row.status,
        sent_by: input.sentBy ?? null,
        created_at: row.created_at,
      });
      return { message: toView(row), duplicate: false, requestHash: row.request_hash };
    }
    const existing = await trx
      .selectFrom('messages')
      .selectAll()
      .where('workspace_id', '=', input.workspaceId)
      .where('idempotency_key', '=', input.idempotencyKey ?? '')
      .executeTakeFirstOrThrow();
    return { message: toView(existing), duplicate: true, requestHash: existing.request_hash };
  }

  /**
   * Queues many outbound messages in multi-row inserts (campaigns), in `trx`. Each input should
   * carry its `id`; no idempotency keys (the caller guarantees each id is queued once). Answers
   * the ids queued.
   */
  async queueMany(inputs: readonly NewOutbound[], trx: Kysely<Schema> = this.db): Promise<string[]> {
    const at = new Map<string, string>();
    for (const input of inputs) if (!at.has(input.phoneNumberRowId)) at.set(input.phoneNumberRowId, (await this.clock.at(input.phoneNumberRowId, trx)).toISOString());
    const rows = inputs.map((input) => outboundRow(input, at.get(input.phoneNumberRowId) as string));
    // 28 columns a row: 400 rows stay under SQLite's 32,766 bound parameters.
    for (let i = 0; i < rows.length; i += 400) await trx.insertInto('messages').values(rows.slice(i, i + 400)).execute();
    return rows.map((row) => row.id);
  }

  /**
   * Takes messages still `queued` (not claimed by a dispatcher) back out of the outbox, in
   * `trx`: their rows are deleted. Answers the ids deleted (a message already claimed stays).
   * For campaigns withdrawing their look-ahead on pause or cancel.
   */
  async withdrawQueued(ids: readonly string[], trx: Kysely<Schema> = this.db): Promise<string[]> {
    if (ids.length === 0) return [];
    return (await trx.deleteFrom('messages').where('id', 'in', ids).where('status', '=', 'queued').returning('id').execute()).map((row) => row.id);
  }

  /** Which of these contacts an earlier send found to have no WhatsApp account (Meta's error `errorCode`), in `trx`. */
  async contactsWithError(contactIds: readonly string[], errorCode: number, trx: Kysely<Schema> = this.db): Promise<Set<string>> {
    if (contactIds.length === 0) return new Set();
    const rows = await trx.selectFrom('messages').select('contact_id').distinct().where('contact_id', 'in', contactIds).where('error_code', '=', errorCode).execute();
    return new Set(rows.map((row) => row.contact_id));
  }

  /** How many messages of the number wait in the outbox or are being sent (`queued`, `sending`), in `trx`. */
  async outboxDepth(phoneNumberRowId: string, trx: Kysely<Schema> = this.db): Promise<number> {
    const row = await trx.selectFrom('messages').select(sql<number>`count(*)`.as('n')).where('status', 'in', ['queued', 'sending']).where('phone_number_id', '=', phoneNumberRowId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Stores an inbound message once (by wamid); answers false when it was already there. */
  async recordInbound(
    input: { workspaceId: string; conversationId: string; contactId: string; phoneNumberRowId: string; wamid: string; type: string; content: unknown; at: Date; reactsTo?: string | undefined },
    trx: Kysely<Schema> = this.db,
  ): Promise<{ id: string; created: boolean }> {
    const iso = input.at.toISOString();
    const id = newId('msg');
    const inserted = await insertInbound.affected(trx, {
      id,
      workspace_id: input.workspaceId,
      conversation_id: input.conversationId,
      contact_id: input.contactId,
      phone_number_id: input.phoneNumberRowId,
      direction: 'in',
      type: input.type,
      content: JSON.stringify(input.content),
      status: 'received',
      wamid: input.wamid,
      idempotency_key: null,
      request_hash: null,
      attempts: 0,
      next_attempt_at: null,
      claimed_at: null,
      error_code: null,
      error_title: null,
      error_details: null,
      category: null,
      pricing_type: null,
      cost_micros: null,
      created_at: iso,
      updated_at: (await this.clock.at(input.phoneNumberRowId, trx)).toISOString(),
      sent_at: null,
      delivered_at: null,
      read_at: null,
      failed_at: null,
      reacts_to: input.reactsTo ?? null,
    });
    if (inserted === 1) return { id, created: true };
    const existing = await trx.selectFrom('messages').select('id').where('wamid', '=', input.wamid).executeTakeFirstOrThrow();
    return { id: existing.id, created: false };
  }

  /**
   * Applies a status webhook inside the workspace that verified it. The message is found by
   * `wamid` only (on the sending number when known); our id echoed in `biz_opaque_callback_data`
   * finds only an outbound message of that workspace and number that has no wamid yet (its send
   * answer was lost), which then takes the status's wamid. The status moves forward only; a
   * stage that arrives late (`sent` after `read`) still records its time.
   */
  async applyStatus(input: StatusInput, trx: Kysely<Schema> = this.db): Promise<AppliedStatus | undefined> {
    const row = await this.#statusRow(input, trx);
    if (!row) return undefined;
    const outcome = await this.#applyToRow(row, input, trx);
    // Another writer moved the status since it was read: read it again and decide again.
    return outcome === 'moved' ? this.applyStatus(input, trx) : outcome;
  }

  /**
   * {@link applyStatus} for a run of status webhooks, in order, in one transaction: the messages
   * they name are read in one query (by wamid), then each status is one update, and a message
   * named twice in the run (`sent`, then `delivered`) goes on from what the first one wrote.
   * Answers, for each input in order, what {@link applyStatus} would have answered.
   */
  async applyStatuses(inputs: ReadonlyArray<StatusInput>, trx: Kysely<Schema> = this.db): Promise<Array<AppliedStatus | undefined>> {
    // By wamid alone (unique, so its index answers; a workspace condition here can lead the
    // planner to a workspace index instead), then kept only in the status's own workspace.
    const known = new Map<string, StatusRow>();
    const wamids = [...new Set(inputs.map((input) => input.wamid))];
    for (let i = 0; i < wamids.length; i += STATUS_READ_CHUNK) {
      const rows = await trx.selectFrom('messages').select(STATUS_ROW_COLUMNS).where('wamid', 'in', wamids.slice(i, i + STATUS_READ_CHUNK)).execute();
      for (const row of rows) known.set(row.wamid as string, row);
    }
    const results: Array<AppliedStatus | undefined> = [];
    for (const input of inputs) {
      const candidate = known.get(input.wamid);
      const row = candidate && candidate.workspace_id === input.workspaceId && (!input.phoneNumberRowId || candidate.phone_number_id === input.phoneNumberRowId) ? candidate : undefined;
      // Not found by wamid (found by our id, or not at all), or moved by another writer: the one-by-one path reads it.
      const outcome = row ? await this.#applyToRow(row, input, trx) : 'moved';
      results.push(outcome === 'moved' ? await this.applyStatus(input, trx) : outcome);
      if (outcome === 'moved') known.delete(input.wamid);
    }
    return results;
  }

  /** The message a status names: by wamid, or (its send answer lost) by our id on its number. */
  async #statusRow(input: StatusInput, trx: Kysely<Schema>): Promise<StatusRow | undefined> {
    let byWamid = trx.selectFrom('messages').select(STATUS_ROW_COLUMNS).where('wamid', '=', input.wamid).where('workspace_id', '=', input.workspaceId);
    if (input.phoneNumberRowId) byWamid = byWamid.where('phone_number_id', '=', input.phoneNumberRowId);
    let row = await byWamid.executeTakeFirst();
    if (!row && input.ourId && input.phoneNumberRowId) {
      row = await trx
        .selectFrom('messages')
        .select(STATUS_ROW_COLUMNS)
        .where('id', '=', input.ourId)
        .where('workspace_id', '=', input.workspaceId)
        .where('phone_number_id', '=', input.phoneNumberRowId)
        .where('direction', '=', 'out')
        .where('wamid', 'is', null)
        .executeTakeFirst();
      // A wamid that another message holds (in any workspace) is not this one's: never take it
      // (the unique wamid would fail the whole batch of events over and over).
      if (row && (await trx.selectFrom('messages').select('id').where('wamid', '=', input.wamid).executeTakeFirst())) row = undefined;
    }
    return row;
  }

  /**
   * Applies one status to the message row as read; on success the row object is updated to what
   * was written (a later status of the run goes on from it). 'moved': the status in the database
   * is no longer the one read (compare-and-set), nothing was written.
   */
  async #applyToRow(row: StatusRow, input: StatusInput, trx: Kysely<Schema>): Promise<AppliedStatus | undefined | 'moved'> {
    const iso = input.at.toISOString();
    if (input.status === 'played') {
      // The first play only (a duplicate or a replay changes nothing and is not published again).
      if (row.played_at) return undefined;
      const played = await trx.updateTable('messages').set({ played_at: iso }).where('id', '=', row.id).where('played_at', 'is', null).executeTakeFirst();
      if (Number(played.numUpdatedRows) === 0) return undefined;
      row.played_at = iso;
      return { messageId: row.id, workspaceId: row.workspace_id, from: row.status, to: 'played' };
    }
    const stage = STAGE_COLUMN[input.status];
    if (!canAdvance(row.status, input.status)) {
      // Out of order: the status stays, but the stage's time is kept if it is not known yet.
      if (stage && stage !== 'failed_at') await trx.updateTable('messages').set({ [stage]: iso }).where('id', '=', row.id).where(stage, 'is', null).execute();
      // A late `sent` still brings the billing conversation's expiry, which only `sent` carries.
      const stored = row.provider_conversation ?? null;
      const late = lateConversationExpiry(stored, input.conversation);
      if (late) {
        await trx
          .updateTable('messages')
          .set({ provider_conversation: late })
          .where('id', '=', row.id)
          .where((eb) => (stored === null ? eb('provider_conversation', 'is', null) : eb('provider_conversation', '=', stored)))
          .execute();
        row.provider_conversation = late;
      }
      return undefined;
    }
    const patch: Partial<MessagesTable> = { status: input.status, updated_at: (await this.clock.at(row.phone_number_id, trx)).toISOString(), next_attempt_at: null, claimed_at: null };
    if (!row.wamid) patch.wamid = input.wamid;
    if (input.pricing) Object.assign(patch, providerPricingPatch(row, input.pricing, input.reprice));
    if (input.conversation) {
      // Meta gives the expiry only on the conversation's first (`sent`) status: a later one keeps it.
      const expires = Number(input.conversation.expiration_timestamp ?? 0);
      const known = storedConversation(row.provider_conversation);
      patch.provider_conversation = JSON.stringify({
        id: input.conversation.id ?? null,
        origin_type: input.conversation.origin?.type ?? null,
        expires_at: expires > 0 ? new Date(expires * 1000).toISOString() : known?.id === (input.conversation.id ?? null) ? (known?.expires_at ?? null) : null,
      });
    }
    if (input.status === 'failed') {
      patch.failed_at = iso;
      patch.error_code = input.error?.code ?? null;
      patch.error_title = input.error?.title ?? null;
      patch.error_details = input.error?.details ?? null;
    }
    // Compare-and-set on the status we read, so concurrent processors cannot move it back.
    const result = await trx
      .updateTable('messages')
      .set(patch)
      // The stage's first time wins (a duplicate never moves it).
      .$if(stage !== undefined && stage !== 'failed_at', (query) => query.set((eb) => ({ [stage!]: eb.fn.coalesce(stage!, eb.val(iso)) })))
      .where('id', '=', row.id)
      .where('status', '=', row.status)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return 'moved';
    const from = row.status;
    Object.assign(row, {
      status: input.status,
      wamid: patch.wamid ?? row.wamid,
      ...(patch.category !== undefined ? { category: patch.category } : {}),
      ...(patch.pricing_type !== undefined ? { pricing_type: patch.pricing_type } : {}),
      ...(patch.cost_micros !== undefined ? { cost_micros: patch.cost_micros } : {}),
      ...(patch.provider_conversation !== undefined ? { provider_conversation: patch.provider_conversation } : {}),
    });
    return { messageId: row.id, workspaceId: row.workspace_id, from, to: input.status };
  }

  /** The outbound message queued with an idempotency key, if any. */
  async byIdempotencyKey(workspaceId: string, key: string): Promise<MessageView | undefined> {
    return (await this.keyed(workspaceId, key))?.message;
  }

  /** The outbound message queued with an idempotency key and the hash of the request that queued it. */
  async keyed(workspaceId: string, key: string, trx: Kysely<Schema> = this.db): Promise<{ message: MessageView; requestHash: string | null } | undefined> {
    const row = await trx.selectFrom('messages').selectAll().where('workspace_id', '=', workspaceId).where('idempotency_key', '=', key).executeTakeFirst();
    return row ? { message: toView(row), requestHash: row.request_hash } : undefined;
  }

  /** A message with the customer's current reactions to it. */
  async get(workspaceId: string, id: string): Promise<MessageView | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const reactions = await this.db
      .selectFrom('messages as r')
      .innerJoin('contacts as c', 'c.id', 'r.contact_id')
      .select(['r.content', 'r.created_at', 'r.id', 'c.wa_id'])
      .where('r.reacts_to', '=', id)
      .where('r.workspace_id', '=', workspaceId)
      .orderBy('r.created_at')
      .orderBy('r.id')
      .execute();
    return { ...toView(row), reactions: currentReactions(reactions) };
  }

  /**
   * The conversations of the outbound messages whose content names `mediaId` (an attachment sent
   * by its `med_` id), at most `limit` of them: who may see one of these may see the attachment.
   */
  async conversationsSending(workspaceId: string, mediaId: string, limit = 20): Promise<string[]> {
    const pattern = `%"${mediaId.replace(/[\\%_"]/g, (c) => `\\${c}`)}"%`;
    const rows = await this.db
      .selectFrom('messages')
      .select('conversation_id')
      .distinct()
      .where('workspace_id', '=', workspaceId)
      .where('direction', '=', 'out')
      .where(sql<boolean>`${sql.ref('content')} like ${pattern} escape '\\'`)
      .limit(limit)
      .execute();
    return rows.map((row) => row.conversation_id);
  }

  /** Counts by status (for tests, metrics and the kill test). */
  async countByStatus(workspaceId: string): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('messages')
      .select(['status', sql<number>`count(*)`.as('n')])
      .where('workspace_id', '=', workspaceId)
      .where('direction', '=', 'out')
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
  }
}

/** A new outbound row, `queued`, due at `notBefore` (default: now). */
function outboundRow(input: NewOutbound, at: string): MessagesTable {
  return {
    id: input.id ?? newId('msg'),
    workspace_id: input.workspaceId,
    conversation_id: input.conversationId,
    contact_id: input.contactId,
    phone_number_id: input.phoneNumberRowId,
    direction: 'out',
    type: input.type,
    content: JSON.stringify(input.content),
    status: 'queued',
    wamid: null,
    idempotency_key: input.idempotencyKey ?? null,
    request_hash: input.idempotencyKey ? (input.requestHash ?? null) : null,
    attempts: 0,
    next_attempt_at: input.notBefore?.toISOString() ?? at,
    claimed_at: null,
    error_code: null,
    error_title: null,
    error_details: null,
    category: input.category,
    pricing_type: input.pricingType,
    cost_micros: input.costMicros,
    created_at: at,
    updated_at: at,
    sent_at: null,
    delivered_at: null,
    read_at: null,
    failed_at: null,
    sent_by_type: input.sentBy?.type ?? null,
    sent_by_id: input.sentBy?.id ?? null,
  };
}

export function toView(row: MessagesTable): MessageView {
  return {
    id: row.id,
    conversation_id: row.conversation_id,
    contact_id: row.contact_id,
    direction: row.direction,
    type: row.type,
    content: JSON.parse(row.content) as unknown,
    status: row.status,
    wamid: row.wamid,
    error: row.error_code === null ? null : { code: row.error_code, title: row.error_title, details: row.error_details },
    category: row.category,
    pricing_type: row.pricing_type,
    cost: row.cost_micros === null ? null : { currency: 'USD', amount_micros: row.cost_micros },
    attempts: row.attempts,
    created_at: row.created_at,
    sent_at: row.sent_at,
    delivered_at: row.delivered_at,
    read_at: row.read_at,
    failed_at: row.failed_at,
    read_by_business_at: row.business_read_at ?? null,
    deleted_at: row.deleted_at ?? null,
    cost_source: row.cost_source === 'provider' ? 'provider' : row.cost_micros === null ? null : 'rate_card',
    pricing: row.provider_pricing ? (JSON.parse(row.provider_pricing) as MessageView['pricing']) : null,
    provider_conversation: storedConversation(row.provider_conversation) ?? null,
    played_at: row.played_at ?? null,
    reacts_to: row.reacts_to ?? null,
    ...inboundExtras(row),
    reactions: [],
    sent_by: row.sent_by_type ? { type: row.sent_by_type as MessageAuthor['type'], id: row.sent_by_id ?? null } : null,
  };
}

/** What an inbound message's content says about where it came from (referral, forwarding, product). */
function inboundExtras(row: MessagesTable): Pick<MessageView, 'referral' | 'forwarded' | 'frequently_forwarded' | 'referred_product'> {
  const content = row.direction === 'in' && row.content ? (JSON.parse(row.content) as { referral?: unknown; context?: { forwarded?: unknown; frequently_forwarded?: unknown; referred_product?: unknown } } | null) : null;
  const referral = content?.referral;
  const product = content?.context?.referred_product as { catalog_id?: unknown; product_retailer_id?: unknown } | undefined;
  return {
    referral: referral && typeof referral === 'object' ? (referral as Record<string, unknown>) : null,
    forwarded: content?.context?.forwarded === true || content?.context?.frequently_forwarded === true,
    frequently_forwarded: content?.context?.frequently_forwarded === true,
    referred_product: product && typeof product.catalog_id === 'string' && typeof product.product_retailer_id === 'string' ? { catalog_id: product.catalog_id, product_retailer_id: product.product_retailer_id } : null,
  };
}

/** Each customer's latest reaction (an empty emoji removes it), oldest first. */
function currentReactions(rows: ReadonlyArray<{ content: string; created_at: string; wa_id: string }>): MessageView['reactions'] {
  const latest = new Map<string, { emoji: string; from: string; at: string }>();
  for (const row of rows) {
    const emoji = (JSON.parse(row.content) as { reaction?: { emoji?: unknown } } | null)?.reaction?.emoji;
    latest.delete(row.wa_id);
    if (typeof emoji === 'string' && emoji !== '') latest.set(row.wa_id, { emoji, from: row.wa_id, at: row.created_at });
  }
  return [...latest.values()];
}

/**
 * The columns Meta's `pricing` sets: its category and pricing type replace ours, and the cost
 * follows them (0 when not billable or free, our amount when Meta agrees with our estimate, the
 * rate card's price of Meta's category otherwise), with `cost_source: provider`.
 */
function providerPricingPatch(
  row: { category: string | null; pricing_type: string | null; cost_micros: number | null },
  pricing: ProviderPricing,
  reprice: ((category: string, pricingType: string) => number | undefined) | undefined,
): Partial<MessagesTable> {
  const category = pricing.category ?? row.category;
  const type = pricing.type ?? (pricing.billable === false ? 'free_customer_service' : (row.pricing_type ?? 'regular'));
  let cost = row.cost_micros;
  if (pricing.billable === false || type !== 'regular') cost = 0;
  else if (category !== row.category || type !== row.pricing_type || cost === null) cost = (category ? reprice?.(category, type) : undefined) ?? cost;
  return {
    provider_pricing: JSON.stringify({ billable: pricing.billable ?? null, category: pricing.category ?? null, pricing_model: pricing.pricing_model ?? null, type: pricing.type ?? null }),
    category,
    pricing_type: type,
    cost_micros: cost,
    cost_source: 'provider',
  };
}

/** The billing conversation stored on a message (`provider_conversation`, JSON), if any. */
function storedConversation(stored: string | null | undefined): MessageView['provider_conversation'] | undefined {
  return stored ? (JSON.parse(stored) as NonNullable<MessageView['provider_conversation']>) : undefined;
}

/**
 * The billing conversation to store when a status arrives after a later one (a late `sent`):
 * the expiry it carries, when the conversation stored has none (or none is stored) and is the
 * same one. Undefined: nothing to change.
 */
function lateConversationExpiry(stored: string | null, conversation: StatusInput['conversation']): string | undefined {
  const expires = Number(conversation?.expiration_timestamp ?? 0);
  if (!conversation || !(expires > 0)) return undefined;
  const known = storedConversation(stored);
  if (known && (known.expires_at || (known.id ?? null) !== (conversation.id ?? null))) return undefined;
  return JSON.stringify({ id: conversation.id ?? null, origin_type: known?.origin_type ?? conversation.origin?.type ?? null, expires_at: new Date(expires * 1000).toISOString() });
}
