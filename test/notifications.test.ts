import { beforeAll, describe, expect, it } from 'vitest';
import { Notifications, type NotificationsDeps, type NotificationsOptions } from '../src/modules/notifications/index.js';
import { DIALECTS } from './support/databases.js';
import { approvedTemplate, useApp, type TemplateSpec } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

const HOUR = 3600 * 1000;

describe.each(DIALECTS)('notifications end to end on $name', (dialect) => {
  const running = useApp(dialect, { env: { CONVERSA_NOTIFICATIONS_POLL_MS: '50' } });

  const api = running.api;
  const sandbox = running.sandbox;
  const phoneInbox = async (waId: string) => ((await sandbox('GET', `/sandbox/v1/phones/${waId}/messages`)).body.data ?? []) as Json[];
  const sandboxNow = async () => Date.parse((await sandbox('GET', '/sandbox/v1/clock')).body.now as string);
  const advanceClock = (ms: number) => sandbox('POST', '/sandbox/v1/clock', { advance_seconds: ms / 1000 });
  const notify = (body: Record<string, unknown>, key?: string) => api('POST', '/notifications', body, key ? { headers: { 'idempotency-key': key } } : {});
  const shipped = (to: string, extra: Record<string, unknown> = {}) => ({ to, template: 'pedido_enviado', language: 'pt_BR', parameters: ['Ana', '#123'], buttons: ['123'], ...extra });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300)); // six scheduler polls
  const createTemplate = (template: TemplateSpec) => approvedTemplate(running, template);
  const optedIn = async (phone: string, extra: Record<string, unknown> = {}) => {
    const contact = await api('POST', '/contacts', { phone, ...extra });
    const consent = await api('POST', `/contacts/${contact.body.id}/consents`, { purpose: 'marketing', status: 'opted_in', source: 'web_form', text: 'Quero receber ofertas da Conversa Sandbox pelo WhatsApp.' });
    expect(consent.status).toBe(201);
    return contact.body.id as string;
  };

  beforeAll(async () => {
    await createTemplate({
      name: 'pedido_enviado',
      language: 'pt_BR',
      category: 'UTILITY',
      components: [
        { type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} foi enviado e chega em breve.', example: { body_text: [['Maria', '1234']] } },
        { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Rastrear', url: 'https://loja.example.com/rastreio/{{1}}', example: ['https://loja.example.com/rastreio/1234'] }] },
      ],
    });
    await createTemplate({
      name: 'consulta_amanha',
      language: 'pt_BR',
      category: 'UTILITY',
      parameter_format: 'NAMED',
      components: [
        {
          type: 'BODY',
          text: 'Olá {{customer_name}}, lembrete da sua consulta amanhã às {{time}} na clínica.',
          example: { body_text_named_params: [{ param_name: 'customer_name', example: 'Ana' }, { param_name: 'time', example: '10:00' }] },
        },
      ],
    });
    await createTemplate({
      name: 'oferta_relampago',
      language: 'pt_BR',
      category: 'MARKETING',
      components: [{ type: 'BODY', text: 'Oferta relâmpago para você, {{1}}: frete grátis em todo o site até domingo.', example: { body_text: [['Ana']] } }],
    });
  });

  it('sends a notification now that reaches the phone, with its message status', async () => {
    const sent = await notify(shipped('+5511922220001'));
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    expect(sent.body).toMatchObject({ id: expect.stringMatching(/^ntf_/), status: 'sent', message_id: expect.stringMatching(/^msg_/), to: '+5511922220001', postponed: null });
    const received = await until(async () => (await phoneInbox('5511922220001')).find((m) => m.content?.rendered), 'the notification on the phone');
    expect(received.content.rendered.body).toBe('Olá Ana, seu pedido #123 foi enviado e chega em breve.');
    expect(received.content.rendered.buttons).toEqual([{ type: 'URL', text: 'Rastrear', url: 'https://loja.example.com/rastreio/123' }]);
    const shown = await until(async () => {
      const found = await api('GET', `/notifications/${sent.body.id}`);
      return ['delivered', 'read'].includes(found.body.message?.status) && found.body;
    }, 'the message to be delivered');
    expect(shown).toMatchObject({ status: 'sent', template: { name: 'pedido_enviado', language: 'pt_BR', category: 'UTILITY' }, message: { id: sent.body.message_id, category: 'utility', wamid: expect.stringMatching(/^wamid\./) } });

    const namedSend = await notify({ to: '+5511922220001', template: 'consulta_amanha', language: 'pt_BR', parameters: { time: '10:00', customer_name: 'Ana' } });
    expect(namedSend.body.status).toBe('sent');
    // Shown as it was asked for: the request's parameters at the top level.
    expect(namedSend.body.parameters).toEqual({ time: '10:00', customer_name: 'Ana' });
    const reminder = await until(async () => (await phoneInbox('5511922220001')).find((m) => /consulta/.test(m.content?.rendered?.body ?? '')), 'the named reminder');
    expect(reminder.content.rendered.body).toBe('Olá Ana, lembrete da sua consulta amanhã às 10:00 na clínica.');
  });

  it('sends once for one Idempotency-Key and answers the first result again', async () => {
    const body = shipped('+5511922220002', { parameters: ['Bia', '#777'], buttons: ['777'] });
    const [first, second] = await Promise.all([notify(body, 'order-777-shipped'), notify(body, 'order-777-shipped')]);
    const third = await notify(body, 'order-777-shipped');
    expect([first.status, second.status, third.status]).toEqual([202, 202, 202]);
    expect(new Set([first.body.id, second.body.id, third.body.id]).size).toBe(1);
    expect(third.body).toMatchObject({ status: 'sent', message_id: first.body.message_id });
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect([first, second].filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(1);
    const reused = await notify({ ...body, parameters: ['Bia', '#778'] }, 'order-777-shipped');
    expect(reused.status).toBe(409);
    expect(reused.body.error).toMatchObject({ code: 'CONVERSA_ERR_IDEMPOTENCY_MISMATCH', details: { notification_id: first.body.id } });
    await until(async () => (await phoneInbox('5511922220002')).length > 0, 'delivery');
    await settle();
    expect((await phoneInbox('5511922220002')).filter((m) => m.content?.rendered?.body?.includes('#777'))).toHaveLength(1);
    expect((await api('GET', '/notifications?to=%2B5511922220002')).body.data).toHaveLength(1);
  });

  it('answers bad input with a 4xx naming the field, and stores nothing', async () => {
    const cases: Array<[Record<string, unknown>, number, string, string]> = [
      [{ to: '+5511922220003', language: 'pt_BR' }, 400, 'CONVERSA_ERR_VALIDATION', 'body.template'],
      [shipped('+5511922220003', { send_at: 'amanhã às 10' }), 400, 'CONVERSA_ERR_VALIDATION', 'body.send_at'],
      [shipped('+5511922220003', { send_at: '2030-12-01T10:00:00' }), 400, 'CONVERSA_ERR_VALIDATION', 'body.send_at'],
      [shipped('+5511922220003', { buttons: [{ url: true }] }), 400, 'CONVERSA_ERR_VALIDATION', 'body.buttons[0]'],
      [shipped('+5511922220003', { parameters: ['Ana', null] }), 400, 'CONVERSA_ERR_VALIDATION', 'body.parameters[1]'],
      [{ to: '+5511922220003', template: 'consulta_amanha', language: 'pt_BR', parameters: ['Ana', '10:00'] }, 400, 'CONVERSA_ERR_VALIDATION', 'body.parameters'],
      [{ to: '+5511922220003', template: 'consulta_amanha', language: 'pt_BR', parameters: { customer_name: 'Ana', hora: '10:00' } }, 400, 'CONVERSA_ERR_VALIDATION', 'body.parameters.hora'],
      [shipped('+5511922220003', { parameters: ['Ana'] }), 422, 'CONVERSA_ERR_TEMPLATE_PARAMETERS', 'body.parameters'],
      [shipped('+5511922220003', { buttons: [] }), 422, 'CONVERSA_ERR_TEMPLATE_PARAMETERS', 'body.buttons[0]'],
      [shipped('+5511922220003', { template: 'nao_existe' }), 422, 'CONVERSA_ERR_TEMPLATE_NOT_FOUND', 'body.template'],
      [shipped('+5511922220003', { language: 'en_US' }), 422, 'CONVERSA_ERR_TEMPLATE_LANGUAGE', 'body.language'],
      [shipped('12'), 422, 'CONVERSA_ERR_INVALID_RECIPIENT', 'body.to'],
      [shipped('+5511922220003', { send_at: '2030-12-01' }), 400, 'CONVERSA_ERR_VALIDATION', 'body.send_at'],
    ];
    for (const [body, status, code, field] of cases) {
      const response = await notify(body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.body.error, JSON.stringify(body)).toMatchObject({ code, details: { field } });
    }
    expect((await api('GET', '/notifications?to=%2B5511922220003')).body.data).toEqual([]);
    expect((await api('GET', '/notifications?to=abc')).body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field: 'querystring.to' } });
    expect((await api('GET', '/notifications?status=lost')).status).toBe(400);
    expect((await api('GET', '/notifications/ntf_nope')).status).toBe(404);
  });

  it('documents its routes in the OpenAPI document', async () => {
    const document = (await (await fetch(`${running.started.platformUrl}/api/v1/openapi.json`)).json()) as Json;
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/v1/notifications', '/api/v1/notifications/{id}', '/api/v1/notifications/{id}/cancel']));
    const post = document.paths['/api/v1/notifications'].post;
    expect(post.tags).toEqual(['notifications']);
    expect(Object.keys(post.requestBody.content['application/json'].schema.properties)).toEqual(['to', 'recipient_type', 'template', 'language', 'parameters', 'header', 'buttons', 'send_at', 'from']);
  });

  it('holds a notification scheduled for +2 h until the sandbox clock gets there, and never sends a cancelled one', async () => {
    const now = await sandboxNow();
    const sendAt = new Date(now + 2 * HOUR).toISOString();
    const scheduled = await notify(shipped('+5511922220004', { send_at: sendAt, parameters: ['Caio', '#400'], buttons: ['400'] }));
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(202);
    expect(scheduled.body).toMatchObject({ status: 'scheduled', send_at: sendAt, requested_send_at: sendAt, message_id: null });
    const doomed = await notify(shipped('+5511922220005', { send_at: new Date(now + HOUR).toISOString() }));
    const cancelled = await api('POST', `/notifications/${doomed.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: doomed.body.id, status: 'cancelled', cancelled_at: expect.any(String) });
    expect((await api('POST', `/notifications/${doomed.body.id}/cancel`)).body.status).toBe('cancelled');

    const listed = await api('GET', '/notifications?status=scheduled');
    expect(listed.body.data.map((n: Json) => n.id)).toEqual([scheduled.body.id]);
    const firstPage = await api('GET', '/notifications?limit=1');
    const secondPage = await api('GET', `/notifications?limit=1&cursor=${firstPage.body.next_cursor as string}`);
    expect([firstPage.body.data[0].id, secondPage.body.data[0].id]).toEqual([doomed.body.id, scheduled.body.id]);

    await settle();
    await advanceClock(HOUR + 5 * 60 * 1000);
    await settle();
    expect((await api('GET', `/notifications/${scheduled.body.id}`)).body.status).toBe('scheduled');
    expect(await phoneInbox('5511922220004')).toEqual([]);

    await advanceClock(HOUR);
    const sent = await until(async () => {
      const found = await api('GET', `/notifications/${scheduled.body.id}`);
      return ['delivered', 'read'].includes(found.body.message?.status) && found.body;
    }, 'the scheduled notification to be delivered');
    expect(sent).toMatchObject({ status: 'sent', message_id: expect.stringMatching(/^msg_/) });
    expect((await phoneInbox('5511922220004')).map((m) => m.content.rendered?.body)).toEqual(['Olá Caio, seu pedido #400 foi enviado e chega em breve.']);
    const late = await api('POST', `/notifications/${scheduled.body.id}/cancel`);
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'CONVERSA_ERR_NOT_CANCELLABLE', details: { status: 'sent' } });

    await settle();
    expect(await phoneInbox('5511922220005')).toEqual([]);
    expect((await api('GET', `/notifications/${doomed.body.id}`)).body).toMatchObject({ status: 'cancelled', message_id: null, message: null });
  });

  it("postpones marketing inside the contact's quiet hours to their end; utility goes at once", async () => {
    // Move the sandbox clock to the next 02:00 UTC: 23:00 in São Paulo (UTC-3), 11:00 in Tokyo.
    const now = await sandboxNow();
    let target = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate(), 2);
    while (target < now + 60_000) target += 24 * HOUR;
    await advanceClock(target - now);
    await optedIn('+5511922220006');
    await optedIn('+5511922220007', { time_zone: 'Asia/Tokyo' });

    const night = await notify({ to: '+5511922220006', template: 'oferta_relampago', language: 'pt_BR', parameters: ['Duda'] });
    expect(night.status, JSON.stringify(night.body)).toBe(202);
    const until8 = new Date(target + 9 * HOUR).toISOString(); // 08:00 in São Paulo
    expect(night.body).toMatchObject({
      status: 'scheduled',
      send_at: until8,
      requested_send_at: null,
      postponed: { reason: 'quiet_hours', until: until8, time_zone: 'America/Sao_Paulo', quiet_hours: '21:00-08:00' },
    });
    const tokyo = await notify({ to: '+5511922220007', template: 'oferta_relampago', language: 'pt_BR', parameters: ['Emi'] });
    expect(tokyo.body).toMatchObject({ status: 'sent', postponed: null });
    const utility = await notify(shipped('+5511922220006'));
    expect(utility.body).toMatchObject({ status: 'sent', postponed: null });

    await until(async () => (await phoneInbox('5511922220006')).length === 1, 'the utility notification');
    await settle();
    expect((await phoneInbox('5511922220006')).map((m) => m.content.rendered?.body)).toEqual(['Olá Ana, seu pedido #123 foi enviado e chega em breve.']);

    await advanceClock(9 * HOUR + 60_000);
    await until(async () => (await phoneInbox('5511922220006')).some((m) => /Duda/.test(m.content.rendered?.body ?? '')), 'the marketing notification after 08:00');
    expect((await api('GET', `/notifications/${night.body.id}`)).body).toMatchObject({ status: 'sent', message: { category: 'marketing' } });
  });

  it('stores a send-time refusal with its code and publishes notification.refused', async () => {
    await api('POST', '/contacts', { phone: '+5511922220008' }); // no marketing opt-in recorded
    const sendAt = new Date((await sandboxNow()) + 30 * 60 * 1000).toISOString();
    const scheduled = await notify({ to: '+5511922220008', template: 'oferta_relampago', language: 'pt_BR', parameters: ['Flor'], send_at: sendAt }, 'promo-flor');
    expect(scheduled.body).toMatchObject({ status: 'scheduled', send_at: sendAt, postponed: null });
    await advanceClock(31 * 60 * 1000);
    const refused = await until(async () => {
      const found = await api('GET', `/notifications/${scheduled.body.id}`);
      return found.body.status === 'refused' && found.body;
    }, 'the refusal');
    expect(refused).toMatchObject({ message_id: null, refused_at: expect.any(String), error: { code: 'CONVERSA_ERR_NO_MARKETING_OPT_IN', details: { fix: expect.any(String) } } });
    const events = await running.app.modules.events.after(0, 1000);
    const event = events.find((e) => e.type === 'notification.refused');
    expect(event?.data).toMatchObject({ notification_id: scheduled.body.id, to: '+5511922220008', error: { code: 'CONVERSA_ERR_NO_MARKETING_OPT_IN' } });
    const replay = await notify({ to: '+5511922220008', template: 'oferta_relampago', language: 'pt_BR', parameters: ['Flor'], send_at: sendAt }, 'promo-flor');
    expect(replay.status).toBe(422);
    expect(replay.body.error).toMatchObject({ code: 'CONVERSA_ERR_NO_MARKETING_OPT_IN', details: { notification_id: scheduled.body.id } });
    expect(await phoneInbox('5511922220008')).toEqual([]);
  });

  /** Another node on the same database (its scheduler driven by hand), as a second process would be. */
  const otherNode = (deps: Partial<NotificationsDeps> = {}, options: NotificationsOptions = {}) => {
    const { app } = running;
    return new Notifications(
      {
        db: app.database.db,
        capabilities: app.database.capabilities,
        phoneNumbers: app.modules.phoneNumbers,
        contacts: app.modules.contacts,
        templates: app.modules.templates,
        client: { listTemplates: () => Promise.reject(new Error('templates are cached')) },
        sender: app.modules.sender,
        messages: app.modules.messages,
        events: app.modules.events,
        logger: app.logger,
        clock: app.clock,
        ...deps,
      },
      options,
    );
  };

  it('sends each due notification exactly once while several nodes claim at the same time', async () => {
    const sendAt = new Date((await sandboxNow()) + 60_000).toISOString();
    const phones = Array.from({ length: 12 }, (_, i) => `+55119333300${String(i).padStart(2, '0')}`);
    const created = await Promise.all(phones.map((to, i) => notify(shipped(to, { send_at: sendAt, parameters: ['Gil', `#${i}`], buttons: [String(i)] }))));
    expect(created.map((r) => r.body.status)).toEqual(phones.map(() => 'scheduled'));
    const nodes = [otherNode(), otherNode(), otherNode()];
    await advanceClock(61_000);
    const claims = await Promise.all(nodes.map((node) => node.tick())); // racing the app's own scheduler too
    expect(claims.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(phones.length);
    const views = await until(async () => {
      const found = await Promise.all(created.map((c) => api('GET', `/notifications/${c.body.id}`)));
      return found.every((v) => v.body.status === 'sent') && found.map((v) => v.body);
    }, 'every notification to be sent');
    expect(new Set(views.map((v: Json) => v.message_id)).size).toBe(phones.length);
    const rows = await running.app.database.db.selectFrom('notifications').select('attempts').where('id', 'in', created.map((c) => c.body.id as string)).execute();
    expect(rows.map((r) => r.attempts)).toEqual(phones.map(() => 1));
    for (const to of phones) await until(async () => (await phoneInbox(to.slice(1))).length > 0, `delivery to ${to}`);
    await settle();
    for (const to of phones) expect(await phoneInbox(to.slice(1)), to).toHaveLength(1);
  });

  it('finishes the send of a node that died between queuing the message and recording it, without a second message', async () => {
    const { app } = running;
    const dying = otherNode({
      sender: {
        send: async (...args: Parameters<NotificationsDeps['sender']['send']>) => {
          await app.modules.sender.send(...args);
          throw new Error('process killed before the notification was recorded');
        },
      },
    });
    const request = { to: '+5511933330100', template: 'pedido_enviado', language: 'pt_BR', parameters: ['Hugo', '#100'], buttons: ['100'] };
    await expect(dying.create(running.started.workspaceId, request, 'order-100-shipped')).rejects.toThrow(/process killed/);
    const stuck = await api('GET', '/notifications?to=%2B5511933330100');
    expect(stuck.body.data).toMatchObject([{ status: 'sending', message_id: null }]);

    await new Promise((resolve) => setTimeout(resolve, 20));
    const recovering = otherNode({}, { leaseMs: 10 }); // its claim lease has run out
    expect(await recovering.tick()).toBe(1);
    const recovered = await api('GET', `/notifications/${stuck.body.data[0].id as string}`);
    expect(recovered.body).toMatchObject({ status: 'sent', message_id: expect.stringMatching(/^msg_/) });
    await until(async () => (await phoneInbox('5511933330100')).length > 0, 'delivery');
    await settle();
    expect((await phoneInbox('5511933330100')).map((m) => m.content.rendered?.body)).toEqual(['Olá Hugo, seu pedido #100 foi enviado e chega em breve.']);
    const replay = await notify(request, 'order-100-shipped');
    expect(replay.body).toMatchObject({ id: recovered.body.id, status: 'sent', message_id: recovered.body.message_id });
  });
});
