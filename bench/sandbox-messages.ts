/**
 * Benchmark: the Cloud API sandbox's `POST /{phone-number-id}/messages` throughput, with a raw
 * Fastify no-op POST measured in the same run beside it.
 *
 *   npx tsx bench/sandbox-messages.ts
 *   npx tsx bench/sandbox-messages.ts --requests 20000 --seconds 15 --concurrency 64 --recipients 2000 --numbers 10
 *
 * Scenarios (each: a short warm-up, then `--requests` requests or `--seconds`, whichever first):
 *   noop        Fastify, `POST /noop` answering `{ok:true}`, same body and headers as a send.
 *   send        sandbox text sends, no webhook subscriber (the send path and status lifecycle only).
 *   send+hooks  the same with a subscribed no-op webhook receiver, so every accepted message
 *               causes three signed status webhooks (sent, delivered, read).
 * The load spreads over `--numbers` phone numbers at 1,000 msg/s each (the seeded one PATCHed,
 * the rest created) and `--recipients` customers per scenario whose 24 h window is opened first,
 * so the per-number throughput limit (130429) and the pair rate limit (131056: about one message
 * per 6 s per recipient after a burst of 45) stay out of the way; both are counted if they hit.
 *
 * Servers run in worker threads of this process (the load generator has the main thread), so
 * the client does not share an event loop with the server it measures.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import Fastify from 'fastify';
import { pino } from 'pino';
import { request } from 'undici';
import { createSandbox } from '../src/sandbox/index.js';
import { runLoad, type LoadRequest, type LoadResult } from './load.js';

type Role = 'noop' | 'sandbox' | 'receiver';
const TOKEN = 'bench-token';
const VERIFY_TOKEN = 'bench-verify';
const HOST = '127.0.0.1';

// ---------------------------------------------------------------- worker threads: the servers

async function serve(role: Role): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('serve() runs in a worker thread');
  if (role === 'noop') {
    const app = Fastify({ logger: false });
    app.post('/noop', async () => ({ ok: true }));
    await app.listen({ port: 0, host: HOST });
    port.postMessage({ port: (app.server.address() as AddressInfo).port });
  } else if (role === 'sandbox') {
    const sandbox = await createSandbox({ logger: pino({ level: 'silent' }), accessToken: TOKEN, templateReviewDelayMs: 0 });
    port.postMessage({ port: Number(new URL(await sandbox.listen(0, HOST)).port) });
  } else {
    let received = 0;
    const server = createServer((req, res) => {
      if (req.method === 'GET') {
        const url = new URL(req.url ?? '/', `http://${HOST}`);
        const ok = url.searchParams.get('hub.mode') === 'subscribe' && url.searchParams.get('hub.verify_token') === VERIFY_TOKEN;
        res.writeHead(ok ? 200 : 403).end(ok ? (url.searchParams.get('hub.challenge') ?? '') : 'forbidden');
        return;
      }
      req.resume();
      req.on('end', () => {
        received += 1;
        res.writeHead(200).end();
      });
    });
    server.keepAliveTimeout = 60_000;
    server.listen(0, HOST, () => port.postMessage({ port: (server.address() as AddressInfo).port }));
    port.on('message', () => port.postMessage({ received }));
  }
}

interface Server {
  worker: Worker;
  origin: string;
}

/** Starts this file again in a worker thread (with tsx's loader registered first). */
async function startServer(role: Role): Promise<Server> {
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: { role } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (message: { port: number }) => resolve(message.port));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${role} worker exited (${code}) before listening`)));
  });
  return { worker, origin: `http://${HOST}:${port}` };
}

// ---------------------------------------------------------------- main thread: setup and load

