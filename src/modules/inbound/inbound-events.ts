import type { ExpressionBuilder, Kysely } from 'kysely';
import { prepared, type Capabilities, type InboundEventsTable, type Schema } from '../../db/index.js';
import { claimDue, leaseFrom } from '../../jobs/index.js';
import type { InboundEvent } from './split-webhook.js';
import { realClock } from '../../clock/index.js';

export interface InboundEventView {
  id: number;
  field: string;
  kind: string;
  received_at: string;
  processed_at: string | null;
  payload: unknown;
}

export type StoredInboundEvent = Pick<InboundEventsTable, 'workspace_id' | 'field' | 'kind' | 'payload' | 'attempts'> & { id: number };

interface Pending {
  workspaceId: string;
  events: InboundEvent[];
  resolve: (inserted: number) => void;
  reject: (error: unknown) => void;
}

const CHUNK = 400;
/**
 * How long a claim holds events at most: a processor that died holding them (its node crashed
 * mid-batch) leaves them to another node, or to itself restarted, once this runs out. A batch
 * takes seconds at worst, so the configured claim lease (`CONVERSA_CLAIM_LEASE_SECONDS`, made
 * for sends in flight) applies only when it is shorter than this.
 */
const INBOUND_LEASE_MS = 60_000;

const insertOne = prepared((db: Kysely<Schema>, row: Omit<InboundEventsTable, 'id'>) => db.insertInto('inbound_events').values(row).onConflict((oc) => oc.column('dedupe_key').doNothing()).returning('dedupe_key'));

