import type { Kysely } from 'kysely';

/** The one database capability a claim reads (from `db/`'s `Capabilities`; never the dialect). */
export interface ClaimCapabilities {
  /** `SELECT ... FOR UPDATE SKIP LOCKED` is available. */
  readonly supportsSkipLocked: boolean;
}

/**
 * The part of a Kysely select a claim uses: the due rows' keys, in the worker's order. Any
 * `SelectQueryBuilder` fits.
 */
export interface DueQuery<Key> {
  limit(limit: number): DueQuery<Key>;
  forUpdate(): DueQuery<Key>;
  skipLocked(): DueQuery<Key>;
  execute(): Promise<Key[]>;
}

/** What a worker says about its queue; `claimDue` does the rest. */
export interface ClaimSpec<DB, Key, Row> {
  /**
   * The due rows, ordered (oldest due first), keys only: e.g. `next_attempt_at <= now`, or a
   * `claimed_at` older than the lease (`Lease.staleBefore`) for rows whose claimer died.
   */
  due(db: Kysely<DB>): DueQuery<Key>;
  /**
   * Takes the selected rows under a lease and answers them: an update that sets the lease
   * (`claimed_at = Lease.at`, or the due time moved to `Lease.until`), counts the attempt, and
   * repeats the due condition (compare-and-set), so that where rows cannot be locked (a
   * single-writer database) a row changed meanwhile is not taken twice.
   */
  take(trx: Kysely<DB>, keys: Key[]): Promise<Row[]>;
  /** Rows per claim (the batch size). */
  limit: number;
  /**
   * Look for a due row outside a transaction first, so an idle pass costs one indexed read and
   * no transaction (for queues that are mostly empty and polled often). Default false.
   */
  peek?: boolean;
}

/**
 * Claims up to `limit` due rows of a queue table in one transaction: selects them in the
 * worker's order, locked with `FOR UPDATE SKIP LOCKED` where the database has it (so several
 * nodes take disjoint rows without waiting for each other), and puts them under a lease with
 * the worker's `take`. A claimer that dies leaves its rows leased; they are due again when the
 * lease runs out, on any node. The SQL is the worker's own, so its prepared statements are kept.
 *
 * @example
 * const lease = leaseFrom(now, 120_000);
 * const jobs = await claimDue(db, capabilities, {
 *   limit: 10,
 *   due: (db) => db.selectFrom('my_jobs').select('job_id').where('next_attempt_at', '<=', lease.at).orderBy('next_attempt_at'),
 *   take: (trx, keys) => trx.updateTable('my_jobs').set({ next_attempt_at: lease.until }).where('job_id', 'in', keys.map((k) => k.job_id)).where('next_attempt_at', '<=', lease.at).returningAll().execute(),
 * });
 */
export async function claimDue<DB, Key, Row>(db: Kysely<DB>, capabilities: ClaimCapabilities, spec: ClaimSpec<DB, Key, Row>): Promise<Row[]> {
  if (spec.limit <= 0) return [];
  if (spec.peek && (await spec.due(db).limit(1).execute()).length === 0) return [];
  return db.transaction().execute(async (trx) => {
    let due = spec.due(trx).limit(spec.limit);
    if (capabilities.supportsSkipLocked) due = due.forUpdate().skipLocked();
    const keys = await due.execute();
    if (keys.length === 0) return [];
    return spec.take(trx, keys);
  });
}

/** The times a claim made at one moment needs, as stored (ISO strings). */
export interface Lease {
  /** The claim's moment: stored in `claimed_at`, compared with due times. */
  readonly at: string;
  /** When the lease runs out: stored as the due time of a row whose due column holds the lease. */
  readonly until: string;
  /** A `claimed_at` before this belongs to a claimer that died (its lease ran out). */
  readonly staleBefore: string;
}

/**
 * The lease of a claim made at `now` for `leaseMs`. Leases are on real time (the platform's
 * clock), whatever clock the rows' due times follow.
 *
 * @example leaseFrom(new Date('2026-01-01T00:00:00Z'), 60_000).until // '2026-01-01T00:01:00.000Z'
 */
export function leaseFrom(now: Date, leaseMs: number): Lease {
  const ms = now.getTime();
  return { at: now.toISOString(), until: new Date(ms + leaseMs).toISOString(), staleBefore: new Date(ms - leaseMs).toISOString() };
}
