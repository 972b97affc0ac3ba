import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

/**
 * What WhatsApp would refuse (131008, 131009, 100) is answered 400 at once, naming the field as
 * a JSON path and the rule, and nothing is queued; it used to be answered 202 and fail later.
 */
describe.each(DIALECTS)('outbound validation through POST /api/v1/messages on $name', (dialect) => {
  const running = useApp(dialect);
  let pn: string;
  const CUSTOMER = '5511944440001';

  const api = running.api;
  const sandbox = running.sandbox;
  const phoneInbox = async () => ((await sandbox('GET', `/sandbox/v1/phones/${CUSTOMER}/messages`)).body.data ?? []) as Json[];
  const outbound = async () => {
    const contact = await api('POST', '/contacts', { phone: `+${CUSTOMER}` });
    const conversation = (await api('GET', `/conversations?contact_id=${contact.body.id}&messages=50`)).body.data[0];
    return ((conversation?.last_messages ?? []) as Json[]).filter((m) => m.direction === 'out');
  };
  const send = (content: Record<string, unknown>, key?: string) => api('POST', '/messages', { to: `+${CUSTOMER}`, ...content }, key ? { headers: { 'idempotency-key': key } } : {});
  let inboundWamid = '';

  beforeAll(async () => {
    pn = running.pn;
    await sandbox('POST', `/sandbox/v1/phones/${CUSTOMER}/messages`, { to: pn, type: 'text', text: { body: 'Oi, quero ver o cardápio' } });
    const inbound = await until(async () => {
      const contact = await api('POST', '/contacts', { phone: `+${CUSTOMER}` });
      const conversation = (await api('GET', `/conversations?contact_id=${contact.body.id}&messages=5`)).body.data[0];
      return conversation?.window_open && conversation.last_messages[0];
    }, 'the window to open');
    inboundWamid = inbound.wamid;
  });

  it('answers 400 naming the field and the rule for what WhatsApp would refuse, and queues nothing', async () => {
    const fourButtons = ['a', 'b', 'c', 'd'].map((id) => ({ type: 'reply', reply: { id, title: id.toUpperCase() } }));
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ type: 'text', text: {} }, 'text.body', /required/],
      [{ type: 'text', text: { body: 'x'.repeat(5000) } }, 'text.body', /at most 4096/],
      [{ type: 'document', document: { id: '' } }, 'document.id', /empty/],
      [{ type: 'image', image: { link: 'file:///etc/passwd' } }, 'image.link', /http or https/],
      [{ type: 'template', template: {} }, 'template.name', /required/],
      [{ type: 'reaction', reaction: { message_id: 'msg_01ABC', emoji: '👍' } }, 'reaction.message_id', /wamid/],
      [{ type: 'text', text: { body: 'respondendo' }, context: { message_id: '12345' } }, 'context.message_id', /wamid/],
      [{ type: 'interactive', interactive: { type: 'button', body: { text: 'Escolha' }, action: { buttons: fourButtons } } }, 'interactive.action.buttons', /at most 3/],
      [{ type: 'interactive', interactive: { type: 'button', body: { text: 'Escolha' }, action: { buttons: [...fourButtons.slice(0, 2), { type: 'reply', reply: { id: 'c', title: 'Um título longo demais' } }] } } }, 'interactive.action.buttons[2].reply.title', /at most 20/],
      [{ type: 'location', location: { latitude: -123, longitude: 10 } }, 'location.latitude', /between -90 and 90/],
      [{ type: 'contacts', contacts: [] }, 'contacts', /empty/],
    ];
    for (const [body, field, rule] of cases) {
      const response = await send(body, `bad-${field}`);
      expect(response.status, JSON.stringify(body).slice(0, 200)).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field, rule: expect.stringMatching(rule) } });
      expect(response.body.error.message).toContain(field);
    }
    expect(await outbound()).toEqual([]);
    // A refused request stores nothing: the same key with a corrected body is sent.
    const corrected = await send({ type: 'text', text: { body: 'agora sim' } }, 'bad-text.body');
    expect(corrected.status).toBe(202);
  });

  it('still sends what WhatsApp accepts: a quoted reply, reply buttons, a list, a reaction', async () => {
    const accepted = [
      { type: 'text', text: { body: 'Segue o cardápio 👇' }, context: { message_id: inboundWamid } },
      { type: 'interactive', interactive: { type: 'button', body: { text: 'Entrega ou retirada?' }, action: { buttons: [{ type: 'reply', reply: { id: 'entrega', title: 'Entrega' } }, { type: 'reply', reply: { id: 'retirada', title: 'Retirada' } }] } } },
      {
        type: 'interactive',
        interactive: { type: 'list', body: { text: 'Escolha um prato' }, action: { button: 'Ver pratos', sections: [{ title: 'Massas', rows: [{ id: 'lasanha', title: 'Lasanha', description: 'Bolonhesa' }] }, { title: 'Saladas', rows: [{ id: 'caesar', title: 'Caesar' }] }] } },
      },
      { type: 'reaction', reaction: { message_id: inboundWamid, emoji: '❤️' } },
    ];
    const ids: string[] = [];
    for (const body of accepted) {
      const response = await send(body);
      expect(response.status, JSON.stringify(response.body)).toBe(202);
      ids.push(response.body.id);
    }
    for (const id of ids) {
      const message = await until(async () => {
        const found = (await api('GET', `/messages/${id}`)).body;
        return ['sent', 'delivered', 'read', 'failed'].includes(found.status) && found;
      }, `message ${id} to be sent`);
      expect(message.status, JSON.stringify(message.error)).not.toBe('failed');
    }
    expect((await phoneInbox()).length).toBeGreaterThanOrEqual(3);
  });
});
