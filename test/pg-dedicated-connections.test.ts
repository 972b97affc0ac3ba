import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withDefaultUser } from '../src/db/database.js';
import { PostgresNotifyChannel } from '../src/db/notify-channel.js';
import { PostgresAdvisoryLocks } from '../src/db/session-locks.js';
import { POSTGRES_TEST_URL } from './support/databases.js';

/**
 * The dedicated PostgreSQL connections (advisory locks, LISTEN/NOTIFY) are asked for many things
 * at once (every number's send lock at start, typing indicators); pg deprecates handing a client
 * a query while another runs (removed in pg@9), so each runs its queries one at a time.
 */
describe('dedicated PostgreSQL connections', () => {
  afterEach(() => vi.restoreAllMocks());

  /** Wraps pg.Client#query to count, per client, the most queries in flight at once. */
  function watchOverlap(): { most: () => number } {
    const inFlight = new WeakMap<object, number>();
    let most = 0;
    const original = pg.Client.prototype.query;
    vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      const now = (inFlight.get(this) ?? 0) + 1;
      inFlight.set(this, now);
      most = Math.max(most, now);
      const result = (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
      const done = () => inFlight.set(this, (inFlight.get(this) ?? 1) - 1);
      void Promise.resolve(result).then(done, done);
      return result as never;
    });
    return { most: () => most };
  }

  it('advisory locks: twenty numbers asking at once get their locks, one query at a time', async () => {
    const overlap = watchOverlap();
    const locks = new PostgresAdvisoryLocks(withDefaultUser(POSTGRES_TEST_URL));
    try {
      const keys = Array.from({ length: 20 }, (_, i) => `number-${process.pid}-${i}`);
      expect(await Promise.all(keys.map((key) => locks.tryHold(key)))).toEqual(keys.map(() => true));
      expect(locks.held().size).toBe(20);
      await Promise.all(keys.map((key) => locks.release(key)));
      expect(locks.held().size).toBe(0);
      expect(overlap.most()).toBe(1);
    } finally {
      await locks.close();
    }
  });

  it('notify: many notifications at once all reach the listener, one query at a time', async () => {
    const overlap = watchOverlap();
    const channel = new PostgresNotifyChannel(withDefaultUser(POSTGRES_TEST_URL));
    try {
      const got = new Set<string>();
      await channel.listen('conversa_test_serial', (payload) => got.add(payload));
      await Promise.all(Array.from({ length: 20 }, (_, i) => channel.notify('conversa_test_serial', `p${i}`)));
      for (let i = 0; i < 100 && got.size < 20; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(got.size).toBe(20);
      expect(overlap.most()).toBe(1);
    } finally {
      await channel.close();
    }
  });
});
