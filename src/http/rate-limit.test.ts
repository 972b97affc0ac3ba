import { describe, expect, it } from 'vitest';
import { TokenBucketLimiter, clientKey } from './rate-limit.js';

describe('TokenBucketLimiter', () => {
  it('allows a burst of `capacity`, then refuses with the wait until the next token', () => {
    const limiter = new TokenBucketLimiter({ capacity: 3, refillPerSecond: 1 / 10 });
    const t0 = 1_000_000;
    expect([1, 2, 3].map(() => limiter.take('1.2.3.4', t0).ok)).toEqual([true, true, true]);
    expect(limiter.take('1.2.3.4', t0)).toEqual({ ok: false, retryAfterSeconds: 10 });
    expect(limiter.take('1.2.3.4', t0 + 4_000)).toEqual({ ok: false, retryAfterSeconds: 6 });
    expect(limiter.take('1.2.3.4', t0 + 10_000).ok).toBe(true);
    expect(limiter.take('1.2.3.4', t0 + 10_000).ok).toBe(false);
  });

  it('keeps a bucket per key', () => {
    const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 0.001 });
    expect(limiter.take('a', 0).ok).toBe(true);
    expect(limiter.take('a', 0).ok).toBe(false);
    expect(limiter.take('b', 0).ok).toBe(true);
  });

  it('never refills above capacity and forgets idle keys when it grows too big', () => {
    const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 1, maxKeys: 2 });
    expect(limiter.take('a', 0).ok).toBe(true);
    expect(limiter.take('a', 0).ok).toBe(true);
    // Long idle: back to 2 tokens, not 1,000.
    expect([1, 2, 3].map(() => limiter.take('a', 1_000_000).ok)).toEqual([true, true, false]);
    // Many new addresses cannot grow the map without bound.
    for (let i = 0; i < 100; i += 1) limiter.take(`ip-${i}`, 1_000_000);
    expect(limiter.size).toBeLessThanOrEqual(2);
    expect(limiter.take('fresh', 1_000_000).ok).toBe(true);
  });
});

describe('clientKey', () => {
  it('keys IPv4 clients by address and IPv6 clients by their /64, so rotating addresses in it shares one bucket', () => {
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:fffe')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('2001:db8:1:3::1')).not.toBe(clientKey('2001:db8:1:2::1'));
  });
});
