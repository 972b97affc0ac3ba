/**
 * A token bucket: `capacity` tokens, refilled at `ratePerSecond`. Pure over the `now` passed in.
 */
export class TokenBucket {
  #tokens: number;
  #updatedAt: number;

  constructor(
    readonly capacity: number,
    readonly ratePerSecond: number,
    now: number,
  ) {
    this.#tokens = capacity;
    this.#updatedAt = now;
  }

  /** Takes one token if there is one; answers whether it could. */
  tryTake(now: number): boolean {
    const elapsed = Math.max(0, now - this.#updatedAt) / 1000;
    this.#tokens = Math.min(this.capacity, this.#tokens + elapsed * this.ratePerSecond);
    this.#updatedAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/**
 * Meta's per-number throughput (messages per second, 80 by default, up to 1,000) and the
 * (business, consumer) pair rate limit: about one message every 6 s to the same user, with
 * bursts allowed (we allow 45, Meta's documented burst). Both are keyed token buckets.
 */
export class RateLimits {
  readonly #numbers = new Map<string, TokenBucket>();
  readonly #pairs = new Map<string, TokenBucket>();
  readonly #groups = new Map<string, TokenBucket>();

  constructor(
    private readonly pairBurst = 45,
    private readonly pairPerSecond = 1 / 6,
  ) {}

  takeNumber(phoneNumberId: string, mps: number, now: number): boolean {
    let bucket = this.#numbers.get(phoneNumberId);
    if (!bucket || bucket.ratePerSecond !== mps) {
      bucket = new TokenBucket(mps, mps, now);
      this.#numbers.set(phoneNumberId, bucket);
    }
    return bucket.tryTake(now);
  }

  takePair(phoneNumberId: string, waId: string, now: number): boolean {
    const key = `${phoneNumberId}:${waId}`;
    let bucket = this.#pairs.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.pairBurst, this.pairPerSecond, now);
      this.#pairs.set(key, bucket);
    }
    return bucket.tryTake(now);
  }

  /** A group's messages: `perMinute` a minute (a bucket of that size, refilled evenly). */
  takeGroup(groupId: string, perMinute: number, now: number): boolean {
    let bucket = this.#groups.get(groupId);
    if (!bucket || bucket.capacity !== perMinute) {
      bucket = new TokenBucket(perMinute, perMinute / 60, now);
      this.#groups.set(groupId, bucket);
    }
    return bucket.tryTake(now);
  }
}
