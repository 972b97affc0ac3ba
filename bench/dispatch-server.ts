/**
 * The platform side of bench/dispatch.ts, in its own process: the platform on SQLite (or
 * BENCH_DATABASE_URL) connected to an external sandbox (SANDBOX_URL, its own process), with
 * BENCH_NUMBERS numbers at BENCH_MPS messages/s. It queues BENCH_MESSAGES template messages
 * through the real send path (policy check included) with the workers stopped, then starts the
 * dispatcher and the inbound processor and reports, as JSON lines on stdout, how many messages
 * have been sent and how many statuses processed, every 250 ms, until every message is `read`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../src/app/index.js';
import { loadConfig } from '../src/config/index.js';

const NUMBERS = Number(process.env.BENCH_NUMBERS ?? 1);
const MPS = Number(process.env.BENCH_MPS ?? 1000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const PER_RECIPIENT = 5; // under the sandbox's (and Meta's) pair-rate burst
const sandboxUrl = process.env.SANDBOX_URL!;
const token = 'sandbox-access-token';
const KEY = 'bench-admin-key-0123456789abcdef';

const app = await buildApp(
  loadConfig({
    PORT: '0',
    SANDBOX_URL: sandboxUrl,
    SANDBOX_ACCESS_TOKEN: token,
    CONVERSA_DATA_DIR: mkdtempSync(join(tmpdir(), 'conversa-dispatch-bench-')),
    LOG_LEVEL: 'warn',
    CONVERSA_ADMIN_KEY: KEY,
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
  }),
  { manualWorkers: true },
);
const started = await app.start();
const json = async (url: string, method = 'GET', body?: unknown, auth?: string) => {
  const response = await fetch(url, { method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(auth ? { authorization: `Bearer ${auth}` } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
};

// The numbers: the bootstrap's sandbox number plus more in the same sandbox app, all at MPS.
const numbers = [started.sandboxNumber!];
for (let i = 1; i < NUMBERS; i++) {
  const created = await json(`${started.platformUrl}/api/v1/phone-numbers`, 'POST', { provider: 'sandbox' }, KEY);
  numbers.push((await app.modules.phoneNumbers.resolve(started.workspaceId, created.id as string))!);
}
for (const number of numbers) {
  await json(`${sandboxUrl}/sandbox/v1/phone-numbers/${number.phone_number_id}`, 'PATCH', { throughput_mps: MPS });
  await app.modules.phoneNumbers.updateEndpoint(number.id, sandboxUrl, MPS);
}

// An approved utility template ("order shipped"), sent to customers without a window.
const waba = numbers[0]!.waba_id;
const template = await json(`${sandboxUrl}/v23.0/${waba}/message_templates`, 'POST', { name: 'pedido_enviado', language: 'pt_BR', category: 'UTILITY', components: [{ type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} foi enviado.', example: { body_text: [['Ana', '1234']] } }] }, token);
for (;;) {
  if ((await json(`${sandboxUrl}/v23.0/${template.id}`, 'GET', undefined, token)).status === 'APPROVED') break;
  await new Promise((resolve) => setTimeout(resolve, 200));
}

const queueStarted = performance.now();
const recipients = Math.ceil(MESSAGES / PER_RECIPIENT);
let queued = 0;
await Promise.all(
  Array.from({ length: 8 }, async (_, lane) => {
    for (let i = lane; i < MESSAGES; i += 8) {
      const number = numbers[i % numbers.length]!;
      const to = `+55119${String(i % recipients).padStart(8, '0')}`;
      const outcome = await app.modules.sender.send(started.workspaceId, {
        to,
        from: number.id,
        type: 'template',
        content: { name: 'pedido_enviado', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: String(i) }] }] },
      });
      if (!outcome.ok) throw new Error(`queue ${i}: ${JSON.stringify(outcome.error)}`);
      queued += 1;
    }
  }),
);
const queueSeconds = (performance.now() - queueStarted) / 1000;

const counts = async () => {
  const rows = await app.database.db.selectFrom('messages').select(['status', sql<number>`count(*)`.as('n')]).where('direction', '=', 'out').groupBy('status').execute();
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)])) as Record<string, number>;
};
console.log(JSON.stringify({ event: 'queued', queued, queueSeconds, numbers: numbers.length, mps: MPS, database: app.database.description }));

const t0 = performance.now();
app.modules.processor.start();
app.modules.dispatcher.start();
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  const c = await counts();
  const pending = (c.queued ?? 0) + (c.sending ?? 0);
  console.log(JSON.stringify({ event: 'progress', seconds: (performance.now() - t0) / 1000, sent: queued - pending, counts: c }));
  if (pending === 0 && (c.read ?? 0) + (c.failed ?? 0) === queued) break;
  if (performance.now() - t0 > 120_000) break;
}
await app.close();
process.exit(0);
