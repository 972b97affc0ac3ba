import { sql, type Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';
import { realClock } from '../../clock/index.js';

/** The event types other systems can subscribe to (outbound webhooks; the OpenAPI enum). */
export const EVENT_TYPES = ['message.received', 'message.status', 'message.error', 'conversation.updated', 'consent.changed', 'contact.created', 'template.status', 'notification.refused', 'form.submitted', 'survey.answered', 'group.created', 'group.updated', 'group.participant_joined', 'group.participant_left', 'group.deleted', 'lead.created', 'lead.updated'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The agent inbox's own event types (issue 11): recorded in the same outbox and pushed to
 * browsers by the realtime hub, never offered to webhook subscribers (not in {@link EVENT_TYPES},
 * skipped by the fan-out). Each one's data carries `conversation_id`.
 * - `message.created`: an outbound message was queued (by an agent, the bot, the API, a notification).
 * - `note.created`: an internal note was written on a conversation.
 * - `conversation.labels`: a conversation's labels changed.
 */
export const INTERNAL_EVENT_TYPES = ['message.created', 'note.created', 'conversation.labels'] as const;
export type InternalEventType = (typeof INTERNAL_EVENT_TYPES)[number];

/** Whether an event type is for the inbox only (see {@link INTERNAL_EVENT_TYPES}). */
export function isInternalEventType(type: string): type is InternalEventType {
  return (INTERNAL_EVENT_TYPES as readonly string[]).includes(type);
}

/** Any type the outbox holds. */
export type OutboxEventType = EventType | InternalEventType;

/** Whether outbound webhooks may carry events of this type (internal inbox events may not). */
export function isWebhookEventType(type: string): type is EventType {
  return (EVENT_TYPES as readonly string[]).includes(type);
}

/** An event recorded and not yet inserted: its data already serialized (a later change to the object does not leak in). */
interface HeldEvent {
  workspaceId: string;
  type: OutboxEventType;
  json: string;
  at: string;
}

/** The PostgreSQL channel a recording transaction notifies at commit (`LISTEN conversa_outbox`). */
export const OUTBOX_CHANNEL = 'conversa_outbox';

export interface DomainEvent {
  id: number;
  workspace_id: string;
  type: OutboxEventType;
  data: Record<string, unknown>;
  created_at: string;
}

export interface EventsOptions {
  /**
   * Databases with LISTEN/NOTIFY: each recording transaction also notifies {@link OUTBOX_CHANNEL}
   * (in the insert's statement, so no extra round trip; PostgreSQL delivers it at commit, to
   * every node, and folds repeats within one transaction).
   */
  notifyAtCommit?: boolean;
  /**
   * Called right after an event is inserted, before the caller commits (in-process followers on
   * a single-writer database: their next read waits on the one connection, so it sees the commit).
   */
  recorded?: () => void;
}

/**
 * The event outbox. `record` joins the caller's transaction; `after` reads committed events in
 * order, for consumers that keep their own position (outbound webhooks, realtime fan-out).
 */
export class Events {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => Date = () => realClock.now(),
    private readonly options: EventsOptions = {},
  ) {}

  /**
   * Erasure of a person (issue 13): deletes the workspace's outbox events whose data `mentions`
   * them, in keyset pages of `batch` rows (each page's matches in their own statement). A
   * consumer behind them sees a gap it skips (outbox-position.ts). Answers how many.
   */
  async eraseMentioning(workspaceId: string, mentions: (data: string) => boolean, batch = 500): Promise<number> {
    let after = 0;
    let deleted = 0;
    for (;;) {
      const rows = await this.db.selectFrom('outbox_events').select(['id', 'data']).where('workspace_id', '=', workspaceId).where('id', '>', after).orderBy('id').limit(batch).execute();
      if (rows.length === 0) return deleted;
      after = Number(rows[rows.length - 1]?.id);
      const ids = rows.filter((row) => mentions(row.data)).map((row) => row.id);
      if (ids.length > 0) deleted += Number((await this.db.deleteFrom('outbox_events').where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
    }
  }

  async record(trx: Kysely<Schema>, workspaceId: string, type: OutboxEventType, data: Record<string, unknown>): Promise<void> {
    const held = this.#held.get(trx);
    if (held) held.push({ workspaceId, type, json: JSON.stringify(data), at: this.now().toISOString() });
    else await this.recordMany(trx, [{ workspaceId, type, data }]);
  }

  /** Events recorded in a transaction that holds them (see {@link hold}), not yet written. */
  readonly #held = new WeakMap<Kysely<Schema>, HeldEvent[]>();

  /**
   * From now on, events recorded in `trx` are kept in memory and written together, in the order
   * they were recorded, by {@link release} — which the caller must await before it commits (the
   * inbound processor: a batch of messages records a handful of events each, and one insert
   * for all saves a round trip per event on PostgreSQL). Nothing in the transaction may read
   * the outbox meanwhile (nothing does: consumers read committed events).
   */
  hold(trx: Kysely<Schema>): void {
    if (!this.#held.has(trx)) this.#held.set(trx, []);
  }

  /** Writes the events held for `trx` in one statement and stops holding (see {@link hold}). */
  async release(trx: Kysely<Schema>): Promise<void> {
    const held = this.#held.get(trx);
    this.#held.delete(trx);
    if (held && held.length > 0) await this.#insert(trx, held);
  }

  /** Several events in one statement, in the order given (their ids follow it). */
  async recordMany(trx: Kysely<Schema>, events: ReadonlyArray<{ workspaceId: string; type: OutboxEventType; data: Record<string, unknown> }>): Promise<void> {
    if (events.length === 0) return;
    const at = this.now().toISOString();
    const rows = events.map((event) => ({ workspaceId: event.workspaceId, type: event.type, json: JSON.stringify(event.data), at }));
    const held = this.#held.get(trx);
    if (held) held.push(...rows);
    else await this.#insert(trx, rows);
  }

  async #insert(trx: Kysely<Schema>, events: ReadonlyArray<HeldEvent>): Promise<void> {
    // Chunks well under SQLite's and PostgreSQL's bound-parameter limits (4 a row).
    for (let i = 0; i < events.length; i += 1000) await this.#insertChunk(trx, events.slice(i, i + 1000));
  }

  async #insertChunk(trx: Kysely<Schema>, events: ReadonlyArray<HeldEvent>): Promise<void> {
    const values = events.map((event) => ({ workspace_id: event.workspaceId, type: event.type, data: event.json, created_at: event.at }));
    if (this.options.notifyAtCommit) {
      await trx
        .with('recorded', (db) => db.insertInto('outbox_events').values(values).returning('id'))
        .selectFrom(['recorded']) // the CTE above, not a table
        .select(sql<string>`pg_notify(${OUTBOX_CHANNEL}, '')`.as('notified'))
        .limit(1) // one notification for the statement (the insert runs whole regardless)
        .execute();
    } else {
      await trx.insertInto('outbox_events').values(values).execute();
    }
    this.options.recorded?.();
  }

  /** Committed events with an id above `afterId`, oldest first. */
  async after(afterId: number, limit: number): Promise<DomainEvent[]> {
    const rows = await this.db.selectFrom('outbox_events').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
    return rows.map((row) => ({ id: Number(row.id), workspace_id: row.workspace_id, type: row.type as OutboxEventType, data: JSON.parse(row.data) as Record<string, unknown>, created_at: row.created_at }));
  }

  /** The newest event id (consumers starting fresh begin after it). */
  async lastId(): Promise<number> {
    const row = await this.db.selectFrom('outbox_events').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
    return Number(row?.max ?? 0);
  }

  /** The oldest event id still kept (0 when the outbox is empty). */
  async firstId(): Promise<number> {
    const row = await this.db.selectFrom('outbox_events').select((eb) => eb.fn.min('id').as('min')).executeTakeFirst();
    return Number(row?.min ?? 0);
  }
}
