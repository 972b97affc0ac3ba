import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_SECRET, startSandbox, type SandboxHarness } from './support/sandbox.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

let h: SandboxHarness;
let nextWaId = 5511900000000;
const newCustomer = () => String((nextWaId += 1));

beforeAll(async () => {
  h = await startSandbox();
});
afterAll(async () => {
  await h.close();
});

const text = (to: string, body: string, extra: object = {}) => ({ messaging_product: 'whatsapp', to, type: 'text', text: { body }, ...extra });

describe('sandbox: authentication and paths', () => {
  it('answers 104 without a token and 190 with a wrong one, in Meta’s error shape', async () => {
    const missing = await h.graph('POST', `/${h.phoneNumberId}/messages`, text('5511912345678', 'hi'), null);
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatchObject({ code: 104, type: 'OAuthException' });
    expect(missing.body.error.fbtrace_id).toEqual(expect.any(String));
    const wrong = await h.graph('POST', `/${h.phoneNumberId}/messages`, text('5511912345678', 'hi'), 'not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe(190);
    expect(wrong.body.error.message).toMatch(/^\(#190\) /);
  });

  it('serves Graph paths with any version prefix and without one', async () => {
    for (const prefix of ['/v19.0', '/v23.0', '/v26.0', '']) {
      const response = await fetch(`${h.base}${prefix}/${h.phoneNumberId}`, { headers: { authorization: 'Bearer sandbox-access-token' } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: h.phoneNumberId, quality_rating: 'GREEN' });
    }
  });

  it('answers unknown object ids with code 100 and bad JSON with code 100', async () => {
    const unknown = await h.graph('POST', '/123456789/messages', text('5511912345678', 'hi'));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 100, error_subcode: 33 });
    const badJson = await fetch(`${h.base}/v23.0/${h.phoneNumberId}/messages`, {
      method: 'POST',
      headers: { authorization: 'Bearer sandbox-access-token', 'content-type': 'application/json' },
      body: '{"messaging_product": "whatsapp",',
    });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: { code: number } }).error.code).toBe(100);
  });
});

describe('sandbox: the customer service window', () => {
  it('delivers and reads a free-form reply inside the window, with pricing and the callback data echoed', async () => {
    const waId = newCustomer();
    await h.customerWrites(waId, 'Olá 👋');
    const sent = await h.graph('POST', `/${h.phoneNumberId}/messages`, text(waId, 'Oi! Como posso ajudar?', { biz_opaque_callback_data: 'conversa:msg_1' }));
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ messaging_product: 'whatsapp', contacts: [{ input: waId, wa_id: waId }] });
    const wamid = sent.body.messages[0].id as string;
    expect(wamid).toMatch(/^wamid\./);
    const statuses = await h.receiver.waitFor(() => {
      const mine = h.receiver.statuses().filter((s) => s.id === wamid);
      return mine.some((s) => s.status === 'read') && mine;
    });
    expect(statuses.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    for (const status of statuses) {
      expect(status.biz_opaque_callback_data).toBe('conversa:msg_1');
      expect(status.pricing).toMatchObject({ pricing_model: 'PMP', category: 'service', type: 'free_customer_service', billable: false });
    }
    const phone = await h.admin('GET', `/phones/${waId}/messages`);
    expect(phone.body.data.at(-1)).toMatchObject({ id: wamid, status: 'read', content: { body: 'Oi! Como posso ajudar?' } });
  });

  it('fails a free-form message with 131047 once the customer’s last message is 24 h + 1 s old', async () => {
    const waId = newCustomer();
    await h.customerWrites(waId, 'Preciso de ajuda');
    await h.admin('POST', '/clock', { advance_seconds: 24 * 3600 + 1 });
    const sent = await h.graph('POST', `/${h.phoneNumberId}/messages`, text(waId, 'Desculpe a demora'));
    expect(sent.status).toBe(200); // Meta accepts, then fails asynchronously
    const wamid = sent.body.messages[0].id as string;
    const failed = await h.receiver.waitFor(() => h.receiver.statuses().find((s) => s.id === wamid && s.status === 'failed'));
    expect(failed.errors?.[0]).toMatchObject({ code: 131047, title: 'Re-engagement message' });
    expect(failed.pricing).toBeUndefined();
    expect(h.receiver.statuses().filter((s) => s.id === wamid).map((s) => s.status)).toEqual(['failed']);
  });

  it('fails with 131026 for a number without WhatsApp', async () => {
    const waId = newCustomer();
    await h.admin('POST', '/phones', { wa_id: waId, name: 'No WhatsApp', has_whatsapp: false });
    const sent = await h.graph('POST', `/${h.phoneNumberId}/messages`, text(waId, 'hello'));
    const wamid = sent.body.messages[0].id as string;
    const failed = await h.receiver.waitFor(() => h.receiver.statuses().find((s) => s.id === wamid && s.status === 'failed'));
    expect(failed.errors?.[0]?.code).toBe(131026);
  });

  it('keeps messages at sent while the phone is offline and delivers them when it comes back', async () => {
    const waId = newCustomer();
    await h.admin('POST', '/phones', { wa_id: waId, name: 'Offline', behaviour: { offline: true } });
    await h.customerWrites(waId, 'oi');
    const sent = await h.graph('POST', `/${h.phoneNumberId}/messages`, text(waId, 'você está aí?'));
    const wamid = sent.body.messages[0].id as string;
    await h.receiver.waitFor(() => h.receiver.statuses().find((s) => s.id === wamid && s.status === 'sent'));
    await new Promise((r) => setTimeout(r, 100));
    expect(h.receiver.statuses().filter((s) => s.id === wamid).map((s) => s.status)).toEqual(['sent']);
    await h.admin('PATCH', `/phones/${waId}`, { behaviour: { offline: false } });
    await h.receiver.waitFor(() => h.receiver.statuses().find((s) => s.id === wamid && s.status === 'read'));
  });
});

