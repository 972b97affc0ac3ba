import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { newId, type Capabilities, type Schema, type WebhookDeliveriesTable } from '../../db/index.js';
import { advanceOutboxCursor, isWebhookEventType, readOutboxAt, type DomainEvent, type OutboxCursor, type OutboxReader } from '../events/index.js';
import { PollingLoop } from '../../jobs/index.js';
import { eventIdOf, matchesEventFilter } from './webhooks.js';
import { realClock } from '../../clock/index.js';

export type { OutboxReader };

export interface FanOutOptions {
  /** Events read per pass (default 200). */
  batchSize?: number;
  /** Idle poll interval (default 200 ms; `wake()` cuts it short). */
  pollMs?: number;
  /**
   * How long a missing outbox id is waited for before it is taken as rolled back (default
   * 60 s). Only on databases with several writers; see `advanceOutboxCursor`.
   */
  gapTimeoutMs?: number;
  /** Wall clock for gap ages (default `Date.now`; the app clock may be moved by the sandbox). */
  wallClock?: () => number;
}

const CONSUMER = 'webhooks';

/**
 * Turns committed outbox events into deliveries: one per active subscription of the event's
 * workspace whose filter takes its type, at most one per (subscription, event) however often an
 * event is read. Its position is the row `event_consumers.webhooks`; on PostgreSQL the row is
 * locked for the write (`FOR UPDATE SKIP LOCKED`) so that one node at a time moves it, and ids
 * that commit out of order are caught by gap tracking (see `advanceOutboxCursor`).
 */
export class WebhookFanOut {
  readonly #loop: PollingLoop;
  #cursor: OutboxCursor | undefined;
  /** The position this node last read or wrote; another value in the table means another node moved it. */
  #position: number | undefined;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly capabilities: Capabilities,
    private readonly outbox: OutboxReader,
    private readonly logger: Logger,
    private readonly now: () => Date = () => realClock.now(),
    private readonly options: FanOutOptions = {},
    /** Called with the number of deliveries created (wakes the delivery worker). */
    private readonly created: (count: number) => void = () => undefined,
  ) {
    this.#loop = new PollingLoop(() => this.tick(), options.pollMs ?? 200, logger, 'webhook fan-out');
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /**
   * The committed position of the fan-out (every node's): every outbox event up to it has its
   * deliveries (which carry their own payload), so the outbox retention may delete below it.
   * 0 before the first pass.
   */
  async committedPosition(): Promise<number> {
    return (await this.#readPosition(this.db)) ?? 0;
  }

  /** Something was recorded in the outbox: look now. */
  wake(): void {
    this.#loop.wake();
  }

  /** One pass: reads new events (and events that filled a gap), creates their deliveries, moves the position. Answers how many events it handled. */
  async tick(): Promise<number> {
    const stored = await this.#readPosition(this.db);
    if (stored === undefined) return 0;
    if (this.#cursor === undefined || stored !== this.#position) {
      this.#cursor = { seenUpTo: stored, gaps: [] };
      this.#position = stored;
    }
    const cursor = this.#cursor;
    const { refilled, fresh } = await readOutboxAt(this.outbox, cursor, this.options.batchSize ?? 200);
    const events = [...refilled, ...fresh];
    const next = advanceOutboxCursor(
      cursor,
      events.map((event) => event.id),
      { trackGaps: !this.capabilities.singleWriter, nowMs: (this.options.wallClock ?? Date.now)(), gapTimeoutMs: this.options.gapTimeoutMs ?? 60_000 },
    );
    if (events.length === 0 && next.position === stored && next.expired.length === 0) return 0;

    const created = await this.db.transaction().execute(async (trx) => {
      // Only the node holding the row writes; if another node moved it meanwhile, start over from its position.
      const current = await this.#readPosition(trx, true);
      if (current !== stored) return undefined;
      const count = await this.#createDeliveries(trx, events);
      if (next.position !== stored) {
        await trx.updateTable('event_consumers').set({ position: next.position, updated_at: this.now().toISOString() }).where('name', '=', CONSUMER).execute();
      }
      return count;
    });
    if (created === undefined) {
      this.#cursor = undefined;
      return 0;
    }
    for (const gap of next.expired) this.logger.debug({ from: gap.from, to: gap.to }, 'outbox ids never committed (rolled back); moving on');
    this.#cursor = next.cursor;
    this.#position = next.position;
    if (created > 0) this.created(created);
    return events.length;
  }

  async #readPosition(db: Kysely<Schema>, lock = false): Promise<number | undefined> {
    let query = db.selectFrom('event_consumers').select('position').where('name', '=', CONSUMER);
    if (lock && this.capabilities.supportsSkipLocked) query = query.forUpdate().skipLocked();
    const row = await query.executeTakeFirst();
    return row ? Number(row.position) : undefined;
  }

  async #createDeliveries(trx: Kysely<Schema>, events: DomainEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const workspaces = [...new Set(events.map((event) => event.workspace_id))];
    const subscriptions = await trx
      .selectFrom('webhook_subscriptions')
      .select(['id', 'workspace_id', 'events', 'after_event_id'])
      .where('active', '=', 1)
      .where('workspace_id', 'in', workspaces)
      .execute();
    if (subscriptions.length === 0) return 0;
    const filters = new Map(subscriptions.map((s) => [s.id, JSON.parse(s.events) as string[]]));
    const at = this.now().toISOString();
    const rows: WebhookDeliveriesTable[] = [];
    for (const event of events) {
      // The inbox's own events (message.created, note.created, ...) are not offered to subscribers.
      if (!isWebhookEventType(event.type)) continue;
      let body: string | undefined;
      for (const subscription of subscriptions) {
        if (subscription.workspace_id !== event.workspace_id || event.id <= Number(subscription.after_event_id)) continue;
        if (!matchesEventFilter(filters.get(subscription.id) ?? [], event.type)) continue;
        body ??= JSON.stringify({ id: eventIdOf(event.id), type: event.type, created_at: event.created_at, workspace_id: event.workspace_id, data: event.data });
        rows.push({
          id: newId('whd'),
          subscription_id: subscription.id,
          workspace_id: event.workspace_id,
          event_id: event.id,
          event_type: event.type,
          payload: body,
          status: 'pending',
          attempts: 0,
          next_attempt_at: at,
          last_status_code: null,
          last_error: null,
          created_at: at,
          updated_at: at,
          delivered_at: null,
        });
      }
    }
    let created = 0;
    for (let i = 0; i < rows.length; i += 100) {
      const result = await trx
        .insertInto('webhook_deliveries')
        .values(rows.slice(i, i + 100))
        .onConflict((conflict) => conflict.columns(['subscription_id', 'event_id']).doNothing())
        .executeTakeFirst();
      created += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return created;
  }
}
