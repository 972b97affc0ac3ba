/**
 * Retention benchmark: does pruning 1,000,000 old raw webhook events block webhook ingest?
 * The server (bench/retention-server.ts, its own process) is filled with 1M processed events 60
 * days old (bulk insert by the database), then wrk POSTs signed Meta status webhooks to
 * /webhooks/whatsapp on 127.0.0.1 (each verified, deduplicated, stored, acknowledged after
 * commit), first alone, then while one retention pass deletes the 1M rows (batches of
 * CONVERSA_RETENTION_BATCH with CONVERSA_RETENTION_PAUSE_MS between them, the job's defaults).
 * Then it fills 1M again and times the prune with no load.
 *
 *   npx tsx bench/retention.ts                       # SQLite
 *   BENCH_DATABASE_URL=postgres://127.0.0.1:5432/bench npx tsx bench/retention.ts
 *
 * Bounded: BENCH_SECONDS (default 15) per ingest scenario, BENCH_ROWS (default 1,000,000) rows,
 * a prune waited for at most BENCH_MAX_PRUNE_SECONDS (default 600); 127.0.0.1 only.
 * Knobs: BENCH_CONNECTIONS (default 50), BENCH_BATCH, BENCH_PAUSE_MS.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { requireWrk, runWrk, type WrkResult } from './wrk.js';

requireWrk();
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BODIES = Number(process.env.BENCH_BODIES ?? 200_000);
const MAX_PRUNE_MS = Number(process.env.BENCH_MAX_PRUNE_SECONDS ?? 600) * 1000;
const SECRET = 'bench-app-secret';
const WABA = '100000000000001';

const dir = mkdtempSync(join(tmpdir(), 'conversa-retention-bench-'));
/** Signed status webhooks, each a distinct event (`tag` keeps the scenarios' events apart). */
async function bodies(tag: string): Promise<string> {
  const file = join(dir, `${tag}.tsv`);
  const out = createWriteStream(file);
  for (let i = 0; i < BODIES; i++) {
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: WABA, changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: '200000000000001' }, statuses: [{ id: `wamid.${tag}${i}`, status: 'delivered', timestamp: String(1_790_000_000 + i), recipient_id: '5511999990000', pricing: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' } }] } }] }],
    });
    if (!out.write(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}\t${body}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  return file;
}
const warm = await bodies('warm');
const alone = await bodies('alone');
const during = await bodies('during');

const server = spawn(process.execPath, ['--import', 'tsx', 'bench/retention-server.ts'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_APP_SECRET: SECRET, BENCH_WABA_ID: WABA } });
const line = await new Promise<string>((resolve) => createInterface({ input: server.stdout! }).once('line', resolve));
const urls = JSON.parse(line) as { platform: string; control: string; database: string };
const control = async <T>(method: string, path: string): Promise<T> => (await (await fetch(`${urls.control}${path}`, { method })).json()) as T;
type PruneState = { done: boolean; ms?: number; report?: { inbound_events: number }; error?: string };
const waitPrune = async (): Promise<PruneState> => {
  const deadline = performance.now() + MAX_PRUNE_MS;
  for (;;) {
    const state = await control<PruneState>('GET', '/prune');
    if (state.done || performance.now() > deadline) return state;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

try {
  const fill1 = await control<{ ms: number }>('POST', `/fill?rows=${ROWS}`);
  const before = await control<{ processed: number; unprocessed: number; plan: string[] }>('GET', '/stored');
  const run = (file: string) => runWrk({ origin: urls.platform, bodiesFile: file, seconds: SECONDS, connections: CONNECTIONS });
  // A short warm-up first (JIT, caches), not measured.
  await runWrk({ origin: urls.platform, bodiesFile: warm, seconds: Math.max(2, Math.round(SECONDS / 3)), connections: CONNECTIONS });
  const baseline = await run(alone);
  await control('POST', '/prune');
  const pruneStarted = performance.now();
  const concurrent = await run(during);
  const overlapMs = performance.now() - pruneStarted;
  const withLoad = await waitPrune();
  const afterFirst = await control<{ processed: number; unprocessed: number }>('GET', '/stored');
  const fill2 = await control<{ ms: number }>('POST', `/fill?rows=${ROWS}`);
  await control('POST', '/prune');
  const noLoad = await waitPrune();
  const afterSecond = await control<{ processed: number; unprocessed: number }>('GET', '/stored');

  const row = (name: string, r: WrkResult) => `| ${name.padEnd(44)} | ${r.rps.toFixed(0).padStart(6)} | ${r.p50Ms.toFixed(2).padStart(6)} | ${r.p99Ms.toFixed(2).padStart(7)} | ${String(r.non2xx + r.socketErrors).padStart(6)} |`;
  const rate = (state: PruneState) => (state.ms && state.report ? `${(state.report.inbound_events / (state.ms / 1000)).toFixed(0)} rows/s` : 'n/a');
  console.log(`\nRetention prune vs webhook ingest — ${new Date().toISOString()} — ${cpus()[0]?.model} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  console.log(`database: ${urls.database}; wrk, 1 thread, ${CONNECTIONS} connections, ${SECONDS} s per scenario; 1 status event per request; batch ${process.env.BENCH_BATCH ?? '500 (default)'}, pause ${process.env.BENCH_PAUSE_MS ?? '20 (default)'} ms and ≥ 2× the batch's time`);
  console.log(`fill: ${before.processed.toLocaleString('en')} processed events 60 days old in ${(fill1.ms / 1000).toFixed(1)} s; prune select plan: ${before.plan.join(' / ')}\n`);
  console.log('| scenario                                     |  req/s | p50 ms |  p99 ms | errors |');
  console.log('|----------------------------------------------|-------:|-------:|--------:|-------:|');
  console.log(row('ingest alone', baseline));
  console.log(row('ingest while the prune of 1M rows runs', concurrent));
  console.log(`\nprune under load: ${withLoad.done ? `${withLoad.report?.inbound_events.toLocaleString('en')} rows in ${((withLoad.ms ?? 0) / 1000).toFixed(1)} s (${rate(withLoad)})` : `not done after ${MAX_PRUNE_MS / 1000} s`}${withLoad.error ? ` error: ${withLoad.error}` : ''}; the ingest run overlapped its first ${(overlapMs / 1000).toFixed(1)} s`);
  console.log(`prune alone (after a second fill of ${(fill2.ms / 1000).toFixed(1)} s): ${noLoad.done ? `${noLoad.report?.inbound_events.toLocaleString('en')} rows in ${((noLoad.ms ?? 0) / 1000).toFixed(1)} s (${rate(noLoad)})` : `not done after ${MAX_PRUNE_MS / 1000} s`}${noLoad.error ? ` error: ${noLoad.error}` : ''}`);
  console.log(`ingested events kept (unprocessed, never pruned): ${afterFirst.unprocessed} after the first prune, ${afterSecond.unprocessed} after the second; processed left: ${afterSecond.processed}`);
  const acknowledged = baseline.requests - baseline.non2xx + concurrent.requests - concurrent.non2xx;
  if (afterSecond.unprocessed < acknowledged || afterSecond.processed !== 0) {
    console.error(`MISMATCH: ${acknowledged} acknowledged, ${afterSecond.unprocessed} kept; ${afterSecond.processed} processed rows left`);
    process.exitCode = 1;
  }
} finally {
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
