import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import type { Schema, SessionLocks } from '../../db/index.js';
import { PollingLoop } from '../../jobs/index.js';
import { pruneBotLog, pruneFinishedBotTasks } from '../chatbot/index.js';
import { pruneConsumedOutboxEvents } from '../events/index.js';
import { pruneProcessedInboundEvents, type InboundPruneCursor } from '../inbound/index.js';
import { expireReceivedMedia, pruneFinishedMediaDownloads, type MediaStorage, type RetentionCursor } from '../media/index.js';
import { expireMessageContents } from '../messaging/index.js';
import { pruneExpiredSessions } from '../users/index.js';
import { pruneFinishedDeliveries } from '../webhooks/index.js';
import type { RetentionSettings } from './retention-settings.js';

/** The installation's rules and pace (config.retention). */
export interface RetentionRules {
  inboundMs: number;
  outboxMs: number;
  deliveriesMs: number;
  jobLogMs: number;
  intervalMs: number;
  batchSize: number;
  pauseMs: number;
  maxRowsPerPass: number;
}

export interface RetentionDeps {
  db: Kysely<Schema>;
  clock: Clock;
  /** One node prunes at a time (a PostgreSQL advisory lock; SQLite has one node). */
  locks: SessionLocks;
  settings: RetentionSettings;
  mediaStorage: MediaStorage;
  /**
   * Every outbox consumer's position (the webhook fan-out's committed position, this node's
   * realtime hub once it read): events above the lowest are kept.
   */
  outboxPositions: () => Promise<number[]>;
  logger: Logger;
}

/** How many rows each rule deleted (or, for message contents and media, expired) in a pass. */
export interface RetentionReport {
  inbound_events: number;
  outbox_events: number;
  webhook_deliveries: number;
  user_sessions: number;
  bot_tasks: number;
  bot_log: number;
  media_downloads: number;
  message_contents: number;
  media: number;
  /** Another node held the lock: this node did nothing. */
  skipped: boolean;
  /** Whether a rule stopped at CONVERSA_RETENTION_MAX_ROWS with more left (the next pass goes on). */
  capped: boolean;
  ms: number;
}

const LOCK = 'retention';

/**
 * The retention job: every `intervalMs` (and on `wake()`), deletes what the installation's and
 * the workspaces' rules say is old enough (docs/data-protection.md#retention). Each rule works in
 * batches of `batchSize` rows (ids selected by an index, then one short delete by primary key,
 * each statement its own transaction), pauses between batches (`pauseMs`, and at least twice the
 * batch's time) so webhook ingest and sends get the database, and stops after `maxRowsPerPass`
 * rows (the next pass goes on). On
 * PostgreSQL one node at a time prunes (advisory lock); the deletes repeat their conditions, so
 * a batch that loses a race deletes nothing it should not.
 */
export class RetentionJob {
  readonly #loop: PollingLoop;
  #stopping = false;
  #running: Promise<RetentionReport> | undefined;

