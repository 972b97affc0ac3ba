import { describe, expect, it } from 'vitest';
import { backoffDelayMs, nextAttemptAt, type Backoff } from './backoff.js';

const OUTBOUND_WEBHOOKS: Backoff = { baseMs: 30_000, maxMs: 12 * 3600_000, jitter: 0.2 };
const NOW = new Date('2026-03-01T12:00:00.000Z');

describe('nextAttemptAt', () => {
  it('doubles from baseMs per attempt, from the clock passed in', () => {
    const mid = () => 0.5; // no spread
    expect(nextAttemptAt(1, OUTBOUND_WEBHOOKS, NOW, mid).toISOString()).toBe('2026-03-01T12:00:30.000Z');
    expect(nextAttemptAt(2, OUTBOUND_WEBHOOKS, NOW, mid).toISOString()).toBe('2026-03-01T12:01:00.000Z');
    expect(nextAttemptAt(5, OUTBOUND_WEBHOOKS, NOW, mid).toISOString()).toBe('2026-03-01T12:08:00.000Z');
  });

  it('keeps the outbound webhooks schedule: 11 retries over about 17 hours', () => {
    let total = 0;
    for (let attempt = 1; attempt < 12; attempt += 1) total += backoffDelayMs(attempt, OUTBOUND_WEBHOOKS, () => 0.5);
    expect(total / 3600_000).toBeGreaterThan(16.5);
    expect(total / 3600_000).toBeLessThan(17.5);
  });

  it('stays within ±jitter of the exponential delay, both ends reached', () => {
    const backoff: Backoff = { baseMs: 1000, maxMs: 300_000, jitter: 0.2 };
    expect(backoffDelayMs(3, backoff, () => 0)).toBe(3200);
    expect(backoffDelayMs(3, backoff, () => 0.999999)).toBeCloseTo(4800, 0);
    for (let i = 0; i < 1000; i += 1) {
      const delay = backoffDelayMs(3, backoff);
      expect(delay).toBeGreaterThanOrEqual(3200);
      expect(delay).toBeLessThan(4800);
    }
    const spread = new Set(Array.from({ length: 50 }, () => Math.round(backoffDelayMs(3, backoff))));
    expect(spread.size).toBeGreaterThan(10);
  });

  it('without jitter every delay is exact', () => {
    const backoff: Backoff = { baseMs: 2000, maxMs: 256_000, jitter: 0 };
    expect([1, 2, 8, 9, 50].map((attempt) => backoffDelayMs(attempt, backoff, Math.random))).toEqual([2000, 4000, 256_000, 256_000, 256_000]);
  });

  it('never decreases with the attempt, and caps at maxMs (before jitter) however many attempts', () => {
    const backoff: Backoff = { baseMs: 1000, maxMs: 900_000, jitter: 0.2 };
    let previous = 0;
    for (const attempt of [0, 1, 2, 5, 10, 11, 30, 31, 100, 5000, Number.MAX_SAFE_INTEGER]) {
      const delay = backoffDelayMs(attempt, backoff, () => 0.5);
      expect(Number.isFinite(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(previous);
      expect(delay).toBeLessThanOrEqual(900_000);
      previous = delay;
    }
    expect(previous).toBe(900_000);
    expect(backoffDelayMs(5000, backoff, () => 0.999999)).toBeLessThan(900_000 * 1.2);
  });
});
