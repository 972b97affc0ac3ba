import { backoffDelayMs } from '../../jobs/index.js';

/** How a failed delivery is retried. */
export interface RetrySchedule {
  /** Attempts before a delivery is given up as `failed` (default 12). */
  maxAttempts: number;
  /** Delay after the first failed attempt, doubled after each further one (default 30 s). */
  baseMs: number;
  /** No single delay exceeds this (default 12 h). */
  maxDelayMs: number;
}

/** 12 attempts over about 17 hours: 30 s, 1 min, 2 min, ... 8.5 h between them. */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { maxAttempts: 12, baseMs: 30_000, maxDelayMs: 12 * 3600_000 };

/**
 * What to do after failed attempt number `attempt` (1-based): wait `delayMs` and try again, or
 * give up. The delay doubles per attempt with ±20 % jitter so that many deliveries failing
 * together (a consumer down) do not come back in one burst. Pure: `random` is a parameter.
 *
 * @example nextRetry(1, DEFAULT_RETRY_SCHEDULE) // { retry: true, delayMs: ~30_000 }
 */
export function nextRetry(attempt: number, schedule: RetrySchedule, random: () => number = Math.random): { retry: true; delayMs: number } | { retry: false } {
  if (attempt >= schedule.maxAttempts) return { retry: false };
  return { retry: true, delayMs: Math.round(backoffDelayMs(attempt, { baseMs: schedule.baseMs, maxMs: schedule.maxDelayMs, jitter: 0.2 }, random)) };
}
