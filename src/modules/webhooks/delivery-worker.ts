import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Capabilities, Schema, WebhookDeliveriesTable } from '../../db/index.js';
import { claimDue, leaseFrom, PollingLoop } from '../../jobs/index.js';
import { DEFAULT_RETRY_SCHEDULE, nextRetry, type RetrySchedule } from './retry-schedule.js';
import { signConversaPayload } from './signature.js';
import type { PostOutcome, WebhookTransport } from './transport.js';
import { realClock } from '../../clock/index.js';

export interface DeliveryWorkerOptions {
  /** Attempts, first delay and longest delay of the retries (default: 12 attempts over about 17 hours). */
  retry?: Partial<RetrySchedule>;
  /** An attempt holds its delivery this long; a node that dies mid-attempt frees it then (default 2 min, above the transport's timeouts). */
  leaseMs?: number;
  /** Deliveries claimed per pass, sent in parallel (default 20). */
  batchSize?: number;
  /** Idle poll interval (default 200 ms; `wake()` cuts it short). */
  pollMs?: number;
  /** Wall clock for the signature timestamp (default `Date.now`): consumers compare it with their own clock, not the sandbox's. */
  wallClock?: () => number;
}

/** Opens sealed secrets (the app's SecretBox). */
export interface SecretOpener {
  open(sealed: string): string;
}

type Claimed = Pick<WebhookDeliveriesTable, 'id' | 'subscription_id' | 'event_type' | 'payload' | 'attempts' | 'next_attempt_at'>;

const USER_AGENT = 'Conversa-Webhooks/1';

/** The delivery log keeps at most 1 KB (UTF-8) of a failed attempt's error and answer body. */
export const MAX_LOGGED_ERROR_BYTES = 1024;

/**
 * Sends pending deliveries. The deliveries table is the queue: due rows of active
 * subscriptions are claimed in batches (`FOR UPDATE SKIP LOCKED` where the database has it, so
 * any number of nodes can run this) by moving `next_attempt_at` to the end of a lease, then
 * POSTed signed. A 2xx answer delivers; anything else (other status, timeout, refused
 * connection) is retried with exponential backoff and jitter until the attempts run out, then
 * the delivery is `failed` and waits for a replay. Delivery is at least once: consumers
 * deduplicate on the payload's `id`.
 */
