import type { Logger } from 'pino';
import type { MessagesChangeValue, WebhookEnvelope } from '../whatsapp/wire.js';
import { SandboxClock } from './clock.js';
import { MediaStore } from './media-store.js';
import { RateLimits } from './rate-limits.js';
import { UploadSessions } from './uploads.js';
import type { SandboxPhoneNumber, SandboxState } from './state.js';
import { WebhookSender, type WebhookFaults, type WebhookTarget } from './webhook-sender.js';

/** Faults on Graph calls and webhooks, set with `PUT /sandbox/v1/faults`. */
export interface Faults extends WebhookFaults {
  /** Probability (0..1) that a Graph call answers Meta's transient 131000 error (HTTP 500). */
  graph_error_rate: number;
  /** Extra latency added to every Graph call, in ms. */
  graph_latency_ms: number;
  /**
   * Messages a business may send to one group per minute before Meta's 131208 (group rate limit,
   * HTTP 429, transient). Meta documents the error, not its threshold: 0 (the default) is no limit.
   */
  group_messages_per_minute: number;
}

export const NO_FAULTS: Faults = {
  graph_error_rate: 0,
  graph_latency_ms: 0,
  group_messages_per_minute: 0,
  webhook_duplicate_rate: 0,
  webhook_reorder_ms: 0,
  webhook_drop_rate: 0,
};

export interface EngineOptions {
  logger: Logger;
  /** Delay before a submitted template is approved or rejected (default 2 s). */
  templateReviewDelayMs?: number;
  webhookRetryBaseMs?: number;
}

/**
 * The sandbox's shared machinery: state, clock, media, uploads, limits, faults and webhook delivery.
 * The message, template and phone services build on it; routes only translate HTTP.
 */
export class SandboxEngine {
  readonly clock: SandboxClock;
  readonly media = new MediaStore();
  /** Resumable Upload API sessions (in memory, like media). */
  readonly uploads = new UploadSessions();
  readonly limits = new RateLimits();
  readonly webhooks: WebhookSender;
  faults: Faults = { ...NO_FAULTS };
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Aborted when the sandbox closes, so outstanding work (media link fetches) ends with it. */
  readonly #closing = new AbortController();

  constructor(
    readonly state: SandboxState,
    readonly options: EngineOptions,
  ) {
    this.clock = new SandboxClock(state.clockOffsetMs);
    this.webhooks = new WebhookSender({
      logger: options.logger,
      faults: () => this.faults,
      ...(options.webhookRetryBaseMs === undefined ? {} : { retryBaseMs: options.webhookRetryBaseMs }),
    });
  }

  get logger(): Logger {
    return this.options.logger;
  }

  advanceClock(seconds: number): void {
    this.clock.advance(seconds);
    this.state.clockOffsetMs = this.clock.offsetMs;
    this.state.touch();
  }

  /** Where a WABA's webhooks go: its override callback, else the app's callback URL. */
  targetFor(wabaId: string): WebhookTarget | undefined {
    const waba = this.state.wabas.get(wabaId);
    if (!waba || !waba.subscribed) return undefined;
    const url = waba.overrideCallbackUri ?? this.state.app.webhookUrl;
    if (!url) return undefined;
    return { url, appSecret: this.state.app.appSecret };
  }

  /** Sends one `messages`-field webhook for a business phone number. */
  emitMessages(number: SandboxPhoneNumber, value: Omit<MessagesChangeValue, 'messaging_product' | 'metadata'>): void {
    this.emit(number.wabaId, 'messages', {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: number.displayPhoneNumber, phone_number_id: number.id },
      ...value,
    });
  }

  /** Sends one webhook for any field of a WABA (`message_template_status_update`, ...). */
  emit(wabaId: string, field: string, value: Record<string, unknown>, withTime = false): void {
    const target = this.targetFor(wabaId);
    if (!target) return;
    const envelope: WebhookEnvelope = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: wabaId,
          ...(withTime ? { time: Math.floor(this.clock.now() / 1000) } : {}),
          changes: [{ value, field }],
        },
      ],
    };
    this.webhooks.send(target, envelope);
  }

  /** Aborts when the sandbox closes. */
  get closing(): AbortSignal {
    return this.#closing.signal;
  }

  /** Runs `fn` after `ms` real milliseconds, unless the sandbox closes first. */
  later(ms: number, fn: () => void): void {
    if (this.#closing.signal.aborted) return;
    if (ms <= 0) {
      setImmediate(fn);
      return;
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }

  async close(): Promise<void> {
    this.#closing.abort();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await this.webhooks.close();
    this.state.flush();
  }
}
