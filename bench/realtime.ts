/**
 * Realtime benchmark (issue 11, "Measured"): BENCH_AGENTS (200) people connected over
 * WebSocket to `/app/ws` (5 supervisors who see everything, the others agents in 10 teams),
 * BENCH_RATE (1,000) events/s committed for BENCH_SECONDS (10 s), each `note.created` in its
 * own transaction on one of 100 conversations spread over the teams' queues. Measured: time
 * from each event's commit to its arrival at every connection that may see it (p50/p95/p99/max,
 * missing and duplicate deliveries), and memory per idle connection. In the same run, the no-op
 * baseline: the same frames to the same sockets from a bare `ws` server (no platform, no
 * database), so the watcher's own cost shows. Three processes: the platform
 * (bench/realtime-server.ts), the baseline (bench/realtime-noop-server.ts), and this one,
 * holding the 200 client sockets. 127.0.0.1 only; bounded in time.
 *
 *   npx tsx bench/realtime.ts
 *   BENCH_DATABASE_URL=postgres://127.0.0.1:5432/bench npx tsx bench/realtime.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const now = () => performance.timeOrigin + performance.now();

interface Person {
  cookie?: string;
  role: string;
  queue: string | null;
}
interface Child {
  process: ChildProcess;
  next(event: string): Promise<Record<string, unknown>>;
  send(command: unknown): void;
}

function child(script: string, extraArgs: string[] = []): Child {
  const proc = spawn(process.execPath, [...extraArgs, '--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'], env: process.env });
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  return {
    process: proc,
    async next(event) {
      for (;;) {
        const line = await lines.next();
        if (line.done) throw new Error(`${script} ended before "${event}"`);
        const parsed = JSON.parse(line.value as string) as Record<string, unknown>;
        if (parsed.event === event) return parsed;
      }
    },
    send: (command) => proc.stdin!.write(`${JSON.stringify(command)}\n`),
  };
}

interface Connection {
  person: Person;
  socket: WebSocket;
  /** Arrival time per event seq (NaN: not arrived). */
  arrivals: Float64Array;
  duplicates: number;
}

async function connectAll(url: string, people: Person[], total: number, query: (person: Person) => string): Promise<Connection[]> {
  const origin = new URL(url).origin;
  return Promise.all(
    people.map(
      (person) =>
        new Promise<Connection>((resolve, reject) => {
          const socket = new WebSocket(`${url.replace(/^http/, 'ws')}${query(person)}`, { headers: { origin, ...(person.cookie ? { cookie: person.cookie } : {}) } });
          const connection: Connection = { person, socket, arrivals: new Float64Array(total).fill(Number.NaN), duplicates: 0 };
          socket.on('message', (data) => {
            const at = now();
            const frame = JSON.parse(data.toString()) as { type: string; data?: { seq?: number } };
            if (frame.type === 'hello') return resolve(connection);
            const seq = frame.data?.seq;
            if (frame.type !== 'event' || typeof seq !== 'number') return;
            if (Number.isNaN(connection.arrivals[seq]!)) connection.arrivals[seq] = at;
            else connection.duplicates += 1;
          });
          socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
          socket.once('error', reject);
        }),
    ),
  );
}

interface Figures {
  deliveries: number;
  expected: number;
  missing: number;
  duplicates: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  publishSeconds: number;
  behind: number;
}

