import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { BlockedUsers, checkProfilePicture, NumberSettings, PROFILE_PICTURE_MAX_BYTES, type PhoneNumberView, type SettingsOutcome } from '../../modules/phone-numbers/index.js';
import type { ResumableUploadFileType } from '../../whatsapp/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { readFilePart } from '../multipart-file.js';
import { sendError } from '../errors.js';
import { QrImageCache } from '../qr-cache.js';
import { responses, schemas as s } from '../responses.js';

// Meta's limits (cloud-api-facts.md §1.4, §1.6; Meta's conversational automation and QR code pages).
const VERTICALS = ['OTHER', 'AUTO', 'BEAUTY', 'APPAREL', 'EDU', 'ENTERTAIN', 'EVENT_PLAN', 'FINANCE', 'GROCERY', 'GOVT', 'HOTEL', 'HEALTH', 'NONPROFIT', 'PROF_SERVICES', 'RETAIL', 'TRAVEL', 'RESTAURANT', 'ALCOHOL', 'ONLINE_GAMBLING', 'PHYSICAL_GAMBLING', 'OTC_DRUGS'];
const PIN = { type: 'string', pattern: '^[0-9]{6}$', description: 'The 6-digit two-step verification PIN; passed to Meta, never stored or logged' } as const;
const WA_ID = { type: 'string', pattern: '^\\+?[0-9]{7,15}$', description: 'The customer: digits of the E.164 number (a leading + is fine)' } as const;
const QR_CODE = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$', description: "The QR code's code (Meta's are upper-case letters and digits)" } as const;
const QR_CACHE = { maxEntries: 256, maxBytes: 16 * 1024 * 1024 } as const;
/** `POST …/uploads`: what Meta's Resumable Upload API takes, sniffed from the bytes, with the limits of the media kind (images 5 MB, the rest 16 MB here). */
const UPLOAD_MAX_BYTES = 16 * 1024 * 1024;
const UPLOAD_TYPES: Record<string, { type: ResumableUploadFileType; maxBytes: number; name: string }> = {
  'image/jpeg': { type: 'image/jpeg', maxBytes: 5 * 1024 * 1024, name: 'file.jpg' },
  'image/png': { type: 'image/png', maxBytes: 5 * 1024 * 1024, name: 'file.png' },
  'video/mp4': { type: 'video/mp4', maxBytes: UPLOAD_MAX_BYTES, name: 'file.mp4' },
  'application/pdf': { type: 'application/pdf', maxBytes: UPLOAD_MAX_BYTES, name: 'file.pdf' },
};

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const qrParams = { type: 'object', required: ['id', 'code'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 }, code: QR_CODE } } as const;
const strict = (properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}) => ({ type: 'object', additionalProperties: false, required, properties, ...extra });

const profileBody = strict(
  {
    about: { type: 'string', minLength: 1, maxLength: 139, description: 'The "About" text (1–139 characters)' },
    address: { type: 'string', maxLength: 256 },
    description: { type: 'string', maxLength: 512 },
    email: { type: 'string', maxLength: 128, pattern: '^$|^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$', description: 'An e-mail address' },
    websites: { type: 'array', maxItems: 2, items: { type: 'string', maxLength: 256, pattern: '^https?://\\S+$' }, description: 'At most 2 URLs, each with http:// or https://' },
    vertical: { type: 'string', enum: VERTICALS },
    profile_picture_handle: { type: 'string', minLength: 1, maxLength: 1024, description: "A handle from Meta's Resumable Upload API" },
  },
  [],
  { minProperties: 1 },
);
const automationBody = strict(
  {
    enable_welcome_message: { type: 'boolean', description: 'On: a customer opening the chat for the first time sends a request_welcome message (a chatbot flow with a welcome trigger answers it)' },
    prompts: { type: 'array', maxItems: 4, items: { type: 'string', minLength: 1, maxLength: 80 }, description: 'Ice breakers: up to 4 texts of up to 80 characters; a tap sends the text as a message' },
    commands: {
      type: 'array',
      maxItems: 30,
      items: strict({ command_name: { type: 'string', minLength: 1, maxLength: 32, pattern: '^[\\p{L}\\p{N}_]+$', description: 'Without the /' }, command_description: { type: 'string', minLength: 1, maxLength: 256 } }, ['command_name', 'command_description']),
      description: 'Up to 30 commands shown when the customer types /; using one sends "/name" as a text message',
    },
  },
  [],
  { minProperties: 1 },
);
const blockBody = strict({ wa_ids: { type: 'array', minItems: 1, maxItems: 1000, uniqueItems: true, items: WA_ID } }, ['wa_ids']);
const qrBody = strict({ prefilled_message: { type: 'string', minLength: 1, maxLength: 140, description: 'The text the chat opens with' } }, ['prefilled_message']);

