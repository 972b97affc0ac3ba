import { describe, expect, it } from 'vitest';
import { TEST_ADMIN_KEY } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { jpegOfSize, mp4File, pdfFile, pngFile } from './support/media-files.js';
import { approvedTemplate, useApp } from './support/use-app.js';
import { until, type Json } from './support/wait.js';

/**
 * The number's profile and automation (issue 12) through the REST API, end to end over real
 * HTTP to the embedded sandbox standing in for Meta: business profile, registration and the
 * two-step PIN, welcome message / ice breakers / commands (and the chatbot flows they start),
 * blocked users, and QR codes with a prefilled message.
 */
describe.each(DIALECTS)('/api/v1/phone-numbers/{id} settings on $name', (dialect) => {
  const running = useApp(dialect);
  const api = running.api;
  const sandbox = running.sandbox;
  const id = () => running.started.sandboxNumber?.id as string;
  const graph = (method: string, path: string, body?: unknown) => sandbox(method, `/v23.0/${running.pn}${path}`, body);
  const write = async (waId: string, text: string) => {
    const sent = await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: running.pn, type: 'text', text: { body: text } });
    expect(sent.status, sent.text).toBe(201);
    return sent.body as Json;
  };
  const received = async (waId: string): Promise<string[]> =>
    (((await sandbox('GET', `/sandbox/v1/phones/${waId}/messages?limit=1000`)).body.data ?? []) as Json[]).map((m) => (m.type === 'text' ? m.content.body : m.type));
  const nth = (waId: string, count: number) => until(async () => ((await received(waId)).length >= count ? received(waId) : undefined), `${count} message(s) to ${waId}`);
  /** The contents of what the platform received from a customer (as JSON texts), oldest first. */
  const inboxOf = async (waId: string): Promise<string[]> => {
    const conversation = (await api('GET', `/conversations?wa_id=${waId}`)).body.data?.[0];
    if (!conversation) return [];
    const messages = (await api('GET', `/conversations/${conversation.id}/messages?limit=100`)).body.data as Json[];
    return messages.filter((m) => m.direction === 'in').map((m) => JSON.stringify(m.content));
  };
  const invalid = (answer: Json, field: string) => {
    expect(answer.status, answer.text).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field } });
  };

  it('reads and changes the business profile within Meta’s limits, naming the field and rule of bad input', async () => {
    const read = await api('GET', `/phone-numbers/${id()}/profile`);
    expect(read.status, read.text).toBe(200);
    expect(read.body).toMatchObject({ about: 'Hello from the Conversa sandbox', vertical: 'OTHER' });
    expect(read.body).not.toHaveProperty('messaging_product');

    const changed = await api('PATCH', `/phone-numbers/${running.pn}/profile`, {
      about: 'Pizza no forno a lenha 🍕',
      description: 'Desde 1998',
      email: 'contato@pizzaria.example.com',
      websites: ['https://pizzaria.example.com'],
      vertical: 'RESTAURANT',
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ about: 'Pizza no forno a lenha 🍕', description: 'Desde 1998', vertical: 'RESTAURANT', websites: ['https://pizzaria.example.com'] });
    // Meta (the sandbox) has it: the platform does not keep a copy that could drift.
    expect((await graph('GET', '/whatsapp_business_profile?fields=about,vertical')).body.data[0]).toEqual({ messaging_product: 'whatsapp', about: 'Pizza no forno a lenha 🍕', vertical: 'RESTAURANT' });

    invalid(await api('PATCH', `/phone-numbers/${id()}/profile`, { about: 'x'.repeat(140) }), 'body.about');
    invalid(await api('PATCH', `/phone-numbers/${id()}/profile`, { websites: ['https://a.example', 'https://b.example', 'https://c.example'] }), 'body.websites');
    invalid(await api('PATCH', `/phone-numbers/${id()}/profile`, { websites: ['pizzaria.example.com'] }), 'body.websites.0');
    invalid(await api('PATCH', `/phone-numbers/${id()}/profile`, { vertical: 'PIZZA' }), 'body.vertical');
    invalid(await api('PATCH', `/phone-numbers/${id()}/profile`, { email: 'nope' }), 'body.email');
    invalid(await api('PATCH', `/phone-numbers/${id()}/profile`, { description: 'd'.repeat(513) }), 'body.description');
    invalid(await api('PATCH', `/phone-numbers/${id()}/profile`, {}), 'body');
    // An unknown field is dropped by the schema; with nothing left, the request names no field to change.
    invalid(await api('PATCH', `/phone-numbers/${id()}/profile`, { slogan: 'x' }), 'body');
    expect((await api('GET', '/phone-numbers/pn_nope/profile')).body.error.code).toBe('CONVERSA_ERR_NOT_FOUND');
  });

  it("sets the profile picture through Meta's Resumable Upload API after checking Meta's rules, naming the field of bad input", async () => {
    const form = (data: Buffer, field = 'file', type = 'image/jpeg') => {
      const body = new FormData();
      body.append(field, new Blob([data], { type }), 'logo.jpg');
      return body;
    };
    const picture = (data: Buffer, field?: string, type?: string) => api('PUT', `/phone-numbers/${id()}/profile/picture`, form(data, field, type));
    const before = (await api('GET', `/phone-numbers/${id()}/profile`)).body.profile_picture_url;

    const set = await picture(jpegOfSize(640, 640, 4096));
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ about: expect.any(String), profile_picture_url: expect.stringMatching(/^https:\/\/pps\.whatsapp\.net\/.+\.jpg$/) });
    expect(set.body).not.toHaveProperty('messaging_product');
    expect(set.body.profile_picture_url).not.toBe(before);
    // Meta (the sandbox) has it, and the profile read shows it.
    expect((await graph('GET', '/whatsapp_business_profile?fields=profile_picture_url')).body.data[0].profile_picture_url).toBe(set.body.profile_picture_url);
    expect((await api('GET', `/phone-numbers/${running.pn}/profile`)).body.profile_picture_url).toBe(set.body.profile_picture_url);
    // A PNG too, whatever the part's declared type says.
    const png = await picture(pngFile({ width: 200, height: 300 }), 'file', 'application/octet-stream');
    expect(png.status, png.text).toBe(200);
    expect(png.body.profile_picture_url).toMatch(/\.png$/);

    const refused = (answer: Json, status: number, rule: RegExp) => {
      expect(answer.status, answer.text).toBe(status);
      expect(answer.body.error.details).toMatchObject({ field: 'file', rule: expect.stringMatching(rule) });
    };
    refused(await picture(pdfFile(), 'file', 'image/jpeg'), 400, /^must be a JPEG or PNG image \(it is application\/pdf\)$/);
    refused(await picture(Buffer.from('not an image at all')), 400, /^must be a JPEG or PNG image/);
    refused(await picture(jpegOfSize(100, 640)), 400, /^must be at least 192x192 pixels \(it is 100x640/);
    refused(await picture(jpegOfSize(640, 640, 5 * 1024 * 1024 + 10)), 413, /^must be at most 5 MB$/);
    refused(await picture(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9])), 400, /size could not be read/);
    refused(await api('PUT', `/phone-numbers/${id()}/profile/picture`, new FormData()), 400, /^is required/);
    const wrongPart = await picture(jpegOfSize(640, 640), 'photo');
    expect(wrongPart.body.error.details).toMatchObject({ field: 'photo' });
    refused(await api('PUT', `/phone-numbers/${id()}/profile/picture`, { file: 'x' }), 415, /multipart/);
    expect((await api('PUT', '/phone-numbers/pn_nope/profile/picture', form(jpegOfSize(640, 640)))).body.error.code).toBe('CONVERSA_ERR_NOT_FOUND');
    // Nothing refused reached Meta: the picture is still the PNG.
    expect((await api('GET', `/phone-numbers/${id()}/profile`)).body.profile_picture_url).toBe(png.body.profile_picture_url);

    // Any file Meta's Resumable Upload API takes becomes a handle, for the profile or a template's media example.
    const uploaded = await api('POST', `/phone-numbers/${id()}/uploads`, form(mp4File(), 'file', 'video/mp4'));
    expect(uploaded.status, uploaded.text).toBe(201);
    expect(uploaded.body).toEqual({ handle: expect.stringMatching(/^2:.+:video\/mp4:/) });
    const handle = (await api('POST', `/phone-numbers/${id()}/uploads`, form(jpegOfSize(640, 640, 2048)))).body.handle as string;
    const patched = await api('PATCH', `/phone-numbers/${id()}/profile`, { profile_picture_handle: handle });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.profile_picture_url).toMatch(/\.jpg$/);
    refused(await api('POST', `/phone-numbers/${id()}/uploads`, form(Buffer.from('GIF89a....'))), 400, /^must be a JPEG, PNG, MP4 or PDF file/);
    // A handle Meta did not issue is Meta's 100, explained.
    const forged = await api('PATCH', `/phone-numbers/${id()}/profile`, { profile_picture_handle: '4::aW1hZ2UvanBlZw==:ARb' });
    expect(forged.status, forged.text).toBe(422);
    expect(forged.body.error.details).toMatchObject({ meta_code: 100, meta_details: expect.stringMatching(/^profile_picture_handle: /) });
  });

  it('sets the welcome message, ice breakers and commands; a welcome flow answers the first open, a keyword flow an ice breaker', async () => {
    expect((await api('GET', `/phone-numbers/${id()}/automation`)).body).toEqual({ enable_welcome_message: false, prompts: [], commands: [] });
    const settings = { enable_welcome_message: true, prompts: ['Ver cardápio', 'Fazer pedido'], commands: [{ command_name: 'pedido', command_description: 'Acompanhar o pedido' }] };
    const put = await api('PUT', `/phone-numbers/${id()}/automation`, settings);
    expect(put.status, put.text).toBe(200);
    expect(put.body).toEqual(settings);
    expect((await graph('GET', '?fields=conversational_automation')).body.conversational_automation).toEqual(settings);
    // Fields left out stay.
    expect((await api('PUT', `/phone-numbers/${id()}/automation`, { prompts: ['Ver cardápio', 'Horários'] })).body).toEqual({ ...settings, prompts: ['Ver cardápio', 'Horários'] });

    invalid(await api('PUT', `/phone-numbers/${id()}/automation`, { prompts: ['a', 'b', 'c', 'd', 'e'] }), 'body.prompts');
    invalid(await api('PUT', `/phone-numbers/${id()}/automation`, { prompts: ['x'.repeat(81)] }), 'body.prompts.0');
    invalid(await api('PUT', `/phone-numbers/${id()}/automation`, { commands: [{ command_name: 'x'.repeat(33), command_description: 'd' }] }), 'body.commands.0.command_name');
    invalid(await api('PUT', `/phone-numbers/${id()}/automation`, { commands: [{ command_name: 'ok', command_description: 'd'.repeat(257) }] }), 'body.commands.0.command_description');
    invalid(await api('PUT', `/phone-numbers/${id()}/automation`, { commands: Array.from({ length: 31 }, (_, i) => ({ command_name: `c${i}`, command_description: 'd' })) }), 'body.commands');
    invalid(await api('PUT', `/phone-numbers/${id()}/automation`, { enable_welcome_message: 'yes' }), 'body.enable_welcome_message');

    // A flow with a welcome trigger answers Meta's request_welcome; ice breakers and commands
    // arrive as text, so keyword triggers start flows from them.
    const publish = async (source: string) => {
      const created = await api('POST', '/flows', source, { headers: { 'content-type': 'application/yaml' } });
      expect(created.status, created.text).toBe(201);
      expect((await api('POST', `/flows/${created.body.id}/publish`, { phone_number_id: running.pn })).status).toBe(201);
    };
    await publish('name: boas-vindas\ntriggers:\n  - type: welcome\nsteps:\n  - type: end\n    text: "Bem-vindo à pizzaria!"\n');
    await publish('name: cardapio\ntriggers:\n  - type: keyword\n    keywords: ["Ver cardápio", "/pedido"]\nsteps:\n  - type: end\n    text: "Cardápio: margherita, calabresa"\n');
    const opened = await sandbox('POST', '/sandbox/v1/phones/5511966660001/chats', { to: running.pn });
    expect(opened.body).toMatchObject({ request_welcome: true });
    expect(await nth('5511966660001', 1)).toEqual(['Bem-vindo à pizzaria!']);
    await write('5511966660001', 'Ver cardápio');
    expect(await nth('5511966660001', 2)).toEqual(['Bem-vindo à pizzaria!', 'Cardápio: margherita, calabresa']);
    await write('5511966660002', '/pedido');
    expect(await nth('5511966660002', 1)).toEqual(['Cardápio: margherita, calabresa']);
  });

  it('blocks and unblocks customers: Meta’s per-user errors explained, their messages never arrive, sends to them fail', async () => {
    await write('5511966660010', 'quero reclamar');
    await until(async () => (await inboxOf('5511966660010')).length === 1 || undefined, 'the first message in the inbox');
    const blocked = await api('POST', `/phone-numbers/${id()}/blocked-users`, { wa_ids: ['+5511966660010', '5511966660011'] });
    expect(blocked.status, blocked.text).toBe(200);
    expect(blocked.body.blocked).toEqual(['5511966660010']);
    expect(blocked.body.failed).toEqual([{ input: '5511966660011', wa_id: '5511966660011', meta_code: 139100, meta_details: expect.stringContaining('last 24 hours'), fix: expect.stringContaining('24 hours') }]);

    const listed = await api('GET', `/phone-numbers/${id()}/blocked-users`);
    expect(listed.body).toEqual({ data: [{ wa_id: '5511966660010', blocked_at: expect.any(String), blocked_by: expect.any(String) }], next_cursor: null });
    expect((await api('GET', `/phone-numbers/${id()}/blocked-users?source=provider`)).body.data).toEqual([{ wa_id: '5511966660010', blocked_at: null, blocked_by: null }]);

    // The blocked customer's next message never reaches the platform; another customer's does.
    expect((await write('5511966660010', 'oi?')).delivered_to_business).toBe(false);
    await write('5511966660012', 'outro cliente');
    await until(async () => (await inboxOf('5511966660012')).length === 1 || undefined, 'the other customer in the inbox');
    const inbox = await inboxOf('5511966660010');
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toContain('quero reclamar');
    // A send to them is refused before the wire (Meta would fail it with 131026), and nothing is stored.
    const before = (await api('GET', '/messages?limit=200')).body.data.length;
    const sent = await api('POST', '/messages', { to: '5511966660010', type: 'text', text: { body: 'resposta' } });
    expect(sent.status, sent.text).toBe(422);
    expect(sent.body.error).toMatchObject({ code: 'CONVERSA_ERR_RECIPIENT_BLOCKED', message: expect.stringContaining('blocked') });
    expect((await api('GET', '/messages?limit=200')).body.data.length).toBe(before);

    // A campaign skips them as `blocked`, in its estimate and when it sends.
    await approvedTemplate(running, { name: 'aviso_bloqueio', language: 'pt_BR', category: 'UTILITY', components: [{ type: 'BODY', text: 'Olá, seu pedido saiu para entrega hoje.' }] });
    const campaign = (await api('POST', '/campaigns', { name: 'Avisos', template: { name: 'aviso_bloqueio', language: 'pt_BR' }, audience: { type: 'csv' } })).body;
    const audience = await api('PUT', `/campaigns/${campaign.id}/audience`, 'phone\n+5511966660010\n+5511966660012\n', { contentType: 'text/csv' });
    expect(audience.status, audience.text).toBeLessThan(300);
    const estimate = (await api('POST', `/campaigns/${campaign.id}/estimate`)).body;
    expect(estimate.skipped).toMatchObject({ blocked: 1 });

    const unblocked = await api('DELETE', `/phone-numbers/${id()}/blocked-users`, { wa_ids: ['5511966660010'] });
    expect(unblocked.body).toEqual({ blocked: ['5511966660010'], failed: [] });
    expect((await api('GET', `/phone-numbers/${id()}/blocked-users`)).body.data).toEqual([]);
    expect((await write('5511966660010', 'voltei')).delivered_to_business).toBe(true);
    expect((await api('POST', '/messages', { to: '5511966660010', type: 'text', text: { body: 'resposta' } })).status).toBe(202);

    invalid(await api('POST', `/phone-numbers/${id()}/blocked-users`, { wa_ids: [] }), 'body.wa_ids');
    invalid(await api('POST', `/phone-numbers/${id()}/blocked-users`, { wa_ids: ['abc'] }), 'body.wa_ids.0');
    invalid(await api('GET', `/phone-numbers/${id()}/blocked-users?limit=0`), 'querystring.limit');
  });

  it('creates QR codes with a prefilled message, renders them as PNG and SVG, and deletes them', async () => {
    const created = await api('POST', `/phone-numbers/${id()}/qr-codes`, { prefilled_message: 'Quero o cardápio' });
    expect(created.status, created.text).toBe(201);
    const code = created.body.code as string;
    expect(created.body).toEqual({
      code: expect.stringMatching(/^[A-Z0-9]+$/),
      prefilled_message: 'Quero o cardápio',
      deep_link_url: `https://wa.me/message/${code}`,
      qr_png_url: `/api/v1/phone-numbers/${id()}/qr-codes/${code}/qr.png`,
      qr_svg_url: `/api/v1/phone-numbers/${id()}/qr-codes/${code}/qr.svg`,
    });
    expect((await api('GET', `/phone-numbers/${id()}/qr-codes`)).body.data.map((qr: Json) => qr.code)).toContain(code);
    const png = await running.app.http.inject({ method: 'GET', url: `/api/v1/phone-numbers/${id()}/qr-codes/${code}/qr.png?size=256`, headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    const svg = await api('GET', `/phone-numbers/${id()}/qr-codes/${code}/qr.svg`);
    expect(svg.status).toBe(200);
    expect(svg.text).toContain('<svg');

    const changed = await api('PATCH', `/phone-numbers/${id()}/qr-codes/${code}`, { prefilled_message: 'Quero pedir' });
    expect(changed.body).toMatchObject({ code, prefilled_message: 'Quero pedir' });
    // A customer scans it: the chat opens with the text, and it arrives as their message.
    const scanned = await sandbox('POST', '/sandbox/v1/phones/5511966660020/qr-scans', { code });
    expect(scanned.status).toBe(201);
    await until(async () => ((await inboxOf('5511966660020')).some((c) => c.includes('Quero pedir')) ? true : undefined), 'the prefilled message in the inbox');

    expect((await api('DELETE', `/phone-numbers/${id()}/qr-codes/${code}`)).status).toBe(204);
    expect((await api('GET', `/phone-numbers/${id()}/qr-codes/${code}`)).body.error.code).toBe('CONVERSA_ERR_NOT_FOUND');
    expect((await api('GET', `/phone-numbers/${id()}/qr-codes/${code}/qr.svg`)).status).toBe(404);
    invalid(await api('POST', `/phone-numbers/${id()}/qr-codes`, { prefilled_message: 'x'.repeat(141) }), 'body.prefilled_message');
    invalid(await api('POST', `/phone-numbers/${id()}/qr-codes`, {}), 'body.prefilled_message');
    invalid(await api('GET', `/phone-numbers/${id()}/qr-codes/not.a.code`), 'params.code');
  });

  it('registers with a two-step PIN it never keeps, verifies a code, and explains Meta’s refusals', async () => {
    const requested = await api('POST', `/phone-numbers/${id()}/request-code`, { code_method: 'SMS', language: 'pt_BR' });
    expect(requested.status, requested.text).toBe(200);
    const code = (await sandbox('GET', `/sandbox/v1/phone-numbers/${running.pn}/verification-code`)).body.code as string;
    const wrong = await api('POST', `/phone-numbers/${id()}/verify-code`, { code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error).toMatchObject({ code: 'CONVERSA_ERR_PROVIDER_REJECTED', details: { meta_code: 100, meta_details: 'code: wrong verification code' } });
    expect((await api('POST', `/phone-numbers/${id()}/verify-code`, { code })).body).toEqual({ success: true });

    expect((await api('POST', `/phone-numbers/${id()}/two-step`, { pin: '246810' })).body).toEqual({ success: true });
    expect((await api('POST', `/phone-numbers/${id()}/deregister`)).body).toEqual({ success: true });
    const mismatch = await api('POST', `/phone-numbers/${id()}/register`, { pin: '135790' });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.error.details).toMatchObject({ meta_code: 133005, fix: expect.stringContaining('two-step') });
    expect(mismatch.text).not.toContain('135790');
    expect((await api('POST', `/phone-numbers/${id()}/register`, { pin: '246810' })).body).toEqual({ success: true });

    const badPin = await api('POST', `/phone-numbers/${id()}/register`, { pin: '12a456' });
    invalid(badPin, 'body.pin');
    expect(badPin.text).not.toContain('12a456');
    invalid(await api('POST', `/phone-numbers/${id()}/request-code`, { code_method: 'EMAIL' }), 'body.code_method');
    invalid(await api('POST', `/phone-numbers/${id()}/verify-code`, { code: '12' }), 'body.code');
    // The PIN is nowhere in the database.
    const db = running.app.database.db;
    for (const table of ['phone_numbers', 'inbound_events', 'outbox_events'] as const) {
      const rows = await db.selectFrom(table).selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain('246810');
    }
    // Registered again: the number still sends.
    await write('5511966660030', 'oi');
    await until(async () => (await inboxOf('5511966660030')).length === 1 || undefined, 'the customer message that opens the window');
    const sent = await api('POST', '/messages', { to: '5511966660030', type: 'text', text: { body: 'tudo certo' } });
    expect(sent.status, sent.text).toBe(202);
    await until(async () => ((await received('5511966660030')).includes('tudo certo') ? true : undefined), 'a send after registering again');
  });

  it('documents every route in the OpenAPI document, and keeps the settings for the keys that may change them', async () => {
    const document = (await running.app.http.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as Json;
    for (const [path, method] of [
      ['/api/v1/phone-numbers/{id}/profile', 'patch'],
      ['/api/v1/phone-numbers/{id}/profile/picture', 'put'],
      ['/api/v1/phone-numbers/{id}/uploads', 'post'],
      ['/api/v1/phone-numbers/{id}/register', 'post'],
      ['/api/v1/phone-numbers/{id}/deregister', 'post'],
      ['/api/v1/phone-numbers/{id}/request-code', 'post'],
      ['/api/v1/phone-numbers/{id}/verify-code', 'post'],
      ['/api/v1/phone-numbers/{id}/two-step', 'post'],
      ['/api/v1/phone-numbers/{id}/automation', 'put'],
      ['/api/v1/phone-numbers/{id}/blocked-users', 'delete'],
      ['/api/v1/phone-numbers/{id}/qr-codes', 'post'],
      ['/api/v1/phone-numbers/{id}/qr-codes/{code}/qr.png', 'get'],
    ] as const) {
      expect(document.paths[path]?.[method]?.tags, `${method} ${path}`).toEqual(['phone-numbers']);
    }
    const reader = (await api('POST', '/api-keys', { name: 'leitor', scopes: ['contacts:read'] })).body.key as string;
    expect((await api('GET', `/phone-numbers/${id()}/blocked-users`, undefined, { token: reader })).status).toBe(200);
    expect((await api('POST', `/phone-numbers/${id()}/blocked-users`, { wa_ids: ['5511966660040'] }, { token: reader })).status).toBe(403);
    expect((await api('GET', `/phone-numbers/${id()}/profile`, undefined, { token: reader })).status).toBe(403);
    expect((await api('PUT', `/phone-numbers/${id()}/automation`, { prompts: [] }, { token: reader })).status).toBe(403);
    const picture = new FormData();
    picture.append('file', new Blob([jpegOfSize(640, 640)], { type: 'image/jpeg' }), 'logo.jpg');
    expect((await api('PUT', `/phone-numbers/${id()}/profile/picture`, picture, { token: reader })).status).toBe(403);
  });
});
