import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

describe.each(DIALECTS)('messaging core end to end on $name', (dialect) => {
  const running = useApp(dialect);
  let pn: string;
  let waba: string;

  const api = running.api;
  const sandbox = running.sandbox;
  const customerWrites = (waId: string, text: string) => sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: pn, type: 'text', text: { body: text } });
  const phoneInbox = async (waId: string) => (await sandbox('GET', `/sandbox/v1/phones/${waId}/messages`)).body.data as Json[];
  const conversationOf = async (contactPhone: string) => {
    const contacts = await api('POST', '/contacts', { phone: contactPhone });
    return (await api('GET', `/conversations?contact_id=${contacts.body.id}&messages=50`)).body.data[0];
  };

  beforeAll(async () => {
    pn = running.pn;
    waba = running.waba;
  });

  it('stores a customer message once although the sandbox duplicates and reorders webhooks', async () => {
    await sandbox('PUT', '/sandbox/v1/faults', { webhook_duplicate_rate: 1, webhook_reorder_ms: 30 });
    for (const text of ['Olá 👋', 'Quero rastrear meu pedido', 'É o pedido 1234']) await customerWrites('5511911110001', text);
    const conversation = await until(async () => {
      const found = await conversationOf('+5511911110001');
      return found?.last_messages.length === 3 && found;
    }, 'three inbound messages');
    await new Promise((r) => setTimeout(r, 150)); // let the duplicates land too
    await sandbox('PUT', '/sandbox/v1/faults', { webhook_duplicate_rate: 0, webhook_reorder_ms: 0 });
    const again = await conversationOf('+5511911110001');
    expect(again.last_messages.map((m: Json) => m.content.text.body).sort()).toEqual(['Olá 👋', 'Quero rastrear meu pedido', 'É o pedido 1234'].sort());
    expect(again.last_messages.every((m: Json) => m.direction === 'in' && m.status === 'received')).toBe(true);
    expect(conversation.window_open).toBe(true);
    expect(Date.parse(conversation.window_expires_at) - Date.parse(conversation.last_inbound_at)).toBe(24 * 3600 * 1000);
    const contact = await api('GET', `/contacts/${conversation.contact_id}`);
    expect(contact.body).toMatchObject({ wa_id: '5511911110001', phone: '+5511911110001', name: 'Customer 0001' });
  });

  it('sends a reply through the API that reaches the phone and ends read, free inside the window', async () => {
    await customerWrites('5511911110002', 'Oi');
    await until(async () => (await conversationOf('+5511911110002'))?.window_open, 'the window to open');
    const sent = await api('POST', '/messages', { to: '+5511911110002', type: 'text', text: { body: 'Olá! Como posso ajudar? 😊' } });
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ id: expect.stringMatching(/^msg_/), status: 'queued' });
    // Read, with the time of each stage: the `delivered` webhook may be applied after the `read`
    // one (webhooks race; a late stage keeps the status and fills in its time).
    const read = await until(async () => {
      const message = await api('GET', `/messages/${sent.body.id}`);
      return message.body.status === 'read' && message.body.sent_at && message.body.delivered_at && message.body.read_at && message.body;
    }, 'the reply to be read, with the time of each stage');
    expect(read).toMatchObject({ direction: 'out', wamid: expect.stringMatching(/^wamid\./), category: 'service', pricing_type: 'free_customer_service', cost: { amount_micros: 0 } });
    const inbox = await phoneInbox('5511911110002');
    expect(inbox.filter((m) => m.content.body === 'Olá! Como posso ajudar? 😊')).toHaveLength(1);
  });

  it('refuses free-form outside the window with the window error and sends an approved template', async () => {
    const created = await sandbox('POST', `/v23.0/${waba}/message_templates`, {
      name: 'pedido_enviado',
      language: 'pt_BR',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} foi enviado hoje.', example: { body_text: [['Maria', '1234']] } }],
    });
    expect(created.status).toBe(200);
    await until(async () => (await sandbox('GET', `/v23.0/${created.body.id}`)).body.status === 'APPROVED', 'template approval');

    await customerWrites('5511911110003', 'Bom dia');
    await until(async () => (await conversationOf('+5511911110003'))?.window_open, 'the window to open');
    await sandbox('POST', '/sandbox/v1/clock', { advance_seconds: 24 * 3600 + 1 });

    const refused = await api('POST', '/messages', { to: '+5511911110003', type: 'text', text: { body: 'Ainda está aí?' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('CONVERSA_ERR_WINDOW_CLOSED');
    expect(refused.body.error.details.fix).toMatch(/template/i);

    const template = { name: 'pedido_enviado', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Maria' }, { type: 'text', text: '1234' }] }] };
    const badParams = await api('POST', '/messages', { to: '+5511911110003', type: 'template', template: { ...template, components: [] } });
    expect(badParams.status).toBe(422);
    expect(badParams.body.error.code).toBe('CONVERSA_ERR_TEMPLATE_PARAMETERS');
    const sent = await api('POST', '/messages', { to: '+5511911110003', type: 'template', template });
    expect(sent.status).toBe(202);
    const delivered = await until(async () => {
      const message = await api('GET', `/messages/${sent.body.id}`);
      return ['delivered', 'read'].includes(message.body.status) && message.body;
    }, 'the template to be delivered');
    expect(delivered).toMatchObject({ category: 'utility', pricing_type: 'regular', cost: { currency: 'USD', amount_micros: 6800 } });
    expect((await phoneInbox('5511911110003')).at(-1).content.rendered.body).toBe('Olá Maria, seu pedido 1234 foi enviado hoje.');
  });

  it('records an opt-out when a contact writes SAIR, confirms it, and refuses marketing afterwards', async () => {
    await sandbox('POST', `/v23.0/${waba}/message_templates`, {
      name: 'promo_semana',
      language: 'pt_BR',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Ofertas da semana com até 50% de desconto para você, aproveite já.' }],
    });
    const contact = await api('POST', '/contacts', { phone: '+5511911110004', name: 'Ana' });
    const optIn = await api('POST', `/contacts/${contact.body.id}/consents`, {
      purpose: 'marketing',
      status: 'opted_in',
      source: 'web_form',
      text: 'Quero receber ofertas da Conversa Sandbox pelo WhatsApp.',
    });
    expect(optIn.status).toBe(201);
    await customerWrites('5511911110004', 'sair');
    const history = await until(async () => {
      const consents = await api('GET', `/contacts/${contact.body.id}/consents`);
      return consents.body.data.length === 2 && consents.body;
    }, 'the opt-out');
    expect(history.state.marketing).toBe('opted_out');
    expect(history.data[1]).toMatchObject({ purpose: 'marketing', status: 'opted_out', source: 'whatsapp_keyword', actor: 'keyword:SAIR', proof: { wamid: expect.stringMatching(/^wamid\./) } });
    const confirmation = await until(async () => (await phoneInbox('5511911110004')).find((m) => /não receberá mais/.test(m.content.body ?? '')), 'the confirmation');
    expect(confirmation.content.body).toContain('Conversa Sandbox');

    await until(async () => (await sandbox('GET', `/v23.0/${waba}/message_templates?name=promo_semana`)).body.data[0]?.status === 'APPROVED', 'approval');
    const refused = await api('POST', '/messages', { to: '+5511911110004', type: 'template', template: { name: 'promo_semana', language: { code: 'pt_BR' } } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('CONVERSA_ERR_OPTED_OUT');
    const noOptIn = await api('POST', '/messages', { to: '+5511911110099', type: 'template', template: { name: 'promo_semana', language: { code: 'pt_BR' } } });
    expect(noOptIn.body.error.code).toBe('CONVERSA_ERR_NO_MARKETING_OPT_IN');
  });

  it('never sends twice for one Idempotency-Key', async () => {
    await customerWrites('5511911110005', 'oi');
    await until(async () => (await conversationOf('+5511911110005'))?.window_open, 'the window to open');
    const send = () => api('POST', '/messages', { to: '+5511911110005', type: 'text', text: { body: 'só uma vez' } }, { headers: { 'idempotency-key': 'order-1234-shipped' } });
    const [first, second] = await Promise.all([send(), send()]);
    const third = await send();
    expect(new Set([first.body.id, second.body.id, third.body.id]).size).toBe(1);
    await until(async () => (await api('GET', `/messages/${first.body.id}`)).body.status === 'read', 'delivery');
    expect((await phoneInbox('5511911110005')).filter((m) => m.content.body === 'só uma vez')).toHaveLength(1);
  });

  it('answers malformed sends with 400 naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ type: 'text', text: { body: 'x' } }, 'body.to'],
      [{ to: '+5511911110006', type: 'telegram' }, 'body.type'],
      [{ to: '+5511911110006', type: 'text' }, 'text'],
      [{ to: '+5511911110006', type: 'text', text: 'plain string' }, 'text'],
    ];
    for (const [body, field] of cases) {
      const response = await api('POST', '/messages', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field } });
    }
    const badPhone = await api('POST', '/messages', { to: '12', type: 'text', text: { body: 'x' } });
    expect(badPhone.status).toBe(422);
    expect(badPhone.body.error.code).toBe('CONVERSA_ERR_INVALID_RECIPIENT');
    const badContact = await api('POST', '/contacts', { phone: 'abc' });
    expect(badContact.status).toBe(400);
    expect(badContact.body.error.details.field).toBe('phone');
  });
});