const profileSchema = s.object({ about: s.string, address: s.string, description: s.string, email: s.string, websites: { type: 'array', items: s.string }, vertical: s.string, profile_picture_url: s.string }, 'The business profile as Meta has it');
const automationSchema = s.object({ enable_welcome_message: s.boolean, prompts: { type: 'array', items: s.string }, commands: { type: 'array', items: s.object({ command_name: s.string, command_description: s.string }) } }, 'Welcome message, ice breakers and commands');
const doneSchema = s.object({ success: s.boolean }, 'Meta accepted it');
const qrSchema = s.object({ code: s.string, prefilled_message: s.string, deep_link_url: s.string, qr_png_url: s.string, qr_svg_url: s.string }, 'A QR code: its wa.me link and images');
const blockedSchema = s.object({ wa_id: s.string, blocked_at: s.nullableDateTime, blocked_by: s.nullableString }, 'A blocked customer (blocked_by: the API key id)');
const blockResultSchema = s.object({
  blocked: { type: 'array', items: s.string, description: 'wa_ids blocked (or unblocked) now' },
  failed: { type: 'array', items: s.object({ input: s.string, wa_id: s.nullableString, meta_code: s.integer, meta_details: s.string, fix: s.string }), description: "Who was not, with Meta's reason" },
}, 'Who was blocked (or unblocked) and who was not');

const uploadSchema = s.object({ handle: s.string }, "The file's handle at Meta (Resumable Upload API): for profile_picture_handle or a template's example.header_handle");
const MULTIPART_ERRORS = { 400: ['CONVERSA_ERR_VALIDATION'], 413: ['CONVERSA_ERR_PAYLOAD_TOO_LARGE'], 415: ['CONVERSA_ERR_UNSUPPORTED_MEDIA_TYPE'] } as const;

const PROVIDER = { 404: ['CONVERSA_ERR_NOT_FOUND'], 422: ['CONVERSA_ERR_PROVIDER_REJECTED'], 502: ['CONVERSA_ERR_PROVIDER_UNREACHABLE'] } as const;
const tags = ['phone-numbers'];

type Id = { Params: { id: string } };

/**
 * The number's settings, kept at the provider (Meta's Cloud API or the sandbox):
 * `/api/v1/phone-numbers/{id}/profile | register | deregister | request-code | verify-code |
 * two-step | automation | blocked-users | qr-codes`. See docs/number-settings.md.
 */
