import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';
import { realClock } from '../../clock/index.js';

/** The event types other systems can subscribe to. */
export const EVENT_TYPES = ['message.received', 'message.status', 'message.error', 'conversation.updated', 'consent.changed', 'contact.created', 'template.status', 'notification.refused', 'form.submitted', 'survey.answered'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Event types for the agent inbox only (its WebSocket feed): recorded in the same outbox, never
 * offered to webhook subscribers (not even to `*`). Each one's data carries `conversation_id`.
 */
export const INTERNAL_EVENT_TYPES = ['message.created', 'note.created', 'conversation.labels'] as const;
export type InternalEventType = (typeof INTERNAL_EVENT_TYPES)[number];

/** Whether an event type is for the inbox only (see {@link INTERNAL_EVENT_TYPES}). */
export function isInternalEventType(type: string): type is InternalEventType {
  return (INTERNAL_EVENT_TYPES as readonly string[]).includes(type);
}

export interface DomainEvent {
  id: number;
  workspace_id: string;
  type: EventType | InternalEventType;
  data: Record<string, unknown>;
  created_at: string;
}

/**
 * The event outbox. `record` joins the caller's transaction; `after` reads committed events in
 * order, for consumers that keep their own position (outbound webhooks, realtime fan-out).
 */
export class Events {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => Date = () => realClock.now(),
  ) {}

  async record(trx: Kysely<Schema>, workspaceId: string, type: EventType | InternalEventType, data: Record<string, unknown>): Promise<void> {
    await trx.insertInto('outbox_events').values({ workspace_id: workspaceId, type, data: JSON.stringify(data), created_at: this.now().toISOString() }).execute();
  }

  /** Committed events with an id above `afterId`, oldest first. */
  async after(afterId: number, limit: number): Promise<DomainEvent[]> {
    const rows = await this.db.selectFrom('outbox_events').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
    return rows.map((row) => ({ id: Number(row.id), workspace_id: row.workspace_id, type: row.type as EventType | InternalEventType, data: JSON.parse(row.data) as Record<string, unknown>, created_at: row.created_at }));
  }

  /** The newest event id (consumers starting fresh begin after it). */
  async lastId(): Promise<number> {
    const row = await this.db.selectFrom('outbox_events').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
    return Number(row?.max ?? 0);
  }
}
