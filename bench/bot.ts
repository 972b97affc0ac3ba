/**
 * Bot answer latency: a customer's message (a signed Meta webhook) → the bot's answer arriving
 * at the Graph API, with BENCH_CONVERSATIONS customers (default 500) each writing every 2 s
 * (they alternate "oi" and a menu choice, so every message gets an answer), for BENCH_SECONDS
 * (default 20) after a 4 s warm-up. The Graph API is a fake in this process that answers like
 * Meta and timestamps each send. Beside it, in the same run, the no-op baseline (bot-noop.ts:
 * verify, 200, POST the answer). Then the engine alone: the bot's own step time, in process.
 *
 *   npx tsx bench/bot.ts                      # SQLite
 *   BENCH_DATABASE_URL=postgres://127.0.0.1:5432/bench npx tsx bench/bot.ts
 *
 * Bounded: 127.0.0.1 only; BENCH_CONVERSATIONS × BENCH_SECONDS / 2 messages per scenario.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { parseFlowDocument, runEngine, type SessionState } from '../src/modules/chatbot/index.js';
import { BOT_BENCH_FLOW } from './bot-flow.js';
import { freshBenchDatabase } from './fixture.js';

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP_S = 4;
const INTERVAL_MS = 2000;
const SECRET = randomBytes(16).toString('hex');

// The fake Graph API: answers each send like Meta and notes when each customer got an answer.
const pending = new Map<string, number>();
const latencies: number[] = [];
let measuring = false;
let answers = 0;
const graph = createServer((request: IncomingMessage, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const at = performance.now();
    let body: { to?: string; status?: string } = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      // not JSON: answered all the same
    }
    if (body.to && body.status === undefined) {
      answers += 1;
      const sentAt = pending.get(body.to);
      if (sentAt !== undefined) {
        pending.delete(body.to);
        if (measuring) latencies.push(at - sentAt);
      }
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body.status ? { success: true } : { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: `wamid.${randomBytes(12).toString('hex')}` }] }));
  });
});
await new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', () => resolve()));
const graphUrl = `http://127.0.0.1:${(graph.address() as { port: number }).port}`;

async function child(script: string, env: Record<string, string>): Promise<{ proc: ChildProcess; ready: Record<string, string>; lines: Array<Record<string, unknown>> }> {
  // BENCH_CPU_PROF=DIR writes a CPU profile of each child (node --cpu-prof) there.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const proc = spawn(process.execPath, [...profile, '--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const lines = createInterface({ input: proc.stdout! });
  const seen: Array<Record<string, unknown>> = [];
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as Record<string, string>;
        seen.push(parsed);
        if (parsed.event === 'ready') resolve(parsed);
      } catch {
        // other output
      }
    });
    proc.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
    proc.once('spawn', () => undefined);
  });
  return { proc, ready, lines: seen };
}

function webhook(from: string, text: string, seq: number): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '300000000000001',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '551140000001', phone_number_id: '400000000000001' },
              contacts: [{ profile: { name: `Cliente ${from.slice(-4)}` }, wa_id: from }],
              messages: [{ from, id: `wamid.in${from}${seq}${randomBytes(4).toString('hex')}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
            },
          },
        ],
      },
    ],
  });
}

async function scenario(name: string, webhookUrl: string): Promise<Record<string, string | number>> {
  pending.clear();
  latencies.length = 0;
  answers = 0;
  const url = new URL(webhookUrl);
  const pool = new Pool(url.origin, { connections: 32 });
  let errors = 0;
  let sent = 0;
  const stopAt = performance.now() + (WARMUP_S + SECONDS) * 1000;
  setTimeout(() => (measuring = true), WARMUP_S * 1000);
  const customers = Array.from({ length: CONVERSATIONS }, (_, i) => `55119${String(70_000_000 + i).padStart(8, '0')}`);
  await Promise.all(
    customers.map(async (from, i) => {
      // Spread the customers over the 2 s so the load is steady.
      await new Promise((resolve) => setTimeout(resolve, (i * INTERVAL_MS) / CONVERSATIONS));
      for (let seq = 0; performance.now() < stopAt; seq++) {
        const next = performance.now() + INTERVAL_MS;
        const body = webhook(from, seq % 2 === 0 ? 'oi' : String(1 + (seq % 3)), seq);
        pending.set(from, performance.now());
        try {
          const response = await pool.request({ method: 'POST', path: url.pathname, headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` }, body });
          await response.body.dump();
          if (response.statusCode !== 200) errors += 1;
        } catch {
          errors += 1;
        }
        sent += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
      }
    }),
  );
  measuring = false;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await pool.close();
  const sorted = [...latencies].sort((a, b) => a - b);
  const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1) : '-');
  return { scenario: name, messages: sent, answered: sorted.length, 'p50 ms': q(50), 'p90 ms': q(90), 'p99 ms': q(99), 'max ms': sorted.length ? sorted.at(-1)!.toFixed(1) : '-', 'webhook errors': errors, 'answers seen': answers };
}

const rows: Array<Record<string, string | number>> = [];
const noop = await child('bench/bot-noop.ts', { BENCH_APP_SECRET: SECRET, BENCH_GRAPH_URL: graphUrl });
rows.push(await scenario('no-op (verify, 200, POST answer)', noop.ready.webhookUrl!));
noop.proc.kill('SIGTERM');
await new Promise((resolve) => noop.proc.once('exit', resolve));
const database = await freshBenchDatabase();
const platform = await child('bench/bot-server.ts', { ...database.env, BENCH_APP_SECRET: SECRET, BENCH_GRAPH_URL: `${graphUrl}` });
rows.push(await scenario(`Conversa bot (${platform.ready.database})`, platform.ready.webhookUrl!));
platform.proc.kill('SIGTERM');
await new Promise((resolve) => platform.proc.once('exit', resolve));
// The platform's event loop delay over the run (the no-op does not measure its own).
const loop = platform.lines.find((line) => line.event === 'loop') as { p99: number; max: number } | undefined;
const [noopRow, platformRow] = rows as [Record<string, string | number>, Record<string, string | number>];
Object.assign(noopRow, { 'loop delay p99 ms': '-', 'loop delay max ms': '-' });
Object.assign(platformRow, { 'loop delay p99 ms': loop?.p99.toFixed(1) ?? '-', 'loop delay max ms': loop?.max.toFixed(1) ?? '-' });
await database.drop();
graph.close();

// The engine alone: one customer message → the bot's answer, no I/O.
const parsed = parseFlowDocument(BOT_BENCH_FLOW);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const context = { now: new Date(), contact: { wa_id: '5511999990000', name: 'Ana' }, windowOpen: true };
let state: SessionState | null = (await runEngine(parsed.document, null, { type: 'start', message: { kind: 'text', text: 'oi' } }, context)).state;
const steps: number[] = [];
for (let i = 0; i < 20_000; i++) {
  const started = process.hrtime.bigint();
  const output = await runEngine(parsed.document, state, { type: 'message', message: { kind: 'text', text: String(1 + (i % 3)) } }, context);
  steps.push(Number(process.hrtime.bigint() - started) / 1e6);
  state = output.state;
}
steps.sort((a, b) => a - b);
const stepQ = (p: number) => steps[Math.floor((p / 100) * steps.length)]!.toFixed(3);

console.log(`\nBot answer latency — ${new Date().toISOString()} — ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
console.log(`${CONVERSATIONS} conversations, each customer writes every ${INTERVAL_MS / 1000} s, ${SECONDS} s measured after ${WARMUP_S} s of warm-up\n`);
const keys = Object.keys(rows[0]!);
console.log(`| ${keys.join(' | ')} |`);
console.log(`|${keys.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${keys.map((k) => row[k]).join(' | ')} |`);
console.log(`\nEngine only (menu choice → answer, ${steps.length} steps): p50 ${stepQ(50)} ms, p99 ${stepQ(99)} ms`);
process.exit(0);