describe('sandbox: webhooks out', () => {
  it('signs the exact bytes with the app secret and escapes non-ASCII like Meta', async () => {
    const waId = newCustomer();
    const wamid = await h.customerWrites(waId, 'Olá, ação 👋🇧🇷');
    const hook = await h.receiver.waitFor(() =>
      h.receiver.received.find((w) => w.body.entry[0]?.changes[0]?.value.messages && JSON.stringify(w.body).includes(wamid)),
    );
    expect(hook.signature).toBe(WebhookReceiver.expectedSignature(hook.raw, APP_SECRET));
    const raw = hook.raw.toString('utf8');
    expect(raw).toMatch(/^[\x20-\x7e]*$/); // pure ASCII on the wire
    expect(raw).toContain('Ol\\u00e1, a\\u00e7\\u00e3o \\ud83d\\udc4b\\ud83c\\udde7\\ud83c\\uddf7');
    const value = hook.body.entry[0]?.changes[0]?.value as { messages: Array<{ text: { body: string }; from: string; timestamp: string }>; contacts: unknown[] };
    expect(value.messages[0]).toMatchObject({ from: waId, text: { body: 'Olá, ação 👋🇧🇷' }, timestamp: expect.stringMatching(/^\d+$/) });
    expect(value.contacts).toEqual([{ profile: { name: `Customer ${waId.slice(-4)}` }, wa_id: waId }]);
  });

  it('retries with backoff while the receiver fails, then delivers', async () => {
    h.receiver.failNext = 3;
    const wamid = await h.customerWrites(newCustomer(), 'retry me');
    await h.receiver.waitFor(() => h.receiver.received.find((w) => JSON.stringify(w.body).includes(wamid)));
    expect(h.receiver.failNext).toBe(0);
    const stats = await h.admin('GET', '/webhook');
    expect(stats.body.stats.failedAttempts).toBeGreaterThanOrEqual(3);
  });

  it('injects duplicates and drops on request', async () => {
    await h.admin('PUT', '/faults', { webhook_duplicate_rate: 1 });
    const duplicated = await h.customerWrites(newCustomer(), 'twice');
    await h.receiver.waitFor(() => h.receiver.received.filter((w) => JSON.stringify(w.body).includes(duplicated)).length === 2);
    await h.admin('PUT', '/faults', { webhook_duplicate_rate: 0, webhook_drop_rate: 1 });
    const dropped = await h.customerWrites(newCustomer(), 'never arrives');
    await new Promise((r) => setTimeout(r, 150));
    expect(h.receiver.received.some((w) => JSON.stringify(w.body).includes(dropped))).toBe(false);
    await h.admin('PUT', '/faults', { webhook_drop_rate: 0 });
  });

  it('injects Graph errors that clients must retry', async () => {
    await h.admin('PUT', '/faults', { graph_error_rate: 1 });
    const failed = await h.graph('POST', `/${h.phoneNumberId}/messages`, text('5511912345678', 'hi'));
    await h.admin('PUT', '/faults', { graph_error_rate: 0 });
    expect(failed.status).toBe(500);
    expect(failed.body.error).toMatchObject({ code: 131000, is_transient: true });
  });

  it('rejects a subscription whose callback fails the handshake', async () => {
    const response = await h.admin('PUT', '/webhook', { url: h.receiver.url, verify_token: 'wrong-token' });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('SANDBOX_ERR_WEBHOOK_VERIFICATION');
  });
});

