/**
 * The platform side of bench/dispatch.ts, in its own process: the platform on SQLite (or
 * BENCH_DATABASE_URL) connected to an external sandbox (SANDBOX_URL, its own process), with
 * BENCH_NUMBERS numbers at BENCH_MPS messages/s. It queues BENCH_MESSAGES template messages
 * through the real send path (policy check included) with the workers stopped, then starts the
 * dispatcher and the inbound processor and reports, as JSON lines on stdout, how many messages
 * have been sent and how many statuses processed, every 250 ms, until every message is `read`.
 */
import { sql } from 'kysely';
import { startBenchPlatform } from './fixture.js';

const NUMBERS = Number(process.env.BENCH_NUMBERS ?? 1);
const MPS = Number(process.env.BENCH_MPS ?? 1000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const PER_RECIPIENT = 5; // under the sandbox's (and Meta's) pair-rate burst

const { app, started, numbers } = await startBenchPlatform({ numbers: NUMBERS, mps: MPS, manualWorkers: true });

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
