import type { FastifyInstance, FastifyReply } from 'fastify';
import { MESSAGING_TIERS, RECIPIENT_FILTERS, SKIP_REASONS, type CampaignResult, type CreateCampaign, type RecipientFilter } from '../../modules/campaigns/index.js';
import { isPhoneCountry } from '../../modules/contacts/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendAppError, sendError } from '../errors.js';
import { SEND_REFUSALS, responses, schemas as s } from '../responses.js';

/** The largest campaign CSV accepted (about two million rows of phone and a few parameters). */
export const CAMPAIGN_CSV_LIMIT_BYTES = 100 * 1024 * 1024;

const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'];

const limitSchema = s.object(
  { phone_number_id: s.string, tier: { type: ['integer', 'null'], description: 'Unique business-initiated recipients per moving 24 h; null: unlimited' }, source: { type: 'string', enum: ['configured', 'provider', 'default'] }, provider_tier: s.nullableString, used: s.integer, available: { type: ['integer', 'null'] }, next_slot_at: s.nullableDateTime },
  "A number's messaging-limit tier and its use in the moving 24 h",
);
const estimateSchema = s.object(
  {
    computed_at: s.dateTime,
    recipients: s.integer,
    will_receive: s.integer,
    will_not_receive: s.integer,
    skipped: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Why the others will not receive it, by reason' },
    cost: s.object({ currency: s.string, total_micros: s.integer, by_category: s.openObject, by_country: s.openObject }, 'If every message is delivered'),
    messaging_limit: limitSchema,
    throughput_mps: { type: 'number' },
    send_seconds: { type: 'number' },
  },
  'Who will receive it, who will not and why, and the cost',
);
const campaignSchema = s.object(
  {
    id: s.string,
    name: s.string,
    status: { type: 'string', enum: ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'] },
    pause_reason: s.nullableString,
    pause_details: { type: ['object', 'null'], additionalProperties: true },
    phone_number_id: s.string,
    template: s.object({ name: s.string, language: s.string }),
    components: { type: 'array', items: s.openObject },
    audience: s.openObject,
    audience_report: { type: ['object', 'null'], additionalProperties: true, description: 'rows, recipients, duplicates merged, invalid numbers, rejected rows' },
    start_at: s.nullableDateTime,
    failure_threshold: { type: 'number' },
    failure_min_sample: s.integer,
    recipients: s.integer,
    estimate: { ...estimateSchema, type: ['object', 'null'] },
    created_at: s.dateTime,
    updated_at: s.dateTime,
    launched_at: s.nullableDateTime,
    completed_at: s.nullableDateTime,
  },
  'A campaign',
);
const campaignDetailSchema = {
  ...campaignSchema,
  properties: { ...(campaignSchema.properties as object), totals: { ...s.openObject, description: 'Per state, failures by error code, replies, opt-outs after' }, messaging_limit: limitSchema },
};
const recipientSchema = s.object({
  seq: s.integer,
  phone: s.string,
  wa_id: s.nullableString,
  contact_id: s.nullableString,
  line: { type: ['integer', 'null'] },
  state: s.string,
  reason: s.nullableString,
  planned: { ...s.nullableString, description: "The latest estimate's decision: send or the skip reason it predicted" },
  queued_at: s.nullableDateTime,
  message: { type: ['object', 'null'], additionalProperties: true },
});

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

const createBody = {
  type: 'object',
  required: ['name', 'template', 'audience'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    from: { type: 'string', minLength: 1, maxLength: 64, description: "Phone number (our id or Meta's phone_number_id); default: the workspace's first" },
    template: {
      type: 'object',
      required: ['name', 'language'],
      additionalProperties: false,
      properties: { name: { type: 'string', minLength: 1, maxLength: 512 }, language: { type: 'string', minLength: 2, maxLength: 15 } },
    },
    components: {
      type: 'array',
      maxItems: 20,
      items: { type: 'object', required: ['type'], properties: { type: { type: 'string', enum: ['header', 'body', 'button'] } } },
      description: 'Template send components as in the Cloud API; text values may use {{variable}}: a CSV column (snake_case header), or name, phone, wa_id, a contact attribute',
    },
    audience: {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      properties: {
        type: { type: 'string', enum: ['filter', 'csv'], description: 'filter: contacts matching `filter`; csv: upload the file next with PUT /campaigns/{id}/audience' },
        filter: {
          type: 'object',
          additionalProperties: false,
          properties: {
            tags: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 100 }, description: 'The contact has every tag' },
            attributes: { type: 'object', maxProperties: 20, additionalProperties: { type: 'string', maxLength: 500 }, description: 'The contact attributes equal these values' },
            consent_purpose: { type: 'string', enum: ['marketing', 'utility'], description: 'The contact is opted in for this purpose' },
          },
        },
        default_country: { type: 'string', pattern: '^[A-Za-z]{2}$', description: 'csv: ISO country for numbers written without a country code' },
      },
    },
    start_at: { type: 'string', minLength: 10, maxLength: 40, description: 'ISO-8601 time to start at, once launched (default: at launch)' },
    failure_threshold: { type: 'number', minimum: 0, maximum: 1, description: 'Auto-pause when failed / sends with an outcome passes this share (default 0.2)' },
    failure_min_sample: { type: 'integer', minimum: 1, maximum: 1_000_000, description: '... once this many sends have an outcome (default 50)' },
  },
} as const;

