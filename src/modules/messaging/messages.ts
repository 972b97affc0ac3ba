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
}

export interface NewOutbound {
  workspaceId: string;
  conversationId: string;
  contactId: string;
  phoneNumberRowId: string;
  type: string;
  content: unknown;
  idempotencyKey?: string | undefined;
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
   * existing message is answered instead and nothing new is queued.
   */
  async queue(input: NewOutbound, trx: Kysely<Schema> = this.db): Promise<{ message: MessageView; duplicate: boolean }> {
    const row = outboundRow(input, (await this.clock.at(input.phoneNumberRowId, trx)).toISOString());
    const result = await trx
      .insertInto('messages')
      .values(row)
      .onConflict((oc) => oc.columns(['workspace_id', 'idempotency_key']).doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) === 1) return { message: toView(row), duplicate: false };
    const existing = await trx
      .selectFrom('messages')
      .selectAll()
      .where('workspace_id', '=', input.workspaceId)
      .where('idempotency_key', '=', input.idempotencyKey ?? '')
      .executeTakeFirstOrThrow();
    return { message: toView(existing), duplicate: true };
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
   * Applies a status webhook: finds the message by wamid, or by our id (echoed in
   * `biz_opaque_callback_data`) when the send's answer was lost, and moves it forward only.
   */
  async applyStatus(
    input: { wamid: string; ourId?: string | undefined; status: 'sent' | 'delivered' | 'read' | 'failed'; at: Date; error?: { code: number; title: string; details: string } | undefined },
    trx: Kysely<Schema> = this.db,
  ): Promise<{ messageId: string; workspaceId: string; from: string; to: string } | undefined> {
    let row = await trx.selectFrom('messages').select(['id', 'status', 'wamid', 'workspace_id', 'phone_number_id']).where('wamid', '=', input.wamid).executeTakeFirst();
    if (!row && input.ourId) {
      row = await trx.selectFrom('messages').select(['id', 'status', 'wamid', 'workspace_id', 'phone_number_id']).where('id', '=', input.ourId).where('direction', '=', 'out').executeTakeFirst();
    }
    if (!row || !canAdvance(row.status, input.status)) return undefined;
    const iso = input.at.toISOString();
    const patch: Partial<MessagesTable> = { status: input.status, updated_at: (await this.clock.at(row.phone_number_id, trx)).toISOString(), next_attempt_at: null, claimed_at: null };
    if (!row.wamid) patch.wamid = input.wamid;
    if (input.status === 'sent') patch.sent_at = iso;
    if (input.status === 'delivered') patch.delivered_at = iso;
    if (input.status === 'read') patch.read_at = iso;
    if (input.status === 'failed') {
      patch.failed_at = iso;
      patch.error_code = input.error?.code ?? null;
      patch.error_title = input.error?.title ?? null;
      patch.error_details = input.error?.details ?? null;
    }
    // Compare-and-set on the status we read, so concurrent processors cannot move it back.
    const result = await trx.updateTable('messages').set(patch).where('id', '=', row.id).where('status', '=', row.status).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return this.applyStatus(input, trx);
    return { messageId: row.id, workspaceId: row.workspace_id, from: row.status, to: input.status };
  }

  /** The outbound message queued with an idempotency key, if any. */
  async byIdempotencyKey(workspaceId: string, key: string): Promise<MessageView | undefined> {
    const row = await this.db.selectFrom('messages').selectAll().where('workspace_id', '=', workspaceId).where('idempotency_key', '=', key).executeTakeFirst();
    return row ? toView(row) : undefined;
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
  };
}
