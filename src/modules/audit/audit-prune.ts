import type { Logger } from 'pino';
import { PollingLoop } from '../../jobs/index.js';
import type { AuditLog } from './audit-log.js';

export interface AuditPruneOptions {
  /** CONVERSA_AUDIT_RETENTION_DAYS: entries older than this many days are deleted. */
  retentionDays: number;
  /** How long the job rests once nothing is left to delete (default 1 hour). */
  pollMs?: number;
  /** Entries deleted per statement (default 1,000): each a short transaction of its own. */
  batch?: number;
}

/**
 * The `audit prune` job: deletes the audit log's entries older than the retention, a batch per
 * statement, at once again while a batch came back full, then rests for `pollMs`. Short
 * statements on the `at` index, so requests (and their own audit inserts) slip in between.
 */
export function auditPruneLoop(log: Pick<AuditLog, 'prune'>, now: () => Date, logger: Logger, options: AuditPruneOptions): PollingLoop {
  const batch = options.batch ?? 1000;
  const retentionMs = options.retentionDays * 86_400_000;
  return new PollingLoop(
    async () => {
      const deleted = await log.prune(new Date(now().getTime() - retentionMs), batch);
      if (deleted > 0) logger.debug({ deleted }, 'audit log: deleted entries past their retention');
      return deleted >= batch ? deleted : 0;
    },
    options.pollMs ?? 3_600_000,
    logger,
    'audit prune',
  );
}
