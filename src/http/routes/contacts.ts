import type { FastifyInstance, FastifyReply } from 'fastify';
import { CONSENT_SOURCES, PURPOSES, type ConsentSource, type Purpose } from '../../modules/consent/index.js';
import { CONTACT_LIMITS, normalizePhone } from '../../modules/contacts/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';

const contactBody = {
  type: 'object',
  required: ['phone'],
  additionalProperties: false,
  properties: {
    phone: { type: 'string', minLength: 1, maxLength: 32, description: 'E.164 (+5511988887777) or national with default_country' },
    default_country: { type: 'string', pattern: '^[A-Z]{2}$' },
    name: { type: 'string', maxLength: 256 },
    language: { type: 'string', pattern: '^[a-z]{2,3}(_[A-Z]{2})?$' },
    time_zone: { type: 'string', maxLength: 64 },
    attributes: { type: 'object', additionalProperties: { type: 'string', maxLength: 1024 }, maxProperties: 100 },
    tags: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 50 },
  },
} as const;

interface ContactBody {
  phone: string;
  default_country?: string;
  name?: string;
  language?: string;
  time_zone?: string;
  attributes?: Record<string, string>;
  tags?: string[];
}

/** `PATCH /contacts/{id}`: each field optional; null clears it (attributes: a null value removes that one). */
const contactPatchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: { type: ['string', 'null'], maxLength: CONTACT_LIMITS.name, description: 'Replaces the name; null (or only spaces) clears it' },
    language: { type: ['string', 'null'], pattern: '^[a-z]{2,3}(_[A-Z]{2})?$', description: 'A language tag such as pt_BR or en; null clears it' },
    time_zone: { type: ['string', 'null'], minLength: 1, maxLength: 64, description: 'An IANA time zone such as America/Sao_Paulo; null clears it' },
    attributes: {
      type: ['object', 'null'],
      maxProperties: CONTACT_LIMITS.attributes,
      propertyNames: { minLength: 1, maxLength: CONTACT_LIMITS.attributeKey },
      additionalProperties: { type: ['string', 'null'], maxLength: CONTACT_LIMITS.attributeValue },
      description: `Merged into the contact's attributes (a null value removes that attribute; at most ${CONTACT_LIMITS.attributes} in all); null removes every attribute`,
    },
    tags: { type: ['array', 'null'], maxItems: CONTACT_LIMITS.tags, items: { type: 'string', minLength: 1, maxLength: CONTACT_LIMITS.tag, pattern: '\\S' }, description: 'Replaces the tags; null removes them all' },
    // Named so that a request trying to change them is refused, not silently stripped.
    phone: { description: 'Not editable: refused with 400 (the number is who the person is on WhatsApp)' },
    wa_id: { description: 'Not editable: refused with 400' },
  },
} as const;

/** Who the person is on WhatsApp: a correction cannot change it (a new number is a new contact, or Meta's `user_changed_number`). */
const IDENTITY_FIELDS = ['phone', 'wa_id'] as const;

interface ContactPatchBody {
  phone?: unknown;
  wa_id?: unknown;
  name?: string | null;
  language?: string | null;
  time_zone?: string | null;
  attributes?: Record<string, string | null> | null;
  tags?: string[] | null;
}

const consentBody = {
  type: 'object',
  required: ['purpose', 'status', 'source'],
  additionalProperties: false,
  properties: {
    purpose: { type: 'string', enum: PURPOSES },
    status: { type: 'string', enum: ['opted_in', 'opted_out'] },
    source: { type: 'string', enum: CONSENT_SOURCES },
    text: { type: 'string', maxLength: 4096, description: 'The consent text the person was shown; an opt-in text must name the business' },
    proof: { type: 'object', description: 'Anything that proves it: form id, IP address, signed document URL, ...' },
  },
} as const;

