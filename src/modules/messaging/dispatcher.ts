import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Capabilities, MessagesTable, Schema } from '../../db/index.js';
import { PollingLoop } from '../../jobs/index.js';
import type { GraphEndpoint, GraphResult, SendMessageRequest, SendMessageResponse } from '../../whatsapp/index.js';

/** The one Graph call the dispatcher makes (the WhatsApp client, or a fake in unit tests). */
export interface MessageSender {
  sendMessage(endpoint: GraphEndpoint, phoneNumberId: string, message: SendMessageRequest): Promise<GraphResult<SendMessageResponse>>;
}

/** Where a phone number (our row id) is reached, and how fast it may send. */
export interface SenderDirectory {
  sender(phoneNumberRowId: string): Promise<{ endpoint: GraphEndpoint; metaPhoneNumberId: string; throughputMps: number } | undefined>;
}

/** An outbound message's content as stored: `{ to, type, [type]: {...}, context? }`. */
export type OutboundContent = Omit<SendMessageRequest, 'messaging_product' | 'biz_opaque_callback_data'>;

/**
 * Resolves our media ids (`med_...`) in a message to the provider's just before the send,
 * uploading on first use (the media module). A failure is a Graph failure value, never `unknown`.
 */
export interface MediaResolver {
  resolveMedia(content: OutboundContent, phoneNumberRowId: string, sender: { endpoint: GraphEndpoint; metaPhoneNumberId: string }): Promise<{ ok: true; content: OutboundContent } | Exclude<GraphResult<unknown>, { ok: true }>>;
}

/** Answers which messages a stored status webhook names (Meta has them, even if not yet processed). */
export interface StatusLedger {
  referenced(messageIds: string[]): Promise<Set<string>>;
}

export interface DispatcherOptions {
  /** Resolves our media ids before each send (optional: without it content goes as stored). */
  media?: MediaResolver;
  /** Stored status webhooks, consulted before an `unknown` message is sent again. */
  statuses?: StatusLedger;
  /** Attempts before a transient failure becomes permanent (default 8). */
  maxAttempts?: number;
  /** How long a message whose send outcome is unknown waits for a status webhook (default 10 min). */
  unknownGraceMs?: number;
  /** A claim older than this belongs to a dead dispatcher (default 2 min; sends time out at 20 s). */
  leaseMs?: number;
  /** Idle poll interval when nothing is due (default 100 ms; `wake()` cuts it short). */
  pollMs?: number;
  /** First retry delay, doubled per attempt with ±20 % jitter, capped at 5 min (default 1 s). */
  retryBaseMs?: number;
}

type Claimed = Pick<MessagesTable, 'id' | 'content' | 'attempts' | 'phone_number_id'>;

/**
 * Sends queued messages. The messages table is the queue: rows are claimed in batches
 * (`FOR UPDATE SKIP LOCKED` where the database has it), each phone number is held to its
 * throughput by a token bucket, transient failures are retried with backoff and jitter,
 * permanent ones fail at once with Meta's code. Every send carries our message id in
 * `biz_opaque_callback_data`, so a send whose answer was lost is resolved by its status
 * webhook instead of being sent again (see `recover`).
 */
