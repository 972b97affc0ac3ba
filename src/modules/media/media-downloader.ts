import type { Kysely, Selectable } from 'kysely';
import type { Logger } from 'pino';
import type { Capabilities, MediaDownloadsTable, Schema } from '../../db/index.js';
import { claimDue, leaseFrom, nextAttemptAt, PollingLoop, type Backoff } from '../../jobs/index.js';
import type { GraphEndpoint, WhatsAppClient } from '../../whatsapp/index.js';
import { MEDIA_RULES, baseMimeType, mediaKindOf } from './media-rules.js';
import { storageKeyOf, type MediaStorage } from './media-storage.js';
import { sha256Hex } from './upload-check.js';
import { realClock } from '../../clock/index.js';

/** The Graph calls a download needs (the WhatsApp client, or a fake). */
export type MediaFetcher = Pick<WhatsAppClient, 'getMedia' | 'downloadMedia'>;

/** Where a phone number (our row id) is reached. */
export interface MediaEndpointDirectory {
  sender(phoneNumberRowId: string): Promise<{ endpoint: GraphEndpoint } | undefined>;
}

export interface MediaDownloaderOptions {
  /** Idle poll interval (default 250 ms; `wake()` cuts it short). */
  pollMs?: number;
  /** First retry delay, doubled per attempt with ±20 % jitter (default 1 s). */
  retryBaseMs?: number;
  /** Longest delay between attempts (default 15 min). */
  retryMaxMs?: number;
  /** A claimed job whose downloader died is due again after this (default 2 min). */
  leaseMs?: number;
  /** Jobs claimed per pass (default 10). */
  batch?: number;
}

type Job = Selectable<MediaDownloadsTable>;

/**
 * Fetches inbound media as soon as it is recorded, before Meta's download URL and media id
 * expire: `GET /{media-id}`, then the download, the sha256 checked against what Meta announced,
 * the bytes stored, the media marked `ready`. Every failure retries with backoff and jitter until
 * the id's 7 days are over; then the media is `failed`. Jobs are claimed with a lease
 * (`FOR UPDATE SKIP LOCKED` where the database has it), so several nodes share the work.
 */
