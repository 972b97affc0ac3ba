/**
 * What the dispatch and campaign benchmarks share: a sandbox in its own process, and (inside a
 * benchmark's server process) the platform connected to it with numbers at a throughput and an
 * approved UTILITY template `pedido_enviado` ("Olá {{1}}, seu pedido {{2}} foi enviado.").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App, type StartResult } from '../src/app/index.js';
import { loadConfig } from '../src/config/index.js';
import type { PhoneNumberView } from '../src/modules/phone-numbers/index.js';
import { postgresAdmin, postgresDatabaseUrl } from '../test/support/postgres-admin.js';

export const BENCH_KEY = 'bench-admin-key-0123456789abcdef';
const SANDBOX_TOKEN = 'sandbox-access-token';

/** `conversa sandbox` on a free 127.0.0.1 port, answering once it is up. */
export async function spawnSandbox(): Promise<{ process: ChildProcess; url: string }> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => resolve(free));
    });
  });
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sandbox', '--port', String(port), '--webhook-retry-base-ms', '250'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; !(await fetch(`${url}/sandbox/v1/accounts`).then((r) => r.ok, () => false)); i++) {
    if (i > 300) throw new Error('the sandbox did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { process: proc, url };
}

/**
 * A new empty PostgreSQL database beside BENCH_DATABASE_URL's, for one scenario (each scenario's
 * platform has its own data folder and secret key, so it cannot reuse another's database); no
 * BENCH_DATABASE_URL: nothing (the platform uses SQLite in its own folder).
 */
export async function freshBenchDatabase(): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const base = process.env.BENCH_DATABASE_URL;
  if (!base) return { env: {}, drop: async () => {} };
  const name = `conversa_bench_${randomBytes(4).toString('hex')}`;
  await postgresAdmin(`CREATE DATABASE ${name}`, base);
  return { env: { BENCH_DATABASE_URL: postgresDatabaseUrl(name, base) }, drop: () => postgresAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, base) };
}

/** JSON over HTTP for the benchmarks' setup; throws on any non-2xx answer. */
export async function call(url: string, method: string, body?: unknown, token?: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/**
 * The platform (SQLite in a temporary folder, or BENCH_DATABASE_URL) on the sandbox at
 * SANDBOX_URL, with `numbers` sandbox numbers at `mps` messages/s and the approved template.
 */
export async function startBenchPlatform(options: { numbers: number; mps: number; manualWorkers?: boolean }): Promise<{ app: App; started: StartResult; numbers: PhoneNumberView[] }> {
  const sandboxUrl = process.env.SANDBOX_URL!;
  const app = await buildApp(
    loadConfig({
      PORT: '0',
      SANDBOX_URL: sandboxUrl,
      SANDBOX_ACCESS_TOKEN: SANDBOX_TOKEN,
      CONVERSA_DATA_DIR: mkdtempSync(join(tmpdir(), 'conversa-bench-')),
      LOG_LEVEL: 'warn',
      CONVERSA_ADMIN_KEY: BENCH_KEY,
      ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
    }),
    { manualWorkers: options.manualWorkers ?? false },
  );
  const started = await app.start();
  // The bootstrap's sandbox number plus more in the same sandbox app, all at `mps`.
  const numbers = [started.sandboxNumber!];
  for (let i = 1; i < options.numbers; i++) {
    const created = await call(`${started.platformUrl}/api/v1/phone-numbers`, 'POST', { provider: 'sandbox' }, BENCH_KEY);
    numbers.push((await app.modules.phoneNumbers.resolve(started.workspaceId, created.id as string))!);
  }
  for (const number of numbers) {
    await call(`${sandboxUrl}/sandbox/v1/phone-numbers/${number.phone_number_id}`, 'PATCH', { throughput_mps: options.mps });
    await app.modules.phoneNumbers.updateEndpoint(number.id, sandboxUrl, options.mps);
  }
  const template = await call(`${sandboxUrl}/v23.0/${numbers[0]!.waba_id}/message_templates`, 'POST', { name: 'pedido_enviado', language: 'pt_BR', category: 'UTILITY', components: [{ type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} foi enviado.', example: { body_text: [['Ana', '1234']] } }] }, SANDBOX_TOKEN);
  while ((await call(`${sandboxUrl}/v23.0/${String(template.id)}`, 'GET', undefined, SANDBOX_TOKEN)).status !== 'APPROVED') await new Promise((resolve) => setTimeout(resolve, 200));
  await call(`${started.platformUrl}/api/v1/templates/sync`, 'POST', {}, BENCH_KEY);
  return { app, started, numbers };
}
