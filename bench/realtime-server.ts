/**
 * The platform side of bench/realtime.ts, in its own process: the platform (embedded sandbox,
 * SQLite in a temporary folder, or BENCH_DATABASE_URL) with BENCH_QUEUES teams, BENCH_AGENTS
 * people (agents spread over the teams, BENCH_SUPERVISORS supervisors) and signed-in sessions,
 * and one conversation waiting in each queue per BENCH_PER_QUEUE. Talks JSON lines: prints
 * `ready` with the URL, sessions and conversations; reads commands on stdin:
 * `{"cmd":"memory"}` → prints the process's memory after a GC; `{"cmd":"publish","rate":1000,
 * "seconds":10}` → records `note.created` events (each in its own transaction, round robin over
 * the conversations) at that rate and prints every event's commit time; `{"cmd":"quit"}`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buildApp } from '../src/app/index.js';
import { loadConfig } from '../src/config/index.js';
import { newId } from '../src/db/index.js';

const QUEUES = Number(process.env.BENCH_QUEUES ?? 10);
const PEOPLE = Number(process.env.BENCH_AGENTS ?? 200);
const SUPERVISORS = Number(process.env.BENCH_SUPERVISORS ?? 5);
const PER_QUEUE = Number(process.env.BENCH_PER_QUEUE ?? 10);
/** Publishing transactions in flight at most: below the pool's 10 connections, so the hub's reads are not queued behind a backlog of writes. */
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 8);

const now = () => performance.timeOrigin + performance.now();
const print = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);

const app = await buildApp(
  loadConfig({
    PORT: '0',
    SANDBOX_PORT: '0',
    HOST: '127.0.0.1',
    CONVERSA_DATA_DIR: mkdtempSync(join(tmpdir(), 'conversa-bench-')),
    LOG_LEVEL: 'warn',
    CONVERSA_DEMO_FLOW: 'off',
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
  }),
  { realtime: { pollMs: 1_000 } },
);
const started = await app.start();
const { db } = app.database;
const workspaceId = started.workspaceId;
const { users, teams, sessions, contacts, conversations, ownership, events } = app.modules;

// People: one created through the service (its argon2 hash), the others as copies of it (hashing 200 passwords would only slow the setup).
const teamIds: string[] = [];
for (let q = 0; q < QUEUES; q++) {
  const team = await teams.create(workspaceId, { name: `Team ${q}`, queue: `q${q}` });
  if (!team.ok) throw new Error(team.error.message);
  teamIds.push(team.value.id);
}
const model = await users.create({ workspaceId, email: 'model@bench.local', role: 'agent', password: 'bench-password-123' });
if (!model.ok) throw new Error(model.error.message);
const { password_hash } = await db.selectFrom('users').select('password_hash').where('id', '=', model.value.user.id).executeTakeFirstOrThrow();
const people: Array<{ cookie: string; role: string; queue: string | null }> = [];
const at = new Date().toISOString();
for (let i = 0; i < PEOPLE; i++) {
  const supervisor = i < SUPERVISORS;
  const queue = supervisor ? null : (i - SUPERVISORS) % QUEUES;
  const id = newId('usr');
  await db.insertInto('users').values({ id, workspace_id: workspaceId, email: `p${i}@bench.local`, name: `Person ${i}`, role: supervisor ? 'supervisor' : 'agent', password_hash, must_change_password: 0, capacity: 5, presence: 'online', presence_at: at, active: 1, created_at: at, updated_at: at, last_login_at: null }).execute();
  if (queue !== null) await db.insertInto('team_members').values({ team_id: teamIds[queue]!, user_id: id }).execute();
  const session = await sessions.create(id);
  people.push({ cookie: `conversa_session=${session.token}`, role: supervisor ? 'supervisor' : 'agent', queue: queue === null ? null : `q${queue}` });
}

const conversationIds: Array<{ id: string; queue: string }> = [];
for (let q = 0; q < QUEUES; q++) {
  for (let k = 0; k < PER_QUEUE; k++) {
    const waId = `5511${String(q).padStart(2, '0')}${String(k).padStart(7, '0')}`;
    const { contact } = await contacts.upsert(workspaceId, { e164: `+${waId}`, waId });
    const conversation = await conversations.ensure(workspaceId, started.sandboxNumber!.id, contact.id);
    const outcome = await ownership.transaction((trx) => ownership.handoff(trx, { workspaceId, conversationId: conversation.id, queue: `q${q}`, actor: { type: 'bot', id: null } }));
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.error));
    conversationIds.push({ id: conversation.id, queue: `q${q}` });
  }
}

print({ event: 'ready', url: started.platformUrl, people, conversations: conversationIds, database: app.database.description });

async function publish(rate: number, seconds: number): Promise<void> {
  const total = rate * seconds;
  const commits: number[] = new Array<number>(total);
  const begin = now();
  let seq = 0;
  let inFlight = 0;
  let behind = 0;
  // Each event its own transaction, as agents' actions are; paced to `rate` from the start, never bursting ahead.
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((now() - begin) / 1000) * rate));
      while (seq < due) {
        if (inFlight >= IN_FLIGHT) {
          behind += 1;
          break;
        }
        const mine = seq++;
        const conversation = conversationIds[mine % conversationIds.length]!;
        inFlight += 1;
        void db
          .transaction()
          .execute((trx) => events.record(trx, workspaceId, 'note.created', { conversation_id: conversation.id, seq: mine }))
          .then(() => {
            commits[mine] = now();
            inFlight -= 1;
            if (seq >= total && inFlight === 0) {
              clearInterval(timer);
              resolve();
            }
          });
      }
    }, 2);
  });
  print({ event: 'published', total, seconds: (now() - begin) / 1000, behind, commits, queues: conversationIds.map((c) => c.queue) });
}

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { cmd: string; rate?: number; seconds?: number };
  if (command.cmd === 'memory') {
    for (let i = 0; i < 3; i++) {
      globalThis.gc?.();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    print({ event: 'memory', ...process.memoryUsage() });
  } else if (command.cmd === 'publish') {
    await publish(command.rate ?? 1000, command.seconds ?? 10);
  } else if (command.cmd === 'quit') {
    await app.close();
    process.exit(0);
  }
}
