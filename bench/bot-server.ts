/**
 * The platform side of bench/bot.ts, in its own process: the platform (SQLite in a temporary
 * folder, or BENCH_DATABASE_URL) with no sandbox, one Cloud API number whose Graph API is the
 * benchmark's fake (BENCH_GRAPH_URL), and the benchmark flow published on it. Prints one JSON
 * line with where to send webhooks, then runs until killed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildApp } from '../src/app/index.js';
import { loadConfig } from '../src/config/index.js';
import { BOT_BENCH_FLOW } from './bot-flow.js';

const app = await buildApp(
  loadConfig({
    PORT: '0',
    CONVERSA_SANDBOX: 'off',
    CONVERSA_DATA_DIR: mkdtempSync(join(tmpdir(), 'conversa-bot-bench-')),
    LOG_LEVEL: 'warn',
    CONVERSA_ADMIN_KEY: 'bench-admin-key-0123456789abcdef',
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
  }),
  // BENCH_INBOUND_LANES: PostgreSQL inbound lanes (docs/inbound.md); default 1.
  { inboundLanes: Number(process.env.BENCH_INBOUND_LANES ?? 1) },
);
const started = await app.start();
const number = await app.modules.phoneNumbers.connect({
  workspaceId: started.workspaceId,
  provider: 'cloud_api',
  wabaId: '300000000000001',
  phoneNumberId: '400000000000001',
  displayPhoneNumber: '+55 11 4000-0001',
  verifiedName: 'Loja Bench',
  graphBaseUrl: process.env.BENCH_GRAPH_URL!,
  graphVersion: 'v23.0',
  accessToken: 'bench-access-token',
  appSecret: process.env.BENCH_APP_SECRET!,
  verifyToken: 'bench-verify-token',
  throughputMps: 1000,
  // Pinned: the number refresh would set it back to what the fake Graph answers (Meta's default 80 msg/s).
  throughputPinned: true,
});
const flow = await app.modules.flows.create(started.workspaceId, { source: BOT_BENCH_FLOW, format: 'yaml' });
if (!flow.ok) throw new Error(JSON.stringify(flow.error));
const published = await app.modules.flows.publish(started.workspaceId, flow.value.id, number.id);
if (!published.ok) throw new Error(JSON.stringify(published.error));
console.log(JSON.stringify({ event: 'ready', webhookUrl: `${started.platformUrl}/webhooks/whatsapp`, phoneNumberId: number.phone_number_id, wabaId: number.waba_id, database: app.database.description }));
// How long the event loop was stopped (a synchronous SQLite statement, a checkpoint, a GC pause)
// from here to the end: printed as one JSON line when the benchmark stops the process.
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
process.on('SIGTERM', () => {
  loop.disable();
  console.log(JSON.stringify({ event: 'loop', p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 }));
  void app.close().then(() => process.exit(0));
});
process.on('SIGINT', () => void app.close().then(() => process.exit(0)));
