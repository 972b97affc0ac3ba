import { createHmac, randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { Agent, request } from 'undici';
import type { WebhookEnvelope } from '../whatsapp/wire.js';
import { serializeLikeMeta } from './meta-json.js';

/** Webhook faults a test can switch on with `PUT /sandbox/v1/faults`. */
export interface WebhookFaults {
  /** Probability (0..1) that an event is delivered twice. */
  webhook_duplicate_rate: number;
  /** Each event waits a random 0..N ms before its first attempt, so later events overtake it. */
  webhook_reorder_ms: number;
  /** Probability (0..1) that an event is lost for good (never delivered). */
  webhook_drop_rate: number;
}

export interface WebhookTarget {
  url: string;
  appSecret: string;
}

export interface WebhookSenderOptions {
  logger: Logger;
  faults: () => WebhookFaults;
  /** First retry delay; doubles per attempt with ±20 % jitter (default 1 s). */
  retryBaseMs?: number;
  /** Longest wait between attempts (default 5 min). */
  retryMaxDelayMs?: number;
  /** How long an undelivered event is retried (default 7 days, as Meta). */
  retryForMs?: number;
  /** Deliveries in flight at once (default 64). */
  concurrency?: number;
}

interface Pending {
  target: WebhookTarget;
  body: string;
  signature: string;
  attempt: number;
  firstAt: number;
}

export interface WebhookSenderStats {
  delivered: number;
  failedAttempts: number;
  dropped: number;
  pending: number;
}

/**
 * Delivers webhooks as Meta does: the body serialised with escaped non-ASCII characters, signed
 * with `X-Hub-Signature-256` (HMAC-SHA256 of the exact bytes with the app secret), retried with
 * exponential backoff while the receiver answers non-2xx or cannot be reached.
 */
export class WebhookSender {
  readonly #agent = new Agent({ keepAliveTimeout: 10_000, connections: 128 });
  /** Waiting deliveries from `#head` on (a head index: `shift()` is O(n) on a long backlog). */
  readonly #queue: Array<Pending | undefined> = [];
  #head = 0;
  readonly #timers = new Set<NodeJS.Timeout>();
  #inFlight = 0;
  #closed = false;
  readonly stats: WebhookSenderStats = { delivered: 0, failedAttempts: 0, dropped: 0, pending: 0 };

  constructor(private readonly options: WebhookSenderOptions) {}

  /** Queues one webhook POST to `target`. */
  send(target: WebhookTarget, envelope: WebhookEnvelope): void {
    if (this.#closed) return;
    const faults = this.options.faults();
    if (faults.webhook_drop_rate > 0 && Math.random() < faults.webhook_drop_rate) {
      this.stats.dropped += 1;
      return;
    }
    const body = serializeLikeMeta(envelope);
    const signature = `sha256=${createHmac('sha256', target.appSecret).update(body).digest('hex')}`;
    const copies = faults.webhook_duplicate_rate > 0 && Math.random() < faults.webhook_duplicate_rate ? 2 : 1;
    for (let i = 0; i < copies; i += 1) {
      const pending: Pending = { target, body, signature, attempt: 0, firstAt: Date.now() };
      const delay = faults.webhook_reorder_ms > 0 ? randomInt(0, faults.webhook_reorder_ms + 1) : 0;
      this.stats.pending += 1;
      if (delay > 0) this.#later(delay, () => this.#enqueue(pending));
      else this.#enqueue(pending);
    }
  }

  /** Resolves when nothing is queued or in flight (or after `timeoutMs`). */
  async drain(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.stats.pending > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#queue.length = 0;
    this.#head = 0;
    await this.#agent.close();
  }

  #enqueue(pending: Pending): void {
    if (this.#closed) return;
    this.#queue.push(pending);
    this.#pump();
  }

  #pump(): void {
    const limit = this.options.concurrency ?? 64;
    while (this.#inFlight < limit && this.#head < this.#queue.length) {
      const next = this.#queue[this.#head] as Pending;
      this.#queue[this.#head] = undefined;
      this.#head += 1;
      this.#inFlight += 1;
      void this.#attempt(next).finally(() => {
        this.#inFlight -= 1;
        this.#pump();
      });
    }
    if (this.#head === this.#queue.length || (this.#head > 1024 && this.#head * 2 > this.#queue.length)) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
  }

  async #attempt(pending: Pending): Promise<void> {
    pending.attempt += 1;
    let outcome: string;
    try {
      const response = await request(pending.target.url, {
        method: 'POST',
        dispatcher: this.#agent,
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': pending.signature,
          'user-agent': 'facebookexternalua',
        },
        body: pending.body,
        headersTimeout: 20_000,
        bodyTimeout: 20_000,
      });
      await response.body.dump();
      if (response.statusCode >= 200 && response.statusCode < 300) {
        this.stats.delivered += 1;
        this.stats.pending -= 1;
        return;
      }
      outcome = `HTTP ${response.statusCode}`;
    } catch (error) {
      outcome = error instanceof Error ? error.message : String(error);
    }
    this.stats.failedAttempts += 1;
    if (this.#closed) return;
    const retryFor = this.options.retryForMs ?? 7 * 24 * 3600 * 1000;
    if (Date.now() - pending.firstAt > retryFor) {
      this.stats.pending -= 1;
      this.stats.dropped += 1;
      this.options.logger.warn({ url: pending.target.url, attempts: pending.attempt }, 'webhook given up after retrying');
      return;
    }
    const base = this.options.retryBaseMs ?? 1000;
    const max = this.options.retryMaxDelayMs ?? 300_000;
    const delay = Math.min(max, base * 2 ** (pending.attempt - 1)) * (0.8 + Math.random() * 0.4);
    this.options.logger.debug(
      { url: pending.target.url, attempt: pending.attempt, retryInMs: Math.round(delay), outcome },
      'webhook delivery failed; will retry',
    );
    this.#later(delay, () => this.#enqueue(pending));
  }

  #later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }
}
