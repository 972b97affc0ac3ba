import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { statusRef } from '../src/modules/inbound/index.js';
import type { PhoneNumberView } from '../src/modules/phone-numbers/index.js';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { until } from './support/wait.js';

/**
 * Meta's webhooks change only the workspace whose app secret signed them. Workspace A is the
 * installation's own (the sandbox number); B is another business on another Meta app; C shares
 * A's Meta app (one app serving several businesses). Every webhook here is signed with a real
 * app secret and POSTed over HTTP, as Meta would.
 */
describe.each(DIALECTS)('webhooks stay inside the verifying workspace on $name', (dialect) => {
  const running = useApp(dialect);
  let a: { workspaceId: string; number: PhoneNumberView; secret: string };
  let aSecond: PhoneNumberView;
  let b: { workspaceId: string; number: PhoneNumberView; secret: string };
  let c: { workspaceId: string; number: PhoneNumberView; secret: string };
  let seq = 0;

  beforeAll(async () => {
    const modules = running.app.modules;
    const number = running.started.sandboxNumber!;
    const secret = (await modules.phoneNumbers.secretsOf(number.id))!.appSecret;
    a = { workspaceId: running.started.workspaceId, number, secret };
    const connect = async (workspaceId: string, wabaId: string, phoneNumberId: string, appSecret: string) =>
      modules.phoneNumbers.connect({
        workspaceId,
        provider: 'cloud_api',
        wabaId,
        phoneNumberId,
        displayPhoneNumber: `+1 555 ${phoneNumberId.slice(-4)}`,
        verifiedName: `Business ${phoneNumberId}`,
        graphBaseUrl: 'http://127.0.0.1:9',
        graphVersion: 'v23.0',
        accessToken: `token-${phoneNumberId}`,
        appSecret,
        verifyToken: `verify-${phoneNumberId}`,
        throughputMps: 80,
      });
    // A's second number on the same WABA and app.
    aSecond = await connect(a.workspaceId, number.waba_id, `${dialect.name === 'sqlite' ? 7 : 8}10000000000001`, secret);
    const wsB = await modules.workspaces.create('Loja B');
    b = { workspaceId: wsB.id, secret: 'app-secret-of-business-b', number: await connect(wsB.id, '920000000000001', '920000000000002', 'app-secret-of-business-b') };
    const wsC = await modules.workspaces.create('Loja C (same Meta app as A)');
    c = { workspaceId: wsC.id, secret, number: await connect(wsC.id, '930000000000001', '930000000000002', secret) };
  });

  /** An outbound message of a workspace in the given state, as the dispatcher would leave it. */
  const outbound = async (workspaceId: string, number: PhoneNumberView, state: { status: string; wamid: string | null }) => {
    const modules = running.app.modules;
    const contact = await modules.contacts.ensureFromInbound(workspaceId, `55119555${String(++seq).padStart(5, '0')}`, undefined);
    const conversation = await modules.conversations.ensure(workspaceId, number.id, contact.id);
    const { message } = await modules.messages.queue({
      workspaceId,
      conversationId: conversation.id,
      contactId: contact.id,
      phoneNumberRowId: number.id,
      type: 'text',
      content: { to: contact.wa_id, type: 'text', text: { body: 'Seu pedido saiu para entrega' } },
      category: 'service',
      pricingType: 'free_customer_service',
      costMicros: 0,
      notBefore: new Date(Date.now() + 3_600_000), // never due: the dispatcher leaves it alone
    });
    await running.app.database.db.updateTable('messages').set({ status: state.status, wamid: state.wamid }).where('id', '=', message.id).execute();
    return message.id;
  };
  const read = async (workspaceId: string, id: string) => (await running.app.modules.messages.get(workspaceId, id))!;

  const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const post = async (secret: string | undefined, body: string) => {
    const response = await fetch(`${running.started.platformUrl}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret === undefined ? {} : { 'x-hub-signature-256': sign(secret, body) }) },
      body,
    });
    return { status: response.status, body: await response.text() };
  };
  const processed = () => until(async () => (await running.app.modules.inboundEvents.pendingCount()) === 0 || undefined, 'the webhooks to be processed');
  const entry = (wabaId: string, metaNumberId: string, value: Record<string, unknown>, field = 'messages') => ({
    id: wabaId,
    changes: [{ field, value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: metaNumberId }, ...value } }],
  });
  const statuses = (wabaId: string, metaNumberId: string, list: Array<Record<string, unknown>>) =>
    JSON.stringify({ object: 'whatsapp_business_account', entry: [entry(wabaId, metaNumberId, { statuses: list.map((s) => ({ recipient_id: '5511955500000', ...s })) })] });
  const at = (seconds: number) => String(1_790_000_000 + seconds);
  const iso = (seconds: number) => new Date((1_790_000_000 + seconds) * 1000).toISOString();
  const forged131026 = [{ code: 131026, title: 'Message undeliverable', error_data: { details: 'forged' } }];

  it("B's signed status naming A's wamid changes nothing in A, and does not take the dedupe key of A's real one", async () => {
    const wamid = `wamid.A-${dialect.name}-1`;
    const id = await outbound(a.workspaceId, a.number, { status: 'accepted', wamid });
    // B signs with its own secret, names its own WABA and number, and A's wamid.
    expect((await post(b.secret, statuses(b.number.waba_id, b.number.phone_number_id, [{ id: wamid, status: 'failed', timestamp: at(10), errors: forged131026 }]))).status).toBe(200);
    expect((await post(b.secret, statuses(b.number.waba_id, b.number.phone_number_id, [{ id: wamid, status: 'delivered', timestamp: at(11) }]))).status).toBe(200);
    await processed();
    expect(await read(a.workspaceId, id)).toMatchObject({ status: 'accepted', error: null, failed_at: null, delivered_at: null });

    // A's real status (same wamid and status as B's forgery) is stored and applied, with its own time.
    expect((await post(a.secret, statuses(a.number.waba_id, a.number.phone_number_id, [{ id: wamid, status: 'delivered', timestamp: at(20) }]))).status).toBe(200);
    await processed();
    expect(await read(a.workspaceId, id)).toMatchObject({ status: 'delivered', delivered_at: iso(20), error: null });
    const stored = (await running.app.modules.inboundEvents.list(a.workspaceId, { limit: 50 })).data.filter((e) => JSON.stringify(e.payload).includes(wamid));
    expect(stored.map((e) => (e.payload as { status: { status: string } }).status.status)).toEqual(['delivered']);
  });

  it("a status matches only a wamid: our msg_ id in biz_opaque_callback_data resolves a lost send only for the verifying workspace's sending number", async () => {
    const lost = await outbound(a.workspaceId, a.number, { status: 'unknown', wamid: null });
    // B: A's message id as callback data, a made-up wamid.
    expect((await post(b.secret, statuses(b.number.waba_id, b.number.phone_number_id, [{ id: 'wamid.madeup1', status: 'failed', timestamp: at(30), biz_opaque_callback_data: lost, errors: forged131026 }]))).status).toBe(200);
    expect((await post(b.secret, statuses(b.number.waba_id, b.number.phone_number_id, [{ id: 'wamid.madeup2', status: 'read', timestamp: at(31), biz_opaque_callback_data: lost }]))).status).toBe(200);
    // A itself, but from its other number: not the number that sent it.
    expect((await post(a.secret, statuses(a.number.waba_id, aSecond.phone_number_id, [{ id: 'wamid.madeup3', status: 'read', timestamp: at(32), biz_opaque_callback_data: lost }]))).status).toBe(200);
    await processed();
    expect(await read(a.workspaceId, lost)).toMatchObject({ status: 'unknown', wamid: null, error: null });
    // None of these holds A's message back from being sent again after the grace period.
    const inbound = running.app.modules.inboundEvents;
    expect(await inbound.referenced([{ workspaceId: a.workspaceId, ref: statusRef(a.number.phone_number_id, lost) }])).toEqual(new Set());

    // A message that already has its wamid is never matched by our id, even inside its workspace.
    const known = await outbound(a.workspaceId, a.number, { status: 'accepted', wamid: `wamid.A-${dialect.name}-2` });
    expect((await post(a.secret, statuses(a.number.waba_id, a.number.phone_number_id, [{ id: 'wamid.other', status: 'failed', timestamp: at(33), biz_opaque_callback_data: known, errors: forged131026 }]))).status).toBe(200);
    await processed();
    expect(await read(a.workspaceId, known)).toMatchObject({ status: 'accepted', wamid: `wamid.A-${dialect.name}-2`, error: null });

    // Crash recovery still works: A's status from the sending number resolves the lost send.
    const realWamid = `wamid.A-${dialect.name}-3`;
    expect((await post(a.secret, statuses(a.number.waba_id, a.number.phone_number_id, [{ id: realWamid, status: 'sent', timestamp: at(34), biz_opaque_callback_data: lost }]))).status).toBe(200);
    expect(await inbound.referenced([{ workspaceId: a.workspaceId, ref: statusRef(a.number.phone_number_id, lost) }])).toEqual(new Set([statusRef(a.number.phone_number_id, lost)]));
    await processed();
    expect(await read(a.workspaceId, lost)).toMatchObject({ status: 'sent', wamid: realWamid, sent_at: iso(34) });
  });

  it("B's status pairing its own unsent message with A's wamid changes neither, and never jams the processing of other events", async () => {
    const wamidA = `wamid.A-${dialect.name}-5`;
    const ofA = await outbound(a.workspaceId, a.number, { status: 'accepted', wamid: wamidA });
    const queuedB = await outbound(b.workspaceId, b.number, { status: 'queued', wamid: null });
    expect((await post(b.secret, statuses(b.number.waba_id, b.number.phone_number_id, [{ id: wamidA, status: 'failed', timestamp: at(60), biz_opaque_callback_data: queuedB, errors: forged131026 }]))).status).toBe(200);
    expect((await post(a.secret, statuses(a.number.waba_id, a.number.phone_number_id, [{ id: wamidA, status: 'delivered', timestamp: at(61) }]))).status).toBe(200);
    await processed(); // nothing left failing and waiting for a retry
    expect(await read(b.workspaceId, queuedB)).toMatchObject({ status: 'queued', wamid: null, error: null });
    expect(await read(a.workspaceId, ofA)).toMatchObject({ status: 'delivered', delivered_at: iso(61), error: null });
  });

  it('with a Meta app shared by A and C, its signature applies entries only to their WABAs and numbers; one naming B is dropped', async () => {
    const wamidB = `wamid.B-${dialect.name}-1`;
    const wamidC = `wamid.C-${dialect.name}-1`;
    const ofB = await outbound(b.workspaceId, b.number, { status: 'accepted', wamid: wamidB });
    const ofC = await outbound(c.workspaceId, c.number, { status: 'accepted', wamid: wamidC });
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        entry(c.number.waba_id, c.number.phone_number_id, { statuses: [{ id: wamidC, status: 'delivered', timestamp: at(40), recipient_id: '5511955500000' }] }),
        // B's WABA and number, B's wamid: signed with A and C's secret, which B does not hold.
        entry(b.number.waba_id, b.number.phone_number_id, { statuses: [{ id: wamidB, status: 'failed', timestamp: at(41), recipient_id: '5511955500000', errors: forged131026 }] }),
        // C's WABA, but naming B's number.
        entry(c.number.waba_id, b.number.phone_number_id, { statuses: [{ id: wamidB, status: 'read', timestamp: at(42), recipient_id: '5511955500000' }] }),
        // B's number asking for a marketing stop of a contact: not B's to be changed by this body.
        entry(b.number.waba_id, b.number.phone_number_id, { user_preferences: [{ wa_id: '5511955577777', detail: 'User requested to stop marketing messages', category: 'marketing_messages', value: 'stop', timestamp: 1_790_000_043 }] }, 'user_preferences'),
      ],
    });
    expect((await post(c.secret, body)).status).toBe(200);
    await processed();
    expect(await read(c.workspaceId, ofC)).toMatchObject({ status: 'delivered', delivered_at: iso(40) });
    expect(await read(b.workspaceId, ofB)).toMatchObject({ status: 'accepted', error: null, read_at: null });
    for (const workspaceId of [a.workspaceId, b.workspaceId, c.workspaceId]) {
      expect((await running.app.modules.contacts.list(workspaceId, { limit: 100 })).data.map((contact) => contact.wa_id)).not.toContain('5511955577777');
    }
    // Nothing of it was stored for B.
    const storedForB = (await running.app.modules.inboundEvents.list(b.workspaceId, { limit: 100 })).data;
    expect(storedForB.filter((e) => JSON.stringify(e.payload).includes(wamidB) || JSON.stringify(e.payload).includes('5511955577777'))).toEqual([]);
  });

  it('keeps the time of every stage whatever order the statuses arrive in', async () => {
    const wamid = `wamid.A-${dialect.name}-4`;
    const id = await outbound(a.workspaceId, a.number, { status: 'accepted', wamid });
    for (const [status, seconds] of [['read', 53], ['sent', 51], ['delivered', 52], ['sent', 59]] as const) {
      expect((await post(a.secret, statuses(a.number.waba_id, a.number.phone_number_id, [{ id: wamid, status, timestamp: at(seconds) }]))).status).toBe(200);
      await processed();
    }
    expect(await read(a.workspaceId, id)).toMatchObject({ status: 'read', sent_at: iso(51), delivered_at: iso(52), read_at: iso(53) });
  });

  it('answers a signed body nested 100,000 levels deep with 400 and keeps nothing', async () => {
    const before = (await running.app.modules.inboundEvents.list(a.workspaceId, { limit: 500 })).data.length;
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const body = `{"object":"whatsapp_business_account","entry":[{"id":"${a.number.waba_id}","changes":[{"field":"deep","value":{"x":${deep}}}]}]}`;
    const answer = await post(a.secret, body);
    expect(answer.status, answer.body).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'CONVERSA_ERR_VALIDATION', details: { field: 'body' } } });
    // Brackets inside strings are text, not nesting: this one is stored.
    const text = JSON.stringify({ object: 'whatsapp_business_account', entry: [entry(a.number.waba_id, a.number.phone_number_id, { note: `\\"${'['.repeat(1000)}` }, 'brand_new_field')] });
    expect((await post(a.secret, text)).status).toBe(200);
    expect((await running.app.modules.inboundEvents.list(a.workspaceId, { limit: 500 })).data.length).toBe(before + 1);
  });

  it('checks the signature before reading or parsing the body', async () => {
    // Unsigned junk: 401 for the signature, not 400 for the JSON (nothing parsed it).
    expect((await post(undefined, '{"object":')).status).toBe(401);
    expect((await post('not-the-secret', '{"object":')).status).toBe(401);
    // An unsigned 4 MB body is refused after its first bytes: the rest is never waited for.
    const url = new URL(`${running.started.platformUrl}/webhooks/whatsapp`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(4 * 1024 * 1024 - 1) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (error) => (error.message.includes('socket hang up') ? undefined : reject(error)));
      req.write(`{"entry":[{"id":"${a.number.waba_id}"}],"pad":"`);
      setTimeout(() => reject(new Error('no answer while the body was still being sent')), 3000).unref();
    });
    expect(status).toBe(401);
  });
});
