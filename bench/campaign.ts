/**
 * Campaign benchmark: a 1,000,000-recipient campaign planned from a CSV (audience resolved and
 * written, estimate made, launched so that recipients are queued for sending) with the time and
 * the platform process's peak memory, then its sending rate against the number's configured
 * throughput over a steady window, every send going to the sandbox and every status webhook
 * coming back. Three processes: the sandbox, the platform (bench/campaign-server.ts), this one.
 *
 *   npx tsx bench/campaign.ts          # BENCH_RECIPIENTS (1,000,000), BENCH_MPS (1000), BENCH_SEND_SECONDS (30)
 *
 * Bounded: 127.0.0.1 only; the campaign is cancelled after the sending window.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import SQLite from 'better-sqlite3';
import { spawnSandbox } from './fixture.js';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 1_000_000);
const MPS = Number(process.env.BENCH_MPS ?? 1000);
const SEND_SECONDS = Number(process.env.BENCH_SEND_SECONDS ?? 30);
const WARMUP_SECONDS = 5;

// The audience: what a shop's system exports tonight, one row per order.
const dir = mkdtempSync(join(tmpdir(), 'conversa-campaign-bench-'));
const csvFile = join(dir, 'audience.csv');
const out = createWriteStream(csvFile);
out.write('phone,nome,pedido\n');
for (let i = 0; i < RECIPIENTS; i++) {
  if (!out.write(`+55 11 9${String(10_000_000 + i).slice(0, 4)}-${String(10_000_000 + i).slice(4)},Cliente ${i},${100_000 + i}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}
await new Promise<void>((resolve) => out.end(() => resolve()));
const csvMegabytes = statSync(csvFile).size / 1e6;

const { process: sandbox, url: sandboxUrl } = await spawnSandbox();
const server = spawn(process.execPath, ['--import', 'tsx', 'bench/campaign-server.ts'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SANDBOX_URL: sandboxUrl, BENCH_MPS: String(MPS) } });
const info = JSON.parse(await new Promise<string>((resolve) => createInterface({ input: server.stdout! }).once('line', resolve))) as { url: string; key: string; number: string; database: string };

const memory = (field: 'VmHWM' | 'VmRSS') => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
let peakSampled = 0;
const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, memory('VmRSS'))), 100);
const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${info.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${info.key}`, ...(body !== undefined && !(body instanceof ReadableStream) ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body === undefined ? {} : body instanceof ReadableStream ? { body, duplex: 'half' } : { body: JSON.stringify(body) }),
  } as RequestInit);
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
};

const rssBefore = memory('VmRSS');
const t0 = performance.now();
const campaign = await api('POST', '/campaigns', {
  name: 'Pedidos enviados hoje',
  from: info.number,
  template: { name: 'pedido_enviado', language: 'pt_BR' },
  components: [{ type: 'body', parameters: [{ type: 'text', text: '{{nome}}' }, { type: 'text', text: '{{pedido}}' }] }],
  audience: { type: 'csv', default_country: 'BR' },
});
const stepPeak: Record<string, number> = {};
const mark = (step: string) => {
  stepPeak[step] = Math.max(peakSampled, memory('VmRSS'));
  peakSampled = 0;
};
mark('create');
const upload = await api('PUT', `/campaigns/${campaign.id}/audience`, Readable.toWeb(createReadStream(csvFile)), { 'content-type': 'text/csv' });
const tUpload = performance.now();
mark('upload');
const estimate = await api('POST', `/campaigns/${campaign.id}/estimate`);
const tEstimate = performance.now();
mark('estimate');
await api('POST', `/campaigns/${campaign.id}/launch`);
const tLaunch = performance.now();
const planPeak = Math.max(memory('VmHWM'), peakSampled);

// Sending: count what the sandbox accepted, from the platform's database (read-only).
const dbFile = info.database.replace(/^sqlite /, '');
const reader = new SQLite(dbFile, { readonly: true });
const accepted = () => (reader.prepare(`select count(*) as n from messages where direction = 'out' and status in ('accepted', 'sent', 'delivered', 'read')`).get() as { n: number }).n;
await new Promise((resolve) => setTimeout(resolve, WARMUP_SECONDS * 1000));
const a0 = accepted();
const w0 = performance.now();
await new Promise((resolve) => setTimeout(resolve, SEND_SECONDS * 1000));
const a1 = accepted();
const w1 = performance.now();
const failed = (reader.prepare(`select count(*) as n from messages where direction = 'out' and status = 'failed'`).get() as { n: number }).n;
const read = (reader.prepare(`select count(*) as n from messages where direction = 'out' and status = 'read'`).get() as { n: number }).n;
await api('POST', `/campaigns/${campaign.id}/cancel`);
const sendPeak = Math.max(memory('VmHWM'), peakSampled);
clearInterval(sampler);
reader.close();
server.kill('SIGTERM');
sandbox.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });

const s = (ms: number) => (ms / 1000).toFixed(1);
const rate = (a1 - a0) / ((w1 - w0) / 1000);
console.log(`\nCampaign — ${new Date().toISOString()} — ${cpus()[0]?.model} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ${info.database.split(' ')[0]}`);
console.log(`audience CSV: ${RECIPIENTS} rows, ${csvMegabytes.toFixed(0)} MB\n`);
console.log('| step | seconds | result |');
console.log('|---|---:|---|');
console.log(`| create + upload CSV (parse, normalise, merge, contacts, recipients) | ${s(tUpload - t0)} | ${upload.audience_report?.recipients ?? JSON.stringify(upload).slice(0, 120)} recipients |`);
console.log(`| estimate | ${s(tEstimate - tUpload)} | will receive ${estimate.will_receive}, skipped ${estimate.will_not_receive}, cost ${(estimate.cost.total_micros / 1e6).toFixed(2)} ${estimate.cost.currency} |`);
console.log(`| launch | ${s(tLaunch - tEstimate)} | running |`);
console.log(`| **plan total** | **${s(tLaunch - t0)}** | target < 60 s |`);
console.log(`\nplatform process memory: ${rssBefore.toFixed(0)} MB before, peak ${planPeak.toFixed(0)} MB while planning (target < 500 MB; upload ${stepPeak.upload?.toFixed(0)} MB, estimate ${stepPeak.estimate?.toFixed(0)} MB), peak ${sendPeak.toFixed(0)} MB after sending`);
console.log(`sending: ${a1 - a0} accepted in ${s(w1 - w0)} s after a ${WARMUP_SECONDS} s warm-up = ${rate.toFixed(0)} msg/s against ${MPS} configured (${((rate / MPS - 1) * 100).toFixed(1)} %); ${read} read, ${failed} failed by then`);