const contactSchema = s.object(
  {
    id: s.string,
    wa_id: { type: 'string', description: "The WhatsApp id (digits of the number); for a user known only by username, Meta's business-scoped user id" },
    phone: { type: 'string', description: "E.164; '' for a user known only by username" },
    user_id: { ...s.nullableString, description: "Meta's business-scoped user id (BSUID), when Meta gave one" },
    name: s.nullableString,
    language: s.nullableString,
    time_zone: s.nullableString,
    attributes: { type: 'object', additionalProperties: { type: 'string' } },
    tags: { type: 'array', items: s.string },
    created_at: s.dateTime,
    updated_at: s.dateTime,
  },
  'A contact',
);

const consentSchema = s.object(
  { id: s.integer, contact_id: s.string, purpose: { type: 'string', enum: PURPOSES }, status: { type: 'string', enum: ['opted_in', 'opted_out'] }, source: { type: 'string', enum: CONSENT_SOURCES }, text: s.nullableString, actor: s.string, proof: s.openObject, recorded_at: s.dateTime },
  'An entry of the consent ledger',
);

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/** `/api/v1/contacts`: create, read, correct, list (by wa_id too); the consent ledger of a contact. */
export function registerContactRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'contacts' | 'consent'>): void {
  app.post<{ Body: ContactBody }>('/contacts', { onRequest: app.requireScope('contacts:write'), schema: { tags: ['contacts'], summary: 'Create or update a contact by phone number', body: contactBody, response: responses({ 200: { ...contactSchema, description: 'Updated' }, 201: { ...contactSchema, description: 'Created' } }) } }, async (request, reply) => {
    const { workspaceId } = principalOf(request);
    const body = request.body;
    const phone = normalizePhone(body.phone, body.default_country as never);
    if (!phone.ok) return sendError(reply, 'CONVERSA_ERR_VALIDATION', `phone: ${phone.rule}`, { field: 'phone', rule: phone.rule });
    if (body.time_zone && !isTimeZone(body.time_zone)) return badTimeZone(reply, 'time_zone');
    const { contact, created } = await deps.contacts.upsert(workspaceId, {
      e164: phone.e164,
      waId: phone.waId,
      name: body.name,
      language: body.language,
      timeZone: body.time_zone,
      attributes: body.attributes,
      tags: body.tags,
    });
    return reply.code(created ? 201 : 200).send(contact);
  });

  app.get<{ Params: { id: string } }>('/contacts/:id', { onRequest: app.requireScope('contacts:read'), schema: { tags: ['contacts'], summary: 'A contact', params: idParams, response: responses({ 200: contactSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } }, async (request, reply) => {
    const contact = await deps.contacts.get(principalOf(request).workspaceId, request.params.id);
    return contact ?? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No contact ${request.params.id}.`);
  });

  app.patch<{ Params: { id: string }; Body: ContactPatchBody }>(
    '/contacts/:id',
    {
      onRequest: app.requireScope('contacts:write'),
      schema: {
        tags: ['contacts'],
        summary: "Correct a contact: name, language, time zone, attributes (merged) and tags (replaced); null clears a field",
        description: 'The right to correction (docs/data-protection.md). The phone number and wa_id are not edited here: they are who the person is on WhatsApp.',
        params: idParams,
        body: contactPatchBody,
        response: responses({ 200: contactSchema, 400: ['CONVERSA_ERR_VALIDATION'], 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      const body = request.body;
      const identity = IDENTITY_FIELDS.find((field) => body[field] !== undefined);
      if (identity) {
        const rule = "cannot be changed: it is who the person is on WhatsApp (a new number arrives as a new contact, or as Meta's user_changed_number)";
        return sendError(reply, 'CONVERSA_ERR_VALIDATION', `body.${identity}: ${rule}`, { field: `body.${identity}`, rule });
      }
      if (typeof body.time_zone === 'string' && !isTimeZone(body.time_zone)) return badTimeZone(reply, 'body.time_zone');
      const name = typeof body.name === 'string' ? body.name.trim() || null : body.name;
      const outcome = await deps.contacts.edit(workspaceId, request.params.id, {
        ...(name !== undefined ? { name } : {}),
        ...(body.language !== undefined ? { language: body.language } : {}),
        ...(body.time_zone !== undefined ? { timeZone: body.time_zone } : {}),
        ...(body.attributes !== undefined ? { attributes: body.attributes } : {}),
        ...(body.tags !== undefined ? { tags: body.tags === null ? null : body.tags.map((tag) => tag.trim()) } : {}),
      });
      if (outcome.ok) return outcome.contact;
      if (outcome.reason === 'not_found') return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No contact ${request.params.id}.`);
      const rule = `a contact holds at most ${CONTACT_LIMITS.attributes} attributes`;
      return sendError(reply, 'CONVERSA_ERR_VALIDATION', `body.attributes: ${rule}`, { field: 'body.attributes', rule });
    },
  );

  app.get<{ Querystring: { limit?: number; cursor?: string; tag?: string; wa_id?: string } }>(
    '/contacts',
    {
      onRequest: app.requireScope('contacts:read'),
      schema: {
        tags: ['contacts'],
        summary: 'List contacts, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            cursor: { type: 'string', maxLength: 64, pattern: '^[a-z]{1,8}_[A-Za-z0-9_-]{1,60}$', description: 'The next_cursor of the previous page' },
            tag: { type: 'string', maxLength: 64 },
            wa_id: { type: 'string', minLength: 1, maxLength: 128, pattern: '^\\+?[A-Za-z0-9._-]+$', description: 'Only the contact with this WhatsApp id (digits; a leading + is ignored), or that had it before changing number; a page of zero or one' },
          },
        },
        response: responses({ 200: s.page(contactSchema) }),
      },
    },
    async (request) => {
      const { workspaceId } = principalOf(request);
      if (request.query.wa_id !== undefined) {
        const contact = await deps.contacts.findByWaId(workspaceId, request.query.wa_id.replace(/^\+/, ''));
        return { data: contact ? [contact] : [], next_cursor: null };
      }
      return deps.contacts.list(workspaceId, {
        limit: request.query.limit ?? 50,
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
        ...(request.query.tag ? { tag: request.query.tag } : {}),
      });
    },
  );

  app.post<{ Params: { id: string }; Body: { purpose: Purpose; status: 'opted_in' | 'opted_out'; source: ConsentSource; text?: string; proof?: Record<string, unknown> } }>(
    '/contacts/:id/consents',
    { onRequest: app.requireScope('contacts:write'), schema: { tags: ['consent'], summary: 'Append an opt-in or opt-out to the consent ledger', params: idParams, body: consentBody, response: responses({ 201: consentSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => {
      const principal = principalOf(request);
      const contact = await deps.contacts.get(principal.workspaceId, request.params.id);
      if (!contact) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No contact ${request.params.id}.`);
      const body = request.body;
      if (body.status === 'opted_in' && !body.text) {
        return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'text: an opt-in needs the consent text the person agreed to (naming the business)', { field: 'text', rule: 'is required for opted_in' });
      }
      const record = await deps.consent.record({
        workspaceId: principal.workspaceId,
        contactId: contact.id,
        purpose: body.purpose,
        status: body.status,
        source: body.source,
        text: body.text,
        actor: `api_key:${principal.keyId}`,
        proof: { ...body.proof, ip: request.ip, user_agent: request.headers['user-agent'] },
      });
      return reply.code(201).send(record);
    },
  );

  app.get<{ Params: { id: string } }>('/contacts/:id/consents', { onRequest: app.requireScope('contacts:read'), schema: { tags: ['consent'], summary: 'The consent history and current state', params: idParams, response: responses({ 200: s.object({ data: { type: 'array', items: consentSchema }, state: { ...s.openObject, description: 'The current state per purpose' } }, 'The consent history and the current state'), 404: ['CONVERSA_ERR_NOT_FOUND'] }) } }, async (request, reply) => {
    const { workspaceId } = principalOf(request);
    const contact = await deps.contacts.get(workspaceId, request.params.id);
    if (!contact) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No contact ${request.params.id}.`);
    return { data: await deps.consent.history(workspaceId, contact.id), state: await deps.consent.state(workspaceId, contact.id) };
  });
}

function badTimeZone(reply: FastifyReply, field: string): FastifyReply {
  return sendError(reply, 'CONVERSA_ERR_VALIDATION', `${field}: must be an IANA time zone such as America/Sao_Paulo`, { field, rule: 'must be an IANA time zone' });
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
