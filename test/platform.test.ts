import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startTestApp } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { restClient } from './support/http.js';

describe.each(DIALECTS)('platform on $name', (dialect) => {
  let running = useApp(dialect);
  const api = running.api;
  const sandboxAdmin = restClient(() => `${running.started.sandboxUrl}/sandbox/v1`, null); // the control API needs no token
  const events = async () => ((await api('GET', '/webhook-events')).body as { data: Array<{ id: number; payload: unknown }> }).data;

  it('answers /healthz and /readyz', async () => {
    expect(await (await fetch(`${running.started.platformUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${running.started.platformUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok' });
  });

  it('connects the sandbox number on first start and receives a customer’s signed message', async () => {
    const number = running.started.sandboxNumber;
    expect(number).toMatchObject({ provider: 'sandbox', graph_version: 'v23.0' });
    const sent = await sandboxAdmin('POST', '/phones/5511988887777/messages', { to: number?.phone_number_id, type: 'text', text: { body: 'Olá 👋' } });
    expect(sent.status).toBe(201);
    const { id: wamid } = sent.body as { id: string };
    let stored: Array<{ payload: unknown }> = [];
    for (let i = 0; i < 200 && stored.length === 0; i += 1) {
      stored = (await events()).filter((e) => JSON.stringify(e.payload).includes(wamid));
      if (stored.length === 0) await new Promise((r) => setTimeout(r, 10));
    }
    expect(stored).toHaveLength(1);
    const event = stored[0]?.payload as { waba_id: string; metadata: { phone_number_id: string }; message: { text: { body: string } } };
    expect(event.waba_id).toBe(number?.waba_id);
    expect(event.metadata.phone_number_id).toBe(number?.phone_number_id);
    expect(event.message.text.body).toBe('Olá 👋');
  });

  it('answers Meta’s handshake only with a known verify token', async () => {
    const base = `${running.started.platformUrl}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444`;
    const wrong = await fetch(`${base}&hub.verify_token=nope`);
    expect(wrong.status).toBe(403);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('CONVERSA_ERR_WEBHOOK_VERIFY_TOKEN');
    const secrets = await running.app.modules.phoneNumbers.secretsOf(running.started.sandboxNumber?.id ?? '');
    const right = await fetch(`${base}&hub.verify_token=${secrets?.verifyToken}`);
    expect(right.status).toBe(200);
    expect(await right.text()).toBe('1158201444');
  });

  it('refuses webhooks with a bad or missing signature and stores nothing', async () => {
    const before = (await events()).length;
    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: running.started.sandboxNumber?.waba_id, changes: [{ field: 'brand_new_field', value: { kept: 'raw' } }] }] });
    const post = (headers: Record<string, string>) =>
      fetch(`${running.started.platformUrl}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const missing = await post({});
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('CONVERSA_ERR_WEBHOOK_SIGNATURE');
    const forged = await post({ 'x-hub-signature-256': `sha256=${createHmac('sha256', 'not-the-secret').update(body).digest('hex')}` });
    expect(forged.status).toBe(401);
    const secrets = await running.app.modules.phoneNumbers.secretsOf(running.started.sandboxNumber?.id ?? '');
    const reserialised = JSON.stringify(JSON.parse(body), null, 1); // same JSON, other bytes
    const wrongBytes = await post({ 'x-hub-signature-256': `sha256=${createHmac('sha256', secrets?.appSecret ?? '').update(reserialised).digest('hex')}` });
    expect(wrongBytes.status).toBe(401);
    expect((await events()).length).toBe(before);
    const good = await post({ 'x-hub-signature-256': `sha256=${createHmac('sha256', secrets?.appSecret ?? '').update(body).digest('hex')}` });
    expect(good.status).toBe(200);
    expect((await events()).length).toBe(before + 1);
  });

  it('answers malformed webhook bodies with 400 naming the field once their signature holds (401 before)', async () => {
    const secrets = await running.app.modules.phoneNumbers.secretsOf(running.started.sandboxNumber?.id ?? '');
    const post = (body: string, sign = true) =>
      fetch(`${running.started.platformUrl}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(sign ? { 'x-hub-signature-256': `sha256=${createHmac('sha256', secrets?.appSecret ?? '').update(body).digest('hex')}` } : {}) },
        body,
      });
    // Unsigned: refused for the signature, never parsed.
    expect((await post('{"object":', false)).status).toBe(401);
    const notJson = await post('{"object":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: 'CONVERSA_ERR_VALIDATION', details: { field: 'body' } } });
    const noEntry = await post('{"object":"whatsapp_business_account"}');
    expect(noEntry.status).toBe(400);
    expect(await noEntry.json()).toMatchObject({ error: { details: { field: 'entry[0].id' } } });
  });

  it('protects the API with hashed keys and answers bad input with the field and rule', async () => {
    expect((await fetch(`${running.started.platformUrl}/api/v1/webhook-events`)).status).toBe(401);
    const wrong = await fetch(`${running.started.platformUrl}/api/v1/webhook-events`, { headers: { authorization: 'Bearer cv_live_wrong' } });
    expect(wrong.status).toBe(401);
    const badLimit = await api('GET', '/webhook-events?limit=5000');
    expect(badLimit.status).toBe(400);
    expect(badLimit.body).toMatchObject({ error: { code: 'CONVERSA_ERR_VALIDATION', details: { field: 'querystring.limit' } } });
    const missing = await api('GET', '/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'CONVERSA_ERR_NOT_FOUND' } });
  });

  it('pages webhook events with a cursor', async () => {
    const first = (await api('GET', '/webhook-events?limit=1')).body as { data: Array<{ id: number }>; next_cursor: string };
    expect(first.data).toHaveLength(1);
    const second = (await api('GET', `/webhook-events?limit=1&cursor=${first.next_cursor}`)).body as { data: Array<{ id: number }> };
    expect(second.data[0]?.id).toBeLessThan(first.data[0]?.id ?? 0);
  });

  it('reuses the workspace, the key and the sandbox number on a second start', async () => {
    const before = running.started;
    running = await running.restart();
    expect(running.started.workspaceId).toBe(before.workspaceId);
    expect(running.started.generatedAdminKey).toBeUndefined();
    expect(running.started.sandboxNumber?.phone_number_id).toBe(before.sandboxNumber?.phone_number_id);
    expect(await running.app.modules.phoneNumbers.list(before.workspaceId)).toHaveLength(1);
    const accounts = (await sandboxAdmin('GET', '/accounts')).body as { data: Array<{ waba_id: string }> };
    expect(accounts.data.map((a) => a.waba_id)).toEqual([before.sandboxNumber?.waba_id]);
    // the sandbox's subscription was re-asserted: a new customer message reaches the new process
    const sent = await sandboxAdmin('POST', '/phones/5511988880000/messages', { to: before.sandboxNumber?.phone_number_id, type: 'text', text: { body: 'de novo' } });
    const { id } = sent.body as { id: string };
    let found = false;
    for (let i = 0; i < 200 && !found; i += 1) {
      found = (await events()).some((e) => JSON.stringify(e.payload).includes(id));
      if (!found) await new Promise((r) => setTimeout(r, 10));
    }
    expect(found).toBe(true);
  });
});

describe('API documentation', () => {
  it('serves an OpenAPI 3.1 document generated from the routes, and browsable docs', async () => {
    const running = await startTestApp();
    try {
      const document = (await (await fetch(`${running.started.platformUrl}/api/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { tags?: string[] }>> };
      expect(document.openapi).toBe('3.1.0');
      for (const path of ['/api/v1/messages', '/api/v1/messages/{id}', '/api/v1/contacts', '/api/v1/contacts/{id}/consents', '/api/v1/conversations']) {
        expect(document.paths[path], path).toBeDefined();
      }
      expect(document.paths['/webhooks/whatsapp']).toBeUndefined();
      expect(document.paths['/api/v1/messages']?.post?.tags).toEqual(['messages']);
      const docs = await fetch(`${running.started.platformUrl}/docs/`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger');
    } finally {
      await running.close();
    }
  });
});
