/**
 * A retry schedule: the delay after failed attempt 1 is `baseMs`, doubled after each further
 * attempt up to `maxMs`, then spread by ±`jitter` (a fraction: 0.2 is ±20 %) so that many jobs
 * failing together (a provider or consumer down) do not come back in one burst.
 */
export interface Backoff {
  /** Delay after the first failed attempt. */
  readonly baseMs: number;
  /** No delay exceeds this before jitter. */
  readonly maxMs: number;
  /** Spread of each delay as a fraction of it, 0 to 1 (0: none). */
  readonly jitter: number;
}

/**
 * When failed attempt number `attempt` (1-based) is tried again: `now` plus
 * `min(maxMs, baseMs × 2^(attempt-1))` spread by ±`jitter`. Pure: the clock (`now`) and the
 * randomness (`random`, in [0, 1)) are passed in.
 *
 * @example nextAttemptAt(1, { baseMs: 1000, maxMs: 300_000, jitter: 0.2 }, now) // now + 0.8 s … 1.2 s
 */
export function nextAttemptAt(attempt: number, backoff: Backoff, now: Date, random: () => number = Math.random): Date {
  return new Date(now.getTime() + backoffDelayMs(attempt, backoff, random));
}

/** The delay `nextAttemptAt` adds (ms, not rounded). */
export function backoffDelayMs(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  // The exponent is bounded: 2^30 × any sane base is far past every maxMs, and 2^1024 is Infinity.
  const exponential = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(Math.max(0, attempt - 1), 30));
  return exponential * (1 - backoff.jitter + 2 * backoff.jitter * random());
}
