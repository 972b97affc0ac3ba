import { createHash, randomInt } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { SandboxEngine } from './engine.js';
import { answerGroupObject } from './routes-graph-groups.js';
import { replyGraphError, unknownObject, type GraphContext } from './graph-reply.js';
import { metaFailure, type MetaFailure } from './meta-errors.js';
import { mediaInfo } from './routes-graph-media.js';
import { automationOf } from './routes-graph-settings.js';
import { answerUploadSession } from './routes-graph-uploads.js';
import type { BusinessProfile, SandboxPhoneNumber, SandboxWaba } from './state.js';
import { verifySubscriber } from './subscriber.js';
import { SANDBOX_APP, uploadedFile } from './uploads.js';

const REGISTRATION_WINDOW_MS = 72 * 3600 * 1000;
const VERIFICATION_CODE_TTL_MS = 10 * 60 * 1000;
const REGISTRATIONS_PER_WINDOW = 10;
const VERTICALS = new Set(
  'OTHER AUTO BEAUTY APPAREL EDU ENTERTAIN EVENT_PLAN FINANCE GROCERY GOVT HOTEL HEALTH NONPROFIT PROF_SERVICES RETAIL TRAVEL RESTAURANT ALCOHOL ONLINE_GAMBLING PHYSICAL_GAMBLING OTC_DRUGS'.split(
    ' ',
  ),
);
const PICTURE_TYPES = new Set(['image/jpeg', 'image/jpg', 'image/png']);
const TIER_LIMITS: Record<SandboxWaba['messagingLimitTier'], string> = {
  TIER_250: 'TIER_250',
  TIER_2K: 'TIER_2K',
  TIER_10K: 'TIER_10K',
  TIER_100K: 'TIER_100K',
  TIER_UNLIMITED: 'TIER_UNLIMITED',
};

type Body = Record<string, unknown>;

