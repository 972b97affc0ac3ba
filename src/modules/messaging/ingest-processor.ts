import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Schema } from '../../db/index.js';
import { backoffDelayMs, PollingLoop, type Backoff } from '../../jobs/index.js';
import { eventPhoneNumberId, messageSender, readWebhookEvent, type InboundWebhookEvent, type InboundWebhookKind } from '../../whatsapp/index.js';
import type { InboundEvents, InboundRouter, InboundRunItem, StoredInboundEvent } from '../inbound/index.js';
import type { PhoneNumbers, PhoneNumberView } from '../phone-numbers/index.js';

export interface ProcessorDeps {
  db: Kysely<Schema>;
  inbound: InboundEvents;
  phoneNumbers: PhoneNumbers;
  /** Hands each event to the handlers its owning modules registered (build-app.ts). */
  router: InboundRouter;
  logger: Logger;
  /**
   * A batch (or an event retried alone) committed: the composition root wakes whatever its
   * handlers queued (the dispatcher for replies), so it runs now rather than at its next poll
   * (a wake from inside the transaction may come before the commit).
   */
  committed?: () => void;
  /**
   * How many transactions a batch may be split into, side by side (default 1). Only for a
   * database with concurrent writers (PostgreSQL): see {@link lanesOf}.
   */
  lanes?: number;
  /**
   * The event outbox: the events a transaction's handlers record are held and written in one
   * statement before it commits (`Events.hold` / `Events.release`).
   */
  outbox?: { hold(trx: Kysely<Schema>): void; release(trx: Kysely<Schema>): Promise<void> };
}

/** A claimed event, read and scoped, ready for its handlers. */
interface Prepared {
  event: StoredInboundEvent;
  payload: InboundWebhookEvent;
  number: PhoneNumberView | undefined;
}

/**
 * Splits a batch into at most `lanes` lists that can be applied in parallel transactions: the
 * events of one conversation (the business number and the customer: a customer's messages and
 * the statuses of what was sent to them) always in the same list, in arrival order. A batch with
 * anything else (a group message, a number change, a template or account event, …) stays whole:
 * those touch what several conversations share.
 */
export function lanesOf(prepared: ReadonlyArray<Prepared>, lanes: number): Prepared[][] {
  if (lanes <= 1 || prepared.length < 2) return [[...prepared]];
  const keyed: Array<{ item: Prepared; key: string }> = [];
  for (const item of prepared) {
    const key = conversationKey(item.payload);
    if (key === undefined) return [[...prepared]];
    keyed.push({ item, key });
  }
  const laneOfKey = new Map<string, number>();
  const result: Prepared[][] = [];
  for (const { item, key } of keyed) {
    let lane = laneOfKey.get(key);
    if (lane === undefined) {
      lane = laneOfKey.size % lanes;
      laneOfKey.set(key, lane);
    }
    (result[lane] ??= []).push(item);
  }
  return result;
}

/** The conversation a message or status event belongs to; undefined for anything else. */
function conversationKey(payload: InboundWebhookEvent): string | undefined {
  if (payload.kind === 'message') {
    const { message } = payload.payload;
    if (message.type === 'system' || (typeof message.group_id === 'string' && message.group_id !== '')) return undefined;
    const sender = messageSender(payload.payload);
    const who = sender.waId ?? sender.userId;
    return who === undefined ? undefined : `${payload.payload.metadata?.phone_number_id ?? ''}|${who}`;
  }
  if (payload.kind === 'status') {
    const { status } = payload.payload;
    return typeof status.recipient_id === 'string' && status.recipient_id !== '' ? `${payload.payload.metadata?.phone_number_id ?? ''}|${status.recipient_id}` : undefined;
  }
  return undefined;
}

/** Events applied in one transaction at most. */
const BATCH = 200;

/** A failed event is retried after 2 s, 4 s, … up to 256 s (its lease, shortened; no jitter: one node's own backlog). */
const EVENT_RETRY: Backoff = { baseMs: 2000, maxMs: 256_000, jitter: 0 };

/**
 * Applies stored webhook events: each is read as a typed event and routed (`InboundRouter`) to
 * the handlers of its kind, in one transaction per batch. Runs as a durable loop over
 * `inbound_events`: an event is marked processed only after its effects commit, and handlers
 * are idempotent, so a crash anywhere repeats work, never loses it. Events are claimed and
 * applied in arrival order, so the events of a conversation keep their order.
 */
export class IngestProcessor {
  readonly #loop: PollingLoop;

  constructor(private readonly deps: ProcessorDeps) {
    // A batch that was not full took everything due: the loop then waits for the next wake (a
    // stored webhook) instead of asking again at once (one read saved per batch).
    this.#loop = new PollingLoop(async () => ((await this.drain(BATCH)) >= BATCH ? BATCH : 0), 100, deps.logger, 'inbound processor');
  }

