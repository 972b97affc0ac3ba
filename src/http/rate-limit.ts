/**
 * A per-key token bucket held in memory: each key starts with `capacity` tokens, every
 * request takes one, and tokens come back at `refillPerSecond`. Enough to stop one client
 * from flooding a public form; it is per process (N nodes allow N times the rate) and is
 * forgotten on restart. Idle keys are swept once the map grows past `maxKeys`.
 *
 * @example
 * const limiter = new TokenBucketLimiter({ capacity: 5, refillPerSecond: 5 / 60 });
 * const verdict = limiter.take(request.ip);
 * if (!verdict.ok) reply.header('retry-after', verdict.retryAfterSeconds);
 */
export class TokenBucketLimiter {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: { capacity: number; refillPerSecond: number; maxKeys?: number }) {
    this.#capacity = options.capacity;
    this.#refillPerMs = options.refillPerSecond / 1000;
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  /** How many keys are tracked now. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes a token for `key`; when none is left, says how long until the next one. */
  take(key: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const bucket = this.#buckets.get(key) ?? { tokens: this.#capacity, at: now };
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + Math.max(0, now - bucket.at) * this.#refillPerMs);
    bucket.at = now;
    // Re-insert so the map's order is least recently seen first.
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    let verdict: { ok: true } | { ok: false; retryAfterSeconds: number };
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      verdict = { ok: true };
    } else {
      verdict = { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#refillPerMs / 1000)) };
    }
    if (this.#buckets.size > this.#maxKeys) this.#sweep(now, key);
    return verdict;
  }

  // Drop buckets that have refilled completely: forgetting them changes nothing.
  #sweep(now: number, current: string): void {
    for (const [key, bucket] of this.#buckets) {
      if (key !== current && bucket.tokens + (now - bucket.at) * this.#refillPerMs >= this.#capacity) this.#buckets.delete(key);
    }
    // Still too many (a flood from many addresses): drop the least recently seen, with some
    // headroom so that the next sweep is not on the next request.
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= this.#maxKeys * 0.9) break;
      if (key !== current) this.#buckets.delete(key);
    }
  }
}

/**
 * The rate-limit key of a client address: an IPv4 address as it is (also when written
 * `::ffff:a.b.c.d`), an IPv6 address by its /64 network, because one client commonly holds a
 * whole /64 and could otherwise take a fresh bucket for every request.
 *
 * @example clientKey('2001:db8:1:2:aaaa::1') // '2001:db8:1:2::/64'
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.toLowerCase().replace(/%.*$/, '').split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const words = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${words.slice(0, 4).map((word) => word.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
