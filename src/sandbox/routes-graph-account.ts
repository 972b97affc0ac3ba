import type { FastifyInstance } from 'fastify';
import type { SandboxEngine } from './engine.js';
import { replyGraphError, unknownObject, type GraphContext } from './graph-reply.js';
import { metaFailure, type MetaFailure } from './meta-errors.js';
import { mediaInfo } from './routes-graph-media.js';
import type { BusinessProfile, SandboxPhoneNumber, SandboxWaba } from './state.js';
import { verifySubscriber } from './subscriber.js';

const REGISTRATION_WINDOW_MS = 72 * 3600 * 1000;
const REGISTRATIONS_PER_WINDOW = 10;
const VERTICALS = new Set(
  'OTHER AUTO BEAUTY APPAREL EDU ENTERTAIN EVENT_PLAN FINANCE GROCERY GOVT HOTEL HEALTH NONPROFIT PROF_SERVICES RETAIL TRAVEL RESTAURANT ALCOHOL ONLINE_GAMBLING PHYSICAL_GAMBLING OTC_DRUGS'.split(
    ' ',
  ),
);
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
    const media = engine.media.get(id, engine.clock.now());
    if (media) return mediaInfo(engine, request, media);
    const template = ctx.templates.get(id);
    if (template) return template;
    const number = engine.state.phoneNumbers.get(id);
    if (number) return phoneNumberInfo(engine, number);
    const waba = engine.state.wabas.get(id);
    if (waba) return { id: waba.id, name: waba.name, timezone_id: waba.timezoneId, message_template_namespace: `ns_${waba.id}` };
    return replyGraphError(reply, unknownObject(id, 'GET'));
  });

  app.delete<{ Params: { id: string } }>('/:id', async (request, reply) => {
    if (engine.media.delete(request.params.id)) return { success: true };
    return replyGraphError(reply, unknownObject(request.params.id, 'DELETE'));
  });

  app.post<{ Params: { id: string }; Body: Body | undefined }>('/:id', async (request, reply) => {
    const id = request.params.id;
    if (ctx.templates.get(id)) {
      const outcome = ctx.templates.edit(id, request.body);
      return outcome.ok ? outcome.value : replyGraphError(reply, outcome.failure);
    }
    const number = engine.state.phoneNumbers.get(id);
    if (!number) return replyGraphError(reply, unknownObject(id, 'POST'));
    const body = request.body ?? {};
    if (body.pin !== undefined) {
      if (typeof body.pin !== 'string' || !/^\d{6}$/.test(body.pin)) return replyGraphError(reply, metaFailure(100, 'pin: must be 6 digits'));
      number.pin = body.pin;
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
    if (number.pin && number.pin !== body.pin) return replyGraphError(reply, metaFailure(133005, 'pin: does not match the two-step verification PIN'));
    const limited = countRegistration(engine, number);
    if (limited) return replyGraphError(reply, limited);
    number.pin = body.pin;
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
    if (!engine.state.phoneNumbers.has(request.params.id)) return replyGraphError(reply, unknownObject(request.params.id, 'POST'));
    const method = request.body?.code_method;
    if (method !== 'SMS' && method !== 'VOICE') return replyGraphError(reply, metaFailure(100, 'code_method: must be SMS or VOICE'));
    return { success: true };
  });

  app.post<{ Params: { id: string }; Body: Body | undefined }>('/:id/verify_code', async (request, reply) => {
    if (!engine.state.phoneNumbers.has(request.params.id)) return replyGraphError(reply, unknownObject(request.params.id, 'POST'));
    // The sandbox "sends" 000000 as the verification code.
    if (request.body?.code !== '000000') return replyGraphError(reply, metaFailure(100, 'code: wrong verification code (the sandbox code is 000000)'));
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
    const checked = checkProfile(body);
    if ('code' in checked) return replyGraphError(reply, checked);
    Object.assign(number.profile, checked);
    engine.state.touch();
    return { success: true };
  });

  app.get<{ Params: { id: string } }>('/:id/subscribed_apps', async (request, reply) => {
    const waba = engine.state.wabas.get(request.params.id);
    if (!waba) return replyGraphError(reply, unknownObject(request.params.id, 'GET'));
    const data = waba.subscribed
      ? [{ whatsapp_business_api_data: { id: '1000000000000001', name: 'Conversa Sandbox App', link: 'http://127.0.0.1/' }, ...(waba.overrideCallbackUri ? { override_callback_uri: waba.overrideCallbackUri } : {}) }]
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
    code_verification_status: 'VERIFIED',
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

function checkProfile(body: Body): Partial<BusinessProfile> | MetaFailure {
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
  return out;
}
