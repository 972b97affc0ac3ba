import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dialect } from './databases.js';
import { children, freePort, inBatches, json, platformMessages, receivedCount, start, startSandboxProcess, untilAlive, type Json } from './processes.js';

/**
 * SIGKILL between customers' messages and the bot's answers, then a restart: every customer
 * gets exactly one answer (issue 10, "a crash never makes the bot answer twice or skip an
 * answer"). The sandbox runs in its own process (it is "Meta": it keeps the messages and retries
 * its webhooks); the platform is a real `conversa serve` process killed with SIGKILL while
 * messages are being stored, answered and sent.
 */
const CUSTOMERS = 80;
const KEY = 'bot-kill-admin-key-0123456789';
const TOKEN = 'bot-kill-sandbox-token';
const FLOW = `
name: crash-menu
triggers:
  - type: keyword
    keywords: [oi]
steps:
  - type: menu
    text: Olá! Escolha uma opção
    options: [Pedidos, Entregas, Atendente]
`;

/** The scenario on the dialects given: one test file per dialect, so that the two run side by side. */
export function chatbotCrashScenario(dialects: Dialect[]): void {
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  describe.each(dialects)('chatbot crash recovery on $name', (dialect) => {
    it(`answers each of ${CUSTOMERS} customers exactly once across a SIGKILL of the platform`, { timeout: 240_000 }, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'conversa-bot-kill-'));
      const database = await dialect.create({ migrated: true });
      const platformPort = await freePort();
      const platformUrl = `http://127.0.0.1:${platformPort}`;
      const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
        const response = await fetch(`${platformUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        return { status: response.status, body: await response.json() };
      };
      const mine = new Set<ReturnType<typeof start>>();
      const own = (child: ReturnType<typeof start>) => (mine.add(child), child);
      try {
        // 10 messages a second: the answers take seconds to leave, so the kill lands among them.
        const sandbox = await startSandboxProcess({ token: TOKEN, stateFile: join(dataDir, 'sandbox.json'), throughputMps: 10 });
        own(sandbox.child);
        const { url: sandboxUrl, numberId } = sandbox;
        const platformEnv = { PORT: String(platformPort), SANDBOX_URL: sandboxUrl, SANDBOX_ACCESS_TOKEN: TOKEN, CONVERSA_DATA_DIR: dataDir, DATABASE_URL: database.url, CONVERSA_ADMIN_KEY: KEY, CONVERSA_CLAIM_LEASE_SECONDS: '10', LOG_LEVEL: 'warn' };
        const serve = ['test/support/serve-process.ts', '8000'];
        let platform = own(start(serve, platformEnv));
        await untilAlive(async () => (await json(`${sandboxUrl}/sandbox/v1/webhook`))?.url === `${platformUrl}/webhooks/whatsapp`, 'the platform to subscribe', 90_000);
        const flow = await api('POST', '/flows', { source: FLOW, format: 'yaml' });
        expect(flow.status, JSON.stringify(flow.body)).toBe(201);
        expect((await api('POST', `/flows/${flow.body.id}/publish`, { phone_number_id: numberId })).status).toBe(201);

        // Graph calls slowed down, so that answers are in flight when the platform dies.
        await json(`${sandboxUrl}/sandbox/v1/faults`, 'PUT', { graph_latency_ms: 100 });
        const customers = Array.from({ length: CUSTOMERS }, (_, i) => String(5511940000000 + i));
        const writing = inBatches(customers, 24, (waId) => json(`${sandboxUrl}/sandbox/v1/phones/${waId}/messages`, 'POST', { to: numberId, type: 'text', text: { body: 'oi' } }));
        const atKill = await untilAlive(async () => {
          const received = await receivedCount(sandboxUrl);
          return received >= 5 && received;
        }, 'the first answers', 90_000);
        platform.kill('SIGKILL');
        await new Promise((resolve) => platform.once('exit', resolve));
        await writing;
        expect(atKill).toBeLessThan(CUSTOMERS); // the kill came while answers were still due

        platform = own(start(serve, platformEnv));
        await untilAlive(async () => (await receivedCount(sandboxUrl)) >= CUSTOMERS, `an answer for each of the ${CUSTOMERS} customers`, 120_000);
        // Every answer ends delivered (or read) on the platform, its status webhook processed: then
        // none is held with an unknown outcome (8 s grace) that could still be sent again, so
        // nothing more can leave. A moment more for a send still in flight.
        let answerStatuses: Record<string, number> = {};
        await untilAlive(async () => {
          const answers = (await platformMessages(platformUrl, KEY)).filter((message) => message.direction === 'out').map((message) => message.status);
          answerStatuses = {};
          for (const status of answers) answerStatuses[status] = (answerStatuses[status] ?? 0) + 1;
          return answers.length >= CUSTOMERS && answers.every((status) => status === 'delivered' || status === 'read');
        }, () => `every answer delivered on the platform; the answers by status: ${JSON.stringify(answerStatuses)}`, 60_000);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const perCustomer = new Map<string, number>();
        await inBatches(customers, 16, async (waId) => {
          const inbox = await json(`${sandboxUrl}/sandbox/v1/phones/${waId}/messages?limit=100`);
          perCustomer.set(waId, (inbox.data as Json[]).filter((m) => m.type === 'interactive').length);
        });
        const wrong = [...perCustomer].filter(([, n]) => n !== 1);
        expect(wrong, 'customers without exactly one answer (wa_id, answers)').toEqual([]);
      } finally {
        for (const child of mine) child.kill('SIGKILL');
        await database.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