async function api<T>(origin: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body?: unknown): Promise<T> {
  const response = await request(`${origin}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new Error(`${method} ${path} → HTTP ${response.statusCode}: ${text}`);
  return JSON.parse(text) as T;
}

interface Figures {
  name: string;
  load: LoadResult;
  accepted: number;
  serverElu: number;
  clientElu: number;
  receiverElu?: number;
}

/** Warms up, then measures; event-loop utilisation of client and server threads comes along. */
async function measure(
  name: string,
  origin: string,
  build: (i: number) => LoadRequest,
  config: Config,
  threads: { server: Worker; receiver?: Worker },
  between?: () => Promise<void>,
): Promise<Figures> {
  const common = { origin, concurrency: config.concurrency, connections: config.connections, classify };
  await runLoad({ ...common, request: (i) => build(config.requests + i), total: config.warmup, maxDurationMs: 5_000 });
  await between?.();
  const before = { client: performance.eventLoopUtilization(), server: threads.server.performance.eventLoopUtilization(), receiver: threads.receiver?.performance.eventLoopUtilization() };
  const load = await runLoad({ ...common, request: build, total: config.requests, maxDurationMs: config.seconds * 1000 });
  const elu = (now: EventLoopUtilization, then: EventLoopUtilization): number => performance.eventLoopUtilization(now, then).utilization;
  return {
    name,
    load,
    accepted: load.outcomes.accepted ?? 0,
    clientElu: elu(performance.eventLoopUtilization(), before.client),
    serverElu: elu(threads.server.performance.eventLoopUtilization(), before.server),
    ...(threads.receiver && before.receiver ? { receiverElu: elu(threads.receiver.performance.eventLoopUtilization(), before.receiver) } : {}),
  };
}

/** `accepted` for a 2xx; the Meta error code (`130429`, ...) or HTTP status otherwise. */
function classify(status: number, body: string): string {
  if (status >= 200 && status < 300) return 'accepted';
  try {
    const code = (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
    if (code !== undefined) return String(code);
  } catch {
    // not JSON: fall through to the status
  }
  return `HTTP ${status}`;
}

interface Config {
  requests: number;
  seconds: number;
  concurrency: number;
  connections: number;
  recipients: number;
  numbers: number;
  warmup: number;
}

function readConfig(): Config {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '20000' },
      seconds: { type: 'string', default: '15' },
      concurrency: { type: 'string', default: '64' },
      connections: { type: 'string' },
      recipients: { type: 'string', default: '2000' },
      numbers: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2000' },
    },
  });
  const n = (value: string | undefined, name: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} must be a positive integer`);
    return parsed;
  };
  const concurrency = n(values.concurrency, 'concurrency');
  return {
    requests: n(values.requests, 'requests'),
    seconds: n(values.seconds, 'seconds'),
    concurrency,
    connections: values.connections === undefined ? concurrency : n(values.connections, 'connections'),
    recipients: n(values.recipients, 'recipients'),
    numbers: n(values.numbers, 'numbers'),
    warmup: n(values.warmup, 'warmup'),
  };
}

const waIdOf = (r: number): string => `4477${String(r).padStart(8, '0')}`;

interface WebhookStats {
  delivered: number;
  failedAttempts: number;
  dropped: number;
  pending: number;
}

async function webhookStats(origin: string): Promise<WebhookStats> {
  return (await api<{ stats: WebhookStats }>(origin, 'GET', '/sandbox/v1/webhook')).stats;
}

