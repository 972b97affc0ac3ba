import type { FastifyInstance, FastifyReply } from 'fastify';
import type { PreviewParams, TemplateError, TemplatePatch } from '../../modules/templates/index.js';
import type { CreateTemplateRequest, TemplateSendObject } from '../../whatsapp/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendAppError, sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';

const CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
const PARAMETER_FORMATS = ['POSITIONAL', 'NAMED'] as const;

const namedExamples = {
  type: 'array',
  maxItems: 100,
  items: { type: 'object', required: ['param_name', 'example'], properties: { param_name: { type: 'string', minLength: 1, maxLength: 256 }, example: { type: 'string', maxLength: 1024 } } },
} as const;

const buttonSchema = {
  type: 'object',
  required: ['type'],
  additionalProperties: true,
  properties: {
    type: { type: 'string', enum: ['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'COPY_CODE', 'OTP', 'FLOW', 'VOICE_CALL', 'APP', 'CATALOG', 'MPM'] },
    text: { type: 'string', maxLength: 256 },
    url: { type: 'string', maxLength: 2000, description: 'May end with {{1}}: the part a send fills in' },
    phone_number: { type: 'string', maxLength: 40 },
    example: { anyOf: [{ type: 'string', maxLength: 2000 }, { type: 'array', maxItems: 1, items: { type: 'string', maxLength: 2000 } }], description: 'URL button: a full sample URL; COPY_CODE: a sample code' },
    otp_type: { type: 'string', enum: ['COPY_CODE', 'ONE_TAP', 'ZERO_TAP'] },
    autofill_text: { type: 'string', maxLength: 256 },
    package_name: { type: 'string', maxLength: 256 },
    signature_hash: { type: 'string', maxLength: 256 },
  },
} as const;

const componentSchema = {
  type: 'object',
  required: ['type'],
  additionalProperties: true,
  properties: {
    type: { type: 'string', enum: ['HEADER', 'BODY', 'FOOTER', 'BUTTONS'] },
    format: { type: 'string', enum: ['TEXT', 'IMAGE', 'VIDEO', 'GIF', 'DOCUMENT', 'LOCATION'], description: 'HEADER only' },
    text: { type: 'string', maxLength: 4096 },
    example: {
      type: 'object',
      properties: {
        header_text: { type: 'array', maxItems: 1, items: { type: 'string', maxLength: 1024 } },
        header_text_named_params: namedExamples,
        header_handle: { type: 'array', maxItems: 1, items: { type: 'string', maxLength: 4096 }, description: "A media header's sample: an upload handle from Meta's Resumable Upload API" },
        body_text: { type: 'array', maxItems: 1, items: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 1024 } } },
        body_text_named_params: namedExamples,
      },
    },
    add_security_recommendation: { type: 'boolean', description: 'AUTHENTICATION body' },
    code_expiration_minutes: { type: 'integer', minimum: 1, maximum: 90, description: 'AUTHENTICATION footer' },
    buttons: { type: 'array', minItems: 1, maxItems: 10, items: buttonSchema },
  },
} as const;

const definitionProperties = {
  name: { type: 'string', minLength: 1, maxLength: 512, description: 'Lowercase letters, digits and underscores' },
  language: { type: 'string', minLength: 2, maxLength: 16, description: 'Meta language code: en, en_US, pt_BR, es_MX, ...' },
  category: { type: 'string', enum: CATEGORIES },
  parameter_format: { type: 'string', enum: PARAMETER_FORMATS, description: 'POSITIONAL ({{1}}, the default) or NAMED ({{first_name}})' },
  allow_category_change: { type: 'boolean', description: 'Let Meta re-categorise instead of rejecting (on create)' },
  components: { type: 'array', minItems: 1, maxItems: 10, items: componentSchema },
} as const;

const definitionSchema = { type: 'object', required: ['name', 'language', 'category', 'components'], properties: definitionProperties } as const;