export function registerNumberSettingsRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'phoneNumbers' | 'whatsapp' | 'database' | 'clock'>): void {
  const settings = new NumberSettings({ phoneNumbers: deps.phoneNumbers, graph: deps.whatsapp });
  const blocked = new BlockedUsers({ db: deps.database.db, phoneNumbers: deps.phoneNumbers, graph: deps.whatsapp, now: () => deps.clock.now() });
  const qrCache = new QrImageCache(QR_CACHE);
  const numberOf = async (request: FastifyRequest<Id>, reply: FastifyReply): Promise<PhoneNumberView | undefined> => {
    const number = await deps.phoneNumbers.resolve(principalOf(request).workspaceId, request.params.id);
    if (!number) void sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No phone number ${request.params.id} in this workspace.`);
    return number;
  };
  /** Fastify drops unknown fields (removeAdditional), so a body of unknown fields only arrives empty: name the rule. */
  const emptyBody = (request: FastifyRequest, reply: FastifyReply, fields: string): boolean => {
    if (request.body && typeof request.body === 'object' && Object.keys(request.body).length > 0) return false;
    void sendError(reply, 'CONVERSA_ERR_VALIDATION', `body: must name at least one of ${fields}`, { field: 'body', rule: `must name at least one of ${fields}` });
    return true;
  };
  /** Resolves the number, runs `fn`, and answers its outcome (or the error, explained). */
  const answer = <T>(what: string, fn: (number: PhoneNumberView, request: FastifyRequest) => Promise<SettingsOutcome<T>>, present: (value: T, number: PhoneNumberView, request: FastifyRequest) => unknown = (value) => value) =>
    async (request: FastifyRequest<Id>, reply: FastifyReply) => {
      const number = await numberOf(request, reply);
      if (!number) return reply;
      const outcome = await fn(number, request);
      return outcome.ok ? present(outcome.value, number, request) : sendOutcomeError(reply, what, request.params.id, outcome);
    };
  const admin = { onRequest: app.requireScope('admin') };
  const op = (summary: string, description: string, response: Record<number, unknown>, extra: Record<string, unknown> = {}) => ({ tags, summary, description, params: idParams, response: responses({ ...PROVIDER, ...response } as never), ...extra });

  app.get<Id>('/phone-numbers/:id/profile', { ...admin, schema: op('The business profile', "Meta's `GET /{phone_number_id}/whatsapp_business_profile`: about, address, description, e-mail, websites, vertical and the picture's URL.", { 200: profileSchema }) }, answer('Reading the profile', (n) => settings.profile(n.id), withoutProduct));

  app.patch<Id & { Body: Record<string, unknown> }>(
    '/phone-numbers/:id/profile',
    { ...admin, schema: op('Change the business profile', "The fields given change, the others stay (Meta's limits: about 1–139, address ≤ 256, description ≤ 512, e-mail ≤ 128, at most 2 websites with http(s)://, vertical from Meta's list). Answers the profile as Meta now has it.", { 200: profileSchema }, { body: profileBody }) },
    async (request, reply) => (emptyBody(request, reply, Object.keys(profileBody.properties).join(', ')) ? reply : answer('Changing the profile', (n, r) => settings.updateProfile(n.id, r.body as Record<string, never>), withoutProduct)(request, reply)),
  );

  // The picture and uploads are multipart: their parser lives in a scope of its own, like the media upload's.
  void app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: UPLOAD_MAX_BYTES + 1, files: 1, fields: 2, parts: 3, fieldSize: 256, headerPairs: 50 } });
    scope.put<Id>(
      '/phone-numbers/:id/profile/picture',
      {
        ...admin,
        schema: op(
          "Set the business profile's picture",
          "multipart/form-data with the picture in a part named `file`: a JPEG or PNG (sniffed from the bytes) of at most 5 MB and at least 192x192 pixels (Meta recommends 640x640), checked here first. The picture goes up through Meta's Resumable Upload API (`GET /app`, `POST /{app-id}/uploads`, `POST /{upload-session-id}`), then its handle to `POST /{phone-number-id}/whatsapp_business_profile`. Answers the profile as Meta now has it, with the new `profile_picture_url`.",
          { 200: profileSchema, ...MULTIPART_ERRORS },
          { consumes: ['multipart/form-data'] },
        ),
      },
      async (request, reply) => {
        const data = await readFilePart(request, reply, PROFILE_PICTURE_MAX_BYTES);
        if (!Buffer.isBuffer(data)) return data;
        const picture = await checkProfilePicture(data);
        if (!picture.ok) return sendFileRule(reply, picture.rule);
        return answer('Setting the profile picture', (n) => settings.setProfilePicture(n.id, { data, type: picture.type }), withoutProduct)(request, reply);
      },
    );
    scope.post<Id>(
      '/phone-numbers/:id/uploads',
      {
        ...admin,
        schema: op(
          "Upload a file to Meta and get its handle",
          "multipart/form-data with the file in a part named `file`: a JPEG or PNG (at most 5 MB), an MP4 or a PDF (at most 16 MB), sniffed from the bytes. Meta's Resumable Upload API (`GET /app`, `POST /{app-id}/uploads`, `POST /{upload-session-id}`) with the number's token; the handle answered is what `profile_picture_handle` and a template's `example.header_handle` take.",
          { 201: uploadSchema, ...MULTIPART_ERRORS },
          { consumes: ['multipart/form-data'] },
        ),
      },
      async (request, reply) => {
        const data = await readFilePart(request, reply, UPLOAD_MAX_BYTES);
        if (!Buffer.isBuffer(data)) return data;
        if (data.length === 0) return sendFileRule(reply, 'must not be empty');
        const { fileTypeFromBuffer } = await import('file-type');
        const kind = UPLOAD_TYPES[(await fileTypeFromBuffer(data))?.mime ?? ''];
        if (!kind) return sendFileRule(reply, 'must be a JPEG, PNG, MP4 or PDF file (sniffed from its content)');
        if (data.length > kind.maxBytes) return sendError(reply, 'CONVERSA_ERR_PAYLOAD_TOO_LARGE', `file: must be at most ${kind.maxBytes / 1024 / 1024} MB for ${kind.type}`, { field: 'file', rule: `must be at most ${kind.maxBytes / 1024 / 1024} MB for ${kind.type}` });
        const number = await numberOf(request, reply);
        if (!number) return reply;
        const outcome = await settings.upload(number.id, { data, type: kind.type, name: kind.name });
        return outcome.ok ? reply.code(201).send({ handle: outcome.value }) : sendOutcomeError(reply, 'Uploading the file', request.params.id, outcome);
      },
    );
  });

  const registration = (path: string, summary: string, description: string, body: Record<string, unknown> | undefined, run: (id: string, body: Record<string, string>) => Promise<SettingsOutcome<{ success: boolean }>>) =>
    app.post<Id>(`/phone-numbers/:id/${path}`, { ...admin, schema: op(summary, description, { 200: doneSchema }, body ? { body } : {}) }, answer(summary, (n, request) => run(n.id, (request.body ?? {}) as Record<string, string>), () => ({ success: true })));
  registration('register', 'Register the number on the Cloud API', "Meta's `POST /{id}/register`: the 6-digit `pin` becomes the two-step PIN (or must match the one set). At most 10 register or deregister calls per 72 hours (Meta's 133016). The PIN is never stored or logged.", strict({ pin: PIN }, ['pin']), (id, body) => settings.register(id, body.pin as string));
  registration('deregister', 'Deregister the number', "Meta's `POST /{id}/deregister`: the number stops sending and receiving on the Cloud API until registered again; history stays.", undefined, (id) => settings.deregister(id));
  registration('request-code', 'Send a verification code to the number', "Meta's `POST /{id}/request_code`: a 6-digit code by SMS or voice call to the number itself (the sandbox shows it at GET /sandbox/v1/phone-numbers/{id}/verification-code).", strict({ code_method: { type: 'string', enum: ['SMS', 'VOICE'] }, language: { type: 'string', pattern: '^[a-z]{2,3}(_[A-Z]{2})?$', default: 'en_US', description: 'The language of the message, e.g. pt_BR' } }, ['code_method']), (id, body) => settings.requestCode(id, body.code_method as 'SMS', body.language ?? 'en_US'));
  registration('verify-code', 'Verify the number with the code it received', "Meta's `POST /{id}/verify_code`.", strict({ code: { type: 'string', pattern: '^[0-9]{6}$', description: 'The 6-digit code' } }, ['code']), (id, body) => settings.verifyCode(id, body.code as string));
  registration('two-step', 'Set or change the two-step verification PIN', "Meta's `POST /{id} {pin}`. The PIN is never stored or logged.", strict({ pin: PIN }, ['pin']), (id, body) => settings.setTwoStepPin(id, body.pin as string));

  app.get<Id>('/phone-numbers/:id/automation', { ...admin, schema: op('Welcome message, ice breakers and commands', "Meta's `GET /{id}?fields=conversational_automation`.", { 200: automationSchema }) }, answer('Reading the automation', (n) => settings.automation(n.id)));
  app.put<Id & { Body: Record<string, unknown> }>(
    '/phone-numbers/:id/automation',
    { ...admin, schema: op('Change the welcome message, ice breakers or commands', "Meta's `POST /{id}/conversational_automation`: the settings given replace theirs (`prompts: []` removes the ice breakers), the ones left out stay. Answers all three as Meta now has them.", { 200: automationSchema }, { body: automationBody }) },
    async (request, reply) => (emptyBody(request, reply, Object.keys(automationBody.properties).join(', ')) ? reply : answer('Changing the automation', (n, r) => settings.setAutomation(n.id, r.body as never))(request, reply)),
  );

  const listQuery = { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, cursor: { type: 'string', maxLength: 200 }, source: { type: 'string', enum: ['platform', 'provider'], default: 'platform', description: "platform: the blocks made through Conversa, with when and by which key; provider: Meta's own list (blocks made in WhatsApp Manager too)" } } } as const;
  app.get<Id & { Querystring: { limit: number; cursor?: string; source: 'platform' | 'provider' } }>(
    '/phone-numbers/:id/blocked-users',
    { onRequest: app.requireScope('contacts:read'), schema: op('The blocked users', 'By wa_id, a page at a time (`next_cursor`).', { 200: s.page(blockedSchema) }, { querystring: listQuery }) },
    async (request, reply) => {
      const number = await numberOf(request, reply);
      if (!number) return reply;
      const options = { limit: request.query.limit, after: request.query.cursor };
      if (request.query.source === 'platform') return blocked.list(number.id, options);
      const outcome = await blocked.listAtProvider(number.id, options);
      return outcome.ok ? outcome.value : sendOutcomeError(reply, 'Reading the blocked users', request.params.id, outcome);
    },
  );
  const change = (action: 'block' | 'unblock') => answer(action === 'block' ? 'Blocking' : 'Unblocking', (n, request) => blocked.change(n.id, action, (request.body as { wa_ids: string[] }).wa_ids, principalOf(request).keyId), (value) => ({
    blocked: value.done,
    failed: value.failed.map((f) => ({ input: f.input, wa_id: f.wa_id, meta_code: f.code, meta_details: f.details, fix: f.fix })),
  }));
  const blockDoc = (action: string, rule: string) => op(`${action} users`, `Meta's \`${action === 'Block' ? 'POST' : 'DELETE'} /{id}/block_users\`, up to 1,000 at a time. ${rule} Each user succeeds or fails on its own: \`failed\` lists who did not, with Meta's code and what to do.`, { 200: blockResultSchema }, { body: blockBody });
  app.post<Id>('/phone-numbers/:id/blocked-users', { onRequest: app.requireScope('contacts:write'), schema: blockDoc('Block', 'Only customers who wrote to the number in the last 24 hours can be blocked (the list holds at most 64,000). A blocked customer\'s messages never arrive, and sends to them fail.') }, change('block'));
  app.delete<Id>('/phone-numbers/:id/blocked-users', { onRequest: app.requireScope('contacts:write'), schema: blockDoc('Unblock', 'Unblocking has no 24-hour rule.') }, change('unblock'));

  const presentQr = (qr: { code: string; prefilled_message: string; deep_link_url: string }, number: PhoneNumberView) => ({
    code: qr.code,
    prefilled_message: qr.prefilled_message,
    deep_link_url: qr.deep_link_url,
    qr_png_url: `/api/v1/phone-numbers/${number.id}/qr-codes/${qr.code}/qr.png`,
    qr_svg_url: `/api/v1/phone-numbers/${number.id}/qr-codes/${qr.code}/qr.svg`,
  });
  app.get<Id>('/phone-numbers/:id/qr-codes', { ...admin, schema: op('QR codes with a prefilled message', "Meta's `GET /{id}/message_qrdls`.", { 200: s.list(qrSchema) }) }, answer('Reading the QR codes', (n) => settings.qrCodes(n.id), (codes, number) => ({ data: codes.map((qr) => presentQr(qr, number)) })));
  app.post<Id & { Body: { prefilled_message: string } }>(
    '/phone-numbers/:id/qr-codes',
    { ...admin, schema: op('Create a QR code that opens the chat with a message typed', "Meta's `POST /{id}/message_qrdls`. Scanning it (or opening deep_link_url, https://wa.me/message/CODE) opens the chat with prefilled_message (≤ 140 characters) ready to send; a chatbot keyword trigger can start a flow from it.", { 201: qrSchema }, { body: qrBody }) },
    async (request, reply) => {
      const number = await numberOf(request, reply);
      if (!number) return reply;
      const outcome = await settings.saveQrCode(number.id, { prefilled_message: request.body.prefilled_message });
      return outcome.ok ? reply.code(201).send(presentQr(outcome.value, number)) : sendOutcomeError(reply, 'Creating the QR code', request.params.id, outcome);
    },
  );
  type Qr = { Params: { id: string; code: string } };
  app.get<Qr>('/phone-numbers/:id/qr-codes/:code', { ...admin, schema: { ...op('A QR code', "Meta's `GET /{id}/message_qrdls/{code}`.", { 200: qrSchema }), params: qrParams } }, answer('Reading the QR code', (n, request) => settings.qrCode(n.id, (request.params as Qr['Params']).code), presentQr));
  app.patch<Qr & { Body: { prefilled_message: string } }>(
    '/phone-numbers/:id/qr-codes/:code',
    { ...admin, schema: { ...op('Change the message of a QR code', 'The code, link and image stay the same.', { 200: qrSchema }, { body: qrBody }), params: qrParams } },
    answer('Changing the QR code', (n, request) => settings.saveQrCode(n.id, { code: (request.params as Qr['Params']).code, prefilled_message: (request.body as { prefilled_message: string }).prefilled_message }), presentQr),
  );
  app.delete<Qr>('/phone-numbers/:id/qr-codes/:code', { ...admin, schema: { ...op('Delete a QR code', 'Its link stops working.', { 204: null }), params: qrParams } }, async (request, reply) => {
    const number = await numberOf(request, reply);
    if (!number) return reply;
    const outcome = await settings.deleteQrCode(number.id, request.params.code);
    return outcome.ok ? reply.code(204).send() : sendOutcomeError(reply, 'Deleting the QR code', request.params.code, outcome);
  });
  for (const format of ['png', 'svg'] as const) {
    app.get<Qr & { Querystring: { size?: number } }>(
      `/phone-numbers/:id/qr-codes/:code/qr.${format}`,
      {
        ...admin,
        schema: {
          ...op(`The QR code as ${format.toUpperCase()}`, 'Rendered here from its deep_link_url (cached; a few renders at a time).', { 200: s.file([format === 'png' ? 'image/png' : 'image/svg+xml'], 'The image') }),
          params: qrParams,
          ...(format === 'png' ? { querystring: { type: 'object', additionalProperties: false, properties: { size: { type: 'integer', minimum: 128, maximum: 2048, default: 512, description: 'Width in pixels' } } } } : {}),
        },
      },
      async (request, reply) => {
        const number = await numberOf(request, reply);
        if (!number) return reply;
        const outcome = await settings.qrCode(number.id, request.params.code);
        if (!outcome.ok) return sendOutcomeError(reply, 'Reading the QR code', request.params.code, outcome);
        const link = outcome.value.deep_link_url;
        if (format === 'svg') {
          const svg = await qrCache.get(`svg:${link}`, () => QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
          return reply.type('image/svg+xml').header('cache-control', 'private, max-age=300').send(svg);
        }
        const width = request.query.size ?? 512;
        const png = await qrCache.get(`png:${width}:${link}`, () => QRCode.toBuffer(link, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width }));
        return reply.type('image/png').header('cache-control', 'private, max-age=300').send(png);
      },
    );
  }
}

function sendFileRule(reply: FastifyReply, rule: string): FastifyReply {
  return sendError(reply, 'CONVERSA_ERR_VALIDATION', `file: ${rule}`, { field: 'file', rule });
}

function withoutProduct<T extends { messaging_product?: unknown }>(profile: T): Omit<T, 'messaging_product'> {
  const { messaging_product: _product, ...rest } = profile;
  return rest;
}

/** A settings call that did not go through: not found (404), Meta refused (422, with its code and the fix), or unreachable (502). */
function sendOutcomeError(reply: FastifyReply, what: string, id: string, outcome: Exclude<SettingsOutcome<unknown>, { ok: true }>): FastifyReply {
  switch (outcome.error) {
    case 'not_found':
      return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `${what}: ${id} was not found.`);
    case 'provider_rejected':
      return sendError(reply, 'CONVERSA_ERR_PROVIDER_REJECTED', `${what}: Meta answered (#${outcome.code}) ${outcome.title}`, {
        meta_code: outcome.code,
        meta_message: outcome.title,
        meta_details: outcome.details,
        meta_status: outcome.status,
        fix: outcome.fix,
      });
    case 'provider_unreachable':
      return sendError(reply, 'CONVERSA_ERR_PROVIDER_UNREACHABLE', `${what}: the Graph API could not be reached (${outcome.reason}).`, {
        fix: outcome.maybeDone ? 'The request may have reached Meta: read the setting again before repeating it.' : 'Nothing reached Meta: try again.',
      });
  }
}
