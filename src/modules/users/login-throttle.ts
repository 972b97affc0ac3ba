import { realClock } from '../../clock/index.js';

/** Failed sign-ins allowed per e-mail within the window. */
export const LOGIN_FAILURES_PER_EMAIL = 5;
/** Failed sign-ins allowed per client address within the window (several people may share one). */
export const LOGIN_FAILURES_PER_ADDRESS = 20;
/** The window failures are counted over. */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

/**
 * Counts failed sign-ins per e-mail and per client address over a sliding 15-minute window.
 * Past the limit, sign-in is refused (even with the right password) until the oldest failure
 * leaves the window. Held in memory: per process (N nodes allow N times as many guesses) and
 * forgotten on restart; enough to make guessing a 10-character password hopeless.
 */
export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();
  readonly #maxKeys: number;
  readonly #now: () => Date;

  constructor(options: { maxKeys?: number; now?: () => Date } = {}) {
    this.#maxKeys = options.maxKeys ?? 50_000;
    this.#now = options.now ?? (() => realClock.now());
  }

  /** Whether a sign-in may be tried now; if not, in how many seconds. */
  check(email: string, address: string, now = this.#now().getTime()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const waits = [this.#wait(`e:${email}`, LOGIN_FAILURES_PER_EMAIL, now), this.#wait(`a:${address}`, LOGIN_FAILURES_PER_ADDRESS, now)];
    const wait = Math.max(...waits);
    return wait > 0 ? { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) } : { ok: true };
  }

  /** Records a failed sign-in. */
  fail(email: string, address: string, now = this.#now().getTime()): void {
    for (const key of [`e:${email}`, `a:${address}`]) {
      const recent = this.#recent(key, now);
      recent.push(now);
      this.#failures.delete(key);
      this.#failures.set(key, recent);
    }
    if (this.#failures.size > this.#maxKeys) this.#sweep(now);
  }

  /** A successful sign-in forgets the e-mail's failures (not the address's). */
  succeed(email: string): void {
    this.#failures.delete(`e:${email}`);
  }

  #recent(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((at) => at > now - LOGIN_WINDOW_MS);
  }

  #wait(key: string, limit: number, now: number): number {
    const recent = this.#recent(key, now);
    if (recent.length < limit) return 0;
    return (recent[recent.length - limit] as number) + LOGIN_WINDOW_MS - now;
  }

  #sweep(now: number): void {
    for (const [key, times] of this.#failures) {
      if (!times.some((at) => at > now - LOGIN_WINDOW_MS)) this.#failures.delete(key);
    }
    for (const key of this.#failures.keys()) {
      if (this.#failures.size <= this.#maxKeys * 0.9) break;
      this.#failures.delete(key);
    }
  }
}
