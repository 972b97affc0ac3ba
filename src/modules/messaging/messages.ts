import { sql, type Kysely } from 'kysely';
import { realClock, type Clock } from '../../clock/index.js';
import { newId, type MessagesTable, type Schema } from '../../db/index.js';

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
}

/** The messages table: both directions, and for outbound rows the outbox itself. */
export class Messages {
  constructor(
    private readonly db: Kysely<Schema>,
    /** A message's timestamps follow its number's clock. */
    private readonly clock: Clock = realClock,
  ) {}

  /**
   * Queues an outbound message. With an idempotency key already used in the workspace, the
   * existing message is answered instead, with the request hash stored with the key, and
   * nothing new is queued.
   */
  async queue(input: NewOutbound, trx: Kysely<Schema> = this.db): Promise<{ message: MessageView; duplicate: boolean; requestHash: string | null }> {
    const row = outboundRow(input, (await this.clock.at(input.phoneNumberRowId, trx)).toISOString());
    const result = await trx
      .insertInto('messages')
      .values(row)
      .onConflict((oc) => oc.columns(['workspace_id', 'idempotency_key']).doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) === 1) return { message: toView(row), duplicate: false, requestHash: row.request_hash };
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
    // 26 columns a row: 400 rows stay under SQLite's 32,766 bound parameters.
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
    input: { workspaceId: string; conversationId: string; contactId: string; phoneNumberRowId: string; wamid: string; type: string; content: unknown; at: Date },
    trx: Kysely<Schema> = this.db,
  ): Promise<{ id: string; created: boolean }> {
    const iso = input.at.toISOString();
    const id = newId('msg');
    const result = await trx
      .insertInto('messages')
      .values({
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
      })
      .onConflict((oc) => oc.column('wamid').doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) === 1) return { id, created: true };
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
  async applyStatus(
    input: {
      workspaceId: string;
      /** Our row id of the number the status names; without it our id is never used. */
      phoneNumberRowId?: string | undefined;
      wamid: string;
      ourId?: string | undefined;
      status: 'sent' | 'delivered' | 'read' | 'failed';
      at: Date;
      error?: { code: number; title: string; details: string } | undefined;
    },
    trx: Kysely<Schema> = this.db,
  ): Promise<{ messageId: string; workspaceId: string; from: string; to: string } | undefined> {
    let byWamid = trx.selectFrom('messages').select(['id', 'status', 'wamid', 'workspace_id', 'phone_number_id']).where('wamid', '=', input.wamid).where('workspace_id', '=', input.workspaceId);
    if (input.phoneNumberRowId) byWamid = byWamid.where('phone_number_id', '=', input.phoneNumberRowId);
    let row = await byWamid.executeTakeFirst();
    if (!row && input.ourId && input.phoneNumberRowId) {
      row = await trx
        .selectFrom('messages')
        .select(['id', 'status', 'wamid', 'workspace_id', 'phone_number_id'])
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
    if (!row) return undefined;
    const iso = input.at.toISOString();
    const stage = STAGE_COLUMN[input.status];
    if (!canAdvance(row.status, input.status)) {
      // Out of order: the status stays, but the stage's time is kept if it is not known yet.
      if (stage && stage !== 'failed_at') await trx.updateTable('messages').set({ [stage]: iso }).where('id', '=', row.id).where(stage, 'is', null).execute();
      return undefined;
    }
    const patch: Partial<MessagesTable> = { status: input.status, updated_at: (await this.clock.at(row.phone_number_id, trx)).toISOString(), next_attempt_at: null, claimed_at: null };
    if (!row.wamid) patch.wamid = input.wamid;
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
    if (Number(result.numUpdatedRows) === 0) return this.applyStatus(input, trx);
    return { messageId: row.id, workspaceId: row.workspace_id, from: row.status, to: input.status };
  }

  /** The outbound message queued with an idempotency key, if any. */
  async byIdempotencyKey(workspaceId: string, key: string): Promise<MessageView | undefined> {
    return (await this.keyed(workspaceId, key))?.message;
  }

  /** The outbound message queued with an idempotency key and the hash of the request that queued it. */
  async keyed(workspaceId: string, key: string): Promise<{ message: MessageView; requestHash: string | null } | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('workspace_id', '=', workspaceId).where('idempotency_key', '=', key).executeTakeFirst();
    return row ? { message: toView(row), requestHash: row.request_hash } : undefined;
  }

  async get(workspaceId: string, id: string): Promise<MessageView | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? toView(row) : undefined;
  }

  /** The latest messages of a conversation, newest first. */
  async latest(conversationId: string, limit: number): Promise<MessageView[]> {
    const rows = await this.db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toView);
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
  };
}
