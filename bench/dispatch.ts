/**
 * Dispatch benchmark: queued template messages sent to the sandbox by the dispatcher within
 * each number's throughput, with every status webhook (sent, delivered, read) ingested and
 * processed. Three processes: the sandbox, the platform (bench/dispatch-server.ts), and this
 * one watching; beside it, a raw Fastify no-op measured with wrk in the same run.
 *
 *   npx tsx bench/dispatch.ts
 *   BENCH_DATABASE_URL=postgres://127.0.0.1:5432/bench npx tsx bench/dispatch.ts
 *
 * Scenarios: one number at 1,000 msg/s (10,000 messages), then four numbers at 1,000 msg/s each
 * (20,000 messages). Bounded: 127.0.0.1 only, each scenario stops after 120 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { freshBenchDatabase, spawnSandbox } from './fixture.js';
import { requireWrk, runWrk } from './wrk.js';

requireWrk();
const MPS = Number(process.env.BENCH_MPS ?? 1000);
const scenarios = [
  { name: 'one number', numbers: 1, messages: Number(process.env.BENCH_MESSAGES_ONE ?? 10_000) },
  { name: 'four numbers', numbers: 4, messages: Number(process.env.BENCH_MESSAGES_MANY ?? 20_000) },
];

function child(args: string[], env: Record<string, string> = {}): { process: ChildProcess; lines: AsyncIterableIterator<string> } {
  // BENCH_CPU_PROF=DIR writes a CPU profile of each child (node --cpu-prof) there.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const proc = spawn(process.execPath, [...profile, '--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  return { process: proc, lines: createInterface({ input: proc.stdout! })[Symbol.asyncIterator]() };
}

const noop = child(['bench/noop-server.ts']);
const noopUrl = (JSON.parse((await noop.lines.next()).value as string) as { url: string }).url;
const noopResult = await runWrk({ origin: noopUrl, seconds: 5, connections: 100 });
noop.process.kill('SIGTERM');

console.log(`\nDispatch — ${new Date().toISOString()} — ${cpus()[0]?.model} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
console.log(`Fastify no-op (own process, wrk 100 connections): ${noopResult.rps.toFixed(0)} req/s\n`);
console.log('| scenario | numbers × msg/s | messages | queue (send path) msg/s | dispatch msg/s | of target | all statuses processed after | status events/s | failed |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');

for (const scenario of scenarios) {
  const { process: sandbox, url: sandboxUrl } = await spawnSandbox();
  const database = await freshBenchDatabase();
  const server = child(['bench/dispatch-server.ts'], { ...database.env, SANDBOX_URL: sandboxUrl, BENCH_NUMBERS: String(scenario.numbers), BENCH_MPS: String(MPS), BENCH_MESSAGES: String(scenario.messages) });
  let queuedInfo: { queued: number; queueSeconds: number } | undefined;
  let allSentAt: number | undefined;
  let last: { seconds: number; counts: Record<string, number> } | undefined;
  for await (const line of server.lines) {
    const event = JSON.parse(line) as { event: string; queued: number; queueSeconds: number; seconds: number; sent: number; counts: Record<string, number> };
    if (event.event === 'queued') queuedInfo = event;
    if (event.event === 'progress') {
      last = event;
      if (allSentAt === undefined && queuedInfo && event.sent >= queuedInfo.queued) allSentAt = event.seconds;
    }
  }
  sandbox.kill('SIGTERM');
  await new Promise((resolve) => (server.process.exitCode === null ? server.process.once('exit', resolve) : resolve(undefined)));
  await database.drop();
  if (!queuedInfo || !last || allSentAt === undefined) {
    console.log(`| ${scenario.name} | did not finish within 120 s | | | | | | | |`);
    continue;
  }
  const target = scenario.numbers * MPS;
  // The buckets start empty, so the ideal is messages / (numbers × mps) seconds.
  const rate = queuedInfo.queued / allSentAt;
  const statuses = 3 * (last.counts.read ?? 0);
  console.log(
    `| ${scenario.name} | ${scenario.numbers} × ${MPS} | ${queuedInfo.queued} | ${(queuedInfo.queued / queuedInfo.queueSeconds).toFixed(0)} | ${rate.toFixed(0)} | ${((rate / target) * 100).toFixed(0)} % | ${last.seconds.toFixed(1)} s (sends done at ${allSentAt.toFixed(1)} s) | ${(statuses / last.seconds).toFixed(0)} | ${last.counts.failed ?? 0} |`,
  );
}
