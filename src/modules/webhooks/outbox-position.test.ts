import { describe, expect, it } from 'vitest';
import { advanceOutboxCursor } from '../events/index.js';
import { nextRetry } from './retry-schedule.js';

describe('advanceOutboxCursor', () => {
  const pg = { trackGaps: true, nowMs: 1_000, gapTimeoutMs: 60_000 };

  it('moves over contiguous ids', () => {
    expect(advanceOutboxCursor({ seenUpTo: 10, gaps: [] }, [11, 12, 13], pg)).toEqual({ cursor: { seenUpTo: 13, gaps: [] }, position: 13, expired: [] });
  });

  it('holds the position before an id not yet committed, and moves on when it appears', () => {
    const first = advanceOutboxCursor({ seenUpTo: 10, gaps: [] }, [11, 14, 15], pg);
    expect(first.position).toBe(11);
    expect(first.cursor).toEqual({ seenUpTo: 15, gaps: [{ from: 12, to: 13, since: 1_000 }] });
    const second = advanceOutboxCursor(first.cursor, [13, 16], { ...pg, nowMs: 2_000 });
    expect(second.cursor.gaps).toEqual([{ from: 12, to: 12, since: 1_000 }]);
    expect(second.position).toBe(11);
    const third = advanceOutboxCursor(second.cursor, [12], { ...pg, nowMs: 3_000 });
    expect(third).toEqual({ cursor: { seenUpTo: 16, gaps: [] }, position: 16, expired: [] });
  });

  it('gives up on a gap after the timeout (the transaction rolled back)', () => {
    const first = advanceOutboxCursor({ seenUpTo: 0, gaps: [] }, [2], pg);
    expect(first.position).toBe(0);
    const later = advanceOutboxCursor(first.cursor, [], { ...pg, nowMs: 61_000 });
    expect(later.position).toBe(2);
    expect(later.expired).toEqual([{ from: 1, to: 1, since: 1_000 }]);
  });

  it('keeps no gaps where ids commit in order (one writer)', () => {
    expect(advanceOutboxCursor({ seenUpTo: 0, gaps: [] }, [3, 7], { ...pg, trackGaps: false })).toEqual({ cursor: { seenUpTo: 7, gaps: [] }, position: 7, expired: [] });
  });
});

describe('nextRetry', () => {
  const schedule = { maxAttempts: 12, baseMs: 30_000, maxDelayMs: 12 * 3600_000 };

  it('doubles the delay per attempt within ±20 % jitter and gives up after the last attempt', () => {
    expect(nextRetry(1, schedule, () => 0.5)).toEqual({ retry: true, delayMs: 30_000 });
    expect(nextRetry(2, schedule, () => 0)).toEqual({ retry: true, delayMs: 48_000 });
    expect(nextRetry(3, schedule, () => 1)).toEqual({ retry: true, delayMs: 144_000 });
    expect(nextRetry(12, schedule)).toEqual({ retry: false });
    const total = Array.from({ length: 11 }, (_, i) => nextRetry(i + 1, schedule, () => 0.5)).reduce((sum, r) => sum + (r.retry ? r.delayMs : 0), 0);
    expect(total / 3600_000).toBeGreaterThan(16);
    expect(total / 3600_000).toBeLessThan(18);
  });

  it('caps a single delay', () => {
    expect(nextRetry(30, { ...schedule, maxAttempts: 40 }, () => 0.5)).toEqual({ retry: true, delayMs: 12 * 3600_000 });
  });
});
