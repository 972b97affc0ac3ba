import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Schema } from '../../db/index.js';
import { backoffDelayMs, PollingLoop, type Backoff } from '../../jobs/index.js';
import { eventPhoneNumberId, readWebhookEvent, type InboundWebhookEvent, type InboundWebhookKind } from '../../whatsapp/index.js';
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
}

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
    this.#loop = new PollingLoop(() => this.drain(), 100, deps.logger, 'inbound processor');
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
  async drain(batch = 200): Promise<number> {
    const events = await this.deps.inbound.claim(batch);
    if (events.length === 0) return 0;
    // Lookups through caches happen before the transaction: on SQLite the transaction holds
    // the only connection, so nothing inside it may use another.
    const prepared: Array<{ event: StoredInboundEvent; payload: InboundWebhookEvent; number: PhoneNumberView | undefined }> = [];
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
    try {
      // The whole batch in one transaction, marked processed in it: one commit for many events.
      await this.deps.db.transaction().execute(async (trx) => {
        await this.#processAll(prepared, trx);
        await this.deps.inbound.markProcessed(prepared.map((item) => item.event.id), trx);
      });
    } catch {
      // One bad event must not hold the others back: redo them one transaction each.
      for (const item of prepared) {
        try {
          await this.deps.db.transaction().execute(async (trx) => {
            await this.#process(item.event, item.payload, item.number, trx);
            await this.deps.inbound.markProcessed([item.event.id], trx);
          });
        } catch (error) {
          await this.#failed(item.event, error);
        }
      }
    }
    // Committed (or rolled back, then redone one by one above): nothing is left in a transaction.
    this.deps.committed?.();
    return events.length;
  }

  async #failed(event: StoredInboundEvent, error: unknown): Promise<void> {
    const retryInMs = backoffDelayMs(event.attempts, EVENT_RETRY);
    this.deps.logger.error({ err: error, eventId: event.id, attempt: event.attempts, retryInMs }, 'inbound event processing failed; will retry');
    await this.deps.inbound.markFailed(event.id, error instanceof Error ? error.message : String(error), retryInMs);
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
  async #processAll(prepared: ReadonlyArray<{ event: StoredInboundEvent; payload: InboundWebhookEvent; number: PhoneNumberView | undefined }>, trx: Kysely<Schema>): Promise<void> {
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