/** An event still to apply at `at`: not processed, and not held by a lease or a retry delay. */
const due = (eb: ExpressionBuilder<Schema, 'inbound_events'>, at: string) => eb.and([eb('processed_at', 'is', null), eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', at)])]);

// Read without a lease on a single writer ({@link InboundEvents.next}).
const dueEvents = prepared((db: Kysely<Schema>, p: { now: string; limit: number }) =>
  db
    .selectFrom('inbound_events')
    .select(['id', 'workspace_id', 'field', 'kind', 'payload', 'attempts'])
    .where((eb) => due(eb, p.now))
    .orderBy('id')
    .limit(p.limit),
);

/**
 * Inbound webhook events: stored deduplicated before Meta's webhook is answered, then claimed
 * by the processor. Writes that arrive in the same event-loop turn are committed together in
 * one transaction, and every caller is answered after that commit.
 */
export class InboundEvents {
  readonly #leaseMs: number;
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly capabilities: Capabilities,
    private readonly now: () => Date = () => realClock.now(),
    options: { leaseMs?: number } = {},
  ) {
    this.#leaseMs = Math.min(options.leaseMs ?? INBOUND_LEASE_MS, INBOUND_LEASE_MS);
  }

  /**
   * Erasure of a person (issue 13): deletes the workspace's raw webhook events whose payload
   * `mentions` them (their number, their messages' ids). Read in keyset pages of `batch` rows,
   * each page's matches deleted in their own statement, so ingest is never held for long.
   * Answers how many were deleted.
   */
  async eraseMentioning(workspaceId: string, mentions: (payload: string) => boolean, batch = 500): Promise<number> {
    let after = 0;
    let deleted = 0;
    for (;;) {
      const rows = await this.db.selectFrom('inbound_events').select(['id', 'payload', 'dedupe_key', 'ref']).where('workspace_id', '=', workspaceId).where('id', '>', after).orderBy('id').limit(batch).execute();
      if (rows.length === 0) return deleted;
      after = Number(rows[rows.length - 1]?.id);
      const ids = rows.filter((row) => mentions(row.payload) || mentions(row.dedupe_key) || (row.ref !== null && mentions(row.ref))).map((row) => row.id);
      if (ids.length > 0) deleted += Number((await this.db.deleteFrom('inbound_events').where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
    }
  }

  /** Stores events (duplicates ignored); resolves with how many were new, after commit. */
  store(workspaceId: string, events: InboundEvent[]): Promise<number> {
    if (events.length === 0) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      this.#pending.push({ workspaceId, events, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    this.#scheduled = false;
    const receivedAt = this.now().toISOString();
    try {
      // One multi-row insert per chunk for everything that arrived in this turn; RETURNING
      // tells which keys were new, so each caller learns its own count.
      const rows = batch.flatMap((item) =>
        item.events.map((event) => ({
          workspace_id: item.workspaceId,
          dedupe_key: workspaceKey(item.workspaceId, event.dedupeKey),
          field: event.field,
          kind: event.kind,
          payload: event.payload,
          ref: event.ref ?? null,
          received_at: receivedAt,
          processed_at: null,
          claimed_until: null,
          attempts: 0,
          last_error: null,
        })),
      );
      const fresh = new Set<string>();
      const insert = async (db: Kysely<Schema>, chunk: typeof rows) => {
        // Under a steady trickle each turn holds one event: that insert is prepared once.
        const inserted = chunk.length === 1 ? await insertOne.rows(db, chunk[0]!) : await db.insertInto('inbound_events').values(chunk).onConflict((oc) => oc.column('dedupe_key').doNothing()).returning('dedupe_key').execute();
        for (const row of inserted) fresh.add(row.dedupe_key);
      };
      // On PostgreSQL one statement commits on its own, atomically: no BEGIN and COMMIT round
      // trips (at a steady trickle of webhooks each turn holds one event). On SQLite the explicit
      // transaction measured faster (bench/bot.ts: p50 7 ms against 26–29 ms without it).
      if (rows.length <= CHUNK && !this.capabilities.singleWriter) await insert(this.db, rows);
      else
        await this.db.transaction().execute(async (trx) => {
          for (let i = 0; i < rows.length; i += CHUNK) await insert(trx, rows.slice(i, i + CHUNK));
        });
      // A key sent twice in the same turn counts once, for its first caller.
      const counts = batch.map((item) => item.events.reduce((count, event) => count + (fresh.delete(workspaceKey(item.workspaceId, event.dedupeKey)) ? 1 : 0), 0));
      batch.forEach((item, index) => item.resolve(counts[index] ?? 0));
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }

  /**
   * The next events to apply, up to `limit`, in arrival order: claimed under a lease where
   * several processors may run ({@link claim}, PostgreSQL). A single-writer database (SQLite)
   * has one processor: the events are read without writing a lease, and the transaction that
   * applies them marks them processed only if they still are not ({@link markProcessed}), so a
   * claim costs no commit of its own and a crash leaves its batch due at once on restart.
   * `attempts` counts this one either way.
   */
  async next(limit: number): Promise<StoredInboundEvent[]> {
    if (!this.capabilities.singleWriter) return this.claim(limit);
    const now = this.now().toISOString();
    const rows = await dueEvents.rows(this.db, { now, limit });
    return rows.map((row) => ({ ...row, id: Number(row.id), attempts: row.attempts + 1 }));
  }

  /**
   * Claims up to `limit` unprocessed events in arrival order with a lease, so that several
   * processors (nodes) never work on the same event at once.
   */
  async claim(limit: number): Promise<StoredInboundEvent[]> {
    // claimed_until holds the lease: an event whose processor died is due again when it runs out.
    const lease = leaseFrom(this.now(), this.#leaseMs);
    const rows = await claimDue(this.db, this.capabilities, {
      limit,
      due: (db) =>
        db
          .selectFrom('inbound_events')
          .select('id')
          .where((eb) => due(eb, lease.at))
          .orderBy('id'),
      take: (trx, keys) =>
        trx
          .updateTable('inbound_events')
          .set((eb) => ({ claimed_until: lease.until, attempts: eb('attempts', '+', 1) }))
          .where('id', 'in', keys.map((row) => Number(row.id)))
          // Compare-and-set: still due (ClaimSpec.take).
          .where((eb) => due(eb, lease.at))
          .returning(['id', 'workspace_id', 'field', 'kind', 'payload', 'attempts'])
          .execute(),
    });
    return rows.map((row) => ({ ...row, id: Number(row.id) })).sort((a, b) => a.id - b.id);
  }

  /**
   * Marks events processed, in the transaction that applied them. On a single-writer database
   * (events read by {@link next} without a lease) only events not processed yet are marked, and
   * any other outcome throws, undoing the transaction: an event is never applied twice.
   */
  async markProcessed(ids: number[], trx: Kysely<Schema> = this.db): Promise<void> {
    if (ids.length === 0) return;
    let query = trx.updateTable('inbound_events').set({ processed_at: this.now().toISOString(), claimed_until: null, last_error: null }).where('id', 'in', ids);
    if (this.capabilities.singleWriter) query = query.where('processed_at', 'is', null);
    const marked = Number((await query.executeTakeFirst()).numUpdatedRows);
    if (this.capabilities.singleWriter && marked !== ids.length) throw new Error(`inbound events ${ids.join(', ')}: ${ids.length - marked} already processed by another processor; this batch is undone`);
  }

  /**
   * Records a processing failure and the attempt it was (see {@link next}); the event is
   * retried when its lease (shortened) runs out.
   */
  async markFailed(event: { id: number; attempts: number }, error: string, retryInMs: number): Promise<void> {
    await this.db
      .updateTable('inbound_events')
      .set({ last_error: error.slice(0, 1000), attempts: event.attempts, claimed_until: new Date(this.now().getTime() + retryInMs).toISOString() })
      .where('id', '=', event.id)
      .execute();
  }

  /** The newest stored event's id (0 when none): `firstForNumberAfter` asks what came after it. */
  async position(): Promise<number> {
    const row = await this.db.selectFrom('inbound_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    return Number(row?.id ?? 0);
  }

  /**
   * When the first webhook event about a phone number (Meta's `phone_number_id`, as in every
   * event's `metadata`) stored after `position` arrived; undefined when none has yet. Scans
   * forward from `position` by primary key and stops at the first match.
   */
  async firstForNumberAfter(position: number, metaPhoneNumberId: string): Promise<Date | undefined> {
    if (!/^\d{1,32}$/.test(metaPhoneNumberId)) return undefined;
    const row = await this.db
      .selectFrom('inbound_events')
      .select('received_at')
      .where('id', '>', position)
      .where('payload', 'like', `%"phone_number_id":"${metaPhoneNumberId}"%`)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    return row ? new Date(row.received_at) : undefined;
  }

  /** Events of a workspace, newest first; `before` is the last id of the previous page. */
  async list(workspaceId: string, options: { limit: number; before?: number }): Promise<{ data: InboundEventView[]; next_cursor: string | null }> {
    let query = this.db
      .selectFrom('inbound_events')
      .select(['id', 'field', 'kind', 'received_at', 'processed_at', 'payload'])
      .where('workspace_id', '=', workspaceId)
      .orderBy('id', 'desc')
      .limit(options.limit + 1);
    if (options.before !== undefined) query = query.where('id', '<', options.before);
    const rows = await query.execute();
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return {
      data: page.map((row) => ({ id: Number(row.id), field: row.field, kind: row.kind, received_at: row.received_at, processed_at: row.processed_at, payload: JSON.parse(row.payload) as unknown })),
      next_cursor: rows.length > options.limit && last ? String(last.id) : null,
    };
  }

  /**
   * Which of these refs (`statusRef(number, message id)`) a status webhook stored in the same
   * workspace names (processed or not): Meta has those messages, so they must never be sent
   * again. A ref stored in another workspace does not count.
   */
  async referenced(refs: ReadonlyArray<{ workspaceId: string; ref: string }>): Promise<Set<string>> {
    if (refs.length === 0) return new Set();
    const wanted = new Set(refs.map((item) => workspaceKey(item.workspaceId, item.ref)));
    const rows = await this.db
      .selectFrom('inbound_events')
      .select(['workspace_id', 'ref'])
      .distinct()
      .where('ref', 'in', refs.map((item) => item.ref))
      .execute();
    return new Set(rows.filter((row) => wanted.has(workspaceKey(row.workspace_id, row.ref as string))).map((row) => row.ref as string));
  }

  /** How many events wait for processing (for tests, metrics and graceful shutdown). */
  async pendingCount(): Promise<number> {
    const row = await this.db.selectFrom('inbound_events').select((eb) => eb.fn.countAll<number>().as('n')).where('processed_at', 'is', null).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

/**
 * Dedupe keys are per workspace: the stored key is the workspace id and the event's key, so an
 * event signed for one workspace can never take the key of another's.
 */
function workspaceKey(workspaceId: string, key: string): string {
  return `${workspaceId}/${key}`;
}
