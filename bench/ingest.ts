/**
 * Webhook ingest benchmark: Meta-shaped status webhooks, signed, POSTed to /webhooks/whatsapp;
 * each is verified (constant-time HMAC over the raw bytes), split, deduplicated, stored and
 * acknowledged after commit. Beside it, in the same run, the raw Fastify no-op rate. The load
 * comes from wrk (apt-get install -y wrk) replaying pre-signed bodies, each a distinct event.
 *
 *   npx tsx bench/ingest.ts                       # SQLite
 *   BENCH_DATABASE_URL=postgres://127.0.0.1:5432/bench npx tsx bench/ingest.ts
 *
 * Bounded: BENCH_SECONDS (default 10) per scenario, 127.0.0.1 only.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { requireWrk, runWrk, type WrkResult } from './wrk.js';

requireWrk();
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const BODIES = Number(process.env.BENCH_BODIES ?? 300_000);
const SECRET = 'bench-app-secret';
const WABA = '100000000000001';

// Bodies are built and signed up front, so the load generator spends no CPU on them.
const dir = mkdtempSync(join(tmpdir(), 'conversa-ingest-bench-'));
const bodiesFile = join(dir, 'bodies.tsv');
const out = createWriteStream(bodiesFile);
const statuses = ['sent', 'delivered', 'read'] as const;
for (let i = 0; i < BODIES; i++) {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550001111', phone_number_id: '200000000000001' },
              statuses: [
                {
                  id: `wamid.bench${Math.floor(i / 3)}`,
                  status: statuses[i % 3],
                  timestamp: String(1_790_000_000 + i),
                  recipient_id: '5511999990000',
                  pricing: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' },
                },
              ],
            },
          },
        ],
      },
    ],
  });
  if (!out.write(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}\t${body}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}
await new Promise<void>((resolve) => out.end(() => resolve()));

// BENCH_CPU_PROF=DIR writes a CPU profile of the server (node --cpu-prof) there.
const server = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []), '--import', 'tsx', 'bench/ingest-server.ts'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_APP_SECRET: SECRET, BENCH_WABA_ID: WABA } });
const line = await new Promise<string>((resolve) => createInterface({ input: server.stdout! }).once('line', resolve));
const urls = JSON.parse(line) as { platform: string; noop: string; database: string };

const run = (origin: string) => runWrk({ origin, bodiesFile, seconds: SECONDS, connections: CONNECTIONS });
const noop = await run(urls.noop);
const ingest = await run(urls.platform);
await new Promise((resolve) => setTimeout(resolve, 500));
const stored = ((await (await fetch(`${urls.noop}/stored`)).json()) as { pending: number }).pending;
server.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });

const acknowledged = ingest.requests - ingest.non2xx;
const row = (name: string, r: WrkResult) =>
  `| ${name.padEnd(38)} | ${r.rps.toFixed(0).padStart(7)} | ${r.p50Ms.toFixed(2).padStart(6)} | ${r.p99Ms.toFixed(2).padStart(6)} | ${String(r.non2xx + r.socketErrors).padStart(6)} |`;
console.log(`\nWebhook ingest — ${new Date().toISOString()} — ${cpus()[0]?.model} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
console.log(`database: ${urls.database}; wrk, 1 thread, ${CONNECTIONS} connections, ${SECONDS} s per scenario; 1 status event per request\n`);
console.log('| scenario                               |   req/s | p50 ms | p99 ms | errors |');
console.log('|----------------------------------------|--------:|-------:|-------:|-------:|');
console.log(row('Fastify no-op (same process)', noop));
console.log(row('ingest: verify + dedupe + store + 200', ingest));
console.log(`\nevents acknowledged: ${acknowledged}, stored: ${stored} (ratio to no-op: ${((ingest.rps / noop.rps) * 100).toFixed(0)} %)`);
// wrk stops counting at the deadline with up to one request per connection in flight; those may be stored unacknowledged.
if (stored < acknowledged || stored > acknowledged + CONNECTIONS || acknowledged >= BODIES) {
  console.error(`MISMATCH: ${acknowledged} acknowledged but ${stored} stored (or the bodies file wrapped: raise BENCH_BODIES)`);
  process.exitCode = 1;
}
