import type { FastifyInstance, FastifyReply } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { SandboxEngine } from './engine.js';
import { receiveFromPhone, setMarketingPreference } from './inbound.js';
import { businessTypingOf, deliverPending } from './outbound.js';
import { phoneNumberInfo } from './routes-graph-account.js';
import { automationOf, deepLinkOf, findQrCode } from './routes-graph-settings.js';
import { registerAdminGroupRoutes } from './routes-admin-groups.js';
import { SANDBOX_OPENAPI } from './sandbox-openapi.js';
import type { SimulatedPhone } from './state.js';
import { verifySubscriber } from './subscriber.js';
import type { SandboxTemplates } from './templates.js';
import { validateInboundMessage } from './validate-inbound.js';

const waId = z.string().regex(/^\d{7,15}$/, 'must be 7 to 15 digits (the E.164 number without +)');
const behaviour = z
  .object({
    delivery_delay_ms: z.number().int().min(0).max(600_000),
    read_delay_ms: z.number().int().min(0).max(86_400_000).nullable(),
    offline: z.boolean(),
  })
  .partial()
  .strict();
const rate = z.number().min(0).max(1);

const schemas = {
  webhook: z.object({ url: z.string().url().regex(/^https?:\/\//, 'must be an http(s) URL'), verify_token: z.string().min(1), app_secret: z.string().min(8).optional() }).strict(),
  account: z
    .object({
      waba_id: z.string().regex(/^\d{6,20}$/, 'must be a numeric id').optional(),
      phone_number_id: z.string().regex(/^\d{6,20}$/, 'must be a numeric id').optional(),
      display_phone_number: z.string().regex(/^\d{7,15}$/, 'must be 7 to 15 digits').optional(),
      verified_name: z.string().min(1).max(256).optional(),
      throughput_mps: z.number().int().min(1).max(1000).optional(),
    })
    .strict(),
  numberPatch: z
    .object({
      throughput_mps: z.number().int().min(1).max(1000),
      registered: z.boolean(),
      quality_rating: z.enum(['GREEN', 'YELLOW', 'RED']),
      messaging_limit_tier: z.enum(['TIER_250', 'TIER_2K', 'TIER_10K', 'TIER_100K', 'TIER_UNLIMITED']),
    })
    .partial()
    .strict(),
  phone: z.object({ wa_id: waId, name: z.string().min(1).max(256), has_whatsapp: z.boolean().optional(), behaviour: behaviour.optional() }).strict(),
  flow: z.object({ name: z.string().min(1).max(200) }).strict(),
  catalog: z.object({ products: z.array(z.string().min(1).max(100)).max(10_000) }).strict(),
  phonePatch: z.object({ name: z.string().min(1).max(256), has_whatsapp: z.boolean(), behaviour }).partial().strict(),
  preference: z.object({ to: z.string().min(1), value: z.enum(['stop', 'resume']) }).strict(),
  clock: z.object({ advance_seconds: z.number().positive().max(10 * 365 * 86400) }).strict(),
  faults: z
    .object({ graph_error_rate: rate, graph_latency_ms: z.number().int().min(0).max(60_000), group_messages_per_minute: z.number().int().min(0).max(100_000), webhook_duplicate_rate: rate, webhook_reorder_ms: z.number().int().min(0).max(60_000), webhook_drop_rate: rate })
    .partial()
    .strict(),
  openChat: z.object({ to: z.string().min(1) }).strict(),
  qrScan: z.object({ code: z.string().regex(/^[A-Z0-9]{1,32}$/, 'must be a QR code (upper-case letters and digits)') }).strict(),
  templateStatus: z.object({ status: z.enum(['APPROVED', 'PAUSED', 'DISABLED', 'REJECTED']), reason: z.string().max(256).optional() }).strict(),
};

/** Answers the sandbox admin API's error shape: `{ error: { code, message, details } }`. */
function replyError(reply: FastifyReply, status: number, code: string, message: string, details?: object): FastifyReply {
  return reply.code(status).send({ error: { code, message, ...(details ? { details } : {}) } });
}

function parse<T>(schema: z.ZodType<T>, body: unknown, reply: FastifyReply): T | undefined {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || '(body)';
  const rule = issue?.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : (issue?.message ?? 'is invalid');
  replyError(reply, 400, 'SANDBOX_ERR_VALIDATION', `${field}: ${rule}`, { field, rule });
  return undefined;
}

/** The simulated-customer and control API under `/sandbox/v1` (see docs/sandbox.md). */
export async function registerAdminRoutes(app: FastifyInstance, engine: SandboxEngine, templates: SandboxTemplates): Promise<void> {
  const { state } = engine;

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    if (error.statusCode && error.statusCode < 500) return replyError(reply, error.statusCode, 'SANDBOX_ERR_BAD_REQUEST', error.message);
    engine.logger.error({ err: error }, 'sandbox admin route failed');
    return replyError(reply, 500, 'SANDBOX_ERR_INTERNAL', 'The sandbox failed to handle this request.');
  });

  // Unknown control paths keep this API's error shape (Graph paths answer Graph's).
  app.setNotFoundHandler((request, reply) =>
    replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `No control route ${request.method} ${request.url.split('?')[0]}; see /sandbox/v1/openapi.json.`),
  );

  app.get('/openapi.json', async () => SANDBOX_OPENAPI);

  app.get('/accounts', async () => ({
    data: [...state.wabas.values()].map((waba) => ({
      waba_id: waba.id,
      name: waba.name,
      messaging_limit_tier: waba.messagingLimitTier,
      subscribed: waba.subscribed,
      flows: waba.flows ?? [],
      catalogs: waba.catalogs ?? [],
      phone_numbers: [...state.phoneNumbers.values()].filter((n) => n.wabaId === waba.id).map((n) => phoneNumberInfo(engine, n)),
    })),
  }));

  app.post('/accounts', async (request, reply) => {
    const input = parse(schemas.account, request.body, reply);
    if (!input) return reply;
    const { waba, phoneNumber } = state.ensureAccount(input);
    return reply.code(201).send({ waba_id: waba.id, phone_number: phoneNumberInfo(engine, phoneNumber) });
  });

  app.put<{ Params: { waba_id: string; flow_id: string } }>('/accounts/:waba_id/flows/:flow_id', async (request, reply) => {
    const waba = state.wabas.get(request.params.waba_id);
    if (!waba) return replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `No WABA ${request.params.waba_id} in the sandbox.`);
    const id = graphIdOf(request.params.flow_id, 'flow_id', reply);
    const input = id && parse(schemas.flow, request.body, reply);
    if (!id || !input) return reply;
    const flows = (waba.flows ??= []);
    if (flows.some((f) => f.name === input.name && f.id !== id)) {
      return replyError(reply, 409, 'SANDBOX_ERR_CONFLICT', `name: another flow of WABA ${waba.id} is named "${input.name}"`, { field: 'name', rule: 'must be unique in the WABA' });
    }
    const flow = flows.find((f) => f.id === id);
    if (flow) flow.name = input.name;
    else flows.push({ id, name: input.name });
    state.touch();
    return { id, name: input.name };
  });

  app.delete<{ Params: { waba_id: string; flow_id: string } }>('/accounts/:waba_id/flows/:flow_id', async (request, reply) => {
    const waba = state.wabas.get(request.params.waba_id);
    const index = waba?.flows?.findIndex((f) => f.id === request.params.flow_id) ?? -1;
    if (!waba || index < 0) return replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `No flow ${request.params.flow_id} in WABA ${request.params.waba_id}.`);
    waba.flows?.splice(index, 1);
    state.touch();
    return reply.code(204).send();
  });

  app.put<{ Params: { waba_id: string; catalog_id: string } }>('/accounts/:waba_id/catalogs/:catalog_id', async (request, reply) => {
    const waba = state.wabas.get(request.params.waba_id);
    if (!waba) return replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `No WABA ${request.params.waba_id} in the sandbox.`);
    const id = graphIdOf(request.params.catalog_id, 'catalog_id', reply);
    const input = id && parse(schemas.catalog, request.body, reply);
    if (!id || !input) return reply;
    const catalogs = (waba.catalogs ??= []);
    const products = [...new Set(input.products)];
    const catalog = catalogs.find((c) => c.id === id);
    if (catalog) catalog.products = products;
    else catalogs.push({ id, products });
    state.touch();
    return { id, products };
  });

  app.delete<{ Params: { waba_id: string; catalog_id: string } }>('/accounts/:waba_id/catalogs/:catalog_id', async (request, reply) => {
    const waba = state.wabas.get(request.params.waba_id);
    const index = waba?.catalogs?.findIndex((c) => c.id === request.params.catalog_id) ?? -1;
    if (!waba || index < 0) return replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `No catalog ${request.params.catalog_id} in WABA ${request.params.waba_id}.`);
    waba.catalogs?.splice(index, 1);
    state.touch();
    return reply.code(204).send();
  });

  app.patch<{ Params: { id: string } }>('/phone-numbers/:id', async (request, reply) => {
    const number = state.phoneNumbers.get(request.params.id);
    if (!number) return replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `No phone number ${request.params.id} in the sandbox.`);
    const patch = parse(schemas.numberPatch, request.body, reply);
    if (!patch) return reply;
    if (patch.throughput_mps !== undefined) number.throughputMps = patch.throughput_mps;
    if (patch.registered !== undefined) number.registered = patch.registered;
    if (patch.quality_rating !== undefined) number.qualityRating = patch.quality_rating;
    const waba = state.wabas.get(number.wabaId);
    if (waba && patch.messaging_limit_tier !== undefined) waba.messagingLimitTier = patch.messaging_limit_tier;
    state.touch();
    return phoneNumberInfo(engine, number);
  });

  app.get('/webhook', async () => ({
    url: state.app.webhookUrl,
    stats: { ...engine.webhooks.stats },
  }));

  app.put('/webhook', async (request, reply) => {
    const input = parse(schemas.webhook, request.body, reply);
    if (!input) return reply;
    const verified = await verifySubscriber(input.url, input.verify_token);
    if (!verified.ok) return replyError(reply, 422, 'SANDBOX_ERR_WEBHOOK_VERIFICATION', `Webhook verification failed: ${verified.reason}`, { field: 'url', rule: verified.reason });
    state.app = { webhookUrl: input.url, verifyToken: input.verify_token, appSecret: input.app_secret ?? state.app.appSecret };
    state.touch();
    return { url: input.url, verified: true };
  });

  const describePhone = (phone: SimulatedPhone): object => describePhoneAt(engine, phone);

  app.get('/phones', async () => ({ data: [...state.phones.values()].map(describePhone) }));

  app.post('/phones', async (request, reply) => {
    const input = parse(schemas.phone, request.body, reply);
    if (!input) return reply;
    const phone = state.phoneFor(input.wa_id);
    phone.name = input.name;
    if (input.has_whatsapp !== undefined) phone.hasWhatsapp = input.has_whatsapp;
    Object.assign(phone.behaviour, input.behaviour ?? {});
    state.touch();
    return reply.code(201).send(describePhone(phone));
  });

  app.get<{ Params: { wa_id: string } }>('/phones/:wa_id', async (request, reply) => {
    const phone = state.phones.get(request.params.wa_id);
    return phone ? describePhone(phone) : replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `No simulated phone ${request.params.wa_id}.`);
  });

  app.patch<{ Params: { wa_id: string } }>('/phones/:wa_id', async (request, reply) => {
    const phone = state.phones.get(request.params.wa_id);
    if (!phone) return replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `No simulated phone ${request.params.wa_id}.`);
    const patch = parse(schemas.phonePatch, request.body, reply);
    if (!patch) return reply;
    if (patch.name !== undefined) phone.name = patch.name;
    if (patch.has_whatsapp !== undefined) phone.hasWhatsapp = patch.has_whatsapp;
    Object.assign(phone.behaviour, patch.behaviour ?? {});
    state.touch();
    if (!phone.behaviour.offline) deliverPending(engine, phone);
    return describePhone(phone);
  });

  app.post<{ Params: { wa_id: string } }>('/phones/:wa_id/messages', async (request, reply) => {
    const id = waId.safeParse(request.params.wa_id);
    if (!id.success) return replyError(reply, 400, 'SANDBOX_ERR_VALIDATION', `wa_id: ${id.error.issues[0]?.message}`, { field: 'wa_id', rule: id.error.issues[0]?.message ?? '' });
    const validation = validateInboundMessage(request.body);
    if (!validation.ok) return replyError(reply, 400, 'SANDBOX_ERR_VALIDATION', `${validation.field}: ${validation.rule}`, { field: validation.field, rule: validation.rule });
    const outcome = receiveFromPhone(engine, state.phoneFor(id.data), validation.message);
    if (!outcome.ok) return replyError(reply, outcome.status, outcome.status === 404 ? 'SANDBOX_ERR_NOT_FOUND' : 'SANDBOX_ERR_UNPROCESSABLE', `${outcome.field}: ${outcome.rule}`, { field: outcome.field, rule: outcome.rule });
    return reply.code(201).send({ id: outcome.message.id, timestamp: outcome.message.timestamp, message: outcome.message, delivered_to_business: outcome.delivered });
  });

  // The customer opens the chat (from a link, a QR code or the contact list). Meta sends
  // `request_welcome` only on the first open of a chat with no messages, and only when the
  // number's welcome message is on; the answer says which happened.
  app.post<{ Params: { wa_id: string } }>('/phones/:wa_id/chats', async (request, reply) => {
    const id = waId.safeParse(request.params.wa_id);
    if (!id.success) return replyError(reply, 400, 'SANDBOX_ERR_VALIDATION', `wa_id: ${id.error.issues[0]?.message}`, { field: 'wa_id', rule: id.error.issues[0]?.message ?? '' });
    const input = parse(schemas.openChat, request.body, reply);
    if (!input) return reply;
    const number = state.phoneNumbers.get(input.to);
    if (!number) return replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `to: no phone number ${input.to} in the sandbox.`, { field: 'to', rule: 'must be a sandbox phone number id' });
    const phone = state.phoneFor(id.data);
    const chatted = phone.sent.some((m) => m.to === number.id) || phone.received.some((m) => m.from === number.id) || phone.lastInboundAt[number.id] !== undefined;
    if (!automationOf(number).enable_welcome_message) return { request_welcome: false, reason: 'the welcome message is off for this number' };
    if (chatted) return { request_welcome: false, reason: 'the chat has messages already (Meta sends request_welcome on the first open only)' };
    const outcome = receiveFromPhone(engine, phone, { to: number.id, type: 'request_welcome', content: {} });
    if (!outcome.ok) return replyError(reply, outcome.status, 'SANDBOX_ERR_UNPROCESSABLE', `${outcome.field}: ${outcome.rule}`, { field: outcome.field, rule: outcome.rule });
    return outcome.delivered ? { request_welcome: true, id: outcome.message.id } : { request_welcome: false, reason: 'the business blocked this customer' };
  });

  // The customer scans a QR code (or opens its wa.me/message link) and sends the prefilled text.
  app.post<{ Params: { wa_id: string } }>('/phones/:wa_id/qr-scans', async (request, reply) => {
    const id = waId.safeParse(request.params.wa_id);
    if (!id.success) return replyError(reply, 400, 'SANDBOX_ERR_VALIDATION', `wa_id: ${id.error.issues[0]?.message}`, { field: 'wa_id', rule: id.error.issues[0]?.message ?? '' });
    const input = parse(schemas.qrScan, request.body, reply);
    if (!input) return reply;
    const found = findQrCode(engine, input.code);
    if (!found) return replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `code: no QR code ${input.code} in the sandbox (deleted?).`, { field: 'code', rule: 'must be a QR code of a sandbox number' });
    const outcome = receiveFromPhone(engine, state.phoneFor(id.data), { to: found.number.id, type: 'text', content: { body: found.qr.prefilled_message } });
    if (!outcome.ok) return replyError(reply, outcome.status, 'SANDBOX_ERR_UNPROCESSABLE', `${outcome.field}: ${outcome.rule}`, { field: outcome.field, rule: outcome.rule });
    return reply.code(201).send({ id: outcome.message.id, timestamp: outcome.message.timestamp, message: outcome.message, delivered_to_business: outcome.delivered });
  });

  // The code `POST /{id}/request_code` "sent" by SMS or voice: what the business owner would read on the phone.
  app.get<{ Params: { id: string } }>('/phone-numbers/:id/verification-code', async (request, reply) => {
    const number = state.phoneNumbers.get(request.params.id);
    if (!number) return replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `No phone number ${request.params.id} in the sandbox.`);
    const pending = number.verification;
    if (!pending) return replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `No verification code was requested for ${number.id}; call POST /${number.id}/request_code first.`);
    return {
      code: pending.code,
      code_method: pending.codeMethod,
      language: pending.language,
      requested_at: new Date(pending.requestedAt).toISOString(),
      verified_at: pending.verifiedAt === undefined ? null : new Date(pending.verifiedAt).toISOString(),
    };
  });

  // The image behind a QR code's `qr_image_url` (Meta serves it from its CDN).
  app.get<{ Params: { file: string } }>('/qr-codes/:file', async (request, reply) => {
    const match = /^([A-Z0-9]{1,32})\.(png|svg)$/.exec(request.params.file);
    const found = match ? findQrCode(engine, match[1] as string) : undefined;
    if (!match || !found) return replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `No QR code image ${request.params.file}.`);
    const link = deepLinkOf(found.qr.code);
    if (match[2] === 'svg') return reply.type('image/svg+xml').send(await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
    return reply.type('image/png').send(await QRCode.toBuffer(link, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 512 }));
  });

  app.get<{ Params: { wa_id: string }; Querystring: { limit?: string } }>('/phones/:wa_id/messages', async (request, reply) => {
    const phone = state.phones.get(request.params.wa_id);
    if (!phone) return replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `No simulated phone ${request.params.wa_id}.`);
    const limit = Math.min(Math.max(Number(request.query.limit) || 100, 1), 100_000);
    return { data: phone.received.slice(-limit), sent: phone.sent.slice(-limit), total: phone.received.length };
  });

  app.post<{ Params: { wa_id: string } }>('/phones/:wa_id/preferences', async (request, reply) => {
    const phone = state.phones.get(request.params.wa_id);
    if (!phone) return replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `No simulated phone ${request.params.wa_id}.`);
    const input = parse(schemas.preference, request.body, reply);
    if (!input) return reply;
    const number = state.phoneNumbers.get(input.to);
    if (!number) return replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `to: no phone number ${input.to} in the sandbox.`, { field: 'to', rule: 'must be a sandbox phone number id' });
    setMarketingPreference(engine, phone, number, input.value);
    return describePhone(phone);
  });

  await registerAdminGroupRoutes(app, engine, replyError);

  app.get('/clock', async () => ({ now: new Date(engine.clock.now()).toISOString(), offset_seconds: engine.clock.offsetMs / 1000 }));

  app.post('/clock', async (request, reply) => {
    const input = parse(schemas.clock, request.body, reply);
    if (!input) return reply;
    engine.advanceClock(input.advance_seconds);
    return { now: new Date(engine.clock.now()).toISOString(), offset_seconds: engine.clock.offsetMs / 1000 };
  });

  app.get('/faults', async () => engine.faults);

  app.put('/faults', async (request, reply) => {
    const input = parse(schemas.faults, request.body, reply);
    if (!input) return reply;
    engine.faults = { ...engine.faults, ...input };
    return engine.faults;
  });

  app.post<{ Params: { id: string } }>('/templates/:id/status', async (request, reply) => {
    const input = parse(schemas.templateStatus, request.body, reply);
    if (!input) return reply;
    const record = templates.setStatus(request.params.id, input.status, input.reason);
    return record ?? replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `No template ${request.params.id}.`);
  });
}

/** Flow and catalog ids are Graph ids: numeric strings. */
function graphIdOf(value: string, field: string, reply: FastifyReply): string | undefined {
  if (/^\d{1,20}$/.test(value)) return value;
  replyError(reply, 400, 'SANDBOX_ERR_VALIDATION', `${field}: must be a numeric id`, { field, rule: 'must be a numeric id' });
  return undefined;
}

function describePhoneAt(engine: SandboxEngine, phone: SimulatedPhone): object {
  return {
    wa_id: phone.waId,
    name: phone.name,
    has_whatsapp: phone.hasWhatsapp,
    behaviour: phone.behaviour,
    marketing_stopped: phone.marketingStopped,
    received_count: phone.received.length,
    sent_count: phone.sent.length,
    business_typing: businessTypingOf(engine, phone),
  };
}