export class Dispatcher {
  readonly #buckets = new Map<string, { tokens: number; at: number; rate: number }>();
  readonly #loop: PollingLoop;
  #lastRecovery = 0;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly capabilities: Capabilities,
    private readonly client: MessageSender,
    private readonly directory: SenderDirectory,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
    private readonly options: DispatcherOptions = {},
  ) {
    this.#loop = new PollingLoop(() => this.#pass(), options.pollMs ?? 100, logger, 'dispatcher');
  }

  /**
   * Messages left `sending` by a dispatcher that died are `unknown`: Meta may have them. They
   * wait for their status webhook (matched by our id) until the grace period ends, then go again.
   * On a single-writer database every `sending` row at start is such a leftover.
   */
  async recover(): Promise<number> {
    const now = this.now();
    const lease = this.options.leaseMs ?? 120_000;
    const holdUntil = new Date(now.getTime() + (this.options.unknownGraceMs ?? 600_000)).toISOString();
    let query = this.db.updateTable('messages').set({ status: 'unknown', next_attempt_at: holdUntil, claimed_at: null }).where('status', '=', 'sending');
    if (!this.capabilities.singleWriter) query = query.where('claimed_at', '<', new Date(now.getTime() - lease).toISOString());
    const result = await query.executeTakeFirst();
    const count = Number(result.numUpdatedRows);
    if (count > 0) this.logger.warn({ count, holdUntil }, 'messages with an unknown send outcome held for their status webhooks');
    return count;
  }

  start(): void {
    this.#loop.start();
  }

  /** Stops claiming, waits for sends in flight. */
  async stop(): Promise<void> {
    await this.#loop.stop();
    await Promise.all(this.#inFlight);
  }

  /** Cuts the idle wait short: something was queued. */
  wake(): void {
    this.#loop.wake();
  }

  /** One loop pass: on a multi-node database, recover dead nodes' claims now and then; then send. */
  async #pass(): Promise<number> {
    const lease = this.options.leaseMs ?? 120_000;
    if (!this.capabilities.singleWriter && Date.now() - this.#lastRecovery > Math.min(30_000, lease / 2)) {
      this.#lastRecovery = Date.now();
      await this.recover();
    }
    return this.tick();
  }

  /** One pass: claims what each number may send now and sends it. Answers how many it claimed. */
  async tick(): Promise<number> {
    await this.#releaseUnknown();
    const now = this.now().toISOString();
    const numbers = await this.db
      .selectFrom('messages')
      .select('phone_number_id')
      .distinct()
      .where('status', '=', 'queued')
      .where('next_attempt_at', '<=', now)
      .execute();
    let claimed = 0;
    await Promise.all(
      numbers.map(async ({ phone_number_id: numberId }) => {
        const sender = await this.directory.sender(numberId);
        if (!sender) return;
        const allowance = this.#take(numberId, sender.throughputMps);
        if (allowance === 0) return;
        const rows = await this.#claim(numberId, allowance, now);
        this.#giveBack(numberId, allowance - rows.length);
        claimed += rows.length;
        for (const row of rows) {
          const job = this.#send(row, sender).finally(() => this.#inFlight.delete(job));
          this.#inFlight.add(job);
        }
      }),
    );
    if (claimed === 0 && this.#inFlight.size > 0) await Promise.race(this.#inFlight);
    return claimed;
  }

  /**
   * `unknown` messages whose grace period ended go back to the queue, unless a status webhook
   * naming them was stored meanwhile (Meta has them; the processor will apply it): those keep
   * waiting, so a slow processor can never cause a second send.
   */
  async #releaseUnknown(): Promise<void> {
    const now = this.now();
    const due = await this.db.selectFrom('messages').select('id').where('status', '=', 'unknown').where('next_attempt_at', '<=', now.toISOString()).limit(500).execute();
    if (due.length === 0) return;
    const ids = due.map((row) => row.id);
    const seen = this.options.statuses ? await this.options.statuses.referenced(ids) : new Set<string>();
    const resend = ids.filter((id) => !seen.has(id));
    const hold = ids.filter((id) => seen.has(id));
    if (hold.length > 0) {
      const until = new Date(now.getTime() + (this.options.unknownGraceMs ?? 600_000)).toISOString();
      await this.db.updateTable('messages').set({ next_attempt_at: until }).where('id', 'in', hold).where('status', '=', 'unknown').execute();
    }
    if (resend.length > 0) {
      this.logger.warn({ count: resend.length }, 'no status webhook arrived for messages with an unknown send outcome; sending them again');
      await this.db.updateTable('messages').set({ status: 'queued', next_attempt_at: now.toISOString() }).where('id', 'in', resend).where('status', '=', 'unknown').execute();
    }
  }

  async #claim(numberId: string, limit: number, now: string): Promise<Claimed[]> {
    const claimedAt = this.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      let due = trx
        .selectFrom('messages')
        .select('id')
        .where('phone_number_id', '=', numberId)
        .where('status', '=', 'queued')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .limit(limit);
      if (this.capabilities.supportsSkipLocked) due = due.forUpdate().skipLocked();
      const ids = (await due.execute()).map((row) => row.id);
      if (ids.length === 0) return [];
      return trx
        .updateTable('messages')
        .set((eb) => ({ status: 'sending', claimed_at: claimedAt, attempts: eb('attempts', '+', 1), updated_at: claimedAt }))
        .where('id', 'in', ids)
        .where('status', '=', 'queued')
        .returning(['id', 'content', 'attempts', 'phone_number_id'])
        .execute();
    });
  }

  async #send(row: Claimed, sender: { endpoint: GraphEndpoint; metaPhoneNumberId: string }): Promise<void> {
    const stored = JSON.parse(row.content) as OutboundContent;
    let result: GraphResult<SendMessageResponse>;
    // Media failures are never `unknown`: nothing was sent yet, so a retry cannot send twice.
    const resolved = this.options.media
      ? await this.options.media.resolveMedia(stored, row.phone_number_id, sender).catch((error: unknown) => ({ ok: false as const, kind: 'unreachable' as const, reason: `media: ${String(error)}` }))
      : { ok: true as const, content: stored };
    if (!resolved.ok) {
      result = resolved.kind === 'unknown' ? { ok: false, kind: 'unreachable', reason: resolved.reason } : resolved;
    } else {
      const request: SendMessageRequest = { messaging_product: 'whatsapp', recipient_type: 'individual', ...resolved.content, biz_opaque_callback_data: row.id };
      try {
        result = await this.client.sendMessage(sender.endpoint, sender.metaPhoneNumberId, request);
      } catch (error) {
        result = { ok: false, kind: 'unknown', reason: String(error) };
      }
    }
    const at = this.now().toISOString();
    const maxAttempts = this.options.maxAttempts ?? 8;
    if (result.ok) {
      const wamid = result.value.messages[0]?.id ?? null;
      // A status webhook may already have moved the row on (and set the wamid): only `sending` becomes `accepted`.
      await this.db.updateTable('messages').set({ status: 'accepted', wamid, claimed_at: null, next_attempt_at: null, updated_at: at }).where('id', '=', row.id).where('status', '=', 'sending').execute();
      return;
    }
    if (result.kind === 'unknown') {
      const holdUntil = new Date(this.now().getTime() + (this.options.unknownGraceMs ?? 600_000)).toISOString();
      this.logger.warn({ messageId: row.id, reason: result.reason, holdUntil }, 'send outcome unknown; waiting for a status webhook before resending');
      await this.#update(row.id, { status: 'unknown', claimed_at: null, next_attempt_at: holdUntil, updated_at: at });
      return;
    }
    const transient = result.kind === 'unreachable' || result.transient;
    const code = result.kind === 'error' ? result.code : null;
    if (transient && row.attempts < maxAttempts) {
      const base = this.options.retryBaseMs ?? 1000;
      const delay = Math.min(300_000, base * 2 ** (row.attempts - 1)) * (0.8 + Math.random() * 0.4);
      this.logger.info(
        { messageId: row.id, code, reason: result.kind === 'error' ? result.title : result.reason, retryInMs: Math.round(delay) },
        `send failed (attempt ${row.attempts} of ${maxAttempts}); retrying`,
      );
      await this.#update(row.id, { status: 'queued', claimed_at: null, next_attempt_at: new Date(this.now().getTime() + delay).toISOString(), updated_at: at });
      return;
    }
    this.logger.warn({ messageId: row.id, code, attempt: row.attempts }, 'send failed permanently');
    await this.#update(row.id, {
      status: 'failed',
      claimed_at: null,
      next_attempt_at: null,
      failed_at: at,
      updated_at: at,
      error_code: code,
      error_title: result.kind === 'error' ? result.title : 'Provider unreachable',
      error_details: result.kind === 'error' ? result.details : result.reason,
    });
  }

  async #update(id: string, patch: Partial<MessagesTable>): Promise<void> {
    await this.db.updateTable('messages').set(patch).where('id', '=', id).where('status', '=', 'sending').execute();
  }

  /** Takes up to a batch of tokens from the number's bucket (capacity: one second of throughput). */
  #take(numberId: string, rate: number): number {
    const now = Date.now();
    let bucket = this.#buckets.get(numberId);
    if (!bucket || bucket.rate !== rate) {
      bucket = { tokens: rate, at: now, rate };
      this.#buckets.set(numberId, bucket);
    }
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    const take = Math.min(Math.floor(bucket.tokens), 500);
    bucket.tokens -= take;
    return take;
  }

  #giveBack(numberId: string, tokens: number): void {
    const bucket = this.#buckets.get(numberId);
    if (bucket && tokens > 0) bucket.tokens += tokens;
  }
}
