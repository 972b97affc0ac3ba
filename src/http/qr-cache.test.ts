import { describe, expect, it } from 'vitest';
import { QrImageCache } from './qr-cache.js';

describe('QrImageCache', () => {
  it('renders an image once, also for concurrent requests', async () => {
    const cache = new QrImageCache();
    let calls = 0;
    const render = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return Buffer.from('png');
    };
    const images = await Promise.all(Array.from({ length: 40 }, () => cache.get('png:1024:https://wa.me/1', render)));
    expect(calls).toBe(1);
    expect(cache.renders).toBe(1);
    expect(images.every((image) => image.toString() === 'png')).toBe(true);
    await cache.get('png:1024:https://wa.me/1', render);
    await cache.get('png:512:https://wa.me/1', render);
    expect(calls).toBe(2);
    expect(await cache.get('svg:x', async () => '<svg/>')).toEqual(Buffer.from('<svg/>'));
  });

  it('stays within its entries and bytes, dropping the least recently used', async () => {
    const cache = new QrImageCache({ maxEntries: 3, maxBytes: 100 });
    const of = (bytes: number) => async () => Buffer.alloc(bytes);
    await cache.get('a', of(10));
    await cache.get('b', of(10));
    await cache.get('c', of(10));
    await cache.get('a', of(10)); // a is now the most recently used
    await cache.get('d', of(10));
    expect(cache.size).toEqual({ entries: 3, bytes: 30 });
    const renders = cache.renders;
    await cache.get('a', of(10));
    expect(cache.renders).toBe(renders); // kept
    await cache.get('b', of(10));
    expect(cache.renders).toBe(renders + 1); // dropped, rendered again
    await cache.get('big', of(95));
    expect(cache.size.bytes).toBeLessThanOrEqual(100);
    await cache.get('huge', of(1000));
    expect(cache.size.bytes).toBeLessThanOrEqual(100);
  });

  it('renders at most maxConcurrentRenders different images at once', async () => {
    const cache = new QrImageCache({ maxConcurrentRenders: 2 });
    let running = 0;
    let most = 0;
    const render = async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return Buffer.from('png');
    };
    const images = await Promise.all(Array.from({ length: 10 }, (_, i) => cache.get(`png:1024:text-${i}`, render)));
    expect(images).toHaveLength(10);
    expect(cache.renders).toBe(10);
    expect(most).toBe(2);
  });

  it('does not keep a failed render', async () => {
    const cache = new QrImageCache();
    await expect(cache.get('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.get('k', async () => Buffer.from('ok'))).toEqual(Buffer.from('ok'));
  });
});