  start(): void {
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
  }

  wake(): void {
    this.#loop.wake();
  }

  /** Processes what is pending now; answers how many events it handled. */
  async drain(batch = BATCH): Promise<number> {
    const events = await this.deps.inbound.next(batch);
    if (events.length === 0) return 0;
    // Lookups through caches happen before the transaction: on SQLite the transaction holds
    // the only connection, so nothing inside it may use another.
    const prepared: Prepared[] = [];
    for (const event of events) {
      try {
        const payload = readWebhookEvent(event.kind, JSON.parse(event.payload) as unknown);
        const scoped = await this.#scope(event, payload);
        if (scoped === 'elsewhere') {
          // Routing at the webhook keeps these out; an event stored before it did is kept, not applied.
          await this.deps.inbound.markProcessed([event.id]);
          continue;
        }
        prepared.push({ event, payload, number: scoped });
      } catch (error) {
        await this.#failed(event, error);
      }
    }
    // One transaction per lane; lanes (PostgreSQL only) run side by side, each conversation's
    // events in one lane in arrival order.
    await Promise.all(lanesOf(prepared, this.deps.lanes ?? 1).map((lane) => this.#commit(lane)));
    // Every lane committed (or rolled back, then redone one by one): nothing is left in a transaction.
    this.deps.committed?.();
    return events.length;
  }

  /** A lane's events in one transaction, marked processed in it: one commit for many events. */
  async #commit(prepared: ReadonlyArray<Prepared>): Promise<void> {
    try {
      await this.deps.db.transaction().execute(async (trx) => {
        this.deps.outbox?.hold(trx);
        await this.#processAll(prepared, trx);
        await this.deps.outbox?.release(trx);
        await this.deps.inbound.markProcessed(prepared.map((item) => item.event.id), trx);
      });
    } catch {
      // One bad event must not hold the others back: redo them one transaction each.
      for (const item of prepared) {
        try {
          await this.deps.db.transaction().execute(async (trx) => {
            this.deps.outbox?.hold(trx);
            await this.#process(item.event, item.payload, item.number, trx);
            await this.deps.outbox?.release(trx);
            await this.deps.inbound.markProcessed([item.event.id], trx);
          });
        } catch (error) {
          await this.#failed(item.event, error);
        }
      }
    }
  }

  async #failed(event: StoredInboundEvent, error: unknown): Promise<void> {
    const retryInMs = backoffDelayMs(event.attempts, EVENT_RETRY);
    this.deps.logger.error({ err: error, eventId: event.id, attempt: event.attempts, retryInMs }, 'inbound event processing failed; will retry');
    await this.deps.inbound.markFailed(event, error instanceof Error ? error.message : String(error), retryInMs);
  }

  /**
   * The number an event names (`metadata.phone_number_id`), which must belong to the event's
   * workspace (the one whose app secret verified the webhook): 'elsewhere' when it names a
   * number of another workspace, or none we know; undefined when it names none.
   */
  async #scope(event: StoredInboundEvent, payload: InboundWebhookEvent): Promise<PhoneNumberView | undefined | 'elsewhere'> {
    const metaNumberId = eventPhoneNumberId(payload);
    if (metaNumberId === undefined) return undefined;
    const number = await this.deps.phoneNumbers.findByMetaId(metaNumberId);
    if (number?.workspace_id === event.workspace_id) return number;
    this.deps.logger.warn({ eventId: event.id, kind: event.kind, metaNumberId }, 'inbound event for a phone number outside its workspace; kept in inbound_events only');
    return 'elsewhere';
  }

  async #process(event: StoredInboundEvent, payload: InboundWebhookEvent, number: PhoneNumberView | undefined, trx: Kysely<Schema>): Promise<void> {
    await this.deps.router.route(payload, { workspaceId: event.workspace_id, number, trx, stored: {} });
  }

  /**
   * The batch's events in arrival order; consecutive events of a kind that has a run handler
   * (statuses) go to the router together, so their handler reads and writes for all at once.
   */
  async #processAll(prepared: ReadonlyArray<Prepared>, trx: Kysely<Schema>): Promise<void> {
    let run: Array<InboundRunItem<InboundWebhookKind>> = [];
    const flush = async () => {
      if (run.length > 0) await this.deps.router.routeRun(run);
      run = [];
    };
    for (const item of prepared) {
      if (!this.deps.router.takesRuns(item.payload.kind)) {
        await flush();
        await this.#process(item.event, item.payload, item.number, trx);
        continue;
      }
      if (run[0] && run[0].event.kind !== item.payload.kind) await flush();
      run.push({ event: item.payload, context: { workspaceId: item.event.workspace_id, number: item.number, trx, stored: {} } });
    }
    await flush();
  }
}