export class MediaDownloader {
  readonly #loop: PollingLoop;
  readonly #backoff: Backoff;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly capabilities: Capabilities,
    private readonly fetcher: MediaFetcher,
    private readonly directory: MediaEndpointDirectory,
    private readonly storage: MediaStorage,
    private readonly logger: Logger,
    private readonly now: () => Date = () => realClock.now(),
    private readonly options: MediaDownloaderOptions = {},
  ) {
    this.#loop = new PollingLoop(() => this.drain(), options.pollMs ?? 250, logger, 'media download');
    this.#backoff = { baseMs: options.retryBaseMs ?? 1000, maxMs: options.retryMaxMs ?? 900_000, jitter: 0.2 };
  }

  start(): void {
    this.#loop.start();
  }

  /** Stops claiming and waits for the pass in flight. */
  async stop(): Promise<void> {
    await this.#loop.stop();
  }

  /** Cuts the idle wait short: inbound media was recorded. */
  wake(): void {
    this.#loop.wake();
  }

  /** One pass: claims due jobs and runs them. Answers how many it claimed. */
  async drain(): Promise<number> {
    const jobs = await this.#claim(this.options.batch ?? 10);
    await Promise.all(jobs.map((job) => this.#download(job)));
    return jobs.length;
  }

  async #claim(limit: number): Promise<Job[]> {
    const lease = leaseFrom(this.now(), this.options.leaseMs ?? 120_000);
    // The due column holds the lease: a claimed job is due again when it runs out.
    return claimDue(this.db, this.capabilities, {
      limit,
      due: (db) => db.selectFrom('media_downloads').select('media_id').where('next_attempt_at', '<=', lease.at).orderBy('next_attempt_at'),
      take: (trx, keys) =>
        trx
          .updateTable('media_downloads')
          .set((eb) => ({ next_attempt_at: lease.until, attempts: eb('attempts', '+', 1) }))
          .where('media_id', 'in', keys.map((row) => row.media_id))
          .where('next_attempt_at', '<=', lease.at)
          .returningAll()
          .execute(),
    });
  }

  async #download(job: Job): Promise<void> {
    try {
      const outcome = await this.#fetch(job);
      if (outcome.ok) await this.#complete(job, outcome.data, outcome.mimeType);
      else await this.#retry(job, outcome.reason);
    } catch (error) {
      await this.#retry(job, error instanceof Error ? error.message : String(error)).catch((inner: unknown) =>
        this.logger.error({ err: inner, mediaId: job.media_id }, 'could not record a media download failure'),
      );
    }
  }

  async #fetch(job: Job): Promise<{ ok: true; data: Buffer; mimeType: string } | { ok: false; reason: string }> {
    const sender = await this.directory.sender(job.phone_number_id);
    if (!sender) return { ok: false, reason: `phone number ${job.phone_number_id} is not connected` };
    const info = await this.fetcher.getMedia(sender.endpoint, job.provider_media_id);
    if (!info.ok) return { ok: false, reason: `GET /${job.provider_media_id}: ${describe(info)}` };
    const mimeType = baseMimeType(info.value.mime_type);
    const kind = mediaKindOf(mimeType);
    const maxBytes = Math.max(kind ? MEDIA_RULES[kind].maxBytes : 0, MEDIA_RULES.document.maxBytes);
    const download = await this.fetcher.downloadMedia(sender.endpoint, info.value.url, { maxBytes });
    if (!download.ok) return { ok: false, reason: `download: ${describe(download)}` };
    const data = download.value;
    for (const announced of [job.expected_sha256, info.value.sha256]) {
      if (announced && !sameSha256(data, announced)) return { ok: false, reason: `sha256 mismatch: expected ${announced}, received ${sha256Hex(data)} (${data.length} bytes)` };
    }
    return { ok: true, data, mimeType: mimeType || 'application/octet-stream' };
  }

  async #complete(job: Job, data: Buffer, mimeType: string): Promise<void> {
    const sha256 = sha256Hex(data);
    const storageKey = storageKeyOf(sha256);
    await this.storage.put(storageKey, data);
    const at = this.now().toISOString();
    const stored = await this.db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('media').set({ status: 'ready', size: data.length, sha256, storage_key: storageKey, mime_type: mimeType, updated_at: at }).where('id', '=', job.media_id).executeTakeFirst();
      await trx.updateTable('media_downloads').set({ next_attempt_at: null, completed_at: at, last_error: null }).where('media_id', '=', job.media_id).execute();
      return Number(updated.numUpdatedRows) > 0;
    });
    if (!stored) {
      // Its message (and so the media) was deleted during the download: keep no orphan bytes.
      const shared = await this.db.selectFrom('media').select('id').where('storage_key', '=', storageKey).limit(1).executeTakeFirst();
      if (!shared) await this.storage.delete(storageKey);
      this.logger.info({ mediaId: job.media_id }, 'inbound media deleted during its download; bytes dropped');
      return;
    }
    this.logger.info({ mediaId: job.media_id, size: data.length, attempt: job.attempts }, 'inbound media stored');
  }

  async #retry(job: Job, reason: string): Promise<void> {
    const now = this.now();
    const at = now.toISOString();
    const next = nextAttemptAt(job.attempts, this.#backoff, now);
    const delay = next.getTime() - now.getTime();
    if (next.toISOString() >= job.give_up_at) {
      this.logger.warn({ mediaId: job.media_id, attempt: job.attempts, reason }, 'inbound media download given up: the provider id has expired');
      await this.db.transaction().execute(async (trx) => {
        await trx.updateTable('media').set({ status: 'failed', updated_at: at }).where('id', '=', job.media_id).execute();
        await trx.updateTable('media_downloads').set({ next_attempt_at: null, last_error: reason }).where('media_id', '=', job.media_id).execute();
      });
      return;
    }
    this.logger.info({ mediaId: job.media_id, reason, retryInMs: Math.round(delay) }, `inbound media download failed (attempt ${job.attempts}); retrying`);
    await this.db.updateTable('media_downloads').set({ next_attempt_at: next.toISOString(), last_error: reason }).where('media_id', '=', job.media_id).execute();
  }
}

/** Meta announces sha256 as hex or base64; either matches the same bytes. */
function sameSha256(data: Buffer, announced: string): boolean {
  const hex = sha256Hex(data);
  return announced.toLowerCase() === hex || announced === Buffer.from(hex, 'hex').toString('base64');
}

function describe(failure: { kind: string; reason?: string; code?: number; title?: string; details?: string }): string {
  return failure.kind === 'error' ? `(#${failure.code}) ${failure.title}: ${failure.details}` : `${failure.kind}: ${failure.reason}`;
}
