/**
 * The server side of bench/ingest.ts, run in its own process so the load generator does not
 * share its CPU: the platform (SQLite or PostgreSQL, no sandbox, workers off so only ingest is
 * measured) with one connected number, and a raw Fastify no-op for comparison. Prints the URLs
 * as one JSON line on stdout.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { buildApp } from '../src/app/index.js';
import { loadConfig } from '../src/config/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'conversa-bench-'));
const app = await buildApp(
  loadConfig({
    PORT: '0',
    CONVERSA_SANDBOX: 'off',
    CONVERSA_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    CONVERSA_ADMIN_KEY: 'bench-admin-key-0123456789abcdef',
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
  }),
  { manualWorkers: true },
);
const started = await app.start();
await app.modules.phoneNumbers.connect({
  workspaceId: started.workspaceId,
  provider: 'cloud_api',
  wabaId: process.env.BENCH_WABA_ID ?? '100000000000001',
  phoneNumberId: '200000000000001',
  displayPhoneNumber: '15550001111',
  verifiedName: 'Bench',
  graphBaseUrl: 'http://127.0.0.1:9',
  graphVersion: 'v23.0',
  accessToken: 'unused',
  appSecret: process.env.BENCH_APP_SECRET ?? 'bench-app-secret',
  verifyToken: 'bench-verify',
  throughputMps: 80,
});

const noop = Fastify();
noop.post('/webhooks/whatsapp', async () => 'EVENT_RECEIVED');
noop.get('/stored', async () => ({ pending: await app.modules.inboundEvents.pendingCount() }));
const noopUrl = await noop.listen({ port: 0, host: '127.0.0.1' });

console.log(JSON.stringify({ platform: started.platformUrl, noop: noopUrl, database: app.database.description }));
process.on('SIGTERM', () => {
  void Promise.all([app.close(), noop.close()]).then(() => process.exit(0));
});