/**
 * `/api/v1/campaigns`: create (audience by filter, or a CSV uploaded next), estimate, launch,
 * pause, resume, cancel, results with totals, recipients; and each number's messaging-limit
 * tier at `/api/v1/phone-numbers/{id}/messaging-limit`. The CSV upload registers a text/csv
 * parser: give this function a scope of its own.
 */
export function registerCampaignRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'campaigns' | 'messagingLimits' | 'phoneNumbers'>): void {
  // The CSV body is handed over as a stream and read row by row.
  app.addContentTypeParser(CSV_TYPES, (_request, payload, done) => done(null, payload));

  app.post<{ Body: CreateCampaign }>(
    '/campaigns',
    { onRequest: app.requireScope('campaigns:write'), schema: { tags: ['campaigns'], summary: 'Create a campaign (draft) with its audience', body: createBody, response: responses({ 201: campaignSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => {
      const body = request.body;
      if (body.start_at !== undefined && Number.isNaN(Date.parse(body.start_at))) return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'start_at: must be an ISO-8601 date-time', { field: 'start_at', rule: 'must be an ISO-8601 date-time' });
      if (body.audience.type === 'filter' && !body.audience.filter) return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'audience.filter: is required when audience.type is "filter"', { field: 'audience.filter', rule: 'is required' });
      const country = body.audience.type === 'csv' ? body.audience.default_country?.toUpperCase() : undefined;
      if (country !== undefined && !isPhoneCountry(country)) return sendError(reply, 'CONVERSA_ERR_VALIDATION', `audience.default_country: "${country}" is not a known country code`, { field: 'audience.default_country', rule: 'must be an ISO 3166-1 alpha-2 code such as BR' });
      return answer(reply, await deps.campaigns.create(principalOf(request).workspaceId, body), 201);
    },
  );

  app.get<{ Querystring: { limit?: number; cursor?: string; status?: string } }>(
    '/campaigns',
    {
      onRequest: app.requireScope('campaigns:read'),
      schema: {
        tags: ['campaigns'],
        summary: 'Campaigns, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 }, cursor: { type: 'string', maxLength: 64, pattern: '^[a-z]{1,8}_[A-Za-z0-9_-]{1,60}$', description: 'The next_cursor of the previous page' }, status: { type: 'string', enum: ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'] } },
        },
        response: responses({ 200: s.page(campaignSchema) }),
      },
    },
    async (request) => deps.campaigns.list(principalOf(request).workspaceId, { limit: request.query.limit ?? 20, cursor: request.query.cursor, status: request.query.status }),
  );

  app.get<{ Params: { id: string } }>(
    '/campaigns/:id',
    { onRequest: app.requireScope('campaigns:read'), schema: { tags: ['campaigns'], summary: 'A campaign with its totals (per state, failures by error code, replies, opt-outs after) and the number\'s messaging limit', params: idParams, response: responses({ 200: campaignDetailSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      const campaign = await deps.campaigns.get(workspaceId, request.params.id);
      if (!campaign) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No campaign ${request.params.id}.`);
      const [totals, limit] = await Promise.all([deps.campaigns.totals(workspaceId, campaign.id), deps.messagingLimits.view(campaign.phone_number_id)]);
      return { ...campaign, totals, messaging_limit: limit };
    },
  );

  app.put<{ Params: { id: string }; Querystring: { default_country?: string; file_name?: string } }>(
    '/campaigns/:id/audience',
    {
      onRequest: app.requireScope('campaigns:write'),
      schema: {
        tags: ['campaigns'],
        summary: "Upload a draft campaign's CSV audience (text/csv, up to 100 MB, streamed)",
        description: 'A phone column (phone, telefone, whatsapp, celular, number or wa_id) and one column per {{variable}} the parameters use. Answers the campaign with audience_report: rows, recipients, duplicates merged, invalid numbers, rejected rows (listed by GET /campaigns/{id}/rejections).',
        consumes: CSV_TYPES,
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { default_country: { type: 'string', pattern: '^[A-Za-z]{2}$' }, file_name: { type: 'string', maxLength: 256 } },
        },
        response: responses({ 200: campaignSchema, 404: ['CONVERSA_ERR_NOT_FOUND'], 409: ['CONVERSA_ERR_CAMPAIGN_STATE'] }),
      },
    },
    async (request, reply) => {
      const country = request.query.default_country?.toUpperCase();
      if (country !== undefined && !isPhoneCountry(country)) return sendError(reply, 'CONVERSA_ERR_VALIDATION', `querystring.default_country: "${country}" is not a known country code`, { field: 'querystring.default_country', rule: 'must be an ISO 3166-1 alpha-2 code such as BR' });
      const body = request.body as AsyncIterable<Buffer> | undefined;
      if (!body || typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function') {
        return sendError(reply, 'CONVERSA_ERR_UNSUPPORTED_MEDIA_TYPE', "Send the CSV as the body with Content-Type: text/csv (curl --data-binary @audience.csv -H 'content-type: text/csv').");
      }
      const limited = limitBytes(body, CAMPAIGN_CSV_LIMIT_BYTES);
      try {
        const result = await deps.campaigns.uploadCsv(principalOf(request).workspaceId, request.params.id, limited, { defaultCountry: country, fileName: request.query.file_name });
        return answer(reply, result, 200);
      } catch (error) {
        if (error instanceof TooLarge) return sendError(reply, 'CONVERSA_ERR_PAYLOAD_TOO_LARGE', 'The CSV is over 100 MB; split the audience into several campaigns.');
        throw error;
      }
    },
  );

  app.post<{ Params: { id: string } }>(
    '/campaigns/:id/estimate',
    { onRequest: app.requireScope('campaigns:write'), schema: { tags: ['campaigns'], summary: 'Who will receive it, who will not and why, and the cost by category and country', params: idParams, response: responses({ 200: estimateSchema, 404: ['CONVERSA_ERR_NOT_FOUND'], 422: SEND_REFUSALS }) } },
    async (request, reply) => answer(reply, await deps.campaigns.estimate(principalOf(request).workspaceId, request.params.id), 200),
  );

  app.post<{ Params: { id: string }; Body: { start_at?: string } | undefined }>(
    '/campaigns/:id/launch',
    {
      onRequest: app.requireScope('campaigns:write'),
      // The body is optional (a bare POST launches now), so it is checked here rather than by a schema.
      schema: { tags: ['campaigns'], summary: 'Launch a draft: it runs now, or at start_at', description: 'Optional body {"start_at": "<ISO-8601>"}: run from then on (status scheduled until then).',
        params: idParams,
        response: responses({ 200: campaignSchema, 404: ['CONVERSA_ERR_NOT_FOUND'], 409: ['CONVERSA_ERR_CAMPAIGN_STATE'], 422: SEND_REFUSALS }),
      },
    },
    async (request, reply) => {
      const body: unknown = request.body;
      if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'body: must be an object such as {"start_at": "<ISO-8601>"}, or empty', { field: 'body', rule: 'must be an object or empty' });
      const startAt: unknown = (body as { start_at?: unknown } | null | undefined)?.start_at;
      if (startAt !== undefined && (typeof startAt !== 'string' || Number.isNaN(Date.parse(startAt)))) return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'start_at: must be an ISO-8601 date-time', { field: 'start_at', rule: 'must be an ISO-8601 date-time' });
      return answer(reply, await deps.campaigns.launch(principalOf(request).workspaceId, request.params.id, startAt), 200);
    },
  );

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    app.post<{ Params: { id: string } }>(
      `/campaigns/:id/${action}`,
      { onRequest: app.requireScope('campaigns:write'), schema: { tags: ['campaigns'], summary: ACTION_SUMMARIES[action], params: idParams, response: responses({ 200: campaignSchema, 404: ['CONVERSA_ERR_NOT_FOUND'], 409: ['CONVERSA_ERR_CAMPAIGN_STATE'], ...(action === 'resume' ? { 422: SEND_REFUSALS } : {}) }) } },
      async (request, reply) => answer(reply, await deps.campaigns[action](principalOf(request).workspaceId, request.params.id), 200),
    );
  }

  app.get<{ Params: { id: string }; Querystring: { limit?: number; cursor?: string; state?: RecipientFilter; reason?: string } }>(
    '/campaigns/:id/recipients',
    {
      onRequest: app.requireScope('campaigns:read'),
      schema: {
        tags: ['campaigns'],
        summary: 'Recipients in audience order with state, skip reason, the estimate\'s prediction and their message',
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            cursor: { type: 'string', pattern: '^[0-9]{1,10}$' },
            state: { type: 'string', enum: [...RECIPIENT_FILTERS] },
            reason: { type: 'string', enum: [...SKIP_REASONS] },
          },
        },
        response: responses({ 200: s.page(recipientSchema), 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const { limit = 100, cursor, state, reason } = request.query;
      const page = await deps.campaigns.recipients(principalOf(request).workspaceId, request.params.id, { limit, after: cursor === undefined ? undefined : Number(cursor), state, reason });
      return page ?? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No campaign ${request.params.id}.`);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: number; cursor?: string } }>(
    '/campaigns/:id/rejections',
    {
      onRequest: app.requireScope('campaigns:read'),
      schema: {
        tags: ['campaigns'],
        summary: 'CSV rows that were rejected, by line, with the reason',
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, cursor: { type: 'string', pattern: '^[0-9]{1,10}$' } } },
        response: responses({ 200: s.page(s.object({ line: s.integer, field: s.string, reason: s.string })), 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const page = await deps.campaigns.rejections(principalOf(request).workspaceId, request.params.id, { limit: request.query.limit ?? 100, after: request.query.cursor === undefined ? undefined : Number(request.query.cursor) });
      return page ?? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No campaign ${request.params.id}.`);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/phone-numbers/:id/messaging-limit',
    { onRequest: app.requireScope('campaigns:read'), schema: { tags: ['campaigns'], summary: "A number's messaging-limit tier and its use in the moving 24 h", params: idParams, response: responses({ 200: limitSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => {
      const number = await deps.phoneNumbers.resolve(principalOf(request).workspaceId, request.params.id);
      if (!number) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No phone number ${request.params.id} in this workspace.`);
      return deps.messagingLimits.view(number.id);
    },
  );

  app.put<{ Params: { id: string }; Body: { tier: number | 'unlimited' | null } }>(
    '/phone-numbers/:id/messaging-limit',
    {
      onRequest: app.requireScope('campaigns:write'),
      schema: {
        tags: ['campaigns'],
        summary: "Set a number's messaging-limit tier (unique business-initiated recipients per moving 24 h)",
        description:
          'A tier set here overrides the one the provider reports (source `configured`) until cleared with `{"tier": null}`; then the tier Meta last reported applies (source `provider`, kept in step by POST /phone-numbers/{id}/refresh and the periodic refresh), else 250 (source `default`).',
        params: idParams,
        body: {
          type: 'object',
          required: ['tier'],
          additionalProperties: false,
          // An enum without a type (not oneOf): the validator's type coercion then never turns null into 0 or "2000" into 2000.
          properties: { tier: { enum: [...MESSAGING_TIERS.filter((t) => t !== null), 'unlimited', null], description: '250, 2000, 10000, 100000, "unlimited", or null to clear the override' } },
        },
        response: responses({ 200: limitSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      const number = await deps.phoneNumbers.resolve(workspaceId, request.params.id);
      if (!number) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No phone number ${request.params.id} in this workspace.`);
      if (request.body.tier === null) await deps.messagingLimits.clear(number.id);
      else await deps.messagingLimits.set(workspaceId, number.id, request.body.tier === 'unlimited' ? null : request.body.tier);
      return deps.messagingLimits.view(number.id);
    },
  );
}

const ACTION_SUMMARIES = {
  pause: 'Pause: stop queueing and take back messages not yet sent',
  resume: 'Resume a paused campaign (its template must be APPROVED)',
  cancel: 'Cancel: take back messages not yet sent; pending recipients become cancelled',
} as const;

function answer<T>(reply: FastifyReply, result: CampaignResult<T>, status: number): FastifyReply | T {
  if (result.ok) return reply.code(status).send(result.value);
  return sendAppError(reply, result.error);
}

class TooLarge extends Error {}

async function* limitBytes(source: AsyncIterable<Buffer>, limit: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > limit) throw new TooLarge();
    yield chunk;
  }
}
