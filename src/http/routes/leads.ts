import type { FastifyInstance, FastifyReply } from 'fastify';
import { exportLeads, FIELD_NAME_PATTERN, FIELD_ORIGINS, LEAD_EXPORT_FORMATS, LEAD_LIMITS, LEAD_SOURCE_TYPES, MAX_LEADS_PAGE, type LeadExportFormat, type LeadFilter, type LeadSourceType } from '../../modules/leads/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendAppError, sendError } from '../errors.js';
import { responses, schemas as s, sendDownload } from '../responses.js';
import { viewerOf } from '../session.js';
import { parseInstant } from './forms.js';

const ID = { type: 'string', minLength: 1, maxLength: 64 } as const;
const CURSOR = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'The next_cursor of the previous page' } as const;
const INSTANT_RULE = 'must be a date (2026-12-01, midnight UTC) or an ISO-8601 date-time with its offset (2026-12-01T09:00:00-03:00)';
const INSTANT = (description: string) => ({ type: 'string', minLength: 1, maxLength: 40, description: `${description}: a date (YYYY-MM-DD, midnight UTC) or an ISO-8601 date-time` }) as const;
const SOURCE_ID = { type: 'string', minLength: 1, maxLength: LEAD_LIMITS.sourceId } as const;
const FILTERS = {
  source_type: { type: 'string', enum: LEAD_SOURCE_TYPES, description: 'Only leads of this kind of source' },
  source_id: { ...SOURCE_ID, description: "Only leads of this source id (the form's name, the agent's user id, the phone_number_id of a chat source, …)" },
  created_since: INSTANT('Created at or after'),
  updated_since: INSTANT('Changed at or after (a CRM sync: the time of the last sync)'),
  has_field: { type: 'string', pattern: FIELD_NAME_PATTERN, description: 'Only leads holding this field (email, cpf, …)' },
  q: { type: 'string', minLength: 1, maxLength: 100, description: "Text in the contact's name or wa_id or in a field's value" },
} as const;
type FilterQuery = { source_type?: LeadSourceType; source_id?: string; created_since?: string; updated_since?: string; has_field?: string; q?: string };

const fieldSchema = s.object(
  {
    value: { description: 'The value: text, number, boolean, or (interest) the keywords found' },
    from: { type: 'string', enum: FIELD_ORIGINS, description: 'Who gave it: the customer in a form, a message of theirs, an agent, an API client' },
    message_id: { ...s.nullableString, description: 'The message it was read from (from: message)' },
    rule: { ...s.nullableString, description: 'The rule that found or checked it: email, phone, cpf, cnpj, cep, name, keyword; null: taken as given' },
    confidence: { type: 'string', enum: ['certain', 'possible'], description: 'certain: the value passed a check (e-mail syntax, CPF/CNPJ check digits, the phone numbering plan) or was given as the field; possible: found by a pattern only' },
    at: s.dateTime,
  },
  'A field of a lead with its provenance',
);
const sourceSchema = s.object({ type: { type: 'string', enum: LEAD_SOURCE_TYPES }, id: s.string }, 'Where the lead came from');
const leadSchema = s.object(
  {
    id: { type: 'string', description: 'lead_…' },
    contact_id: s.string,
    contact: s.object({ id: s.string, wa_id: s.string, name: s.nullableString }),
    source: sourceSchema,
    fields: { type: 'object', additionalProperties: fieldSchema, description: 'Field name → value with its provenance' },
    created_at: s.dateTime,
    updated_at: s.dateTime,
  },
  'A lead: a contact who showed interest, per source',
);
const leadSourceSchema = s.object({ type: { type: 'string', enum: LEAD_SOURCE_TYPES }, id: s.string, keywords: { type: 'array', items: s.string }, created_at: s.dateTime, updated_at: s.dateTime }, 'A configured lead source');
const fieldsBody = {
  type: 'object',
  maxProperties: LEAD_LIMITS.fields,
  propertyNames: { pattern: FIELD_NAME_PATTERN },
  additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
  description: 'Field name → value. Known names are checked and normalised: name, email, phone (Brazil without a country code), cpf, cnpj (check digits), cep; others are kept as given (text up to 1,024 characters, numbers, booleans)',
} as const;
const sourceParams = { type: 'object', required: ['type', 'id'], properties: { type: { type: 'string', enum: LEAD_SOURCE_TYPES }, id: SOURCE_ID } } as const;

/**
 * `/api/v1/leads`: list, read, mark (an API client), export (XLSX or CSV, streamed), and the
 * sources' keywords. Reads need `leads:read`, writes `leads:write` (admin implies both).
 */