/** Generic object reads, phone numbers, registration, business profile and app subscriptions. */
export async function registerGraphAccountRoutes(app: FastifyInstance, ctx: GraphContext): Promise<void> {
  const { engine } = ctx;

  app.get<{ Params: { id: string } }>('/:id', async (request, reply) => {
    const id = request.params.id;
    const upload = answerUploadSession(ctx, request, reply);
    if (upload) return upload;
    const group = await answerGroupObject(ctx, request, reply);
    if (group) return group;
    const media = engine.media.get(id, engine.clock.now());
    if (media) return mediaInfo(engine, request, media);
    const template = ctx.templates.get(id);
    if (template) return template;
    const number = engine.state.phoneNumbers.get(id);
    if (number) {
      // `?fields=conversational_automation` adds Meta's automation object; every other field is always answered.
      const fields = String((request.query as { fields?: unknown }).fields ?? '').split(',').map((f) => f.trim());
      return fields.includes('conversational_automation') ? { ...phoneNumberInfo(engine, number), conversational_automation: automationOf(number) } : phoneNumberInfo(engine, number);
    }
    const waba = engine.state.wabas.get(id);
    if (waba) return { id: waba.id, name: waba.name, timezone_id: waba.timezoneId, message_template_namespace: `ns_${waba.id}` };
    return replyGraphError(reply, unknownObject(id, 'GET'));
  });

  app.delete<{ Params: { id: string } }>('/:id', async (request, reply) => {
    const group = await answerGroupObject(ctx, request, reply);
    if (group) return group;
    if (engine.media.delete(request.params.id)) return { success: true };
    return replyGraphError(reply, unknownObject(request.params.id, 'DELETE'));
  });

  app.post<{ Params: { id: string }; Body: Body | undefined }>('/:id', async (request, reply) => {
    const id = request.params.id;
    const upload = answerUploadSession(ctx, request, reply);
    if (upload) return upload;
    const group = await answerGroupObject(ctx, request, reply);
    if (group) return group;
    if (ctx.templates.get(id)) {
      const outcome = ctx.templates.edit(id, request.body);
      return outcome.ok ? outcome.value : replyGraphError(reply, outcome.failure);
    }
    const number = engine.state.phoneNumbers.get(id);
    if (!number) return replyGraphError(reply, unknownObject(id, 'POST'));
    const body = request.body ?? {};
    if (body.pin !== undefined) {
      if (typeof body.pin !== 'string' || !/^\d{6}$/.test(body.pin)) return replyGraphError(reply, metaFailure(100, 'pin: must be 6 digits'));
      number.pin = pinDigest(number.id, body.pin);
      engine.state.touch();
      return { success: true };
    }
    return replyGraphError(reply, metaFailure(100, 'Only "pin" can be changed on a phone number in the sandbox.'));
  });

  app.get<{ Params: { id: string } }>('/:id/phone_numbers', async (request, reply) => {
    const waba = engine.state.wabas.get(request.params.id);
    if (!waba) return replyGraphError(reply, unknownObject(request.params.id, 'GET'));
    const data = [...engine.state.phoneNumbers.values()].filter((n) => n.wabaId === waba.id).map((n) => phoneNumberInfo(engine, n));
    return { data, paging: { cursors: { before: 'QVFIUmxtZA', after: 'QVFIUmxtZA' } } };
  });

  app.post<{ Params: { id: string }; Body: Body | undefined }>('/:id/register', async (request, reply) => {
    const number = engine.state.phoneNumbers.get(request.params.id);
    if (!number) return replyGraphError(reply, unknownObject(request.params.id, 'POST'));
    const body = request.body ?? {};
    if (body.messaging_product !== 'whatsapp') return replyGraphError(reply, metaFailure(131008, 'messaging_product: must be "whatsapp"'));
    if (typeof body.pin !== 'string' || !/^\d{6}$/.test(body.pin)) {
      return replyGraphError(reply, metaFailure(100, 'pin: a 6-digit two-step verification PIN is required'));
    }
    if (number.pin && !pinMatches(number, body.pin)) return replyGraphError(reply, metaFailure(133005, 'pin: does not match the two-step verification PIN'));
    const limited = countRegistration(engine, number);
    if (limited) return replyGraphError(reply, limited);
    number.pin = pinDigest(number.id, body.pin);
    number.registered = true;
    engine.state.touch();
    return { success: true };
  });

  app.post<{ Params: { id: string } }>('/:id/deregister', async (request, reply) => {
    const number = engine.state.phoneNumbers.get(request.params.id);
    if (!number) return replyGraphError(reply, unknownObject(request.params.id, 'POST'));
    const limited = countRegistration(engine, number);
    if (limited) return replyGraphError(reply, limited);
    number.registered = false;
    engine.state.touch();
    return { success: true };
  });

  app.post<{ Params: { id: string }; Body: Body | undefined }>('/:id/request_code', async (request, reply) => {
    const number = engine.state.phoneNumbers.get(request.params.id);
    if (!number) return replyGraphError(reply, unknownObject(request.params.id, 'POST'));
    const body = { ...(request.query as Body), ...request.body };
    const method = body.code_method;
    if (method === undefined) return replyGraphError(reply, metaFailure(131008, 'code_method: is required (SMS or VOICE)'));
    if (method !== 'SMS' && method !== 'VOICE') return replyGraphError(reply, metaFailure(100, 'code_method: must be SMS or VOICE'));
    const language = body.language ?? 'en_US';
    if (typeof language !== 'string' || !/^[a-z]{2,3}(_[A-Z]{2})?$/.test(language)) return replyGraphError(reply, metaFailure(100, 'language: must be a language code such as en_US or pt_BR'));
    // The sandbox "sends" a fresh 6-digit code; the control API shows it (GET /sandbox/v1/phone-numbers/{id}/verification-code).
    number.verification = { code: String(randomInt(0, 1_000_000)).padStart(6, '0'), codeMethod: method, language, requestedAt: engine.clock.now() };
    engine.state.touch();
    return { success: true };
  });

  app.post<{ Params: { id: string }; Body: Body | undefined }>('/:id/verify_code', async (request, reply) => {
    const number = engine.state.phoneNumbers.get(request.params.id);
    if (!number) return replyGraphError(reply, unknownObject(request.params.id, 'POST'));
    const code = { ...(request.query as Body), ...request.body }.code;
    if (code === undefined) return replyGraphError(reply, metaFailure(131008, 'code: is required'));
    if (typeof code !== 'string' || !/^\d{6}$/.test(code)) return replyGraphError(reply, metaFailure(100, 'code: must be the 6-digit code that was sent'));
    const pending = number.verification;
    if (!pending || pending.verifiedAt !== undefined) return replyGraphError(reply, metaFailure(100, 'code: no verification code was requested; call POST /{phone-number-id}/request_code first'));
    if (engine.clock.now() - pending.requestedAt > VERIFICATION_CODE_TTL_MS) return replyGraphError(reply, metaFailure(100, 'code: the verification code expired (10 minutes); request a new one'));
    if (code !== pending.code) return replyGraphError(reply, metaFailure(100, 'code: wrong verification code'));
    pending.verifiedAt = engine.clock.now();
    engine.state.touch();
    return { success: true };
  });

  app.get<{ Params: { id: string }; Querystring: { fields?: string } }>('/:id/whatsapp_business_profile', async (request, reply) => {
    const number = engine.state.phoneNumbers.get(request.params.id);
    if (!number) return replyGraphError(reply, unknownObject(request.params.id, 'GET'));
    const fields = request.query.fields?.split(',').map((f) => f.trim()).filter(Boolean);
    const profile: Record<string, unknown> = { ...number.profile };
    const selected = fields?.length ? Object.fromEntries(Object.entries(profile).filter(([k]) => fields.includes(k))) : profile;
    return { data: [{ messaging_product: 'whatsapp', ...selected }] };
  });

  app.post<{ Params: { id: string }; Body: Body | undefined }>('/:id/whatsapp_business_profile', async (request, reply) => {
    const number = engine.state.phoneNumbers.get(request.params.id);
    if (!number) return replyGraphError(reply, unknownObject(request.params.id, 'POST'));
    const body = request.body ?? {};
    if (body.messaging_product !== 'whatsapp') return replyGraphError(reply, metaFailure(131008, 'messaging_product: must be "whatsapp"'));
    const checked = checkProfile(body, engine.state.app.appSecret);
    if ('code' in checked) return replyGraphError(reply, checked);
    Object.assign(number.profile, checked);
    engine.state.touch();
    return { success: true };
  });

  app.get<{ Params: { id: string } }>('/:id/subscribed_apps', async (request, reply) => {
    const waba = engine.state.wabas.get(request.params.id);
    if (!waba) return replyGraphError(reply, unknownObject(request.params.id, 'GET'));
    const data = waba.subscribed
      ? [{ whatsapp_business_api_data: { ...SANDBOX_APP }, ...(waba.overrideCallbackUri ? { override_callback_uri: waba.overrideCallbackUri } : {}) }]
      : [];
    return { data };
  });

  app.post<{ Params: { id: string }; Body: Body | undefined }>('/:id/subscribed_apps', async (request, reply) => {
    const waba = engine.state.wabas.get(request.params.id);
    if (!waba) return replyGraphError(reply, unknownObject(request.params.id, 'POST'));
    const uri = request.body?.override_callback_uri;
    if (uri !== undefined) {
      const token = request.body?.verify_token;
      if (typeof uri !== 'string' || !/^https?:\/\//.test(uri)) return replyGraphError(reply, metaFailure(100, 'override_callback_uri: must be an http(s) URL'));
      if (typeof token !== 'string' || !token) return replyGraphError(reply, metaFailure(100, 'verify_token: is required with override_callback_uri'));
      const verified = await verifySubscriber(uri, token);
      if (!verified.ok) return replyGraphError(reply, metaFailure(100, `override_callback_uri: ${verified.reason}`));
      waba.overrideCallbackUri = uri;
    }
    waba.subscribed = true;
    engine.state.touch();
    return { success: true };
  });

  app.delete<{ Params: { id: string } }>('/:id/subscribed_apps', async (request, reply) => {
    const waba = engine.state.wabas.get(request.params.id);
    if (!waba) return replyGraphError(reply, unknownObject(request.params.id, 'DELETE'));
    waba.subscribed = false;
    waba.overrideCallbackUri = null;
    engine.state.touch();
    return { success: true };
  });
}

/** The fields Meta returns for a phone number, with the limits the platform reads. */
export function phoneNumberInfo(engine: SandboxEngine, number: SandboxPhoneNumber): Record<string, unknown> {
  const waba = engine.state.wabas.get(number.wabaId);
  const tier = waba?.messagingLimitTier ?? 'TIER_250';
  return {
    id: number.id,
    display_phone_number: number.displayPhoneNumber,
    verified_name: number.verifiedName,
    quality_rating: number.qualityRating,
    // A number whose last requested code was not entered yet is NOT_VERIFIED, as Meta shows it.
    code_verification_status: number.verification && number.verification.verifiedAt === undefined ? 'NOT_VERIFIED' : 'VERIFIED',
    name_status: 'APPROVED',
    status: number.registered ? 'CONNECTED' : 'DISCONNECTED',
    platform_type: 'CLOUD_API',
    account_mode: 'SANDBOX',
    throughput: { level: number.throughputMps > 80 ? 'HIGH' : 'STANDARD', messages_per_second: number.throughputMps },
    messaging_limit_tier: TIER_LIMITS[tier],
    whatsapp_business_manager_messaging_limit: tier,
  };
}

function countRegistration(engine: SandboxEngine, number: SandboxPhoneNumber): MetaFailure | undefined {
  const now = engine.clock.now();
  number.registrationCalls = number.registrationCalls.filter((t) => now - t < REGISTRATION_WINDOW_MS);
  if (number.registrationCalls.length >= REGISTRATIONS_PER_WINDOW) {
    return metaFailure(133016, `At most ${REGISTRATIONS_PER_WINDOW} register or deregister calls per number per 72 hours.`);
  }
  number.registrationCalls.push(now);
  return undefined;
}

function checkProfile(body: Body, appSecret: string): Partial<BusinessProfile> | MetaFailure {
  const out: Partial<BusinessProfile> = {};
  const text = (field: 'about' | 'address' | 'description' | 'email', min: number, max: number): MetaFailure | undefined => {
    const value = body[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.length < min || value.length > max) {
      return metaFailure(100, `${field}: must be a string of ${min} to ${max} characters`);
    }
    out[field] = value;
    return undefined;
  };
  const failure = text('about', 1, 139) ?? text('address', 0, 256) ?? text('description', 0, 512) ?? text('email', 0, 128);
  if (failure) return failure;
  if (body.websites !== undefined) {
    const sites = body.websites;
    if (!Array.isArray(sites) || sites.length > 2 || !sites.every((s) => typeof s === 'string' && s.length <= 256 && /^https?:\/\//.test(s))) {
      return metaFailure(100, 'websites: at most 2 URLs of up to 256 characters, each starting with http:// or https://');
    }
    out.websites = sites as string[];
  }
  if (body.vertical !== undefined) {
    if (typeof body.vertical !== 'string' || !VERTICALS.has(body.vertical)) return metaFailure(100, `vertical: must be one of ${[...VERTICALS].join(', ')}`);
    out.vertical = body.vertical;
  }
  if (out.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(out.email)) return metaFailure(100, 'email: must be an e-mail address');
  if (body.profile_picture_handle !== undefined) {
    const handle = body.profile_picture_handle;
    const file = typeof handle === 'string' ? uploadedFile(handle, appSecret) : undefined;
    if (!file) {
      return metaFailure(100, 'profile_picture_handle: is not a handle of this app; upload the picture with the Resumable Upload API first (POST /{app-id}/uploads, then POST /{upload-session-id}) and pass the "h" it answers');
    }
    if (!PICTURE_TYPES.has(file.fileType)) return metaFailure(100, `profile_picture_handle: the file is ${file.fileType}; a profile picture must be image/jpeg or image/png`);
    // Meta serves the picture from its CDN; the sandbox gives a stable URL of the same shape per picture.
    out.profile_picture_url = `https://pps.whatsapp.net/v/sandbox/${createHash('sha256').update(file.digest).digest('hex').slice(0, 24)}.${file.fileType === 'image/png' ? 'png' : 'jpg'}`;
  }
  return out;
}

/**
 * The two-step PIN as the sandbox keeps it: a digest bound to the number, so the state file never
 * holds a PIN in clear (Meta does not show it either). State files from before keep a clear PIN,
 * which `pinMatches` still accepts.
 */
function pinDigest(numberId: string, pin: string): string {
  return `sha256:${createHash('sha256').update(`${numberId}:${pin}`).digest('hex')}`;
}

function pinMatches(number: SandboxPhoneNumber, pin: string): boolean {
  return number.pin === pinDigest(number.id, pin) || number.pin === pin;
}
