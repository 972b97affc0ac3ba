import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type RunningApp } from './support/app.js';
import { DIALECTS, type TestDatabase } from './support/databases.js';
import { platformApi, sandboxApi } from './support/http.js';
import { until } from './support/wait.js';

/**
 * The inbound → answer path waits on no polling interval: the stored webhook wakes the
 * processor, and the processor, once its transaction committed, wakes the dispatcher. With the
 * dispatcher's idle poll set to a minute, the answer still reaches the phone at once.
 */
describe.each(DIALECTS)('inbound → answer without polling on $name', (dialect) => {
  let database: TestDatabase;
  let running: RunningApp;
  let pn: string;
  const sandbox = sandboxApi(() => running);

  beforeAll(async () => {
    database = await dialect.create({ migrated: true });
    running = await startTestApp({ databaseUrl: database.url, build: { dispatcher: { pollMs: 60_000 } } });
    pn = running.started.sandboxNumber?.phone_number_id as string;
  });
  afterAll(async () => {
    await running.close();
    await database.drop();
  });

  it("a keyword confirmation goes out within a second or two, not at the dispatcher's next poll a minute later", async () => {
    expect(running.app.jobs.names()).toEqual(['realtime', 'audit prune', 'number refresh', 'template sync', 'outbound webhooks', 'media downloader', 'dispatcher', 'campaign runner', 'notifications', 'bot tasks', 'processor', 'retention']);
    for (let i = 1; i <= 4; i += 1) {
      const waId = `55119222200${String(i).padStart(2, '0')}`;
      const started = Date.now();
      await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: pn, type: 'text', text: { body: 'sair' } });
      await until(async () => ((await sandbox('GET', `/sandbox/v1/phones/${waId}/messages`)).body.data as Array<{ content: { body?: string } }>).some((m) => /não receberá mais/.test(m.content.body ?? '')), `the confirmation to ${waId}`, 5_000);
      expect(Date.now() - started).toBeLessThan(3_000);
    }
  }, 40_000);

  it("a bot's answer goes out within a second or two too: the processor's commit wakes the dispatcher", async () => {
    const api = platformApi(() => running);
    const flow = await api('POST', '/flows', { source: 'name: eco\ntriggers:\n  - type: keyword\n    keywords: [eco]\nsteps:\n  - type: end\n    text: eco!\n' });
    expect(flow.status, flow.text).toBe(201);
    expect((await api('POST', `/flows/${flow.body.id}/publish`, { phone_number_id: pn })).status).toBe(201);
    for (let i = 1; i <= 4; i += 1) {
      const waId = `55119222300${String(i).padStart(2, '0')}`;
      const started = Date.now();
      await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: pn, type: 'text', text: { body: 'eco' } });
      await until(async () => ((await sandbox('GET', `/sandbox/v1/phones/${waId}/messages`)).body.data as Array<{ content: { body?: string } }>).some((m) => m.content.body === 'eco!'), `the bot's answer to ${waId}`, 5_000);
      expect(Date.now() - started).toBeLessThan(3_000);
    }
  }, 40_000);
});
