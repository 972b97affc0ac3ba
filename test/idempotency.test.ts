import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

/** Idempotency-Key on every endpoint that takes it: one key, one request body. */
describe.each(DIALECTS)('Idempotency-Key on $name', (dialect) => {
  const running = useApp(dialect);
  let pn: string;
  let waba: string;

  const api = running.api;
  const sandbox = running.sandbox;
  const phoneInbox = async (waId: string) => ((await sandbox('GET', `/sandbox/v1/phones/${waId}/messages`)).body.data ?? []) as Json[];
  const withKey = (key: string) => ({ headers: { 'idempotency-key': key } });
  const openWindow = async (waId: string) => {
    await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: pn, type: 'text', text: { body: 'oi' } });
    await until(async () => {
      const contact = await api('POST', '/contacts', { phone: `+${waId}` });
      return (await api('GET', `/conversations?contact_id=${contact.body.id}`)).body.data[0]?.window_open === true;
    }, 'the window to open');
  };
  const outboundOf = async (phone: string) => {
    const contact = await api('POST', '/contacts', { phone });
    const conversation = (await api('GET', `/conversations?contact_id=${contact.body.id}&messages=50`)).body.data[0];
    return ((conversation?.last_messages ?? []) as Json[]).filter((m) => m.direction === 'out');
  };

  beforeAll(async () => {
    pn = running.pn;
    waba = running.waba;
  });

  it('POST /messages: 20 concurrent bodies under one key queue one message, the other 19 get 409', async () => {
    await openWindow('5511933330001');
    const bodies = Array.from({ length: 20 }, (_, i) => ({ to: '+5511933330001', type: 'text', text: { body: `pedido ${i}` } }));
    const answers = await Promise.all(bodies.map((body) => api('POST', '/messages', body, withKey('same-key-20-bodies'))));
    const won = answers.filter((a) => a.status === 202);
    expect(won).toHaveLength(1);
    const refused = answers.filter((a) => a.status === 409);
    expect(refused).toHaveLength(19);
    for (const answer of refused) expect(answer.body.error).toMatchObject({ code: 'CONVERSA_ERR_IDEMPOTENCY_MISMATCH', details: { message_id: won[0]?.body.id } });
    const winner = answers.findIndex((a) => a.status === 202);
    // The winner's own body is the one queued and delivered, once.
    const queued = await outboundOf('+5511933330001');
    expect(queued.map((m) => m.content.text.body)).toEqual([`pedido ${winner}`]);
    await until(async () => (await phoneInbox('5511933330001')).some((m) => m.content.body === `pedido ${winner}`), 'delivery');
    // A retry of the winning body still answers the first message.
    const retry = await api('POST', '/messages', bodies[winner], withKey('same-key-20-bodies'));
    expect(retry.status).toBe(202);
    expect(retry.body.id).toBe(won[0]?.body.id);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('POST /messages: the same body with its keys in another order is the same request', async () => {
    await openWindow('5511933330002');
    const first = await api('POST', '/messages', { to: '+5511933330002', type: 'text', text: { body: 'ordem', preview_url: false } }, withKey('key-order'));
    expect(first.status).toBe(202);
    const reordered = `{"text":{"preview_url":false,"body":"ordem"},"type":"text","to":"+5511933330002"}`;
    const again = await api('POST', '/messages', reordered, withKey('key-order'));
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await api('POST', '/messages', { to: '+5511933330002', type: 'text', text: { body: 'ordem!', preview_url: false } }, withKey('key-order'));
    expect(other.status).toBe(409);
    expect((await outboundOf('+5511933330002')).map((m) => m.content.text.body)).toEqual(['ordem']);
  });

  it('POST /messages: a retry after the 24 h window closed answers the original 202, a new send is refused', async () => {
    await openWindow('5511933330003');
    const body = { to: '+5511933330003', type: 'text', text: { body: 'seu pedido saiu' } };
    const first = await api('POST', '/messages', body, withKey('retry-after-window'));
    expect(first.status).toBe(202);
    await sandbox('POST', '/sandbox/v1/clock', { advance_seconds: 24 * 3600 + 1 });
    const retry = await api('POST', '/messages', body, withKey('retry-after-window'));
    expect(retry.status).toBe(202);
    expect(retry.body.id).toBe(first.body.id);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    // The policy still applies to anything that is not a replay.
    const fresh = await api('POST', '/messages', body, withKey('retry-after-window-2'));
    expect(fresh.status).toBe(422);
    expect(fresh.body.error.code).toBe('CONVERSA_ERR_WINDOW_CLOSED');
    const different = await api('POST', '/messages', { ...body, text: { body: 'outro' } }, withKey('retry-after-window'));
    expect(different.status).toBe(409);
  });

  it('POST /notifications: 20 concurrent bodies under one key create one notification, the other 19 get 409', async () => {
    const created = await sandbox('POST', `/v23.0/${waba}/message_templates`, {
      name: 'pedido_pronto',
      language: 'pt_BR',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} está pronto para retirada.', example: { body_text: [['Maria', '1234']] } }],
    });
    expect(created.status).toBe(200);
    await until(async () => (await sandbox('GET', `/v23.0/${created.body.id}`)).body.status === 'APPROVED', 'approval');
    const known = () => running.app.modules.templates.byName(running.started.workspaceId, waba, 'pedido_pronto');
    // Known and approved before the burst: 20 first uses of an unknown name each sync the templates.
    await until(async () => {
      const cached = await known();
      return (cached.length > 0 && cached.every((t) => t.status === 'APPROVED')) || (await api('POST', '/templates/sync', {}), false);
    }, 'the platform to see the approval');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api('POST', '/notifications', { to: '+5511933330004', template: 'pedido_pronto', language: 'pt_BR', parameters: ['Ana', `#${i}`] }, withKey('ntf-20-bodies'))),
    );
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    const refused = answers.filter((a) => a.status === 409);
    expect(answers.filter((a) => a.status !== 202 && a.status !== 409).map((a) => a.text)).toEqual([]);
    expect(refused).toHaveLength(19);
    for (const answer of refused) expect(answer.body.error.code).toBe('CONVERSA_ERR_IDEMPOTENCY_MISMATCH');
    expect((await api('GET', '/notifications?to=%2B5511933330004')).body.data).toHaveLength(1);
  });
});
