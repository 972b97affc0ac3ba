/**
 * Real processes for crash tests (test/support/kill-recovery.ts, test/support/chatbot-crash.ts): a
 * TypeScript entry in a child process, JSON over HTTP that never throws, free ports, the
 * sandbox's count of messages received by its simulated phones, the platform's message statuses.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Every child started by `start`, to kill at the end of a test file. */
export const children = new Set<ChildProcess>();

/** Runs a TypeScript entry (`src/cli/main.ts <command>`, or a test script) with its arguments. */
export function start(args: string[], env: Record<string, string>, onOutput?: (chunk: string) => void): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => onOutput?.(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => onOutput?.(chunk));
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- responses are inspected freely

export async function json(url: string, method = 'GET', body?: unknown): Promise<Json> {
  try {
    const response = await fetch(url, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
    return response.ok ? await response.json() : undefined;
  } catch {
    return undefined;
  }
}

export async function receivedCount(sandboxUrl: string): Promise<number> {
  const phones = await json(`${sandboxUrl}/sandbox/v1/phones`);
  return ((phones?.data ?? []) as Array<{ received_count: number }>).reduce((sum, phone) => sum + phone.received_count, 0);
}

/**
 * The sandbox in its own process (it is "Meta": it keeps the messages and retries its webhooks,
 * 250 ms apart at first, while the platform is down), its state in `stateFile`, its number set to
 * `throughputMps`. Answers the child, the sandbox's URL and its number's id.
 */
export async function startSandboxProcess(options: { token: string; stateFile: string; throughputMps: number }): Promise<{ child: ChildProcess; url: string; numberId: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = start(['src/cli/main.ts', 'sandbox', '--port', String(port), '--access-token', options.token, '--state-file', options.stateFile, '--webhook-retry-base-ms', '250'], {});
  const accounts = await untilAlive(() => json(`${url}/sandbox/v1/accounts`), 'the sandbox', 90_000);
  const numberId = accounts.data[0].phone_numbers[0].id as string;
  const patched = await json(`${url}/sandbox/v1/phone-numbers/${numberId}`, 'PATCH', { throughput_mps: options.throughputMps });
  if (patched === undefined) throw new Error(`the sandbox refused throughput_mps ${options.throughputMps}`);
  return { child, url, numberId };
}

/** Every message on a platform (`GET /api/v1/messages` with `key`, 200 a page), newest first. Throws on any answer but 200. */
export async function platformMessages(base: string, key: string): Promise<Array<{ id: string; status: string; direction: 'in' | 'out' }>> {
  const messages: Array<{ id: string; status: string; direction: 'in' | 'out' }> = [];
  let cursor: string | null = null;
  do {
    const response = await fetch(`${base}/api/v1/messages?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${key}` } });
    if (response.status !== 200) throw new Error(`GET /messages answered ${response.status}`);
    const page = (await response.json()) as { data: Array<{ id: string; status: string; direction: 'in' | 'out' }>; next_cursor: string | null };
    messages.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return messages;
}

export async function inBatches<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    }),
  );
}

export async function untilAlive<T>(probe: () => Promise<T | undefined | false>, what: string | (() => string), timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