export function registerLeadRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'leads' | 'leadSources' | 'contacts' | 'phoneNumbers' | 'groups' | 'clock'>): void {
  app.get<{ Querystring: FilterQuery & { limit?: number; cursor?: string } }>(
    '/leads',
    {
      onRequest: app.requireScope('leads:read'),
      schema: {
        tags: ['leads'],
        summary: 'Leads, newest first',
        description: 'Filters combine (AND). Follow next_cursor to the end: each lead comes exactly once, also when new ones arrive during the walk.',
        querystring: { type: 'object', additionalProperties: false, properties: { ...FILTERS, limit: { type: 'integer', minimum: 1, maximum: MAX_LEADS_PAGE, default: 50 }, cursor: CURSOR } },
        response: responses({ 200: s.page(leadSchema, 'A page of leads, newest first') }),
      },
    },
    async (request, reply) => {
      const filter = filterOf(request.query, reply);
      if (!filter) return reply;
      const page = await deps.leads.list(principalOf(request).workspaceId, { ...filter, limit: request.query.limit ?? 50, cursor: request.query.cursor });
      if (!page.ok) return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'querystring.cursor: is not a cursor this API gave', { field: 'querystring.cursor', rule: 'must be the next_cursor of a previous page' });
      return { data: page.data, next_cursor: page.next_cursor };
    },
  );

  app.get<{ Querystring: FilterQuery & { format?: LeadExportFormat; delimiter?: ',' | ';' } }>(
    '/leads/export',
    {
      onRequest: app.requireScope('leads:read'),
      schema: {
        tags: ['leads'],
        summary: 'Export leads as XLSX (one sheet per source) or CSV',
        description:
          'Streamed as it is read. Columns: lead_id, created_at and updated_at (date cells, UTC), contact_wa_id, contact_name, then per field its value (typed) and <field>_confidence (certain or possible). CSV: one file with source_type and source_id after updated_at and the fields of every source; UTF-8 with a BOM, RFC 4180, formulas neutralised. Holds the leads created before the request.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...FILTERS, format: { type: 'string', enum: LEAD_EXPORT_FORMATS, default: 'xlsx' }, delimiter: { type: 'string', enum: [',', ';'], default: ',', description: 'CSV only' } },
        },
        response: responses({ 200: s.file(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv'], 'The export: an XLSX workbook or a CSV file (UTF-8 with a BOM)') }),
      },
    },
    async (request, reply) => {
      const filter = filterOf(request.query, reply);
      if (!filter) return reply;
      const { workspaceId } = principalOf(request);
      const exported = await exportLeads(deps.leads, workspaceId, filter, {
        format: request.query.format ?? 'xlsx',
        delimiter: request.query.delimiter,
        now: deps.clock.now(),
        onError: (error) => request.log.error({ err: error, workspaceId }, 'leads export failed after it started'),
      });
      return sendDownload(reply, exported);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/leads/:id',
    { onRequest: app.requireScope('leads:read'), schema: { tags: ['leads'], summary: 'A lead', params: { type: 'object', required: ['id'], properties: { id: ID } }, response: responses({ 200: leadSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => (await deps.leads.get(principalOf(request).workspaceId, request.params.id)) ?? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No lead ${request.params.id}.`),
  );

  app.post<{ Body: { contact_id: string; source?: { type: 'api'; id?: string }; fields?: Record<string, string | number | boolean> } }>(
    '/leads',
    {
      onRequest: app.requireScope('leads:write'),
      schema: {
        tags: ['leads'],
        summary: 'Mark a contact as a lead (or add fields to its lead of that source)',
        description: 'One lead per contact and source: a second call merges its fields into the same lead (lead.updated). The source of an API client is {type: "api", id} (default id "api").',
        body: {
          type: 'object',
          required: ['contact_id'],
          additionalProperties: false,
          properties: {
            contact_id: { ...ID, description: "The contact's id (ct_…)" },
            source: { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { type: 'string', enum: ['api'] }, id: { ...SOURCE_ID, description: 'Your label for where the lead came from (a landing page, a campaign); default "api"' } } },
            fields: fieldsBody,
          },
        },
        response: responses({ 200: { ...leadSchema, description: 'Updated (or unchanged)' }, 201: { ...leadSchema, description: 'Created' }, 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const outcome = await deps.leads.mark({ workspaceId: principalOf(request).workspaceId, contactId: body.contact_id, source: { type: 'api', id: body.source?.id ?? 'api' }, fields: body.fields ?? {}, at: deps.clock.now() });
      if (!outcome.ok) return sendAppError(reply, outcome.error);
      return reply.code(outcome.created ? 201 : 200).send(outcome.lead);
    },
  );

  app.get('/leads/sources', { onRequest: app.requireScope('leads:read'), schema: { tags: ['leads'], summary: "The configured lead sources and their keywords", response: responses({ 200: s.list(leadSourceSchema) }) } }, async (request) => ({
    data: await deps.leadSources.list(principalOf(request).workspaceId),
  }));

  app.put<{ Body: { type: LeadSourceType; id: string; keywords: string[] } }>(
    '/leads/sources',
    {
      onRequest: app.requireScope('leads:write'),
      schema: {
        tags: ['leads'],
        summary: "Set a lead source's interest keywords; a chat source (a phone number) also makes everyone who writes to it a lead",
        description: 'Creates the configuration or replaces its keywords. A chat source is a phone number of the workspace (its phone_number_id or id; kept as the phone_number_id).',
        body: {
          type: 'object',
          required: ['type', 'id', 'keywords'],
          additionalProperties: false,
          properties: {
            type: { type: 'string', enum: LEAD_SOURCE_TYPES },
            id: { ...SOURCE_ID, description: "The source's id: a form's name, an agent's user id, an API label, a phone_number_id (chat), a group id" },
            keywords: { type: 'array', maxItems: LEAD_LIMITS.keywords, items: { type: 'string', minLength: 1, maxLength: LEAD_LIMITS.keyword } },
          },
        },
        response: responses({ 200: { ...leadSourceSchema, description: 'Updated' }, 201: { ...leadSourceSchema, description: 'Created' }, 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      const { type, keywords } = request.body;
      let id = request.body.id;
      if (type === 'chat') {
        // A chat source is a phone number, kept by Meta's phone_number_id (as webhooks name it).
        const number = await deps.phoneNumbers.resolve(workspaceId, id);
        if (!number) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `body.id: no phone number ${id} in this workspace (a chat source is a phone number: its phone_number_id).`, { field: 'body.id' });
        id = number.phone_number_id;
      }
      if (type === 'group') {
        // A sales group: our `grp_…` id or Meta's group id; kept by ours (what its conversation carries).
        const group = await deps.groups.get(workspaceId, id);
        if (!group) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `body.id: no group ${id} in this workspace (a group source is a group: its grp_… id or Meta's group id).`, { field: 'body.id' });
        id = group.id;
      }
      const outcome = await deps.leadSources.configure(workspaceId, { type, id }, keywords);
      if (!outcome.ok) return sendError(reply, 'CONVERSA_ERR_VALIDATION', `body.${outcome.field}: ${outcome.rule}`, { field: `body.${outcome.field}`, rule: outcome.rule });
      return reply.code(outcome.created ? 201 : 200).send(outcome.source);
    },
  );

  app.delete<{ Params: { type: LeadSourceType; id: string } }>(
    '/leads/sources/:type/:id',
    { onRequest: app.requireScope('leads:write'), schema: { tags: ['leads'], summary: "Remove a source's configuration (its leads stay)", params: sourceParams, response: responses({ 204: null, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => {
      const removed = await deps.leadSources.remove(principalOf(request).workspaceId, request.params);
      return removed ? reply.code(204).send() : sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No lead source ${request.params.type}/${request.params.id}.`);
    },
  );
}

/** `POST /app/api/contacts/:id/lead`: a person of the inbox marks a contact they may see as a lead (source: agent, their user id). */
export function registerAppLeadRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'leads' | 'desk' | 'clock'>): void {
  app.post<{ Params: { id: string }; Body: { fields?: Record<string, string | number | boolean> } | undefined }>(
    '/contacts/:id/lead',
    {
      onRequest: app.requireUser(),
      schema: {
        tags: ['inbox'],
        summary: 'Mark the contact as a lead (source: agent), with fields the agent knows',
        params: { type: 'object', required: ['id'], properties: { id: ID } },
        body: { type: 'object', additionalProperties: false, properties: { fields: fieldsBody } },
        response: responses({ 200: { ...leadSchema, description: 'Updated (or unchanged)' }, 201: { ...leadSchema, description: 'Created' }, 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const viewer = viewerOf(request);
      // An agent marks only a contact of a conversation they may see (as the contact panel).
      if (!(await deps.desk.contactFor(viewer, request.params.id))) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No contact ${request.params.id}.`);
      const outcome = await deps.leads.mark({ workspaceId: viewer.workspaceId, contactId: request.params.id, source: { type: 'agent', id: viewer.userId }, fields: request.body?.fields ?? {}, at: deps.clock.now() });
      if (!outcome.ok) return sendAppError(reply, outcome.error);
      return reply.code(outcome.created ? 201 : 200).send(outcome.lead);
    },
  );
}

/** The list's and export's filters, or undefined after answering 400 naming the field. */
function filterOf(query: FilterQuery, reply: FastifyReply): LeadFilter | undefined {
  const filter: LeadFilter = { sourceType: query.source_type, sourceId: query.source_id, hasField: query.has_field, q: query.q };
  for (const [field, key] of [['created_since', 'createdSince'], ['updated_since', 'updatedSince']] as const) {
    const text = query[field];
    if (text === undefined) continue;
    const at = parseInstant(text);
    if (!at) {
      void sendError(reply, 'CONVERSA_ERR_VALIDATION', `querystring.${field}: ${INSTANT_RULE}`, { field: `querystring.${field}`, rule: INSTANT_RULE });
      return undefined;
    }
    filter[key] = at;
  }
  return filter;
}
