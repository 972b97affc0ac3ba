import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { realClock, type Clock } from '../../clock/index.js';
import { prepared, type Capabilities, type MessagesTable, type Schema, type SessionLocks } from '../../db/index.js';
import { claimDue, leaseFrom, nextAttemptAt, PollingLoop } from '../../jobs/index.js';
import { statusRef } from '../inbound/index.js';
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

/**
 * Answers which refs (`statusRef(sending number, message id)`) a status webhook stored in the
 * given workspace names (Meta has those messages, even if the status is not processed yet).
 */
export interface StatusLedger {
  referenced(refs: ReadonlyArray<{ workspaceId: string; ref: string }>): Promise<Set<string>>;
}

/** When webhooks about a number arrive again after a restart (the inbound module's stored events). */
export interface WebhookArrivals {
  /** A position in the stored events; `firstForNumberAfter` answers what arrived after it. */
  position(): Promise<number>;
  /** When the first webhook about this number (Meta's phone_number_id) stored after `position` arrived. */
  firstForNumberAfter(position: number, metaPhoneNumberId: string): Promise<Date | undefined>;
}

/** The event outbox (the events module): a failure decided here is a `message.status` event too. */
export interface StatusEvents {
  record(trx: Kysely<Schema>, workspaceId: string, type: 'message.status', data: Record<string, unknown>): Promise<void>;
}

export interface DispatcherOptions {
  /** Publishes `message.status` for failures the dispatcher decides (Meta refused the send). */
  events?: StatusEvents;
  /** Resolves our media ids before each send (optional: without it content goes as stored). */
  media?: MediaResolver;
  /** Stored status webhooks, consulted before an `unknown` message is sent again. */
  statuses?: StatusLedger;
  /**
   * Webhook arrivals, consulted before an `unknown` message sent before the restart is sent
   * again (see `recover`). Without them such messages wait only the grace.
   */
  arrivals?: WebhookArrivals;
  /** Attempts before a transient failure becomes permanent (default 8). */
  maxAttempts?: number;
  /**
   * How long a message whose send outcome is unknown waits for a status webhook (default 10 min).
   * For one sent before the platform (re)started, measured from when the number's webhooks
   * arrive again (see `recover`). The configuration refuses less than 360 s; tests pass less.
   */
  unknownGraceMs?: number;
  /** A claim older than this belongs to a dead dispatcher (default 2 min; sends time out at 20 s). */
  leaseMs?: number;
  /** Idle poll interval when nothing is due (default 100 ms; `wake()` cuts it short). */
  pollMs?: number;
  /** First retry delay, doubled per attempt with ±20 % jitter, capped at 5 min (default 1 s). */
  retryBaseMs?: number;
  /**
   * One node sends for a number at a time (PostgreSQL advisory locks), so the number's token
   * bucket is its only one and its throughput holds across nodes. Without it every node sends.
   */
  locks?: SessionLocks;
  /** A number with nothing queued for this long is let go, so another node may take it (default 10 s). */
  lockIdleMs?: number;
}

type Claimed = Pick<MessagesTable, 'id' | 'content' | 'attempts' | 'phone_number_id'>;

/** Meta retries a webhook for up to 7 days: no outage longer than that holds a message longer. */
const PROVIDER_RETRY_HORIZON_MS = 7 * 86_400_000;
/**
 * A webhook that has failed for an outage D is retried within about 1.5 D by a backoff that
 * doubles its delays with ±20 % jitter (the sandbox's: the next delay is at most 1.2 × 2^k while
 * 0.8 × (2^k - 1) has passed); Meta publishes no schedule, so the hold is twice the outage.
 */
const OUTAGE_FACTOR = 2;

// One per message sent: built once (src/db/prepared.ts). A status webhook may already have
// moved the row on (and set the wamid): only `sending` becomes `accepted`.
const markAccepted = prepared((db: Kysely<Schema>, p: { id: string; wamid: string | null; at: string }) =>
  db.updateTable('messages').set({ status: 'accepted', wamid: p.wamid, claimed_at: null, next_attempt_at: null, updated_at: p.at }).where('id', '=', p.id).where('status', '=', 'sending'),
);