export class WebhookDeliveryWorker {
  readonly #loop: PollingLoop;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #schedule: RetrySchedule;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly capabilities: Capabilities,
    private readonly secrets: SecretOpener,
    private readonly transport: WebhookTransport,
    private readonly logger: Logger,
    private readonly now: () => Date = () => realClock.now(),
    private readonly options: DeliveryWorkerOptions = {},
  ) {
    this.#schedule = { ...DEFAULT_RETRY_SCHEDULE, ...options.retry };
    this.#loop = new PollingLoop(() => this.tick(), options.pollMs ?? 200, logger, 'webhook delivery');
  }

  start(): void {
    this.#loop.start();
  }

  /** Stops claiming and waits for the attempts in flight. */
  async stop(): Promise<void> {
    await this.#loop.stop();
    await Promise.all(this.#inFlight);
  }

  wake(): void {
    this.#loop.wake();
  }

  /** One pass: claims due deliveries and starts their attempts. Answers how many it claimed. */
  async tick(): Promise<number> {
    const room = (this.options.batchSize ?? 20) - this.#inFlight.size;
    if (room <= 0) {
      await Promise.race(this.#inFlight);
      return 1;
    }
    const claimed = await this.#claim(room);
    for (const delivery of claimed) {
      const attempt = this.#attempt(delivery)
        .catch((error: unknown) => this.logger.error({ err: error, deliveryId: delivery.id }, 'webhook attempt failed to record; the lease will free it'))
        .finally(() => this.#inFlight.delete(attempt));
      this.#inFlight.add(attempt);
    }
    return claimed.length;
  }

  /** Waits for the attempts under way (tests that drive `tick` by hand). */
  async settle(): Promise<void> {
    await Promise.all(this.#inFlight);
  }

  async #claim(limit: number): Promise<Claimed[]> {
    const lease = leaseFrom(this.now(), this.options.leaseMs ?? 120_000);
    // The due column holds the lease. The idle case (nothing due) costs one indexed read, no transaction.
    return claimDue(this.db, this.capabilities, {
      limit,
      peek: true,
      due: (db) =>
        db
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', lease.at)
          .where('subscription_id', 'in', (eb) => eb.selectFrom('webhook_subscriptions').select('id').where('active', '=', 1))
          .orderBy('next_attempt_at'),
      take: (trx, keys) =>
        trx
          .updateTable('webhook_deliveries')
          .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: lease.until, updated_at: lease.at }))
          .where('id', 'in', keys.map((row) => row.id))
          .where('status', '=', 'pending')
          .returning(['id', 'subscription_id', 'event_type', 'payload', 'attempts', 'next_attempt_at'])
          .execute(),
    });
  }

  async #attempt(delivery: Claimed): Promise<void> {
    const subscription = await this.db.selectFrom('webhook_subscriptions').select(['url', 'secret_enc']).where('id', '=', delivery.subscription_id).executeTakeFirst();
    if (!subscription) return; // deleted meanwhile, with its deliveries
    const started = performance.now();
    const outcome = await this.#post(subscription, delivery);
    const durationMs = Math.round(performance.now() - started);
    const status = outcome.ok ? outcome.status : null;
    const delivered = status !== null && status >= 200 && status < 300;
    const error = delivered ? null : clip(outcome.ok ? `HTTP ${outcome.status}${outcome.body ? `: ${outcome.body}` : ''}` : outcome.error);
    const now = this.now();
    const at = now.toISOString();

    let changes: Partial<WebhookDeliveriesTable>;
    if (delivered) {
      changes = { status: 'delivered', next_attempt_at: null, delivered_at: at, last_status_code: status, last_error: null, updated_at: at };
    } else {
      const retry = !outcome.ok && outcome.permanent ? { retry: false as const } : nextRetry(delivery.attempts, this.#schedule);
      const context = { deliveryId: delivery.id, subscriptionId: delivery.subscription_id, statusCode: status, error };
      if (retry.retry) {
        this.logger.info({ ...context, retryInMs: retry.delayMs }, `webhook delivery failed (attempt ${delivery.attempts} of ${this.#schedule.maxAttempts}); retrying`);
        changes = { next_attempt_at: new Date(now.getTime() + retry.delayMs).toISOString(), last_status_code: status, last_error: error, updated_at: at };
      } else {
        const why = !outcome.ok && outcome.permanent ? 'its target is refused, so it is not retried' : `attempt ${delivery.attempts} of ${this.#schedule.maxAttempts}`;
        this.logger.warn(context, `webhook delivery failed (${why}); giving up until replayed`);
        changes = { status: 'failed', next_attempt_at: null, last_status_code: status, last_error: error, updated_at: at };
      }
    }
    await this.db.transaction().execute(async (trx) => {
      const exists = await trx.selectFrom('webhook_deliveries').select('id').where('id', '=', delivery.id).executeTakeFirst();
      if (!exists) return; // its subscription was deleted during the attempt
      await trx.insertInto('webhook_delivery_attempts').values({ delivery_id: delivery.id, attempted_at: at, status_code: status, error, duration_ms: durationMs }).execute();
      // Only while this attempt still holds the delivery: a replay or an expired lease may have moved it on.
      await trx
        .updateTable('webhook_deliveries')
        .set(changes)
        .where('id', '=', delivery.id)
        .where('status', '=', 'pending')
        .where('attempts', '=', delivery.attempts)
        .where('next_attempt_at', '=', delivery.next_attempt_at ?? '')
        .execute();
    });
  }

  async #post(subscription: { url: string; secret_enc: string }, delivery: Claimed): Promise<PostOutcome> {
    let secret: string;
    try {
      secret = this.secrets.open(subscription.secret_enc);
    } catch {
      return { ok: false, error: 'the subscription secret cannot be decrypted (was CONVERSA_SECRET_KEY changed?)' };
    }
    const timestamp = Math.floor((this.options.wallClock ?? Date.now)() / 1000);
    return this.transport.post(subscription.url, delivery.payload, {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'conversa-event': delivery.event_type,
      'conversa-delivery': delivery.id,
      'conversa-signature': signConversaPayload(secret, delivery.payload, timestamp),
    });
  }
}

// Cut at MAX_LOGGED_ERROR_BYTES of UTF-8, never inside a character.
function clip(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= MAX_LOGGED_ERROR_BYTES) return text;
  let end = MAX_LOGGED_ERROR_BYTES;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}
