/**
 * A bounded in-memory cache of rendered QR code images, least recently used first out.
 * Concurrent requests for the same key share one render, so forty requests for one image
 * cost one render, not forty; at most `maxConcurrentRenders` different images render at once
 * (the others wait), so many different ones cannot take all the memory either. Bounded by
 * entries and bytes; per process, forgotten on restart.
 *
 * @example
 * const cache = new QrImageCache({ maxEntries: 256, maxBytes: 16 * 1024 * 1024 });
 * const png = await cache.get(`png:1024:${url}`, () => QRCode.toBuffer(url, { width: 1024 }));
 */
export class QrImageCache {
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #maxConcurrent: number;
  readonly #waiting: Array<() => void> = [];
  #active = 0;
  readonly #images = new Map<string, Buffer>();
  readonly #rendering = new Map<string, Promise<Buffer>>();
  #bytes = 0;
  #renders = 0;

  constructor(options: { maxEntries?: number; maxBytes?: number; maxConcurrentRenders?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? 256;
    this.#maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.#maxConcurrent = options.maxConcurrentRenders ?? 2;
  }

  /** How many renders ran (a hit or a shared render does not count). */
  get renders(): number {
    return this.#renders;
  }

  /** Images held now, and their bytes. */
  get size(): { entries: number; bytes: number } {
    return { entries: this.#images.size, bytes: this.#bytes };
  }

  /** The image for `key`, rendering it with `render` only if neither held nor being rendered. */
  async get(key: string, render: () => Promise<Buffer | string>): Promise<Buffer> {
    const held = this.#images.get(key);
    if (held) {
      // Re-insert so the map's order is least recently used first.
      this.#images.delete(key);
      this.#images.set(key, held);
      return held;
    }
    const pending = this.#rendering.get(key);
    if (pending) return pending;
    this.#renders += 1;
    const rendering = this.#throttled(render)
      .then((image) => {
        const bytes = typeof image === 'string' ? Buffer.from(image, 'utf8') : image;
        this.#keep(key, bytes);
        return bytes;
      })
      .finally(() => this.#rendering.delete(key));
    this.#rendering.set(key, rendering);
    return rendering;
  }

  async #throttled(render: () => Promise<Buffer | string>): Promise<Buffer | string> {
    if (this.#active >= this.#maxConcurrent) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#active += 1;
    try {
      return await render();
    } finally {
      this.#active -= 1;
      this.#waiting.shift()?.();
    }
  }

  #keep(key: string, image: Buffer): void {
    if (image.length > this.#maxBytes) return;
    this.#images.set(key, image);
    this.#bytes += image.length;
    for (const [oldest, bytes] of this.#images) {
      if (this.#images.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.#images.delete(oldest);
      this.#bytes -= bytes.length;
    }
  }
}