/** Waits until every expected delivery arrived (or 5 s passed), then computes the latencies. */
async function measure(connections: Connection[], published: Record<string, unknown>): Promise<Figures> {
  const commits = published.commits as number[];
  const queues = published.queues as string[];
  const expectedFor = (connection: Connection, seq: number) => connection.person.role !== 'agent' || connection.person.queue === queues[seq % queues.length];
  const missingNow = () => {
    let missing = 0;
    for (const connection of connections) for (let seq = 0; seq < commits.length; seq++) if (expectedFor(connection, seq) && Number.isNaN(connection.arrivals[seq]!)) missing += 1;
    return missing;
  };
  const deadline = Date.now() + 5_000;
  while (missingNow() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const latencies: number[] = [];
  let expected = 0;
  let duplicates = 0;
  let unexpected = 0;
  for (const connection of connections) {
    duplicates += connection.duplicates;
    for (let seq = 0; seq < commits.length; seq++) {
      const arrived = connection.arrivals[seq]!;
      if (!expectedFor(connection, seq)) {
        if (!Number.isNaN(arrived)) unexpected += 1;
        continue;
      }
      expected += 1;
      if (!Number.isNaN(arrived)) latencies.push(arrived - commits[seq]!);
    }
  }
  if (unexpected > 0) throw new Error(`${unexpected} deliveries reached connections that may not see them`);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { deliveries: latencies.length, expected, missing: expected - latencies.length, duplicates, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: latencies[latencies.length - 1] ?? Number.NaN, publishSeconds: published.seconds as number, behind: published.behind as number };
}

const total = RATE * SECONDS;
console.log(`\nRealtime — ${new Date().toISOString()} — ${cpus()[0]?.model} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);

// The platform.
const platform = child('bench/realtime-server.ts', ['--expose-gc']);
const ready = await platform.next('ready');
const people = ready.people as Person[];
const conversations = ready.conversations as Array<{ id: string; queue: string }>;
platform.send({ cmd: 'memory' });
const before = await platform.next('memory');
const connections = await connectAll(ready.url as string, people, total, () => '/app/ws');
await new Promise((resolve) => setTimeout(resolve, 1_000));
platform.send({ cmd: 'memory' });
const after = await platform.next('memory');
platform.send({ cmd: 'publish', rate: RATE, seconds: SECONDS });
const hub = await measure(connections, await platform.next('published'));
for (const connection of connections) connection.socket.terminate();
platform.send({ cmd: 'quit' });
await new Promise((resolve) => platform.process.once('exit', resolve));

// The no-op baseline: same people, same frames, same rate.
const noop = child('bench/realtime-noop-server.ts');
const noopReady = await noop.next('ready');
const noopConnections = await connectAll(noopReady.url as string, people, total, (person) => `/?role=${person.role}&queue=${person.queue ?? ''}`);
noop.send({ cmd: 'publish', rate: RATE, seconds: SECONDS, queues: conversations.map((c) => c.queue), conversations: conversations.map((c) => c.id) });
const baseline = await measure(noopConnections, await noop.next('published'));
for (const connection of noopConnections) connection.socket.terminate();
noop.send({ cmd: 'quit' });

const ms = (value: number) => value.toFixed(1);
console.log(`Platform: ${ready.database as string}; ${people.length} connections (${people.filter((p) => p.role !== 'agent').length} supervisors, agents in ${new Set(conversations.map((c) => c.queue)).size} teams), ${RATE} events/s for ${SECONDS} s\n`);
console.log('| path | deliveries (expected) | missing | duplicates | p50 ms | p95 ms | p99 ms | max ms | publishing took s |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const [name, f] of [['platform: commit → hub → socket', hub], ['no-op baseline: bare ws send → socket', baseline]] as const) {
  console.log(`| ${name} | ${f.deliveries} (${f.expected}) | ${f.missing} | ${f.duplicates} | ${ms(f.p50)} | ${ms(f.p95)} | ${ms(f.p99)} | ${ms(f.max)} | ${f.publishSeconds.toFixed(1)}${f.behind ? ` (${f.behind} ticks with every publishing transaction slot busy)` : ''} |`);
}
const perConnection = (key: string) => ((Number(after[key]) - Number(before[key])) / people.length / 1024).toFixed(1);
console.log(`\nMemory per idle connection (platform process, after GC, ${people.length} connections): RSS ${perConnection('rss')} KiB, JS heap ${perConnection('heapUsed')} KiB, external+buffers ${perConnection('external')} KiB`);
console.log(`Target p99 < 250 ms: ${hub.p99 < 250 && hub.missing === 0 ? 'met' : 'NOT met'}`);
process.exit(0);
