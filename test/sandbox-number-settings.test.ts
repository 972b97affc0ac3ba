import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jpegOfSize, pdfFile } from './support/media-files.js';
import { startSandbox, TOKEN, type SandboxHarness } from './support/sandbox.js';

// The number's settings in the sandbox, as Meta's Graph API answers them (cloud-api-facts.md
// §1.4–§1.6): profile, registration and two-step PIN, conversational automation, blocked users
// and QR codes with a prefilled message.
let h: SandboxHarness;
let number: string;
beforeAll(async () => {
  h = await startSandbox();
  // A number of its own, so these settings do not leak into other files' expectations.
  number = (await h.admin('POST', '/accounts', {})).body.phone_number.id as string;
});
afterAll(async () => {
  await h.close();
});

/** `POST /{upload-session-id}` with raw bytes, as Meta's docs send it (curl --data-binary: a form content type). */
const uploadStep = async (sessionId: string, offset: number | undefined, data: Buffer, auth: string | null = `OAuth ${TOKEN}`) => {
  const response = await request(`${h.base}/v23.0/${sessionId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(offset === undefined ? {} : { file_offset: String(offset) }), ...(auth ? { authorization: auth } : {}) },
    body: data,
  });
  return { status: response.statusCode, body: (await response.body.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- inspected freely
};
/** The Resumable Upload API's three steps in one: app, session, bytes; answers the handle. */
const uploadFile = async (data: Buffer, type = 'image/jpeg', name = 'logo.jpg'): Promise<string> => {
  const app = (await h.graph('GET', '/app')).body;
  const session = await h.graph('POST', `/${app.id}/uploads?file_name=${name}&file_length=${data.length}&file_type=${encodeURIComponent(type)}`);
  const done = await uploadStep(session.body.id, 0, data);
  if (typeof done.body.h !== 'string') throw new Error(`upload failed: ${JSON.stringify(done.body)}`);
  return done.body.h;
};

const inboundTo = (to: string) => h.receiver.values().flatMap((v) => ((v.metadata as { phone_number_id: string }).phone_number_id === to ? ((v.messages as Array<Record<string, unknown>>) ?? []) : []));
const writes = async (waId: string, text: string, to = number) => h.admin('POST', `/phones/${waId}/messages`, { to, type: 'text', text: { body: text } });

describe('sandbox: business profile', () => {
  it('takes every field within limits and answers the one broken rule with 100 naming the field', async () => {
    const updated = await h.graph('POST', `/${number}/whatsapp_business_profile`, {
      messaging_product: 'whatsapp',
      about: 'Pizza no forno a lenha',
      address: 'Rua das Flores, 10',
      description: 'd'.repeat(512),
      email: 'contato@pizzaria.example.com',
      websites: ['https://pizzaria.example.com', 'http://cardapio.example.com'],
      vertical: 'RESTAURANT',
      profile_picture_handle: await uploadFile(jpegOfSize(640, 640)),
    });
    expect(updated.body).toEqual({ success: true });
    const profile = (await h.graph('GET', `/${number}/whatsapp_business_profile`)).body.data[0];
    expect(profile).toMatchObject({ messaging_product: 'whatsapp', about: 'Pizza no forno a lenha', vertical: 'RESTAURANT', websites: ['https://pizzaria.example.com', 'http://cardapio.example.com'] });
    expect(profile.profile_picture_url).toMatch(/^https:\/\/pps\.whatsapp\.net\//);

    const broken: Array<[Record<string, unknown>, string]> = [
      [{ description: 'd'.repeat(513) }, 'description: must be a string of 0 to 512 characters'],
      [{ websites: ['https://a.example', 'https://b.example', 'https://c.example'] }, 'websites: at most 2 URLs of up to 256 characters, each starting with http:// or https://'],
      [{ websites: ['loja.example.com'] }, 'websites: at most 2 URLs of up to 256 characters, each starting with http:// or https://'],
      [{ vertical: 'PIZZA' }, expect.stringMatching(/^vertical: must be one of OTHER, AUTO/) as unknown as string],
      [{ email: 'not-an-email' }, 'email: must be an e-mail address'],
      [{ about: '' }, 'about: must be a string of 1 to 139 characters'],
    ];
    for (const [fields, details] of broken) {
      const answer = await h.graph('POST', `/${number}/whatsapp_business_profile`, { messaging_product: 'whatsapp', ...fields });
      expect(answer.status, JSON.stringify(fields)).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 100, error_data: { details } });
    }
    expect((await h.graph('POST', `/${number}/whatsapp_business_profile`, { about: 'x' })).body.error.code).toBe(131008);
  });
});

describe('sandbox: Resumable Upload API and the profile picture', () => {
  it('answers the token\'s app, opens a session, takes the bytes in two chunks at the right offsets and answers a handle the profile takes', async () => {
    const app = await h.graph('GET', '/app');
    expect(app.body).toEqual({ id: expect.stringMatching(/^\d+$/), name: expect.any(String), link: expect.any(String) });
    const picture = jpegOfSize(640, 640, 3000);
    const session = await h.graph('POST', `/${app.body.id}/uploads?file_name=logo.jpg&file_length=${picture.length}&file_type=image/jpeg`);
    expect(session.status).toBe(200);
    expect(session.body.id).toMatch(/^upload:[A-Za-z0-9_-]+\?sig=[A-Za-z0-9_-]+$/);
    const id = session.body.id as string;

    // The first chunk; then a wrong offset is refused and changes nothing; the status says where to resume.
    expect(await uploadStep(id, 0, picture.subarray(0, 1000))).toEqual({ status: 200, body: { id, file_offset: 1000 } });
    const wrong = await uploadStep(id, 0, picture.subarray(1000));
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 100, error_data: { details: expect.stringMatching(/^file_offset: the upload session is at byte 1000, not 0/) } });
    expect((await h.graph('GET', `/${id}`)).body).toEqual({ id, file_offset: 1000 });
    // The id URL-encoded as one path segment names the same session.
    expect((await h.graph('GET', `/${encodeURIComponent(id)}`)).body).toEqual({ id, file_offset: 1000 });
    // Past file_length is refused; the rest completes the file and answers the handle.
    expect((await uploadStep(id, 1000, Buffer.concat([picture.subarray(1000), Buffer.from('xx')]))).body.error).toMatchObject({ code: 100, error_data: { details: expect.stringMatching(/^file_length: /) } });
    const done = await uploadStep(id, 1000, picture.subarray(1000));
    expect(done).toEqual({ status: 200, body: { h: expect.stringMatching(/^2:[A-Za-z0-9_-]+:image\/jpeg:[A-Za-z0-9_-]+:e:\d+:AR[A-Za-z0-9_-]+$/) } });
    expect((await h.graph('GET', `/${id}`)).body).toEqual({ id, file_offset: picture.length });

    const before = (await h.graph('GET', `/${number}/whatsapp_business_profile`)).body.data[0].profile_picture_url;
    expect((await h.graph('POST', `/${number}/whatsapp_business_profile`, { messaging_product: 'whatsapp', profile_picture_handle: done.body.h })).body).toEqual({ success: true });
    const url = (await h.graph('GET', `/${number}/whatsapp_business_profile?fields=profile_picture_url`)).body.data[0].profile_picture_url;
    expect(url).toMatch(/^https:\/\/pps\.whatsapp\.net\/v\/sandbox\/[0-9a-f]{24}\.jpg$/);
    expect(url).not.toBe(before);
    // The same picture uploaded again has the same URL; another picture another one.
    await h.graph('POST', `/${number}/whatsapp_business_profile`, { messaging_product: 'whatsapp', profile_picture_handle: await uploadFile(picture) });
    expect((await h.graph('GET', `/${number}/whatsapp_business_profile`)).body.data[0].profile_picture_url).toBe(url);
  });

  it("refuses what Meta refuses: a bad session, type or length, a missing offset or header token, and a handle it did not issue", async () => {
    const app = (await h.graph('GET', '/app')).body.id as string;
    const create = (query: string) => h.graph('POST', `/${app}/uploads?${query}`);
    expect((await create('file_name=a.gif&file_length=10&file_type=image/gif')).body.error).toMatchObject({ code: 100, error_data: { details: 'file_type: must be one of application/pdf, image/jpeg, image/jpg, image/png, video/mp4' } });
    expect((await create('file_name=a.jpg&file_length=0&file_type=image/jpeg')).body.error).toMatchObject({ code: 100, error_data: { details: expect.stringMatching(/^file_length: /) } });
    expect((await create('file_name=a.jpg&file_type=image/jpeg')).body.error.code).toBe(131008);
    expect((await create('file_length=10&file_type=image/jpeg')).body.error.code).toBe(131008);
    expect((await h.graph('POST', '/999999/uploads?file_name=a.jpg&file_length=10&file_type=image/jpeg')).body.error).toMatchObject({ code: 100, error_subcode: 33 });
    // Meta's older form, /app/uploads, names the same app.
    expect((await h.graph('POST', '/app/uploads?file_name=a.jpg&file_length=10&file_type=image/jpeg')).body.id).toMatch(/^upload:/);

    const id = (await create('file_name=a.jpg&file_length=22&file_type=image/jpeg')).body.id as string;
    expect((await uploadStep(id, undefined, Buffer.alloc(22))).body.error).toMatchObject({ code: 131008, error_data: { details: expect.stringMatching(/^file_offset: /) } });
    expect((await uploadStep(id, 0, Buffer.alloc(22), null)).body.error.code).toBe(104);
    expect((await uploadStep(id, 0, Buffer.alloc(22), 'OAuth wrong-token')).body.error.code).toBe(190);
    const forged = id.replace(/sig=.*/, 'sig=ARforged');
    expect((await uploadStep(forged, 0, Buffer.alloc(22))).body.error).toMatchObject({ code: 100, error_subcode: 33 });
    expect((await h.graph('GET', '/upload:nothing?sig=AR')).body.error).toMatchObject({ code: 100, error_subcode: 33 });
    // Bearer works too for the upload step.
    expect((await uploadStep(id, 0, Buffer.alloc(22), `Bearer ${TOKEN}`)).body.h).toMatch(/^2:/);

    const profile = (handle: string) => h.graph('POST', `/${number}/whatsapp_business_profile`, { messaging_product: 'whatsapp', profile_picture_handle: handle });
    expect((await profile('4::aW1hZ2UvanBlZw==:ARb')).body.error).toMatchObject({ code: 100, error_data: { details: expect.stringMatching(/^profile_picture_handle: is not a handle of this app/) } });
    const handle = await uploadFile(jpegOfSize(640, 640));
    expect((await profile(handle.replace(/:AR[^:]+$/, ':ARforged'))).body.error.code).toBe(100);
    expect((await profile(await uploadFile(pdfFile(), 'application/pdf', 'menu.pdf'))).body.error).toMatchObject({ code: 100, error_data: { details: 'profile_picture_handle: the file is application/pdf; a profile picture must be image/jpeg or image/png' } });
    expect((await profile(handle)).body).toEqual({ success: true });
  });
});

describe('sandbox: registration, verification code and two-step PIN', () => {
  it('sends a fresh code the control API shows, verifies it once, and keeps the PIN only as a digest', async () => {
    const account = (await h.admin('POST', '/accounts', {})).body.phone_number.id as string;
    expect((await h.admin('GET', `/phone-numbers/${account}/verification-code`)).status).toBe(404);
    expect((await h.graph('POST', `/${account}/request_code`, { code_method: 'EMAIL' })).body.error).toMatchObject({ code: 100, error_data: { details: 'code_method: must be SMS or VOICE' } });
    expect((await h.graph('POST', `/${account}/request_code`, { code_method: 'SMS', language: 'pt_BR' })).body).toEqual({ success: true });
    const sent = await h.admin('GET', `/phone-numbers/${account}/verification-code`);
    expect(sent.body).toMatchObject({ code: expect.stringMatching(/^\d{6}$/), code_method: 'SMS', language: 'pt_BR', verified_at: null });
    expect((await h.graph('GET', `/${account}`)).body.code_verification_status).toBe('NOT_VERIFIED');
    const wrong = sent.body.code === '000000' ? '111111' : '000000';
    expect((await h.graph('POST', `/${account}/verify_code`, { code: wrong })).body.error).toMatchObject({ code: 100, error_data: { details: 'code: wrong verification code' } });
    expect((await h.graph('POST', `/${account}/verify_code`, { code: sent.body.code })).body).toEqual({ success: true });
    expect((await h.graph('GET', `/${account}`)).body.code_verification_status).toBe('VERIFIED');
    expect((await h.graph('POST', `/${account}/verify_code`, { code: sent.body.code })).body.error.code).toBe(100);

    // Register sets the two-step PIN; another PIN is 133005 until the PIN is changed.
    expect((await h.graph('POST', `/${account}/deregister`)).body).toEqual({ success: true });
    expect((await h.graph('POST', `/${account}/register`, { messaging_product: 'whatsapp', pin: '12345' })).body.error.code).toBe(100);
    expect((await h.graph('POST', `/${account}/register`, { messaging_product: 'whatsapp', pin: '246810' })).body).toEqual({ success: true });
    expect((await h.graph('POST', `/${account}/register`, { messaging_product: 'whatsapp', pin: '135790' })).body.error.code).toBe(133005);
    expect((await h.graph('POST', `/${account}`, { pin: '135790' })).body).toEqual({ success: true });
    expect((await h.graph('POST', `/${account}/register`, { messaging_product: 'whatsapp', pin: '135790' })).body).toEqual({ success: true });
    const stored = h.sandbox.engine.state.phoneNumbers.get(account);
    expect(stored?.pin).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain('135790');
  });
});

describe('sandbox: conversational automation', () => {
  it('stores the welcome message, ice breakers and commands within Meta’s limits and reads them with ?fields=', async () => {
    const settings = {
      enable_welcome_message: true,
      prompts: ['Ver cardápio', 'Fazer pedido'],
      commands: [{ command_name: 'pedido', command_description: 'Acompanhar o pedido' }],
    };
    expect((await h.graph('POST', `/${number}/conversational_automation`, settings)).body).toEqual({ success: true });
    const read = await h.graph('GET', `/${number}?fields=conversational_automation`);
    expect(read.body).toMatchObject({ id: number, conversational_automation: settings });
    // Meta's own examples pass them as query parameters.
    const query = `enable_welcome_message=true&prompts=${encodeURIComponent(JSON.stringify(['Ver cardápio', 'Horários']))}`;
    expect((await h.graph('POST', `/${number}/conversational_automation?${query}`)).body).toEqual({ success: true });
    expect((await h.graph('GET', `/${number}?fields=conversational_automation`)).body.conversational_automation.prompts).toEqual(['Ver cardápio', 'Horários']);

    const broken: Array<[Record<string, unknown>, string]> = [
      [{ prompts: ['a', 'b', 'c', 'd', 'e'] }, 'prompts: at most 4 ice breakers'],
      [{ prompts: ['x'.repeat(81)] }, 'prompts[0]: must be a text of 1 to 80 characters'],
      [{ commands: Array.from({ length: 31 }, (_, i) => ({ command_name: `c${i}`, command_description: 'd' })) }, 'commands: at most 30 commands'],
      [{ commands: [{ command_name: 'x'.repeat(33), command_description: 'd' }] }, 'commands[0].command_name: must be 1 to 32 letters, digits or _ (without the /)'],
      [{ commands: [{ command_name: 'ok', command_description: 'd'.repeat(257) }] }, 'commands[0].command_description: must be a text of 1 to 256 characters'],
      [{ enable_welcome_message: 'yes' }, 'enable_welcome_message: must be true or false'],
    ];
    for (const [body, details] of broken) {
      const answer = await h.graph('POST', `/${number}/conversational_automation`, body);
      expect(answer.body.error, JSON.stringify(body)).toMatchObject({ code: 100, error_data: { details } });
    }
  });

  it('sends request_welcome on the first open of a chat only, and only with the welcome message on', async () => {
    await h.graph('POST', `/${number}/conversational_automation`, { enable_welcome_message: false });
    expect((await h.admin('POST', '/phones/5511955550001/chats', { to: number })).body).toEqual({ request_welcome: false, reason: 'the welcome message is off for this number' });
    const raw = await h.admin('POST', '/phones/5511955550001/messages', { to: number, type: 'request_welcome' });
    expect(raw.status).toBe(422);
    expect(raw.body.error.details.field).toBe('type');

    await h.graph('POST', `/${number}/conversational_automation`, { enable_welcome_message: true });
    const opened = await h.admin('POST', '/phones/5511955550001/chats', { to: number });
    expect(opened.body).toEqual({ request_welcome: true, id: expect.stringMatching(/^wamid\./) });
    const welcome = await h.receiver.waitFor(() => inboundTo(number).find((m) => m.id === opened.body.id));
    expect(welcome).toMatchObject({ from: '5511955550001', type: 'request_welcome' });
    expect(welcome).not.toHaveProperty('request_welcome');
    expect((await h.admin('POST', '/phones/5511955550001/chats', { to: number })).body).toMatchObject({ request_welcome: false, reason: expect.stringContaining('first open') });
  });
});

describe('sandbox: block users', () => {
  it('blocks only users who wrote in the last 24 hours, drops their messages, refuses sends to them, and unblocks', async () => {
    await writes('5511955550010', 'oi');
    const blocked = await h.graph('POST', `/${number}/block_users`, { messaging_product: 'whatsapp', block_users: [{ user: '+55 11 95555-0010' }] });
    expect(blocked.status).toBe(200);
    expect(blocked.body).toEqual({ messaging_product: 'whatsapp', block_users: { added_users: [{ input: '+55 11 95555-0010', wa_id: '5511955550010' }] } });

    // Partial failure: a user who never wrote, and a business number, with 139100 per user and overall.
    const business = (await h.graph('GET', `/${number}`)).body.display_phone_number as string;
    const partial = await h.graph('POST', `/${number}/block_users`, { messaging_product: 'whatsapp', block_users: [{ user: '5511955550010' }, { user: '5511955550011' }, { user: business }] });
    expect(partial.status).toBe(400);
    expect(partial.body.block_users.added_users).toEqual([{ input: '5511955550010', wa_id: '5511955550010' }]);
    expect(partial.body.block_users.failed_users).toEqual([
      { input: '5511955550011', wa_id: '5511955550011', errors: [{ message: 'Failed to block/unblock this user', code: 139100, error_data: { details: expect.stringContaining('last 24 hours') } }] },
      { input: business, wa_id: business, errors: [expect.objectContaining({ code: 139100, error_data: { details: 'A WhatsApp Business account cannot be blocked' } })] },
    ]);
    expect(partial.body.error).toMatchObject({ code: 139100, message: '(#139100) Failed to block/unblock users' });

    const listed = await h.graph('GET', `/${number}/block_users`);
    expect(listed.body.data).toEqual([{ messaging_product: 'whatsapp', wa_id: '5511955550010' }]);

    // A blocked customer's message never reaches the business; a send to them fails at once.
    const before = inboundTo(number).length;
    const dropped = await writes('5511955550010', 'ainda aí?');
    expect(dropped.body.delivered_to_business).toBe(false);
    const send = await h.graph('POST', `/${number}/messages`, { messaging_product: 'whatsapp', to: '5511955550010', type: 'text', text: { body: 'oi' } });
    expect(send.status).toBe(400);
    expect(send.body.error).toMatchObject({ code: 131026, error_data: { details: expect.stringContaining('blocked by this business') } });
    await writes('5511955550012', 'outro cliente');
    await h.receiver.waitFor(() => inboundTo(number).some((m) => m.from === '5511955550012'));
    expect(inboundTo(number).slice(before).map((m) => m.from)).toEqual(['5511955550012']);

    // Unblocking has no 24-hour rule.
    await h.admin('POST', '/clock', { advance_seconds: 2 * 86400 });
    const unblocked = await h.graph('DELETE', `/${number}/block_users`, { messaging_product: 'whatsapp', block_users: [{ user: '5511955550010' }] });
    expect(unblocked.body).toEqual({ messaging_product: 'whatsapp', block_users: { removed_users: [{ input: '5511955550010', wa_id: '5511955550010' }] } });
    expect((await h.graph('GET', `/${number}/block_users`)).body.data).toEqual([]);
    expect((await writes('5511955550010', 'voltei')).body.delivered_to_business).toBe(true);
  });

  it('answers bad requests with Meta’s codes naming the field', async () => {
    expect((await h.graph('POST', `/${number}/block_users`, { block_users: [{ user: '1' }] })).body.error.code).toBe(131008);
    expect((await h.graph('POST', `/${number}/block_users`, { messaging_product: 'whatsapp', block_users: [{ wa: '1' }] })).body.error.error_data.details).toBe('block_users[0].user: must be a phone number or wa_id');
    const many = Array.from({ length: 1001 }, (_, i) => ({ user: String(5511900000000 + i) }));
    expect((await h.graph('POST', `/${number}/block_users`, { messaging_product: 'whatsapp', block_users: many })).body.error.error_data.details).toBe('block_users: at most 1000 users per request');
    expect((await h.graph('GET', `/${number}/block_users?limit=0`)).body.error.code).toBe(100);
  });
});

describe('sandbox: QR codes with a prefilled message (message_qrdls)', () => {
  it('creates, updates, lists, serves the image, lets a customer scan it, and deletes', async () => {
    const created = await h.graph('POST', `/${number}/message_qrdls`, { prefilled_message: 'Quero o cardápio', generate_qr_image: 'SVG' });
    expect(created.status).toBe(200);
    const code = created.body.code as string;
    expect(created.body).toEqual({ code: expect.stringMatching(/^[A-Z0-9]{14}$/), prefilled_message: 'Quero o cardápio', deep_link_url: `https://wa.me/message/${code}`, qr_image_url: `${h.base}/sandbox/v1/qr-codes/${code}.svg` });
    const svg = await fetch(created.body.qr_image_url as string);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(await svg.text()).toContain('<svg');
    const png = Buffer.from(await (await fetch(`${h.base}/sandbox/v1/qr-codes/${code}.png`)).arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');

    const updated = await h.graph('POST', `/${number}/message_qrdls`, { code, prefilled_message: 'Quero pedir' });
    expect(updated.body).toEqual({ code, prefilled_message: 'Quero pedir', deep_link_url: `https://wa.me/message/${code}` });
    expect((await h.graph('GET', `/${number}/message_qrdls`)).body.data).toEqual([{ code, prefilled_message: 'Quero pedir', deep_link_url: `https://wa.me/message/${code}` }]);
    expect((await h.graph('GET', `/${number}/message_qrdls/${code}`)).body.data[0].code).toBe(code);

    const scanned = await h.admin('POST', '/phones/5511955550020/qr-scans', { code });
    expect(scanned.status).toBe(201);
    const message = await h.receiver.waitFor(() => inboundTo(number).find((m) => m.id === scanned.body.id));
    expect(message).toMatchObject({ from: '5511955550020', type: 'text', text: { body: 'Quero pedir' } });

    expect((await h.graph('DELETE', `/${number}/message_qrdls/${code}`)).body).toEqual({ success: true });
    expect((await h.graph('GET', `/${number}/message_qrdls/${code}`)).body.error.code).toBe(100);
    expect((await h.admin('POST', '/phones/5511955550020/qr-scans', { code })).status).toBe(404);

    expect((await h.graph('POST', `/${number}/message_qrdls`, { generate_qr_image: 'PNG' })).body.error).toMatchObject({ code: 131008, error_data: { details: 'prefilled_message: is required' } });
    expect((await h.graph('POST', `/${number}/message_qrdls`, { prefilled_message: 'x'.repeat(141) })).body.error.error_data.details).toBe('prefilled_message: must be a text of 1 to 140 characters');
    expect((await h.graph('POST', `/${number}/message_qrdls`, { prefilled_message: 'oi', generate_qr_image: 'JPG' })).body.error.error_data.details).toBe('generate_qr_image: must be PNG or SVG');
  });
});
