import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { platformApi } from './support/http.js';
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
      [{ type: 'reaction', reaction: { message_id: 'mensagem-01ABC', emoji: '👍' } }, 'reaction.message_id', /wamid.*msg_/],
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

  it('takes our own ids (msg_…) in a quoted reply and a reaction, and the phone gets the wamid they stand for', async () => {
    const contact = await api('POST', '/contacts', { phone: `+${CUSTOMER}` });
    const conversation = (await api('GET', `/conversations?contact_id=${contact.body.id}&messages=50`)).body.data[0];
    const inbound = (conversation.last_messages as Json[]).find((m) => m.wamid === inboundWamid);
    expect(inbound?.id).toMatch(/^msg_/);

    const reply = await send({ type: 'text', text: { body: 'Respondendo pelo nosso id' }, context: { message_id: inbound?.id } });
    expect(reply.status, JSON.stringify(reply.body)).toBe(202);
    const reaction = await send({ type: 'reaction', reaction: { message_id: inbound?.id, emoji: '🍕' } });
    expect(reaction.status, JSON.stringify(reaction.body)).toBe(202);

    const atPhone = await until(async () => {
      const messages = await phoneInbox();
      const quoted = messages.find((m) => m.type === 'text' && (m.content as Json)?.body === 'Respondendo pelo nosso id');
      const reacted = messages.find((m) => m.type === 'reaction' && (m.content as Json)?.emoji === '🍕');
      return quoted && reacted && { quoted, reacted };
    }, 'the reply and the reaction to reach the phone');
    expect(atPhone.quoted.context).toEqual({ message_id: inboundWamid });
    expect(atPhone.reacted.content).toEqual({ message_id: inboundWamid, emoji: '🍕' });
  });

  it('refuses our id of no message, of another workspace, or of a message not sent yet: 422 naming the field, nothing queued', async () => {
    const before = (await outbound()).length;
    const unknown = await send({ type: 'reaction', reaction: { message_id: 'msg_0000000000nothing', emoji: '👍' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'CONVERSA_ERR_MESSAGE_NOT_FOUND', details: { field: 'reaction.message_id', message_id: 'msg_0000000000nothing' } });
    expect(unknown.body.error.message).toContain('reaction.message_id');

    // A message of this workspace, seen from another workspace: the same answer as an unknown id.
    const mine = (await send({ type: 'text', text: { body: 'só nosso' } })).body.id as string;
    const tenant = await api('POST', '/workspaces', { name: 'Outra loja' });
    const other = platformApi(() => running, tenant.body.api_key as string);
    const foreign = await other('POST', '/messages', { to: `+${CUSTOMER}`, type: 'text', text: { body: 'x' }, context: { message_id: mine } });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error).toMatchObject({ code: 'CONVERSA_ERR_MESSAGE_NOT_FOUND', details: { field: 'context.message_id' } });

    // Never reached WhatsApp (here: failed): no wamid to point at.
    await until(async () => (await api('GET', `/messages/${mine}`)).body.wamid, 'the message to be sent');
    await running.app.database.db.updateTable('messages').set({ wamid: null, status: 'failed' }).where('id', '=', mine).execute();
    const notSent = await send({ type: 'text', text: { body: 'citando' }, context: { message_id: mine } });
    expect(notSent.status).toBe(422);
    expect(notSent.body.error).toMatchObject({ code: 'CONVERSA_ERR_MESSAGE_NOT_SENT', details: { field: 'context.message_id', message_id: mine, fix: expect.any(String) } });
    expect((await outbound()).length).toBe(before + 1);
  });
});
