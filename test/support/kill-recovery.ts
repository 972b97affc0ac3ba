import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dialect } from './databases.js';
import { children, freePort, inBatches, json, platformMessages, receivedCount, start, startSandboxProcess, untilAlive, type Json } from './processes.js';

/**
 * SIGKILL in the middle of sending 10,000 messages, then a restart: every message reaches the
 * sandbox exactly once. The sandbox runs in its own process (it is "Meta" and must outlive the
 * platform); the platform is a real `conversa serve` process killed with SIGKILL.
 */
const TOTAL = 10_000;
const CUSTOMERS = 500;
const KEY = 'kill-test-admin-key-0123456789';
const TOKEN = 'kill-test-sandbox-token';

/** The scenario on the dialects given: one test file per dialect, so that the two run side by side. */
export function killRecoveryScenario(dialects: Dialect[]): void {
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  describe.each(dialects)('crash recovery on $name', (dialect) => {
    it(`delivers ${TOTAL} messages exactly once across a SIGKILL of the platform`, { timeout: 480_000 }, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'conversa-kill-'));
      const database = await dialect.create({ migrated: true });
      const platformPort = await freePort();
      const platformUrl = `http://127.0.0.1:${platformPort}`;
      const mine = new Set<ReturnType<typeof start>>();
      const own = (child: ReturnType<typeof start>) => (mine.add(child), child);
      try {
        const sandbox = await startSandboxProcess({ token: TOKEN, stateFile: join(dataDir, 'sandbox.json'), throughputMps: 400 });
        own(sandbox.child);
        const { url: sandboxUrl, numberId } = sandbox;

        const platformEnv = {
          PORT: String(platformPort),
          SANDBOX_URL: sandboxUrl,
          SANDBOX_ACCESS_TOKEN: TOKEN,
          CONVERSA_DATA_DIR: dataDir,
          DATABASE_URL: database.url,
          CONVERSA_ADMIN_KEY: KEY,
          CONVERSA_CLAIM_LEASE_SECONDS: '10',
          LOG_LEVEL: 'warn',
        };
        // `conversa serve` with a 20 s grace for unknown outcomes (a build knob: the configuration
        // refuses less than 360 s); longer than the sandbox's retry gaps around this short restart.
        const serve = ['test/support/serve-process.ts', '20000'];
        let platform = own(start(serve, platformEnv));
        await untilAlive(async () => (await json(`${sandboxUrl}/sandbox/v1/webhook`))?.url === `${platformUrl}/webhooks/whatsapp`, 'the platform to subscribe', 90_000);

        // Every customer writes first, so free-form replies are inside the window.
        const customers = Array.from({ length: CUSTOMERS }, (_, i) => String(5511930000000 + i));
        await inBatches(customers, 32, (waId) => json(`${sandboxUrl}/sandbox/v1/phones/${waId}/messages`, 'POST', { to: numberId, type: 'text', text: { body: 'Olá' } }));
        await untilAlive(async () => (await countContacts(platformUrl)) === CUSTOMERS, 'all customers to be stored', 60_000);
        // The customers do not read: two status webhooks a message instead of three, 10,000 fewer
        // for the two processes to handle; `delivered` is what the test waits for.
        await inBatches(customers, 32, async (waId) => {
          const phone = await json(`${sandboxUrl}/sandbox/v1/phones/${waId}`, 'PATCH', { behaviour: { read_delay_ms: null } });
          expect(phone?.behaviour, `phone ${waId}`).toMatchObject({ read_delay_ms: null });
        });

        // Slow Graph calls down so that sends are in flight when the platform dies.
        await json(`${sandboxUrl}/sandbox/v1/faults`, 'PUT', { graph_latency_ms: 100 });
        // The shop's system queues 10,000 messages, each with an Idempotency-Key, and retries
        // any call that fails (the platform dies under it) until it is answered.
        const ids = new Set<string>();
        let enqueued = 0;
        const enqueue = inBatches(
          Array.from({ length: TOTAL }, (_, i) => i),
          16,
          async (i) => {
            for (;;) {
              const response = await api(platformUrl, 'POST', '/messages', { to: `+${customers[i % CUSTOMERS]}`, type: 'text', text: { body: `pedido ${i}` } }, { 'idempotency-key': `order-${i}` }).catch(
                () => undefined,
              );
              if (response?.status === 202) {
                ids.add(response.body.id as string);
                enqueued += 1;
                return;
              }
              if (response && response.status < 500) throw new Error(`send ${i} answered ${response.status}: ${JSON.stringify(response.body)}`);
              await new Promise((r) => setTimeout(r, 200));
            }
          },
        );
        const receivedAtKill = await untilAlive(async () => {
          const received = await receivedCount(sandboxUrl);
          return received >= 1500 && received;
        }, 'sending to be under way', 90_000);
        platform.kill('SIGKILL');
        await new Promise((resolve) => platform.once('exit', resolve));
        expect(receivedAtKill).toBeLessThan(TOTAL); // the kill really happened mid-send
        expect(enqueued).toBeLessThan(TOTAL); // ... and mid-enqueue

        let logs = '';
        platform = own(start(serve, platformEnv, (chunk) => (logs += chunk)));
        await enqueue;
        expect(ids.size).toBe(TOTAL);
        // Every message ends delivered on the platform (its statuses processed). Then no
        // send is held with an unknown outcome any more (a held one is either resolved by its late
        // webhook or sent again after the grace and delivered), so nothing more can leave.
        const deadline = Date.now() + 150_000;
        // Reading the platform's whole list (53 pages of messages) takes it a good part of a
        // second; done every second while it catches up, it slowed the catching up. So first wait
        // for the sandbox's cheap count to reach every message, then read the platform's list
        // (whatever that count does: the list below says what is stuck, and where).
        await untilAlive(async () => (await receivedCount(sandboxUrl)) >= TOTAL, 'every message at the sandbox', 120_000).catch(() => undefined);
        let stuck: Record<string, number> = {};
        let finished = new Map<string, number>();
        do {
          if (Date.now() > deadline) break;
          const statuses = new Map((await platformMessages(platformUrl, KEY)).map((message) => [message.id, message.status]));
          stuck = {};
          finished = new Map();
          for (const id of ids) {
            const status = statuses.get(id) ?? 'missing';
            if (status === 'delivered' || status === 'read') finished.set(status, (finished.get(status) ?? 0) + 1);
            else stuck[status] = (stuck[status] ?? 0) + 1;
          }
          if (Object.keys(stuck).length > 0) await new Promise((r) => setTimeout(r, 2000));
        } while (Object.keys(stuck).length > 0);
        expect(stuck, 'messages not yet delivered on the platform, by status').toEqual({});
        expect((finished.get('delivered') ?? 0) + (finished.get('read') ?? 0)).toBe(TOTAL);
        await new Promise((r) => setTimeout(r, 2_000)); // longer than a Graph call: a send still in flight lands
        expect(await receivedCount(sandboxUrl)).toBe(TOTAL);

        // Exactly once: each of our message ids (echoed as biz_opaque_callback_data) arrived once.
        const seen = new Map<string, number>();
        await inBatches(customers, 16, async (waId) => {
          const inbox = await json(`${sandboxUrl}/sandbox/v1/phones/${waId}/messages?limit=1000`);
          for (const message of inbox.data as Array<{ biz_opaque_callback_data: string }>) {
            seen.set(message.biz_opaque_callback_data, (seen.get(message.biz_opaque_callback_data) ?? 0) + 1);
          }
        });
        expect(seen.size).toBe(TOTAL);
        expect([...seen.values()].every((n) => n === 1)).toBe(true);
        expect([...ids].every((id) => seen.has(id))).toBe(true);
        // Some sends were in flight at the kill. On SQLite (one writer) every row still `sending`
        // at the start is held for its status webhook, so the log says so. On PostgreSQL a row
        // claimed by the dead process is held only once its claim lease (10 s here) has passed,
        // and the sandbox's retried `sent` webhook often resolves it first: either way it is
        // sent once, which is what the counts above check.
        if (dialect.name === 'sqlite') expect(logs).toMatch(/unknown send outcome held/);
      } finally {
        for (const child of mine) child.kill('SIGKILL');
        await database.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}

async function api(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

async function countContacts(base: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: { status: number; body: Json } | undefined = await api(base, "GET", `/contacts?limit=200${cursor ? `&cursor=${cursor}` : ""}`).catch(() => undefined);
    if (!page || page.status !== 200) return -1;
    count += page.body.data.length;
    cursor = page.body.next_cursor;
  } while (cursor);
  return count;
}