const createSchema = {
  type: 'object',
  required: ['name', 'language', 'category', 'components'],
  properties: {
    ...definitionProperties,
    phone_number: { type: 'string', minLength: 1, maxLength: 64, description: "Whose WABA: our phone number id or Meta's phone_number_id; default the workspace's first number" },
    submit: { type: 'boolean', default: false, description: 'Submit for review now (else a DRAFT)' },
    force: { type: 'boolean', default: false, description: 'Submit even with lint errors' },
  },
} as const;

const patchSchema = {
  type: 'object',
  properties: {
    category: definitionProperties.category,
    parameter_format: definitionProperties.parameter_format,
    components: definitionProperties.components,
    force: { type: 'boolean', default: false, description: 'Resubmit even with lint errors' },
  },
} as const;

const previewSchema = {
  type: 'object',
  properties: {
    header: { anyOf: [{ type: 'string', maxLength: 1024 }, { type: 'object', additionalProperties: { type: 'string', maxLength: 1024 } }], description: "The TEXT header's variable value ({name: value} when named)" },
    body: { anyOf: [{ type: 'array', maxItems: 100, items: { type: 'string', maxLength: 1024 } }, { type: 'object', additionalProperties: { type: 'string', maxLength: 1024 } }], description: 'Body values in order, or by name; AUTHENTICATION: [code]' },
    buttons: { type: 'object', additionalProperties: { type: 'string', maxLength: 2000 }, description: 'By button index: a URL suffix or a coupon code' },
    media: { type: 'object', description: 'A media header: {link} or {id}' },
    location: { type: 'object', description: 'A LOCATION header: {latitude, longitude, name?, address?}' },
    components: { type: 'array', maxItems: 20, items: { type: 'object' }, description: 'Instead of the above: the template components of a send, as POST /api/v1/messages takes them' },
    version: { type: 'integer', minimum: 1, maximum: 1_000_000, description: 'Preview an older version' },
  },
} as const;

const templateSchema = s.object(
  {
    id: s.string,
    waba_id: s.string,
    provider_template_id: s.nullableString,
    name: s.string,
    language: s.string,
    category: { type: 'string', enum: CATEGORIES },
    parameter_format: { type: ['string', 'null'], enum: [...PARAMETER_FORMATS, null] },
    status: { type: 'string', description: 'DRAFT, PENDING, APPROVED, REJECTED, PAUSED, DISABLED, DELETED, ...' },
    rejected_reason: s.nullableString,
    status_details: s.nullableString,
    quality_score: s.nullableString,
    previous_category: s.nullableString,
    components: { type: 'array', items: s.openObject },
    version: s.integer,
    submitted_at: s.nullableDateTime,
    created_at: s.dateTime,
    updated_at: s.dateTime,
    deleted_at: s.nullableDateTime,
  },
  'A template',
);
const lintSchema = s.object({ ok: s.boolean, problems: { type: 'array', items: s.object({ rule: s.string, severity: s.string, path: s.string, message: s.string, fix: s.string }) } }, "The problems Meta's review would find");
const templateDetailSchema = {
  ...templateSchema,
  description: 'A template with its lint report, versions and status history',
  properties: { ...(templateSchema.properties as object), lint: lintSchema, versions: { type: 'array', items: s.openObject }, history: { type: 'array', items: s.openObject } },
};
const previewAnswer = s.object(
  { header: s.openObject, body: s.string, footer: s.string, buttons: { type: 'array', items: s.openObject }, missing: { type: 'array', items: s.string, description: 'Variables without a value' }, text: { type: 'string', description: 'The whole message as text' }, version: s.integer },
  'The template as the customer reads it',
);

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const forceBody = { type: 'object', properties: { force: { type: 'boolean', default: false, description: 'Submit even with lint errors' } } } as const;

interface CreateBody extends CreateTemplateRequest {
  phone_number?: string;
  submit?: boolean;
  force?: boolean;
}

interface PreviewBody extends PreviewParams {
  components?: TemplateSendObject['components'];
  version?: number;
}