/** Waits until `delivered` reaches `expected` (or nothing is pending for 1 s), at most `capMs`. */
async function drainWebhooks(origin: string, expected: number, capMs: number): Promise<WebhookStats> {
  const until = Date.now() + capMs;
  let idleSince = Date.now();
  for (;;) {
    const stats = await webhookStats(origin);
    if (stats.pending > 0) idleSince = Date.now();
    if (stats.delivered >= expected || Date.now() - idleSince > 1000 || Date.now() > until) return stats;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const cpus = os.cpus();
  const machine = {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString(),
  };
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, Node ${machine.node}, ${machine.os}, ${machine.date}`);
  console.log(
    `config: ${config.requests} requests or ${config.seconds} s per scenario (after ${config.warmup} warm-up), ` +
      `concurrency ${config.concurrency} over ${config.connections} connections, ${config.numbers} phone numbers, ${config.recipients} recipients per scenario`,
  );
  const sendBody = (to: string, i: number): string =>
    JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { body: `Benchmark message ${i}` } });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };

  // (1) Raw Fastify no-op.
  const noop = await startServer('noop');
  const noopFigures = await measure(
    'Fastify no-op',
    noop.origin,
    (i) => ({ method: 'POST', path: '/noop', headers, body: sendBody(waIdOf(i % config.recipients), i) }),
    config,
    { server: noop.worker },
  );
  await noop.worker.terminate();

  // (2) The sandbox: numbers at 1,000 msg/s, windows opened for every recipient.
  const sandbox = await startServer('sandbox');
  const receiver = await startServer('receiver');
  const sb = sandbox.origin;
  const accounts = await api<{ data: Array<{ phone_numbers: Array<{ id: string }> }> }>(sb, 'GET', '/sandbox/v1/accounts');
  const seeded = accounts.data[0]?.phone_numbers[0]?.id;
  if (!seeded) throw new Error('the sandbox has no seeded phone number');
  await api(sb, 'PATCH', `/sandbox/v1/phone-numbers/${seeded}`, { throughput_mps: 1000 });
  const numbers = [seeded];
  while (numbers.length < config.numbers) {
    numbers.push((await api<{ phone_number: { id: string } }>(sb, 'POST', '/sandbox/v1/accounts', { throughput_mps: 1000 })).phone_number.id);
  }
  const numberFor = (r: number): string => numbers[r % numbers.length] as string;
  const windows = await runLoad({
    origin: sb,
    concurrency: config.concurrency,
    total: 2 * config.recipients,
    maxDurationMs: 60_000,
    request: (r) => ({ method: 'POST', path: `/sandbox/v1/phones/${waIdOf(r)}/messages`, headers, body: JSON.stringify({ to: numberFor(r), type: 'text', text: { body: 'hi' } }) }),
  });
  if (windows.statuses['201'] !== 2 * config.recipients) throw new Error(`opening windows failed: ${JSON.stringify(windows.statuses)}`);
  const sendTo = (base: number) => (i: number): LoadRequest => {
    const r = base + (i % config.recipients);
    return { method: 'POST', path: `/v21.0/${numberFor(r)}/messages`, headers, body: sendBody(waIdOf(r), i) };
  };

  // (2a) Sends without a webhook subscriber.
  const sendFigures = await measure('sandbox send', sb, sendTo(0), config, { server: sandbox.worker });

  // (2b) Sends with status webhooks going to a subscribed no-op receiver.
  await api(sb, 'PUT', '/sandbox/v1/webhook', { url: `${receiver.origin}/webhook`, verify_token: VERIFY_TOKEN, app_secret: 'bench-app-secret' });
  let baseline: WebhookStats = { delivered: 0, failedAttempts: 0, dropped: 0, pending: 0 };
  const hooksFigures = await measure('sandbox send + webhooks', sb, sendTo(config.recipients), config, { server: sandbox.worker, receiver: receiver.worker }, async () => {
    baseline = await drainWebhooks(sb, 3 * config.warmup, 30_000);
  });
  const atLoadEnd = await webhookStats(sb);
  const drainStart = performance.now();
  const expected = baseline.delivered + 3 * hooksFigures.accepted;
  const drained = await drainWebhooks(sb, expected, 60_000);
  const drainMs = performance.now() - drainStart;
  const received = await new Promise<number>((resolve) => {
    receiver.worker.once('message', (m: { received: number }) => resolve(m.received));
    receiver.worker.postMessage('count');
  });
  await sandbox.worker.terminate();
  await receiver.worker.terminate();

  // Report.
  const rows = [noopFigures, sendFigures, hooksFigures];
  const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');
  const errors = (f: Figures): string =>
    Object.entries(f.load.outcomes)
      .filter(([label]) => label !== 'accepted')
      .map(([label, count]) => `${label}×${count}`)
      .join(' ') || 'none';
  const table = [
    ['scenario', 'requests', 'seconds', 'req/s', 'accepted/s', 'vs no-op', 'p50 ms', 'p99 ms', 'max ms', 'server ELU', 'client ELU', 'errors by code'],
    ...rows.map((f) => [
      f.name,
      String(f.load.completed),
      fmt(f.load.durationMs / 1000, 2),
      fmt(f.load.rps, 0),
      fmt(f.accepted / (f.load.durationMs / 1000), 0),
      `${fmt((100 * f.load.rps) / noopFigures.load.rps, 0)} %`,
      fmt(f.load.p50Ms, 2),
      fmt(f.load.p99Ms, 2),
      fmt(f.load.maxMs, 1),
      fmt(f.serverElu, 2),
      fmt(f.clientElu, 2),
      errors(f),
    ]),
  ];
  const widths = table[0]?.map((_, c) => Math.max(...table.map((row) => (row[c] ?? '').length))) ?? [];
  const line = (row: string[]): string => `| ${row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  console.log();
  console.log(line(table[0] ?? []));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of table.slice(1)) console.log(line(row));
  console.log();
  const loadSeconds = hooksFigures.load.durationMs / 1000;
  const deliveredDuring = atLoadEnd.delivered - baseline.delivered;
  const deliveredAll = drained.delivered - baseline.delivered;
  console.log(`status webhooks (send + webhooks scenario; 3 expected per accepted send: sent, delivered, read):`);
  console.log(`  expected ${3 * hooksFigures.accepted}, delivered ${deliveredAll} (receiver counted ${received} incl. warm-up), failed attempts ${drained.failedAttempts - baseline.failedAttempts}, dropped ${drained.dropped - baseline.dropped}`);
  console.log(`  during the load: ${deliveredDuring} delivered = ${fmt(deliveredDuring / loadSeconds, 0)} webhooks/s; backlog (pending) at load end ${atLoadEnd.pending}`);
  console.log(`  including the drain (${fmt(drainMs / 1000, 2)} s after the load): ${fmt(deliveredAll / (loadSeconds + drainMs / 1000), 0)} webhooks/s; receiver thread ELU during the load ${fmt(hooksFigures.receiverElu ?? Number.NaN, 2)}`);
  console.log(`setup: ${2 * config.recipients} inbound messages to open windows at ${fmt(windows.rps, 0)} req/s`);
}

if (isMainThread) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  void serve((workerData as { role: Role }).role);
}
