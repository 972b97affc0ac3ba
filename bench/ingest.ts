/**
 * Webhook ingest benchmark: Meta-shaped status webhooks, signed, POSTed to /webhooks/whatsapp;
 * each is verified (constant-time HMAC over the raw bytes), split, deduplicated, stored and
 * acknowledged after commit. Beside it, in the same run, the raw Fastify no-op rate.
 *
 *   npx tsx bench/ingest.ts                       # SQLite
 *   BENCH_DATABASE_URL=postgres://127.0.0.1:5432/bench npx tsx bench/ingest.ts
 *
 * Bounded: TOTAL requests or 20 s per scenario, 127.0.0.1 only.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { runLoad, type LoadResult } from './load.js';

const TOTAL = Number(process.env.BENCH_TOTAL ?? 60_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 100);
const SECRET = 'bench-app-secret';
const WABA = '100000000000001';

const server = spawn(process.execPath, ['--import', 'tsx', 'bench/ingest-server.ts'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_APP_SECRET: SECRET, BENCH_WABA_ID: WABA } });
const line = await new Promise<string>((resolve) => createInterface({ input: server.stdout! }).once('line', resolve));
const urls = JSON.parse(line) as { platform: string; noop: string; database: string };

// Bodies are built and signed up front, so the load generator spends no CPU on them.
const statuses = ['sent', 'delivered', 'read'] as const;
const bodies = Array.from({ length: TOTAL }, (_, i) => {
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
  return { body, signature: `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` };
});

const run = (origin: string): Promise<LoadResult> =>
  runLoad({
    origin,
    total: TOTAL,
    maxDurationMs: 20_000,
    concurrency: CONCURRENCY,
    request: (i) => ({
      method: 'POST',
      path: '/webhooks/whatsapp',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': bodies[i]!.signature },
      body: bodies[i]!.body,
    }),
  });

const noop = await run(urls.noop);
const ingest = await run(urls.platform);
const stored = ((await (await fetch(`${urls.noop}/stored`)).json()) as { pending: number }).pending;
server.kill('SIGTERM');

const row = (name: string, r: LoadResult) =>
  `| ${name.padEnd(34)} | ${r.rps.toFixed(0).padStart(8)} | ${r.p50Ms.toFixed(2).padStart(7)} | ${r.p99Ms.toFixed(2).padStart(7)} | ${JSON.stringify(r.statuses)} |`;
console.log(`\nWebhook ingest — ${new Date().toISOString()} — ${cpus()[0]?.model} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
console.log(`database: ${urls.database}; ${TOTAL} requests (1 status event each), ${CONCURRENCY} connections\n`);
console.log('| scenario                           |   req/s  | p50 ms  | p99 ms  | statuses |');
console.log('|------------------------------------|---------:|--------:|--------:|----------|');
console.log(row('Fastify no-op (same machine)', noop));
console.log(row('ingest: verify + dedupe + store + 200', ingest));
console.log(`\nevents stored: ${stored} of ${ingest.statuses['200'] ?? 0} acknowledged (ratio to no-op: ${((ingest.rps / noop.rps) * 100).toFixed(0)} %)`);
if (stored !== (ingest.statuses['200'] ?? 0)) {
  console.error('MISMATCH: an acknowledged event was not stored');
  process.exitCode = 1;
}
