import WebSocket from 'ws';
import type { Json } from './wait.js';

/** A browser-like connection to `/app/ws` that keeps every frame it got. */
export interface WsClient {
  readonly socket: WebSocket;
  /** Every frame received, parsed, in order. */
  readonly frames: Json[];
  /** The `event` frames received. */
  events(): Json[];
  /** Waits for a frame matching `match` (already received or to come). */
  waitFor(match: (frame: Json) => boolean, what: string, timeoutMs?: number): Promise<Json>;
  send(frame: unknown): void;
  /** Resolves with the close code once the server or we closed it. */
  closed: Promise<number>;
  close(): Promise<void>;
}

/**
 * Opens `/app/ws` on `baseUrl` as a browser page of that origin would (cookie + Origin), and
 * resolves once the `hello` frame arrived. Rejects with `Error('HTTP <status> <body>')` when the
 * upgrade is refused.
 */
export async function openWs(baseUrl: string, options: { cookie?: string; origin?: string | null; after?: string | number } = {}): Promise<WsClient> {
  const url = new URL('/app/ws', baseUrl.replace(/^http/, 'ws'));
  if (options.after !== undefined) url.searchParams.set('after', String(options.after));
  const origin = options.origin === undefined ? new URL(baseUrl).origin : options.origin;
  const socket = new WebSocket(url, { headers: { ...(options.cookie ? { cookie: options.cookie } : {}), ...(origin !== null ? { origin } : {}) } });
  const frames: Json[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    for (const waiter of waiters) waiter();
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => reject(new Error(`HTTP ${response.statusCode} ${body}`)));
    });
    socket.once('error', reject);
  });
  const client: WsClient = {
    socket,
    frames,
    events: () => frames.filter((frame) => frame.type === 'event'),
    waitFor(match, what, timeoutMs = 5_000) {
      const found = frames.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(frames).slice(0, 2000)}`));
        }, timeoutMs);
        const check = () => {
          const hit = frames.find(match);
          if (!hit) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit);
        };
        waiters.add(check);
      });
    },
    send: (frame) => socket.send(JSON.stringify(frame)),
    closed,
    async close() {
      if (socket.readyState === socket.CLOSED) return;
      socket.close();
      await closed;
    },
  };
  await client.waitFor((frame) => frame.type === 'hello', 'hello');
  return client;
}