  constructor(
    private readonly deps: RetentionDeps,
    private readonly rules: RetentionRules,
  ) {
    this.#loop = PollingLoop.every(rules.intervalMs, deps.logger, 'retention', async () => {
      const report = await this.runOnce();
      if (!report.skipped && total(report) > 0) deps.logger.info({ ...report }, 'retention: pruned old rows');
      // More was left than a pass may take: go on soon rather than at the next interval.
      if (report.capped) this.#loop.wakeIn(Math.max(1000, rules.pauseMs * 50));
    });
  }

  start(): void {
    this.#stopping = false;
    this.#loop.start();
  }

  /** Stops after the batch under way (a pass checks between batches). */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#loop.stop();
    await this.#running?.catch(() => undefined);
    await this.deps.locks.close();
  }

  wake(): void {
    this.#loop.wake();
  }

  /** One pass of every rule now (tests and `wake`); a pass already running in this process is joined. */
  runOnce(options: { maxRowsPerPass?: number } = {}): Promise<RetentionReport> {
    this.#running ??= this.#pass(options.maxRowsPerPass ?? this.rules.maxRowsPerPass).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(cap: number): Promise<RetentionReport> {
    const started = performance.now();
    const report: RetentionReport = { inbound_events: 0, outbox_events: 0, webhook_deliveries: 0, user_sessions: 0, bot_tasks: 0, bot_log: 0, media_downloads: 0, message_contents: 0, media: 0, skipped: false, capped: false, ms: 0 };
    if (!(await this.deps.locks.tryHold(LOCK))) return { ...report, skipped: true };
    try {
      const { db } = this.deps;
      const now = this.deps.clock.now();
      const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
      /** Runs `batch` until it answers fewer than its limit (or `more: false`), the cap, or a stop. */
      const drain = async (key: keyof Omit<RetentionReport, 'skipped' | 'capped' | 'ms'>, batch: (limit: number) => Promise<number | { deleted: number; more: boolean }>) => {
        let taken = 0;
        while (!this.#stopping) {
          const limit = Math.min(this.rules.batchSize, cap - taken);
          if (limit <= 0) {
            report.capped = true;
            return;
          }
          const batchStarted = performance.now();
          const outcome = await batch(limit);
          const { deleted, more } = typeof outcome === 'number' ? { deleted: outcome, more: outcome === limit } : outcome;
          report[key] += deleted;
          taken += Math.max(deleted, more ? limit : 0);
          if (!more) return;
          await this.#pause(performance.now() - batchStarted);
        }
      };
      let inbound: InboundPruneCursor | undefined;
      await drain('inbound_events', async (limit) => {
        const step = await pruneProcessedInboundEvents(db, ago(this.rules.inboundMs), limit, inbound);
        inbound = step.after;
        return step;
      });
      const positions = await this.deps.outboxPositions();
      // No consumer known: keep everything.
      const below = positions.length > 0 ? Math.min(...positions) + 1 : 0;
      await drain('outbox_events', (limit) => pruneConsumedOutboxEvents(db, below, ago(this.rules.outboxMs), limit));
      await drain('webhook_deliveries', (limit) => pruneFinishedDeliveries(db, ago(this.rules.deliveriesMs), limit));
      await drain('user_sessions', (limit) => pruneExpiredSessions(db, now.toISOString(), limit));
      await drain('bot_tasks', (limit) => pruneFinishedBotTasks(db, ago(this.rules.jobLogMs), limit));
      await drain('bot_log', (limit) => pruneBotLog(db, ago(this.rules.jobLogMs), limit));
      await drain('media_downloads', (limit) => pruneFinishedMediaDownloads(db, ago(this.rules.jobLogMs), limit));
      for (const workspace of await this.deps.settings.active()) {
        if (workspace.messageContentDays !== null) {
          const days = workspace.messageContentDays;
          let cursor = decodeCursor(workspace.messagesCursor);
          await drain('message_contents', async (limit) => {
            const step = await expireMessageContents(db, { workspaceId: workspace.workspaceId, before: ago(days * 86_400_000), cursor, limit, now: now.toISOString() });
            if (step.cursor) await this.deps.settings.moveCursor(workspace.workspaceId, 'messages_cursor', encodeCursor(step.cursor));
            cursor = step.cursor ?? cursor;
            return step.handled;
          });
        }
        if (workspace.mediaDays !== null) {
          const days = workspace.mediaDays;
          let cursor = decodeCursor(workspace.mediaCursor);
          await drain('media', async (limit) => {
            const step = await expireReceivedMedia(db, this.deps.mediaStorage, { workspaceId: workspace.workspaceId, before: ago(days * 86_400_000), cursor, limit: Math.min(limit, 100), now: now.toISOString() });
            if (step.cursor) await this.deps.settings.moveCursor(workspace.workspaceId, 'media_cursor', encodeCursor(step.cursor));
            cursor = step.cursor ?? cursor;
            // Media batches are at most 100 (each may delete a file).
            return { deleted: step.handled, more: step.handled === Math.min(limit, 100) };
          });
        }
      }
    } finally {
      await this.deps.locks.release(LOCK).catch(() => undefined);
    }
    report.ms = Math.round(performance.now() - started);
    return report;
  }

  /**
   * Between two batches: at least `pauseMs`, and at least twice as long as the batch took, so the
   * prune holds the database (on SQLite the one writer, and the event loop: better-sqlite3 is
   * synchronous) at most a third of the time, however slow the disk or large the rows.
   */
  async #pause(batchMs: number): Promise<void> {
    await sleep(Math.max(this.rules.pauseMs, Math.ceil(2 * batchMs)));
  }
}

function total(report: RetentionReport): number {
  return report.inbound_events + report.outbox_events + report.webhook_deliveries + report.user_sessions + report.bot_tasks + report.bot_log + report.media_downloads + report.message_contents + report.media;
}

function encodeCursor(cursor: RetentionCursor): string {
  return `${cursor.createdAt}|${cursor.id}`;
}

function decodeCursor(value: string | null): RetentionCursor | undefined {
  if (!value) return undefined;
  const at = value.indexOf('|');
  return at > 0 ? { createdAt: value.slice(0, at), id: value.slice(at + 1) } : undefined;
}
