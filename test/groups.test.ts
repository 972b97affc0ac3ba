import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { approvedTemplate, useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

/** A company system subscribed to group.* events: records each delivery's JSON body. */
class Subscriber {
  readonly received: Json[] = [];
  url = '';
  #server: Server | undefined;
  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}/groups`;
  }
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }
}

/**
 * WhatsApp groups (issue 12) end to end over the REST API, with the embedded sandbox standing in
 * for Meta's Groups API: a group is created (confirmed by Meta's group_lifecycle_update), a
 * customer joins by its invite link and is approved, the business writes in the group and its
 * statuses arrive, a customer's message lands in the group's conversation with its author, the
 * ninth participant is refused with Meta's 131204, and group.* events reach a subscriber.
 */
describe.each(DIALECTS)('/api/v1/groups on $name', (dialect) => {
  const running = useApp(dialect);
  const api = running.api;
  const sandbox = running.sandbox;
  const subscriber = new Subscriber();
  let group: Json;
  const customer = '5511970000001';

  beforeAll(async () => {
    await subscriber.start();
    const hook = await api('POST', '/webhooks', { url: subscriber.url, events: ['group.created', 'group.participant_joined', 'group.updated', 'group.participant_left', 'group.deleted'] });
    expect(hook.status, hook.text).toBe(201);
  });
  afterAll(() => subscriber.close());

  const active = (id: string) => until(async () => {
    const found = (await api('GET', `/groups/${id}`)).body;
    return found.status === 'active' && found;
  }, `group ${id} active`);
  const join = async (waId: string, link: string) => {
    const joined = await sandbox('POST', `/sandbox/v1/phones/${waId}/groups/join`, { invite_link: link });
    return joined;
  };
  /** A JPEG's headers (APP0 + SOF0) with the given size: what Meta and the platform read the size from. */
  const jpeg = (width: number, height: number) =>
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xc0, 0x00, 0x11, 8, height >> 8, height & 255, width >> 8, width & 255, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff, 0xd9]);
  const picture = (data: Buffer, type = 'image/jpeg', field = 'file') => {
    const form = new FormData();
    form.append(field, new Blob([data], { type }), 'logo.jpg');
    return api('PUT', `/groups/${group.id}/picture`, form);
  };
  const approveAll = async (id: string) => {
    const requests = (await api('GET', `/groups/${id}/join-requests`)).body.data as Json[];
    return api('POST', `/groups/${id}/join-requests/approve`, { join_request_ids: requests.map((r) => r.join_request_id) });
  };

  it('creates a group that Meta confirms, with its invite link; a customer asks to join and is approved', async () => {
    const created = await api('POST', '/groups', { subject: 'Clientes VIP', description: 'Ofertas da semana', join_approval_mode: 'approval_required' });
    expect(created.status, created.text).toBe(202);
    expect(created.body).toMatchObject({ status: 'pending', subject: 'Clientes VIP', provider_group_id: null });
    group = await active(created.body.id);
    expect(group.provider_group_id).toEqual(expect.any(String));
    expect(group.conversation_id).toEqual(expect.any(String));
    // The same group by Meta's id.
    expect((await api('GET', `/groups/${group.provider_group_id}`)).body.id).toBe(group.id);
    const link = await api('GET', `/groups/${group.id}/invite-link`);
    expect(link.body.invite_link).toMatch(/^https:\/\/chat\.whatsapp\.com\/\w+/);

    const asked = await join(customer, link.body.invite_link);
    expect(asked.status, asked.text).toBe(202);
    expect(asked.body).toMatchObject({ status: 'requested' });
    const requests = (await api('GET', `/groups/${group.id}/join-requests`)).body.data as Json[];
    expect(requests).toEqual([expect.objectContaining({ wa_id: customer })]);
    const approved = await approveAll(group.id);
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toEqual({ done: [requests[0].join_request_id], failed: [] });
    group = await until(async () => {
      const found = (await api('GET', `/groups/${group.id}`)).body;
      return found.participants.length === 1 && found;
    }, 'the customer in the group');
    expect(group.participants[0]).toMatchObject({ wa_id: customer, contact_id: expect.stringMatching(/^ct_/) });

    // A reset link works, the old one does not.
    const reset = await api('POST', `/groups/${group.id}/invite-link`);
    expect(reset.body.invite_link).not.toBe(link.body.invite_link);
    expect((await join('5511970000099', link.body.invite_link)).status).toBe(404);
  });

  it('sends a text to the group; its statuses arrive; the customer writes in the group and the message is stored with its author', async () => {
    const sent = await api('POST', '/messages', { to: group.id, recipient_type: 'group', type: 'text', text: { body: 'Bem-vindos ao grupo!' } });
    expect(sent.status, sent.text).toBe(202);
    const message = await until(async () => {
      const found = (await api('GET', `/messages/${sent.body.id}`)).body;
      return found.status === 'read' && found;
    }, 'the group message read');
    expect(message).toMatchObject({ conversation_id: group.conversation_id, category: 'group_service' });
    expect(message.pricing).toMatchObject({ category: 'group_service' });
    const phone = (await sandbox('GET', `/sandbox/v1/phones/${customer}/messages`)).body;
    expect(phone.data.at(-1)).toMatchObject({ to: group.provider_group_id, group_id: group.provider_group_id, content: { body: 'Bem-vindos ao grupo!' } });

    const wrote = await sandbox('POST', `/sandbox/v1/phones/${customer}/messages`, { to: group.provider_group_id, type: 'text', text: { body: 'Oi, quero saber das ofertas' } });
    expect(wrote.status, wrote.text).toBe(201);
    const inbound = await until(async () => {
      const page = (await api('GET', `/conversations/${group.conversation_id}/messages?limit=50`)).body.data as Json[];
      return page.find((m) => m.direction === 'in');
    }, 'the customer message in the group conversation');
    expect(inbound).toMatchObject({ type: 'text', content: { text: { body: 'Oi, quero saber das ofertas' } }, contact_id: group.participants[0].contact_id });
    // Not in a one-to-one conversation with the author.
    const own = (await api('GET', `/conversations?wa_id=${customer}`)).body.data as Json[];
    expect(own.filter((c) => c.id !== group.conversation_id)).toEqual([]);

    // A notification to the group: the template goes from the group's number, priced as group_utility.
    await approvedTemplate(running, { name: 'aviso_grupo', language: 'pt_BR', category: 'UTILITY', components: [{ type: 'BODY', text: 'Olá {{1}}, o pedido {{2}} saiu para entrega.', example: { body_text: [['Maria', '1234']] } }] });
    const notified = await api('POST', '/notifications', { to: group.id, recipient_type: 'group', template: 'aviso_grupo', language: 'pt_BR', parameters: ['Ana', '#123'] });
    expect(notified.status, notified.text).toBe(202);
    expect(notified.body).toMatchObject({ status: 'sent', to: group.id, contact_id: expect.any(String) });
    const templated = (await api('GET', `/messages/${notified.body.message_id}`)).body;
    expect(templated).toMatchObject({ conversation_id: group.conversation_id, type: 'template', category: 'group_utility' });
    await until(async () => ((await sandbox('GET', `/sandbox/v1/phones/${customer}/messages`)).body.data as Json[]).some((m) => m.to === group.provider_group_id && m.type === 'template'), 'the template on the participant\'s phone');
    const notGroup = await api('POST', '/notifications', { to: 'grp_nope', recipient_type: 'group', template: 'aviso_grupo', language: 'pt_BR', parameters: ['Ana', '#123'] });
    expect(notGroup.status).toBe(422);
    expect(notGroup.body.error).toMatchObject({ code: 'CONVERSA_ERR_INVALID_RECIPIENT', details: { field: 'body.to' } });
    const otherNumber = await api('POST', '/notifications', { to: group.id, recipient_type: 'group', from: 'pn_nope', template: 'aviso_grupo', language: 'pt_BR', parameters: ['Ana', '#123'] });
    expect(otherNumber.body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field: 'body.from' } });

    // A person who is not in the group cannot write in it.
    const stranger = await sandbox('POST', '/sandbox/v1/phones/5511970000077/messages', { to: group.provider_group_id, type: 'text', text: { body: 'oi' } });
    expect(stranger.status).toBe(422);
  });

  it('refuses the ninth participant with Meta’s 131204, and what groups do not take', async () => {
    const link = (await api('GET', `/groups/${group.id}/invite-link`)).body.invite_link as string;
    // Eight more ask to join while the group has one participant: approving all takes seven.
    for (let i = 2; i <= 9; i += 1) expect((await join(`55119700000${String(i).padStart(2, '0')}`, link)).status).toBe(202);
    const approved = await approveAll(group.id);
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body.done).toHaveLength(7);
    expect(approved.body.failed).toEqual([expect.objectContaining({ meta_code: 131204 })]);
    await until(async () => (await api('GET', `/groups/${group.id}`)).body.participants.length === 8, 'eight participants');
    // Approving the ninth alone answers Meta's error; a tenth cannot even ask (the group is full).
    const ninth = await approveAll(group.id);
    expect(ninth.status, ninth.text).toBe(422);
    expect(ninth.body.error).toMatchObject({ code: 'CONVERSA_ERR_PROVIDER_REJECTED', details: { meta_code: 131204 } });
    const tenth = await join('5511970000010', link);
    expect(tenth.status).toBe(422);
    expect(tenth.body.error.details).toMatchObject({ meta_code: 131204 });

    const interactive = await api('POST', '/messages', {
      to: group.id,
      recipient_type: 'group',
      type: 'interactive',
      interactive: { type: 'button', body: { text: 'Escolha' }, action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 'A' } }] } },
    });
    expect(interactive.status, interactive.text).toBe(422);
    expect(interactive.body.error.code).toBe('CONVERSA_ERR_GROUP_MESSAGE_TYPE');
    const unknown = await api('POST', '/messages', { to: 'grp_nope', recipient_type: 'group', type: 'text', text: { body: 'x' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'CONVERSA_ERR_INVALID_RECIPIENT', details: { field: 'to' } });
  });

  it('removes a participant, changes the subject, and publishes group.* events to subscribers', async () => {
    const removed = await api('POST', `/groups/${group.id}/participants/remove`, { wa_ids: ['5511970000008'] });
    expect(removed.status, removed.text).toBe(200);
    const notIn = await api('POST', `/groups/${group.id}/participants/remove`, { wa_ids: ['5511970000055'] });
    expect(notIn.body.error).toMatchObject({ code: 'CONVERSA_ERR_PROVIDER_REJECTED', details: { meta_code: 131212 } });
    const renamed = await api('PATCH', `/groups/${group.id}`, { subject: 'Clientes VIP 2026' });
    expect(renamed.body.subject).toBe('Clientes VIP 2026');

    // The picture: Meta's rules are checked first (square, at least 192 px, a JPEG), then Meta takes it.
    const wrongShape = await picture(jpeg(400, 300));
    expect(wrongShape.status, wrongShape.text).toBe(400);
    expect(wrongShape.body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field: 'file', rule: 'must be square (it is 400x300)' } });
    expect((await picture(jpeg(100, 100))).body.error.details.rule).toBe('must be at least 192x192 pixels (it is 100x100)');
    expect((await picture(Buffer.from('%PDF-1.4 not a picture'), 'application/pdf')).body.error.details).toEqual({ field: 'file', rule: 'must be a JPEG image' });
    expect((await picture(jpeg(200, 200), 'image/jpeg', 'logo')).body.error.details.field).toBe('logo');
    expect((await api('PUT', `/groups/${group.id}/picture`, { file: 'x' })).status).toBe(415);
    const pictured = await picture(jpeg(640, 640));
    expect(pictured.status, pictured.text).toBe(200);
    expect(pictured.body.id).toBe(group.id);
    expect((await api('PUT', '/groups/grp_nope/picture', (() => { const f = new FormData(); f.append('file', new Blob([jpeg(640, 640)], { type: 'image/jpeg' }), 'a.jpg'); return f; })())).status).toBe(404);

    const types = () => subscriber.received.map((e) => e.type as string);
    await until(async () => types().includes('group.participant_left') && subscriber.received.some((e) => e.type === 'group.updated' && (e.data.changed as string[]).includes('picture')), 'group events delivered', 15_000);
    expect(subscriber.received.find((e) => e.type === 'group.created')?.data).toMatchObject({ group_id: group.id, provider_group_id: group.provider_group_id, subject: 'Clientes VIP' });
    expect(subscriber.received.filter((e) => e.type === 'group.participant_joined').map((e) => e.data.wa_id)).toContain(customer);
    expect(subscriber.received.find((e) => e.type === 'group.participant_left')?.data).toMatchObject({ group_id: group.id, wa_id: '5511970000008' });

    const deleted = await api('DELETE', `/groups/${group.id}`);
    expect(deleted.body.status).toBe('deleted');
    expect((await api('POST', '/messages', { to: group.id, recipient_type: 'group', type: 'text', text: { body: 'x' } })).body.error.code).toBe('CONVERSA_ERR_INVALID_RECIPIENT');
  });

  it('answers bad input with 4xx naming the field', async () => {
    const invalid = (answer: Json, field: string) => {
      expect(answer.status, answer.text).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field } });
    };
    invalid(await api('POST', '/groups', {}), 'body.subject');
    invalid(await api('POST', '/groups', { subject: 'x'.repeat(129) }), 'body.subject');
    invalid(await api('POST', '/groups', { subject: 'ok', join_approval_mode: 'sometimes' }), 'body.join_approval_mode');
    invalid(await api('POST', '/groups', { subject: 'ok', description: 'd'.repeat(2049) }), 'body.description');
    invalid(await api('POST', `/groups/${group.id}/participants/remove`, { wa_ids: [] }), 'body.wa_ids');
    invalid(await api('POST', `/groups/${group.id}/join-requests/approve`, {}), 'body.join_request_ids');
    invalid(await api('POST', '/messages', { to: group.id, recipient_type: 'team', type: 'text', text: { body: 'x' } }), 'body.recipient_type');
    expect((await api('GET', '/groups/grp_nope')).status).toBe(404);
  });
});