/** `/api/v1/templates`: templates as managed assets (docs/templates.md). */
export function registerTemplateRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'templateService'>): void {
  const service = deps.templateService;
  const tags = ['templates'];

  app.get<{ Querystring: { limit?: number; cursor?: string; status?: string; name?: string; category?: string; language?: string } }>(
    '/templates',
    {
      onRequest: app.requireScope('templates:read'),
      schema: {
        tags,
        summary: 'List templates, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            cursor: { type: 'string', maxLength: 64, pattern: '^[a-z]{1,8}_[A-Za-z0-9_-]{1,60}$', description: 'The next_cursor of the previous page' },
            status: { type: 'string', maxLength: 200, description: 'One or more, comma-separated: DRAFT, PENDING, APPROVED, REJECTED, PAUSED, DISABLED, DELETED, ...' },
            name: { type: 'string', maxLength: 512, description: 'Part of the name' },
            category: { type: 'string', enum: [...CATEGORIES, ...CATEGORIES.map((c) => c.toLowerCase())] },
            language: { type: 'string', maxLength: 16 },
          },
        },
        response: responses({ 200: s.page(templateSchema) }),
      },
    },
    async (request) => {
      const { limit, cursor, status, name, category, language } = request.query;
      return service.list(principalOf(request).workspaceId, { limit: limit ?? 50, cursor, status, name, category, language });
    },
  );

  app.post<{ Body: CreateBody }>(
    '/templates',
    {
      onRequest: app.requireScope('templates:write'),
      schema: {
        tags,
        summary: 'Create a template: a DRAFT, or submitted for review with "submit": true',
        description: 'A submission with lint errors answers 422 CONVERSA_ERR_TEMPLATE_LINT listing every problem, unless "force": true.',
        body: createSchema,
        response: responses({
          201: templateDetailSchema,
          404: ['CONVERSA_ERR_NOT_FOUND'],
          409: ['CONVERSA_ERR_CONFLICT', 'CONVERSA_ERR_TEMPLATE_STATE'],
          422: ['CONVERSA_ERR_NO_PHONE_NUMBER', 'CONVERSA_ERR_TEMPLATE_LINT', 'CONVERSA_ERR_PROVIDER_REJECTED'],
          502: ['CONVERSA_ERR_PROVIDER_UNREACHABLE'],
        }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { phone_number: phoneNumber, submit, force, ...definition } = request.body;
      const outcome = await service.create(principal.workspaceId, { definition, phoneNumber, submit, force }, `api_key:${principal.keyId}`);
      return outcome.ok ? reply.code(201).send(outcome.value) : sendTemplateError(reply, outcome.error);
    },
  );

  app.post<{ Body: CreateTemplateRequest }>(
    '/templates/lint',
    { onRequest: app.requireScope('templates:read'), schema: { tags, summary: "Lint a template definition against Meta's review rules (nothing stored)", body: definitionSchema, response: responses({ 200: lintSchema }) } },
    async (request) => service.lint(request.body),
  );

  app.post<{ Body: { phone_number?: string } | undefined }>(
    '/templates/sync',
    {
      onRequest: app.requireScope('templates:write'),
      schema: {
        tags,
        summary: "Sync a WABA's templates with the provider now",
        body: { type: 'object', properties: { phone_number: createSchema.properties.phone_number } },
        response: responses({ 200: s.object({ waba_id: s.string }, 'What changed, by count'), 404: ['CONVERSA_ERR_NOT_FOUND'], 422: ['CONVERSA_ERR_NO_PHONE_NUMBER', 'CONVERSA_ERR_PROVIDER_REJECTED'], 502: ['CONVERSA_ERR_PROVIDER_UNREACHABLE'] }),
      },
    },
    async (request, reply) => {
      const outcome = await service.sync(principalOf(request).workspaceId, request.body?.phone_number);
      return outcome.ok ? outcome.value : sendTemplateError(reply, outcome.error);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/templates/:id',
    { onRequest: app.requireScope('templates:read'), schema: { tags, summary: 'A template with its lint report, versions and status history', params: idParams, response: responses({ 200: templateDetailSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => {
      const outcome = await service.get(principalOf(request).workspaceId, request.params.id);
      return outcome.ok ? outcome.value : sendTemplateError(reply, outcome.error);
    },
  );

  app.patch<{ Params: { id: string }; Body: TemplatePatch & { force?: boolean } }>(
    '/templates/:id',
    {
      onRequest: app.requireScope('templates:write'),
      schema: {
        tags,
        summary: 'Edit a template: a new version; resubmitted for review when the provider has it',
        params: idParams,
        body: patchSchema,
        response: responses({ 200: templateDetailSchema, 404: ['CONVERSA_ERR_NOT_FOUND'], 409: ['CONVERSA_ERR_TEMPLATE_STATE'], 422: ['CONVERSA_ERR_NO_PHONE_NUMBER', 'CONVERSA_ERR_TEMPLATE_LINT', 'CONVERSA_ERR_PROVIDER_REJECTED'], 502: ['CONVERSA_ERR_PROVIDER_UNREACHABLE'] }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { force, ...patch } = request.body;
      if (patch.category === undefined && patch.components === undefined && patch.parameter_format === undefined) {
        return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'body: give at least one of category, parameter_format, components', { field: 'body', rule: 'must change category, parameter_format or components' });
      }
      const outcome = await service.edit(principal.workspaceId, request.params.id, patch, { force }, `api_key:${principal.keyId}`);
      return outcome.ok ? outcome.value : sendTemplateError(reply, outcome.error);
    },
  );

  app.post<{ Params: { id: string }; Body: { force?: boolean } | undefined }>(
    '/templates/:id/submit',
    {
      onRequest: app.requireScope('templates:write'),
      schema: {
        tags,
        summary: 'Submit a DRAFT (or resubmit a REJECTED template) for review',
        params: idParams,
        body: forceBody,
        response: responses({ 200: templateDetailSchema, 404: ['CONVERSA_ERR_NOT_FOUND'], 409: ['CONVERSA_ERR_TEMPLATE_STATE'], 422: ['CONVERSA_ERR_NO_PHONE_NUMBER', 'CONVERSA_ERR_TEMPLATE_LINT', 'CONVERSA_ERR_PROVIDER_REJECTED'], 502: ['CONVERSA_ERR_PROVIDER_UNREACHABLE'] }),
      },
    },
    async (request, reply) => {
      const outcome = await service.submit(principalOf(request).workspaceId, request.params.id, { force: request.body?.force });
      return outcome.ok ? outcome.value : sendTemplateError(reply, outcome.error);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/templates/:id',
    {
      onRequest: app.requireScope('templates:write'),
      schema: {
        tags,
        summary: 'Delete a template at the provider (this language only); kept here as DELETED with its history',
        params: idParams,
        response: responses({ 200: templateSchema, 404: ['CONVERSA_ERR_NOT_FOUND'], 422: ['CONVERSA_ERR_NO_PHONE_NUMBER', 'CONVERSA_ERR_PROVIDER_REJECTED'], 502: ['CONVERSA_ERR_PROVIDER_UNREACHABLE'] }),
      },
    },
    async (request, reply) => {
      const outcome = await service.remove(principalOf(request).workspaceId, request.params.id);
      return outcome.ok ? outcome.value : sendTemplateError(reply, outcome.error);
    },
  );

  app.post<{ Params: { id: string }; Body: PreviewBody | undefined }>(
    '/templates/:id/preview',
    {
      onRequest: app.requireScope('templates:read'),
      schema: { tags, summary: 'The template as the customer reads it, with sample parameters (or its own examples when none are given)', params: idParams, body: previewSchema, response: responses({ 200: previewAnswer, 404: ['CONVERSA_ERR_NOT_FOUND'] }) },
    },
    async (request, reply) => {
      const { components, version, ...rest } = request.body ?? {};
      const given = Object.keys(rest).length > 0;
      const outcome = await service.preview(principalOf(request).workspaceId, request.params.id, { ...(given ? { params: rest } : {}), components, version });
      return outcome.ok ? outcome.value : sendTemplateError(reply, outcome.error);
    },
  );
}

function sendTemplateError(reply: FastifyReply, error: TemplateError): FastifyReply {
  return sendAppError(reply, error);
}
