/**
 * The server side of bench/retention.ts, in its own process: the platform (SQLite or
 * PostgreSQL, no sandbox, workers off so only ingest and the prune run) with one connected
 * number, plus a control server on another port:
 *
 * - `POST /fill?rows=N`: N raw webhook events processed 60 days ago, bulk-inserted by the database
 *   itself (a recursive CTE on SQLite, generate_series on PostgreSQL), in chunks of 100,000;
 * - `POST /prune`: starts one retention pass (the job's own `runOnce`, uncapped) and answers at once;
 *   `GET /prune`: whether it finished, its report and how long it took;
 * - `GET /stored`: rows in inbound_events (processed and not), and the query plans of the prune.
 *
 * Prints the URLs as one JSON line on stdout.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../src/app/index.js';
import { loadConfig } from '../src/config/index.js';
import type { RetentionReport } from '../src/modules/retention/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'conversa-retention-bench-'));
const app = await buildApp(
  loadConfig({
    PORT: '0',
    CONVERSA_SANDBOX: 'off',
    CONVERSA_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    CONVERSA_ADMIN_KEY: 'bench-admin-key-0123456789abcdef',
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
  }),
  // The job's defaults (batch 500, pause 20 ms and at least twice the batch's time) unless the bench says otherwise.
  { manualWorkers: true, retention: { ...(process.env.BENCH_BATCH ? { batchSize: Number(process.env.BENCH_BATCH) } : {}), ...(process.env.BENCH_PAUSE_MS ? { pauseMs: Number(process.env.BENCH_PAUSE_MS) } : {}) } },
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

const { db } = app.database;
const sqlite = app.database.capabilities.singleWriter;
const workspace = started.workspaceId;
// A status webhook as Meta sends it (about 400 bytes), as the processor leaves it stored.
const payload = JSON.stringify({
  id: 'wamid.HBgNNTUxMTk5OTk5MDAwMBUCABEYEjQ2QkI0RUQ0NjU5RjE2NkQ1AA==',
  status: 'delivered',
  timestamp: '1790000000',
  recipient_id: '5511999990000',
  conversation: { id: 'c0ffee0123456789abcdef0123456789', origin: { type: 'service' } },
  pricing: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' },
  metadata: { display_phone_number: '15550001111', phone_number_id: '200000000000001' },
});
let filled = 0;

async function fill(rows: number): Promise<number> {
  const at = new Date(app.clock.now().getTime() - 60 * 86_400_000).toISOString();
  const started = performance.now();
  for (let done = 0; done < rows; done += 100_000) {
    const n = Math.min(100_000, rows - done);
    const from = filled + 1;
    if (sqlite) {
      await sql`with recursive seq(i) as (select ${from} union all select i + 1 from seq where i < ${from + n - 1})
        insert into inbound_events (workspace_id, dedupe_key, field, kind, payload, ref, received_at, processed_at, claimed_until, attempts, last_error)
        select ${workspace}, ${workspace} || '/s:fill' || i || ':delivered', 'messages', 'status', ${payload}, null, ${at}, ${at}, null, 1, null from seq`.execute(db);
    } else {
      await sql`insert into inbound_events (workspace_id, dedupe_key, field, kind, payload, ref, received_at, processed_at, claimed_until, attempts, last_error)
        select ${workspace}, ${workspace} || '/s:fill' || i || ':delivered', 'messages', 'status', ${payload}, null, ${at}, ${at}, null, 1, null from generate_series(${from}::bigint, ${from + n - 1}::bigint) as i`.execute(db);
    }
    filled += n;
  }
  if (!sqlite) await sql`analyze inbound_events`.execute(db);
  return performance.now() - started;
}

let prune: { started: number; finished?: number; report?: RetentionReport; error?: string } | undefined;

const control = Fastify();
control.post<{ Querystring: { rows?: string } }>('/fill', async (request) => ({ ms: Math.round(await fill(Number(request.query.rows ?? 1_000_000))) }));
control.post('/prune', async () => {
  prune = { started: performance.now() };
  const run = prune;
  void app.modules.retention
    .runOnce({ maxRowsPerPass: 100_000_000 })
    .then((report) => {
      run.report = report;
    })
    .catch((error: unknown) => {
      run.error = String(error);
    })
    .finally(() => {
      run.finished = performance.now();
    });
  return { started: true };
});
control.get('/prune', async () => ({ done: prune?.finished !== undefined, ms: prune?.finished !== undefined ? Math.round(prune.finished - prune.started) : undefined, report: prune?.report, error: prune?.error }));
control.get('/stored', async () => {
  const count = async (processed: boolean) =>
    Number((await db.selectFrom('inbound_events').select((eb) => eb.fn.countAll().as('n')).where('processed_at', processed ? 'is not' : 'is', null).executeTakeFirstOrThrow()).n);
  // The prune's select (pruneProcessedInboundEvents), after a first batch.
  const select = sql`select id, processed_at from inbound_events where processed_at < ${new Date().toISOString()} and (processed_at, id) > (${'2000-01-01'}, ${0}) order by processed_at, id limit 500`;
  const plan = sqlite
    ? (await sql<{ detail: string }>`explain query plan ${select}`.execute(db)).rows.map((row) => row.detail)
    : (await sql<{ 'QUERY PLAN': string }>`explain ${select}`.execute(db)).rows.map((row) => row['QUERY PLAN'].trim());
  return { processed: await count(true), unprocessed: await count(false), plan };
});
const controlUrl = await control.listen({ port: 0, host: '127.0.0.1' });

console.log(JSON.stringify({ platform: started.platformUrl, control: controlUrl, database: app.database.description }));
process.on('SIGTERM', () => {
  void Promise.all([app.close(), control.close()]).then(() => process.exit(0));
});