const numbersWithDue = prepared((db: Kysely<Schema>, p: { latest: string }) => db.selectFrom('messages').select('phone_number_id').distinct().where('status', '=', 'queued').where('next_attempt_at', '<=', p.latest));

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
  #numbers: string[] = [];
  #numbersAt = 0;
  #numbersDirty = true;
  #lastRelease = 0;
  #accepted: Array<{ id: string; wamid: string | null; at: string }> = [];
  /** The last pass claimed as much as some number allowed: more may be due now. */
  #more = false;
  #acceptedFlush: Promise<void> | undefined;
  /** Numbers just taken over under `locks`, whose bucket starts empty. */
  readonly #startEmpty = new Set<string>();
  /** When each number held under `locks` last had something queued. */
  readonly #lastBusy = new Map<string, number>();
  /** When this dispatcher first recovered (the platform came up), and the webhook events stored then. */
  #restart: { at: Date; position: number } | undefined;
  /** Per number (our row id): when its first webhook after the restart arrived. */
  readonly #webhooksBack = new Map<string, Date>();

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly capabilities: Capabilities,
    private readonly client: MessageSender,
    private readonly directory: SenderDirectory,
    private readonly logger: Logger,
    /** Due times and a message's timestamps follow its number's clock; claims (leases) real time. */
    private readonly clock: Clock = realClock,
    private readonly options: DispatcherOptions = {},
  ) {
    this.#loop = new PollingLoop(() => this.#pass(), options.pollMs ?? 100, logger, 'dispatcher');
  }

  /**
   * Messages left `sending` by a dispatcher that died are `unknown`: Meta may have them. They
   * wait for their status webhook (matched by our id) until the grace period ends, then go again.
   * On a single-writer database every `sending` row at start is such a leftover.
   *
   * The first call marks the restart. Webhooks about what was sent before it may have failed
   * while the platform was down and wait in the provider's retry backoff, so an unknown message
   * sent before the restart is released only once the number's webhooks are flowing again and
   * the backlog had time to come: a grace after the first webhook about its number arrived
   * since the restart, and no sooner than twice the outage (send to restart) after the restart,
   * by when a doubling backoff (with jitter) has retried it (`OUTAGE_FACTOR`).
   */
  async recover(): Promise<number> {
    // The restart's moment in real time (each number's clock is real time plus its offset).
    this.#restart ??= { at: this.clock.now(), position: this.options.arrivals ? await this.options.arrivals.position() : 0 };
    // Claims are stamped in real time; the hold is a due time, on each number's clock.
    const { staleBefore } = leaseFrom(this.clock.now(), this.options.leaseMs ?? 120_000);
    let numbers = this.db.selectFrom('messages').select('phone_number_id').distinct().where('status', '=', 'sending');
    if (!this.capabilities.singleWriter) numbers = numbers.where('claimed_at', '<', staleBefore);
    let count = 0;
    for (const { phone_number_id: numberId } of await numbers.execute()) {
      const holdUntil = new Date((await this.clock.at(numberId)).getTime() + (this.options.unknownGraceMs ?? 600_000)).toISOString();
      let query = this.db.updateTable('messages').set({ status: 'unknown', next_attempt_at: holdUntil, claimed_at: null }).where('status', '=', 'sending').where('phone_number_id', '=', numberId);
      if (!this.capabilities.singleWriter) query = query.where('claimed_at', '<', staleBefore);
      const held = Number((await query.executeTakeFirst()).numUpdatedRows);
      if (held > 0) this.logger.warn({ count: held, holdUntil, phoneNumberId: numberId }, 'messages with an unknown send outcome held for their status webhooks');
      count += held;
    }
    return count;
  }

  start(): void {
    this.#loop.start();
  }

  /** Stops claiming, waits for sends in flight. */
  async stop(): Promise<void> {
    await this.#loop.stop();
    await Promise.all(this.#inFlight);
    await this.options.locks?.close();
  }

  /** Cuts the idle wait short: something was queued. */
  wake(): void {
    this.#numbersDirty = true;
    this.#loop.wake();
  }

  /** One loop pass: on a multi-node database, recover dead nodes' claims now and then; then send. */
  async #pass(): Promise<number> {
    const lease = this.options.leaseMs ?? 120_000;
    if (!this.capabilities.singleWriter && this.#wall() - this.#lastRecovery > Math.min(30_000, lease / 2)) {
      this.#lastRecovery = this.#wall();
      await this.recover();
    }
    const claimed = await this.tick();
    // Every number's queue was emptied: wait for the next wake (something queued) or poll
    // instead of scanning again at once.
    return this.#more ? claimed : 0;
  }

  /** One pass: claims what each number may send now and sends it. Answers how many it claimed. */
  async tick(): Promise<number> {
    const clock = this.#wall();
    if (clock - this.#lastRelease >= 1000) {
      this.#lastRelease = clock;
      await this.#releaseUnknown();
    }
    // Which numbers have messages due: asked at most every 250 ms (or when something was
    // queued), since the scan grows with the queue; in between only the claims run. Each
    // number's due times are on its own clock: the scan takes the latest, the claim the number's.
    if (this.#numbersDirty || clock - this.#numbersAt >= 250) {
      this.#numbersDirty = false;
      this.#numbersAt = clock;
      const latest = this.clock.latest().toISOString();
      const rows = await numbersWithDue.rows(this.db, { latest });
      this.#numbers = rows.map((row) => row.phone_number_id);
    }
    const numbers = this.#numbers.map((id) => ({ phone_number_id: id }));
    let claimed = 0;
    this.#more = false;
    await this.#releaseIdleLocks(numbers.map((row) => row.phone_number_id));
    await Promise.all(
      numbers.map(async ({ phone_number_id: numberId }) => {
        if (this.options.locks && !(await this.#hold(numberId))) return;
        const sender = await this.directory.sender(numberId);
        if (!sender) return;
        const allowance = this.#take(numberId, sender.throughputMps);
        if (allowance === 0) {
          // Its tokens come back at a known moment: run then, not at the next idle poll.
          this.#loop.wakeIn(this.#refillMs(numberId, sender.throughputMps));
          return;
        }
        const rows = await this.#claim(numberId, allowance, (await this.clock.at(numberId)).toISOString());
        this.#giveBack(numberId, allowance - rows.length);
        if (rows.length < allowance) this.#numbersDirty = true;
        else this.#more = true;
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

  async #hold(numberId: string): Promise<boolean> {
    const locks = this.options.locks!;
    try {
      const before = locks.held().has(numberId);
      if (!(await locks.tryHold(numberId))) return false;
      // Taken over from another node (or after letting go): it may have spent this second's
      // tokens just before, so start with an empty bucket rather than a full one.
      if (!before) this.#startEmpty.add(numberId);
    } catch (error) {
      this.logger.warn({ err: error, numberId }, 'could not take the send lock of a number; skipping it this pass');
      return false;
    }
    this.#lastBusy.set(numberId, this.#wall());
    return true;
  }

  /** Lets go of numbers with nothing queued for a while, so the nodes share the numbers out again. */
  async #releaseIdleLocks(busy: string[]): Promise<void> {
    const locks = this.options.locks;
    if (!locks) return;
    const now = this.#wall();
    for (const numberId of busy) if (locks.held().has(numberId)) this.#lastBusy.set(numberId, now);
    for (const numberId of [...locks.held()]) {
      if (now - (this.#lastBusy.get(numberId) ?? 0) < (this.options.lockIdleMs ?? 10_000)) continue;
      this.#lastBusy.delete(numberId);
      await locks.release(numberId).catch((error: unknown) => this.logger.warn({ err: error, numberId }, 'could not release the send lock of a number'));
    }
  }

  /**
   * `unknown` messages whose grace period ended go back to the queue, unless a status webhook
   * naming them was stored meanwhile (Meta has them; the processor will apply it): those keep
   * waiting, so a slow processor can never cause a second send.
   */
  async #releaseUnknown(): Promise<void> {
    const candidates = await this.db
      .selectFrom('messages')
      .select(['id', 'workspace_id', 'phone_number_id', 'next_attempt_at'])
      .where('status', '=', 'unknown')
      .where('next_attempt_at', '<=', this.clock.latest().toISOString())
      .limit(500)
      .execute();
    // Due on its own number's clock: a sandbox clock moved forward releases only sandbox numbers' messages.
    const byNumber = new Map<string, Array<{ id: string; workspace_id: string }>>();
    for (const row of candidates) {
      const now = (await this.clock.at(row.phone_number_id)).toISOString();
      if (row.next_attempt_at === null || row.next_attempt_at > now) continue;
      byNumber.set(row.phone_number_id, [...(byNumber.get(row.phone_number_id) ?? []), row]);
    }
    for (const [numberId, due] of byNumber) {
      const now = await this.clock.at(numberId);
      // A status names a message by our id only from the number that sent it, in its workspace.
      const sender = await this.directory.sender(numberId);
      const refs = new Map<string, { workspaceId: string; ref: string }>();
      if (sender) for (const row of due) refs.set(row.id, { workspaceId: row.workspace_id, ref: statusRef(sender.metaPhoneNumberId, row.id) });
      const seenRefs = this.options.statuses ? await this.options.statuses.referenced([...refs.values()]) : new Set<string>();
      const ids = due.map((row) => row.id);
      const seen = new Set(ids.filter((id) => seenRefs.has(refs.get(id)?.ref ?? '')));
      const resend = ids.filter((id) => !seen.has(id));
      const hold = ids.filter((id) => seen.has(id));
      if (hold.length > 0) {
        const until = new Date(now.getTime() + (this.options.unknownGraceMs ?? 600_000)).toISOString();
        await this.db.updateTable('messages').set({ next_attempt_at: until }).where('id', 'in', hold).where('status', '=', 'unknown').execute();
      }
      const behind = await this.#holdWhileBehind(resend, now);
      const again = resend.filter((id) => !behind.has(id));
      if (again.length > 0) {
        this.logger.warn({ count: again.length }, 'no status webhook arrived for messages with an unknown send outcome; sending them again');
        await this.db.updateTable('messages').set({ status: 'queued', next_attempt_at: now.toISOString() }).where('id', 'in', again).where('status', '=', 'unknown').execute();
      }
    }
  }

  /**
   * Of these unknown messages due to go again, holds those sent before the restart whose
   * number's webhooks may still be behind (see `recover`), until they may go or until it is
   * time to ask again (the number's first webhook may come any moment). Answers the held ids.
   */
  /** `now` is the messages' number's time; the restart and the webhooks' arrivals are real time. */
  async #holdWhileBehind(ids: string[], now: Date): Promise<Set<string>> {
    const restart = this.#restart;
    if (!restart || !this.options.arrivals || ids.length === 0) return new Set();
    const grace = this.options.unknownGraceMs ?? 600_000;
    const realNow = this.clock.now();
    const offset = now.getTime() - realNow.getTime();
    const rows = await this.db.selectFrom('messages').select(['id', 'phone_number_id', 'updated_at']).where('id', 'in', ids).where('updated_at', '<', new Date(restart.at.getTime() + offset).toISOString()).execute();
    const until = new Map<string, string[]>();
    for (const row of rows) {
      const releaseAt = await this.#releaseAfterRestart(restart, row.phone_number_id, new Date(Date.parse(row.updated_at) - offset));
      if (releaseAt !== undefined && releaseAt.getTime() <= realNow.getTime()) continue;
      const recheck = new Date(Math.min(releaseAt?.getTime() ?? Infinity, realNow.getTime() + Math.min(grace, 30_000)) + offset).toISOString();
      until.set(recheck, [...(until.get(recheck) ?? []), row.id]);
    }
    const held = new Set<string>();
    for (const [at, group] of until) {
      await this.db.updateTable('messages').set({ next_attempt_at: at }).where('id', 'in', group).where('status', '=', 'unknown').execute();
      for (const id of group) held.add(id);
    }
    if (held.size > 0) {
      this.logger.warn({ count: held.size }, "messages with an unknown send outcome held: their numbers' webhooks may still be behind since the restart (released a grace after the number's first webhook, and not before twice the outage)");
    }
    return held;
  }

  /**
   * For a message sent before the restart: the earliest time it may be sent again, or undefined
   * while no webhook about its number has arrived since the restart.
   */
  async #releaseAfterRestart(restart: { at: Date; position: number }, numberId: string, sentAt: Date): Promise<Date | undefined> {
    let back = this.#webhooksBack.get(numberId);
    if (!back) {
      const sender = await this.directory.sender(numberId);
      back = sender ? await this.options.arrivals?.firstForNumberAfter(restart.position, sender.metaPhoneNumberId) : undefined;
      if (!back) return undefined;
      this.#webhooksBack.set(numberId, back);
    }
    const outage = Math.min(restart.at.getTime() - sentAt.getTime(), PROVIDER_RETRY_HORIZON_MS);
    return new Date(Math.max(back.getTime() + (this.options.unknownGraceMs ?? 600_000), restart.at.getTime() + OUTAGE_FACTOR * outage));
  }

  async #claim(numberId: string, limit: number, now: string): Promise<Claimed[]> {
    // claimed_at is a lease (recovery compares it with real time); updated_at is the number's.
    // The number's token bucket and send lock (above) decide `limit`; the claim is the shared one.
    const claimedAt = this.clock.now().toISOString();
    return claimDue(this.db, this.capabilities, {
      limit,
      due: (db) =>
        db
          .selectFrom('messages')
          .select('id')
          .where('phone_number_id', '=', numberId)
          .where('status', '=', 'queued')
          // An erased or cancelled message is never sent, whatever its status says.
          .where('deleted_at', 'is', null)
          .where('next_attempt_at', '<=', now)
          .orderBy('next_attempt_at'),
      take: (trx, keys) =>
        trx
          .updateTable('messages')
          .set((eb) => ({ status: 'sending', claimed_at: claimedAt, attempts: eb('attempts', '+', 1), updated_at: now }))
          .where('id', 'in', keys.map((row) => row.id))
          .where('status', '=', 'queued')
          .where('deleted_at', 'is', null)
          .returning(['id', 'content', 'attempts', 'phone_number_id'])
          .execute(),
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
    const numberNow = await this.clock.at(row.phone_number_id);
    const at = numberNow.toISOString();
    const maxAttempts = this.options.maxAttempts ?? 8;
    if (result.ok) {
      await this.#markAccepted(row.id, result.value.messages[0]?.id ?? null, at);
      return;
    }
    if (result.kind === 'unknown') {
      const holdUntil = new Date(numberNow.getTime() + (this.options.unknownGraceMs ?? 600_000)).toISOString();
      this.logger.warn({ messageId: row.id, reason: result.reason, holdUntil }, 'send outcome unknown; waiting for a status webhook before resending');
      await this.#update(row.id, { status: 'unknown', claimed_at: null, next_attempt_at: holdUntil, updated_at: at });
      return;
    }
    const transient = result.kind === 'unreachable' || result.transient;
    const code = result.kind === 'error' ? result.code : null;
    if (transient && row.attempts < maxAttempts) {
      const next = nextAttemptAt(row.attempts, { baseMs: this.options.retryBaseMs ?? 1000, maxMs: 300_000, jitter: 0.2 }, numberNow);
      const delay = next.getTime() - numberNow.getTime();
      this.logger.info(
        { messageId: row.id, code, reason: result.kind === 'error' ? result.title : result.reason, retryInMs: Math.round(delay) },
        `send failed (attempt ${row.attempts} of ${maxAttempts}); retrying`,
      );
      await this.#update(row.id, { status: 'queued', claimed_at: null, next_attempt_at: next.toISOString(), updated_at: at });
      return;
    }
    this.logger.warn({ messageId: row.id, code, attempt: row.attempts }, 'send failed permanently');
    const title = result.kind === 'error' ? result.title : 'Provider unreachable';
    const details = result.kind === 'error' ? result.details : result.reason;
    await this.db.transaction().execute(async (trx) => {
      const failed = await trx
        .updateTable('messages')
        .set({ status: 'failed', claimed_at: null, next_attempt_at: null, failed_at: at, updated_at: at, error_code: code, error_title: title, error_details: details })
        .where('id', '=', row.id)
        .where('status', '=', 'sending')
        .returning('workspace_id')
        .executeTakeFirst();
      if (failed && this.options.events) {
        await this.options.events.record(trx, failed.workspace_id, 'message.status', {
          message_id: row.id,
          wamid: null,
          status: 'failed',
          previous_status: 'queued',
          timestamp: at,
          // Meta's error_data.details says what to fix (the field, the window, ...): publish it, not only the title.
          error: { code, title, details },
        });
      }
    });
  }

  /**
   * Records accepted sends in batches: every answer that arrives in one event-loop turn is
   * written in one transaction. A crash before the write leaves the rows `sending`, which
   * recovery treats as unknown outcomes (resolved by their status webhooks), never as unsent.
   */
  #markAccepted(id: string, wamid: string | null, at: string): Promise<void> {
    this.#accepted.push({ id, wamid, at });
    this.#acceptedFlush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#flushAccepted());
    return this.#acceptedFlush;
  }

  async #flushAccepted(): Promise<void> {
    const batch = this.#accepted;
    this.#accepted = [];
    this.#acceptedFlush = undefined;
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const item of batch) {
          await markAccepted.run(trx, item);
        }
      });
    } catch (error) {
      this.logger.error({ err: error, count: batch.length }, 'could not record accepted sends; recovery will resolve them from their status webhooks');
    }
  }

  async #update(id: string, patch: Partial<MessagesTable>): Promise<void> {
    await this.db.updateTable('messages').set(patch).where('id', '=', id).where('status', '=', 'sending').execute();
  }

  /** Takes up to a batch of tokens from the number's bucket (capacity: one second of throughput). */
  #take(numberId: string, rate: number): number {
    const now = this.#wall();
    let bucket = this.#buckets.get(numberId);
    if (this.#startEmpty.delete(numberId)) {
      bucket = { tokens: 0, at: now, rate };
      this.#buckets.set(numberId, bucket);
    } else if (!bucket || bucket.rate !== rate) {
      bucket = { tokens: rate, at: now, rate };
      this.#buckets.set(numberId, bucket);
    }
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    // Claim in batches of at least 50 ms of throughput: a pass per message would cost more
    // queries than sends. A full bucket (an idle number) always sends at once.
    const minimum = Math.max(1, Math.floor(rate / 20));
    if (bucket.tokens < minimum && bucket.tokens < rate) return 0;
    const take = Math.min(Math.floor(bucket.tokens), 500);
    bucket.tokens -= take;
    return take;
  }

  /** Real time in ms, for the loop's own cadence (buckets, locks, recovery passes). */
  #wall(): number {
    return this.clock.now().getTime();
  }

  /** How long until `#take` would give this number a batch again. */
  #refillMs(numberId: string, rate: number): number {
    const tokens = this.#buckets.get(numberId)?.tokens ?? 0;
    return Math.max(1, Math.ceil(((Math.max(1, Math.floor(rate / 20)) - tokens) / rate) * 1000));
  }

  #giveBack(numberId: string, tokens: number): void {
    const bucket = this.#buckets.get(numberId);
    if (bucket && tokens > 0) bucket.tokens += tokens;
  }
}
