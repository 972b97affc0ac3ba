import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { ApiClient } from './api-client.js';

/**
 * Downloads an export of the REST API (`GET <path>`) to `out` (default: the server's file
 * name in the current folder, else `fallback`; `-` for stdout). Written as `FILE.part` and
 * renamed at the end, so an export cut short never looks complete. Answers the exit code: 0
 * written, 1 refused by the API, unreachable or cut short. `conversa forms export` and
 * `conversa leads export` use it.
 */
export async function downloadExport(api: ApiClient, path: string, options: { out: string | undefined; fallback: string }, io: { out: (text: string) => void; err: (text: string) => void; stdout: Writable }): Promise<number> {
  let response: Response;
  try {
    response = await api.fetch('GET', path);
  } catch (error) {
    io.err(api.unreachable(error));
    return 1;
  }
  if (!response.ok || !response.body) {
    const text = await response.text();
    let error: { code?: string; message?: string } = {};
    try {
      error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
    } catch {
      error = { message: text.slice(0, 500) };
    }
    io.err(`${error.code ?? `HTTP ${response.status}`}: ${error.message ?? text.slice(0, 500)}`);
    return 1;
  }
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  if (options.out === '-') {
    await pipeline(body, io.stdout, { end: false });
    return 0;
  }
  // The server's name, kept to a plain file name in the current folder whatever the server says.
  const suggested = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1]?.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  const out = options.out ?? (suggested || options.fallback);
  const partial = `${out}.part`;
  try {
    await pipeline(body, createWriteStream(partial));
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    io.err(`The export stopped before its end (${(error as Error).message}); nothing was written to ${out}.`);
    return 1;
  }
  io.out(out);
  return 0;
}
