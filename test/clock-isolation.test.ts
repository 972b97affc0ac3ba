import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../src/sandbox/index.js';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { restClient, type RestClient } from './support/http.js';
import { until, type Json } from './support/wait.js';

const META_TOKEN = 'meta-access-token-0123456789';
const META_SECRET = 'meta-app-secret-0123456789abcdef';
const META_VERIFY = 'meta-verify-token-0123456789';
const DAY = 24 * 3600 * 1000;
const TEMPLATE = { name: 'aviso_relogio', language: 'pt_BR', category: 'UTILITY', components: [{ type: 'BODY', text: 'Seu pedido saiu para entrega.' }] };

/**
 * The embedded sandbox's clock moves sandbox numbers only. A workspace has the embedded sandbox's
 * number and a Cloud API number served by another Graph server (a second, standalone sandbox
 * standing in for Meta, with its own clock); moving the embedded sandbox clock 30 days closes
 * the sandbox number's window and fires its scheduled send, and leaves the Cloud API number's
 * window, scheduled send and stored timestamps as they were.
 */
describe.each(DIALECTS)('sandbox time stays with sandbox numbers on $name', (dialect) => {
  const running = useApp(dialect, { env: { LOG_LEVEL: 'error' } });
  let meta: Sandbox;
  let metaUrl: string;
  let metaNumber: { waba_id: string; phone_number_id: string };
  let realId: string;
  let sandboxId: string;

  const api = running.api;
  const embedded = running.sandbox;
  const graph: RestClient = restClient(() => metaUrl, META_TOKEN);

  beforeAll(async () => {
    meta = await createSandbox({ logger: pino({ level: 'silent' }), accessToken: META_TOKEN, appSecret: META_SECRET, verifyToken: META_VERIFY, templateReviewDelayMs: 30, webhookRetryBaseMs: 50 });
    metaUrl = await meta.listen(0, '127.0.0.1');
    const account = (await graph('GET', '/sandbox/v1/accounts')).body.data[0];
    metaNumber = { waba_id: account.waba_id, phone_number_id: account.phone_numbers[0].id };
    const connected = await api('POST', '/phone-numbers', {
      provider: 'cloud_api',
      waba_id: metaNumber.waba_id,
      phone_number_id: metaNumber.phone_number_id,
      access_token: META_TOKEN,
      app_secret: META_SECRET,
      verify_token: META_VERIFY,
      graph_base_url: metaUrl,
    });
    expect(connected.status, JSON.stringify(connected.body)).toBe(201);
    realId = connected.body.id;
    sandboxId = running.started.sandboxNumber?.id as string;
    // "Meta" calls the platform's webhook, as the Meta app would after its subscription is set up.
    const subscribed = await graph('PUT', '/sandbox/v1/webhook', { url: `${running.started.platformUrl}/webhooks/whatsapp`, verify_token: META_VERIFY, app_secret: META_SECRET });
    expect(subscribed.status, JSON.stringify(subscribed.body)).toBe(200);
  });
  afterAll(async () => {
    await meta?.close();
  });

  /** A customer writes to a number at its provider; answers the stored conversation once the platform has it. */
  const customerWrites = async (provider: RestClient, metaPhoneNumberId: string, waId: string, numberRowId: string): Promise<Json> => {
    const wrote = await provider('POST', `/sandbox/v1/phones/${waId}/messages`, { to: metaPhoneNumberId, type: 'text', text: { body: 'Oi, meu pedido?' } });
    expect(wrote.status, JSON.stringify(wrote.body)).toBe(201);
    return until(async () => {
      const listed = (await api('GET', '/conversations?limit=50')).body.data as Json[];
      return listed.find((c) => c.phone_number_id === numberRowId && c.last_inbound_at !== null);
    }, `the message to ${metaPhoneNumberId}`);
  };
  const approve = async (provider: RestClient, wabaId: string) => {
    const created = await provider('POST', `/v23.0/${wabaId}/message_templates`, TEMPLATE);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await until(async () => (await provider('GET', `/v23.0/${created.body.id}`)).body.status === 'APPROVED', 'the template review');
    // The platform learns it from the status webhook (or the periodic sync): wait for that.
    const known = () => running.app.modules.templates.byName(running.started.workspaceId, wabaId, TEMPLATE.name);
    await until(async () => (await known()).some((t) => t.status === 'APPROVED'), 'the platform to see the template approved');
  };
  const conversation = async (id: string): Promise<Json> => ((await api('GET', '/conversations?limit=50')).body.data as Json[]).find((c) => c.id === id);
  const rowsOf = (numberRowId: string) =>
    running.app.database.db.selectFrom('messages').selectAll().where('phone_number_id', '=', numberRowId).orderBy('id').execute();
  const conversationRow = (id: string) => running.app.database.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('moves the window, scheduled sends and timestamps of the sandbox number only', async () => {
    const realConversation = await customerWrites(graph, metaNumber.phone_number_id, '5511977770001', realId);
    const sandboxConversation = await customerWrites(embedded, running.started.sandboxNumber?.phone_number_id as string, '5511977770002', sandboxId);
    expect(realConversation.window_open).toBe(true);
    expect(sandboxConversation.window_open).toBe(true);
    await approve(graph, metaNumber.waba_id);
    await approve(embedded, running.started.sandboxNumber?.waba_id as string);

    // Both scheduled an hour ahead, on each number's own (so far equal) time.
    const sendAt = new Date(Date.now() + 3600_000).toISOString();
    const notify = (from: string, to: string) => api('POST', '/notifications', { from, to, template: TEMPLATE.name, language: 'pt_BR', send_at: sendAt });
    const realScheduled = await notify(realId, '+5511977770001');
    const sandboxScheduled = await notify(sandboxId, '+5511977770002');
    expect(realScheduled.status, JSON.stringify(realScheduled.body)).toBe(202);
    expect(sandboxScheduled.status, JSON.stringify(sandboxScheduled.body)).toBe(202);
    expect(realScheduled.body.status).toBe('scheduled');

    // Templates now: they count in each number's moving 24 h messaging-limit window.
    const template = (from: string, to: string) => api('POST', '/messages', { from, to, type: 'template', template: { name: TEMPLATE.name, language: { code: 'pt_BR' } } });
    for (const [from, to] of [[realId, '+5511977770001'], [sandboxId, '+5511977770003'], [sandboxId, '+5511977770004']] as const) {
      const sent = await template(from, to);
      expect(sent.status, JSON.stringify(sent.body)).toBe(202);
      await until(async () => ['sent', 'delivered', 'read'].includes((await api('GET', `/messages/${sent.body.id}`)).body.status), 'the template send');
    }
    const limitOf = async (id: string) => (await api('GET', `/phone-numbers/${id}/messaging-limit`)).body;
    expect(await limitOf(realId)).toMatchObject({ used: 1 });
    expect(await limitOf(sandboxId)).toMatchObject({ used: 2 });

    const realRowsBefore = await rowsOf(realId);
    const realConversationBefore = await conversationRow(realConversation.id);
    expect(realRowsBefore).toHaveLength(2);

    const moved = await embedded('POST', '/sandbox/v1/clock', { advance_seconds: 30 * 24 * 3600 });
    expect(moved.status).toBe(200);
    const sandboxNow = Date.parse(moved.body.now);
    expect(sandboxNow - Date.now()).toBeGreaterThan(29 * DAY);

    // The sandbox number moved: its window closed and its scheduled send went, stamped in sandbox time.
    const sandboxSent = await until(async () => {
      const current = (await api('GET', `/notifications/${sandboxScheduled.body.id}`)).body;
      return current.status === 'sent' && current;
    }, 'the sandbox number’s scheduled notification');
    expect(Date.parse(sandboxSent.sent_at)).toBeGreaterThanOrEqual(sandboxNow - 60_000);
    expect((await conversation(sandboxConversation.id)).window_open).toBe(false);
    // Reading and then erasing a sandbox number's message stamp it on sandbox time, as its created_at.
    const inbound = (await rowsOf(sandboxId)).find((row) => row.direction === 'in' && row.conversation_id === sandboxConversation.id);
    const read = await api('POST', `/messages/${inbound?.id}/read`);
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    expect(await api('DELETE', `/messages/${inbound?.id}`)).toMatchObject({ status: 204 });
    const stamped = (await rowsOf(sandboxId)).find((row) => row.id === inbound?.id);
    for (const value of [stamped?.business_read_at, stamped?.deleted_at, stamped?.updated_at]) expect(Date.parse(value as string), `${value}`).toBeGreaterThanOrEqual(sandboxNow - 60_000);
    const closed = await api('POST', '/messages', { from: sandboxId, to: '+5511977770002', type: 'text', text: { body: 'Ainda aí?' } });
    expect(closed.status).toBe(422);
    expect(closed.body.error.code).toBe('CONVERSA_ERR_WINDOW_CLOSED');

    // The sandbox number's template left its moving 24 h; the Cloud API number's did not.
    expect(await limitOf(sandboxId)).toMatchObject({ used: 1 }); // only the notification just sent
    expect(await limitOf(realId)).toMatchObject({ used: 1 });

    // The Cloud API number did not: a few more scheduler passes, and its send still waits for its hour.
    for (let i = 0; i < 3; i += 1) await running.app.modules.notifications.tick();
    expect((await api('GET', `/notifications/${realScheduled.body.id}`)).body).toMatchObject({ status: 'scheduled', send_at: sendAt, message_id: null });
    expect((await conversation(realConversation.id)).window_open).toBe(true);
    // The inbox's window filter agrees with each conversation's `window_open`: on its number's clock.
    const listed = async (open: boolean) => ((await api('GET', `/conversations?limit=50&window_open=${open}`)).body.data as Json[]).map((c) => c.id);
    expect(await listed(true)).toContain(realConversation.id);
    expect(await listed(true)).not.toContain(sandboxConversation.id);
    expect(await listed(false)).toContain(sandboxConversation.id);
    expect(await listed(false)).not.toContain(realConversation.id);
    // Its send fails once at "Meta" (HTTP 500): the retry is due on real time, and goes.
    expect((await graph('PUT', '/sandbox/v1/faults', { graph_error_rate: 1 })).status).toBe(200);
    const open = await api('POST', '/messages', { from: realId, to: '+5511977770001', type: 'text', text: { body: 'Saiu para entrega hoje.' } });
    expect(open.status, JSON.stringify(open.body)).toBe(202);
    const retrying = await until(async () => {
      const row = await running.app.database.db.selectFrom('messages').selectAll().where('id', '=', open.body.id).executeTakeFirstOrThrow();
      return row.status === 'queued' && row.attempts >= 1 && row;
    }, 'the failed first attempt');
    expect(Date.parse(retrying.next_attempt_at as string)).toBeLessThan(Date.now() + 60_000);
    expect((await graph('PUT', '/sandbox/v1/faults', { graph_error_rate: 0 })).status).toBe(200);
    const delivered = await until(async () => {
      const message = (await api('GET', `/messages/${open.body.id}`)).body;
      return ['sent', 'delivered', 'read'].includes(message.status) && message;
    }, 'the Cloud API number’s reply to reach Meta');

    // Its stored timestamps: the earlier rows unchanged, the new ones in real time.
    const realRowsAfter = await rowsOf(realId);
    expect(realRowsAfter.filter((row) => realRowsBefore.some((b) => b.id === row.id))).toEqual(realRowsBefore);
    const latest = Date.now() + 60_000;
    for (const row of realRowsAfter) {
      for (const value of [row.created_at, row.updated_at, row.next_attempt_at, row.sent_at, row.delivered_at, row.read_at]) {
        if (value !== null) expect(Date.parse(value), `${row.id}: ${value}`).toBeLessThan(latest);
      }
    }
    expect(Date.parse(delivered.created_at)).toBeLessThan(latest);
    const realConversationAfter = await conversationRow(realConversation.id);
    expect(realConversationAfter).toMatchObject({ last_inbound_at: realConversationBefore.last_inbound_at, window_expires_at: realConversationBefore.window_expires_at });
    expect(Date.parse(realConversationAfter.updated_at)).toBeLessThan(latest);
    expect(Date.parse(realConversationAfter.last_message_at as string)).toBeLessThan(latest);
  }, 60_000);
});
