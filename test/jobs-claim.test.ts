import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/index.js';
import { claimDue, leaseFrom, type ClaimCapabilities } from '../src/jobs/index.js';
import { DIALECTS, type TestDatabase } from './support/databases.js';

/** A queue table shaped like the workers' (media downloads, webhook deliveries): the due column holds the lease. */
interface QueueSchema {
  queue: { id: number; next_attempt_at: string | null; attempts: number; claimed_by: string | null };
}

/** The claim every worker makes, here on the test queue: `next_attempt_at` moved to the lease's end. */
function claim(db: Kysely<QueueSchema>, capabilities: ClaimCapabilities, input: { now: Date; leaseMs: number; limit: number; by: string; pauseMs?: number }) {
  const lease = leaseFrom(input.now, input.leaseMs);
  return claimDue(db, capabilities, {
    limit: input.limit,
    due: (q) => q.selectFrom('queue').select('id').where('next_attempt_at', '<=', lease.at).orderBy('next_attempt_at').orderBy('id'),
    take: async (trx, keys) => {
      // Holds the rows a moment, so concurrent claimers overlap.
      if (input.pauseMs) await new Promise((resolve) => setTimeout(resolve, input.pauseMs));
      return trx
        .updateTable('queue')
        .set((eb) => ({ next_attempt_at: lease.until, attempts: eb('attempts', '+', 1), claimed_by: input.by }))
        .where('id', 'in', keys.map((row) => row.id))
        .where('next_attempt_at', '<=', lease.at)
        .returning(['id', 'attempts', 'next_attempt_at'])
        .execute();
    },
  });
}

const T0 = new Date('2026-05-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe.each(DIALECTS)('claimDue ($name)', (dialect) => {
  let target: TestDatabase;
  let database: Database;
  let db: Kysely<QueueSchema>;

  beforeAll(async () => {
    target = await dialect.create();
    database = openDatabase(target.url);
    db = database.db as unknown as Kysely<QueueSchema>;
    await sql`create table queue (id integer primary key, next_attempt_at text, attempts integer not null default 0, claimed_by text)`.execute(db);
  });
  afterAll(async () => {
    await database?.close();
    await target?.drop();
  });
  beforeEach(async () => {
    await db.deleteFrom('queue').execute();
  });

  async function enqueue(count: number, dueAt = T0): Promise<void> {
    await db
      .insertInto('queue')
      .values(Array.from({ length: count }, (_, index) => ({ id: index + 1, next_attempt_at: new Date(dueAt.getTime() - (count - index)).toISOString(), attempts: 0, claimed_by: null })))
      .execute();
  }

  it('takes due rows only, oldest first, at most the batch size, and leases them', async () => {
    await enqueue(5);
    await db.insertInto('queue').values({ id: 99, next_attempt_at: at(1000).toISOString(), attempts: 0, claimed_by: null }).execute();
    const first = await claim(db, database.capabilities, { now: T0, leaseMs: 60_000, limit: 3, by: 'a' });
    expect(first.map((row) => row.id).sort()).toEqual([1, 2, 3]);
    expect(first.every((row) => row.attempts === 1 && row.next_attempt_at === at(60_000).toISOString())).toBe(true);
    const rest = await claim(db, database.capabilities, { now: T0, leaseMs: 60_000, limit: 10, by: 'a' });
    expect(rest.map((row) => row.id).sort()).toEqual([4, 5]); // not 99: due in a second
    expect(await claim(db, database.capabilities, { now: T0, leaseMs: 60_000, limit: 10, by: 'a' })).toEqual([]);
  });

  it('two claimers at once never take the same row, and together take every row once', async () => {
    await enqueue(40);
    const taken: Array<{ id: number; by: string }> = [];
    // Rounds of two concurrent claimers (on PostgreSQL two connections), each holding its rows a moment.
    for (let round = 0; round < 20 && taken.length < 40; round += 1) {
      const [a, b] = await Promise.all(
        ['a', 'b'].map((by) => claim(db, database.capabilities, { now: T0, leaseMs: 60_000, limit: 7, by, pauseMs: 30 }).then((rows) => rows.map((row) => ({ id: row.id, by })))),
      );
      taken.push(...(a ?? []), ...(b ?? []));
    }
    const ids = taken.map((row) => row.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
    // Each row's single claim is what the table says.
    const rows = await db.selectFrom('queue').select(['id', 'attempts', 'claimed_by']).execute();
    expect(rows.every((row) => row.attempts === 1)).toBe(true);
    expect(new Set(rows.map((row) => row.claimed_by))).toEqual(new Set(['a', 'b']));
  });

  it('a lease that ran out (its claimer died) is taken over by the next claim; one still running is not', async () => {
    await enqueue(2);
    const dead = await claim(db, database.capabilities, { now: T0, leaseMs: 60_000, limit: 10, by: 'dead node' });
    expect(dead).toHaveLength(2);
    expect(await claim(db, database.capabilities, { now: at(59_999), leaseMs: 60_000, limit: 10, by: 'other node' })).toEqual([]);
    const takenOver = await claim(db, database.capabilities, { now: at(60_000), leaseMs: 60_000, limit: 10, by: 'other node' });
    expect(takenOver.map((row) => row.id).sort()).toEqual([1, 2]);
    expect(takenOver.every((row) => row.attempts === 2)).toBe(true);
    const owners = await db.selectFrom('queue').select('claimed_by').distinct().execute();
    expect(owners).toEqual([{ claimed_by: 'other node' }]);
  });

  // SQLite has one writer and no row locks (a FOR UPDATE there would be a syntax error, so the
  // tests above prove none is sent); on PostgreSQL a row another node holds is skipped, not waited for.
  it.runIf(dialect.name === 'postgres')('skips a row another transaction holds instead of waiting for it (PostgreSQL)', async () => {
    await enqueue(2);
    const result = await db.transaction().execute(async (other) => {
      await other.selectFrom('queue').select('id').where('id', '=', 1).forUpdate().execute();
      const claimed = claim(db, database.capabilities, { now: T0, leaseMs: 60_000, limit: 1, by: 'b' });
      return Promise.race([claimed, new Promise<'blocked'>((resolve) => setTimeout(() => resolve('blocked'), 2000))]);
    });
    expect(result).not.toBe('blocked');
    expect((result as Array<{ id: number }>).map((row) => row.id)).toEqual([2]);
  });
});
