import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyConversaSignature } from '../src/modules/webhooks/index.js';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

/** A company system: records every POST with its raw bytes; answers 503 while `failNext` > 0. */
class CompanySystem {
  readonly received: Array<{ raw: string; headers: IncomingHttpHeaders; body: Json }> = [];
  failNext = 0;
  url = '';
  #server: Server | undefined;

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (this.failNext > 0) {
          this.failNext -= 1;
          res.writeHead(503).end('busy');
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        this.received.push({ raw, headers: req.headers, body: JSON.parse(raw) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}/conversa`;
    return this.url;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}

describe.each(DIALECTS)('outbound webhooks end to end on $name', (dialect) => {
  const running = useApp(dialect, { build: { webhooks: { fanOut: { pollMs: 20 }, delivery: { pollMs: 20, retry: { baseMs: 50, maxAttempts: 3 } } } } });
  let pn: string;
  const crm = new CompanySystem();

  const api = running.api;
  const sandbox = running.sandbox;
  const customerWrites = async (waId: string, text: string) => {
    const response = await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: pn, type: 'text', text: { body: text } });
    expect(response.status).toBeLessThan(300);
  };
  const receivedText = (text: string) => crm.received.filter((r) => r.body.data?.content?.text?.body === text);

  beforeAll(async () => {
    await crm.start();
    pn = running.pn;
  });
  afterAll(async () => {
    await crm.close();
  });

  it('refuses bad subscriptions with a 400 naming the field, and unknown ids with 404', async () => {
    const cases: Array<[unknown, string]> = [
      [{ url: 'ftp://crm.example.com/hook', events: ['*'] }, 'body.url'],
      [{ url: 'not a url', events: ['*'] }, 'body.url'],
      [{ url: 'https://crm.example.com/hook', events: ['message.sent'] }, 'body.events.0'],
      [{ url: 'https://crm.example.com/hook', events: [] }, 'body.events'],
      [{ url: 'https://crm.example.com/hook' }, 'body.events'],
      [{ events: ['*'] }, 'body.url'],
    ];
    for (const [body, field] of cases) {
      const answer = await api('POST', '/webhooks', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field } });
    }
    expect((await api('PATCH', '/webhooks/whs_nope', { active: false })).status).toBe(404);
    expect((await api('GET', '/webhooks/whs_nope/deliveries')).status).toBe(404);
    expect((await api('POST', '/webhooks/whs_nope/deliveries/whd_nope/replay')).status).toBe(404);
    const bad = await api('GET', '/webhooks/whs_nope/deliveries?status=lost');
    expect(bad.body.error.details.field).toBe('querystring.status');

    const created = await api('POST', '/webhooks', { url: 'https://crm.example.com/hook', events: ['message.status', '*'], active: false });
    expect(created.body.events).toEqual(['*']);
    expect((await api('PATCH', `/webhooks/${created.body.id}`, {})).status).toBe(400);
    expect((await api('PATCH', `/webhooks/${created.body.id}`, { url: 'mailto:ops@example.com' })).body.error.details.field).toBe('body.url');
    const patched = await api('PATCH', `/webhooks/${created.body.id}`, { events: ['consent.changed'], description: 'ERP' });
    expect(patched.body).toMatchObject({ events: ['consent.changed'], description: 'ERP', active: false });
    expect(patched.body).not.toHaveProperty('secret');
    expect((await api('DELETE', `/webhooks/${created.body.id}`)).status).toBe(204);

    const readOnly = await running.app.modules.apiKeys.create({ workspaceId: running.started.workspaceId, name: 'reader', scopes: ['messages:read'] });
    const forbidden = await api('GET', '/webhooks', undefined, { token: readOnly.key });
    expect(forbidden.status).toBe(403);
  });

  it('delivers a signed message.received, retries a failing consumer, and replays on demand', async () => {
    const created = await api('POST', '/webhooks', { url: crm.url, events: ['message.received'], description: 'CRM' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^whs_/), url: crm.url, events: ['message.received'], active: true, secret: expect.stringMatching(/^whsec_/) });
    const { id, secret } = created.body;
    const shown = await api('GET', `/webhooks/${id}`);
    expect(shown.body).not.toHaveProperty('secret');
    expect((await api('GET', '/webhooks')).body.data.map((s: Json) => s.id)).toContain(id);

    await customerWrites('5511922220001', 'Quero falar sobre meu pedido');
    const first = await until(async () => receivedText('Quero falar sobre meu pedido')[0], 'the first webhook');
    expect(first.headers['conversa-event']).toBe('message.received');
    expect(verifyConversaSignature(secret, first.headers['conversa-signature'], first.raw)).toMatchObject({ ok: true });
    expect(verifyConversaSignature('whsec_not-the-secret', first.headers['conversa-signature'], first.raw).ok).toBe(false);
    expect(first.body).toMatchObject({
      id: expect.stringMatching(/^evt_\d+$/),
      type: 'message.received',
      workspace_id: expect.any(String),
      data: { from: '5511922220001', type: 'text', message_id: expect.stringMatching(/^msg_/) },
    });

    crm.failNext = 2;
    await customerWrites('5511922220001', 'Alguém aí?');
    const second = await until(async () => receivedText('Alguém aí?')[0], 'the retried webhook');
    expect(crm.failNext).toBe(0);
    const deliveryId = second.headers['conversa-delivery'];
    const entry = await until(async () => (await api('GET', `/webhooks/${id}/deliveries?status=delivered`)).body.data.find((d: Json) => d.id === deliveryId), 'the log to show it delivered');
    expect(entry).toMatchObject({ event_id: second.body.id, event_type: 'message.received', status: 'delivered', attempts: 3, last_status_code: 204 });
    const detail = await api('GET', `/webhooks/${id}/deliveries/${deliveryId}`);
    expect(detail.body.attempt_log.map((a: Json) => a.status_code)).toEqual([503, 503, 204]);
    expect(detail.body.attempt_log[0].error).toBe('HTTP 503: busy');

    const replay = await api('POST', `/webhooks/${id}/deliveries/${first.headers['conversa-delivery']}/replay`);
    expect(replay.status).toBe(202);
    const copies = await until(async () => receivedText('Quero falar sobre meu pedido').length === 2 && receivedText('Quero falar sobre meu pedido'), 'the replay');
    expect(copies[1]!.raw).toBe(copies[0]!.raw);
    expect(copies[1]!.headers['conversa-delivery']).toBe(first.headers['conversa-delivery']);
    expect(verifyConversaSignature(secret, copies[1]!.headers['conversa-signature'], copies[1]!.raw).ok).toBe(true);
    expect(crm.received.every((r) => r.body.type === 'message.received')).toBe(true);
  });

  it('marks deliveries to an unreachable system failed after the last attempt and replays them', async () => {
    const dead = await api('POST', '/webhooks', { url: 'http://127.0.0.1:9/closed', events: ['*'] });
    await customerWrites('5511922220002', 'Para um sistema fora do ar');
    // The new customer also brings contact.created and conversation.updated: follow the message.
    // Every delivery settled (all failed), not only the message's: the count replayed is the whole set.
    const failed = await until(async () => {
      const all = (await api('GET', `/webhooks/${dead.body.id}/deliveries`)).body.data as Json[];
      return all.some((d) => d.event_type === 'message.received') && all.every((d) => d.status === 'failed') && all;
    }, 'the deliveries to fail');
    const message = failed.find((d: Json) => d.event_type === 'message.received');
    expect(message).toMatchObject({ status: 'failed', attempts: 3, last_status_code: null, last_error: expect.stringMatching(/ECONNREFUSED|connect/i) });

    expect((await api('PATCH', `/webhooks/${dead.body.id}`, { url: crm.url })).body.url).toBe(crm.url);
    const replayed = await api('POST', `/webhooks/${dead.body.id}/replay`, { status: 'failed' });
    expect(replayed).toMatchObject({ status: 202, body: { replayed: failed.length } });
    await until(async () => receivedText('Para um sistema fora do ar').some((r) => r.headers['conversa-delivery'] === message.id), 'the replayed delivery');
    expect((await api('DELETE', `/webhooks/${dead.body.id}`)).status).toBe(204);
    expect((await api('GET', `/webhooks/${dead.body.id}`)).status).toBe(404);
  });
});