describe('sandbox: simulated customers', () => {
  it('turns a tap on a reply button into a button_reply webhook with the title filled in', async () => {
    const waId = newCustomer();
    await h.customerWrites(waId, 'menu');
    const sent = await h.graph('POST', `/${h.phoneNumberId}/messages`, {
      messaging_product: 'whatsapp',
      to: waId,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Escolha uma opção' },
        action: { buttons: [{ type: 'reply', reply: { id: 'track', title: 'Rastrear pedido' } }, { type: 'reply', reply: { id: 'agent', title: 'Falar com alguém' } }] },
      },
    });
    expect(sent.status).toBe(200);
    const wamid = sent.body.messages[0].id as string;
    const bad = await h.admin('POST', `/phones/${waId}/messages`, { to: h.phoneNumberId, type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'nope' } }, context: { id: wamid } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.field).toBe('interactive.button_reply.id');
    const tap = await h.admin('POST', `/phones/${waId}/messages`, { to: h.phoneNumberId, type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'agent' } }, context: { id: wamid } });
    expect(tap.status).toBe(201);
    const hook = await h.receiver.waitFor(() => h.receiver.values().find((v) => JSON.stringify(v).includes(tap.body.id)));
    expect((hook.messages as unknown[])[0]).toMatchObject({
      type: 'interactive',
      context: { id: wamid },
      interactive: { type: 'button_reply', button_reply: { id: 'agent', title: 'Falar com alguém' } },
    });
  });

  it('rejects invalid simulated messages with the field and rule', async () => {
    const response = await h.admin('POST', `/phones/${newCustomer()}/messages`, { to: h.phoneNumberId, type: 'text', text: { body: 'x'.repeat(4097) } });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'SANDBOX_ERR_VALIDATION', details: { field: 'text.body' } });
    const badPhone = await h.admin('POST', '/phones', { wa_id: '+55 11', name: 'x' });
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.error.details.field).toBe('wa_id');
  });

  it('sends a user_preferences webhook when a customer stops marketing', async () => {
    const waId = newCustomer();
    await h.admin('POST', '/phones', { wa_id: waId, name: 'Stopper' });
    const response = await h.admin('POST', `/phones/${waId}/preferences`, { to: h.phoneNumberId, value: 'stop' });
    expect(response.body.marketing_stopped).toBe(true);
    const value = await h.receiver.waitFor(() => h.receiver.values('user_preferences').find((v) => JSON.stringify(v).includes(waId)));
    expect(value.user_preferences).toEqual([expect.objectContaining({ wa_id: waId, category: 'marketing_messages', value: 'stop' })]);
  });
});

describe('sandbox: limits', () => {
  it('answers 130429 past the number’s throughput and 131056 past the pair rate', async () => {
    const account = await h.admin('POST', '/accounts', { throughput_mps: 5 });
    const numberId = account.body.phone_number.id as string;
    const waId = newCustomer();
    const codes: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const response = await h.graph('POST', `/${numberId}/messages`, text(String(5511800000000 + i), 'burst'));
      codes.push(response.status === 200 ? 200 : response.body.error.code);
    }
    expect(codes.filter((c) => c === 200).length).toBe(5);
    expect(codes.filter((c) => c === 130429).length).toBe(3);
    await h.admin('PATCH', `/phone-numbers/${numberId}`, { throughput_mps: 1000 });
    const pair: number[] = [];
    for (let i = 0; i < 50; i += 1) {
      const response = await h.graph('POST', `/${numberId}/messages`, text(waId, `msg ${i}`));
      pair.push(response.status === 200 ? 200 : response.body.error.code);
    }
    expect(pair.slice(0, 45).every((c) => c === 200)).toBe(true);
    expect(pair.slice(45)).toEqual([131056, 131056, 131056, 131056, 131056]);
  });

  it('refuses sends from an unregistered number with 133010', async () => {
    const account = await h.admin('POST', '/accounts', {});
    const numberId = account.body.phone_number.id as string;
    expect((await h.graph('POST', `/${numberId}/deregister`, {})).body).toEqual({ success: true });
    const refused = await h.graph('POST', `/${numberId}/messages`, text('5511912345678', 'hi'));
    expect(refused.body.error.code).toBe(133010);
    const registered = await h.graph('POST', `/${numberId}/register`, { messaging_product: 'whatsapp', pin: '123456' });
    expect(registered.body).toEqual({ success: true });
    expect((await h.graph('POST', `/${numberId}/messages`, text('5511912345678', 'hi'))).status).toBe(200);
  });
});
