import type { FastifyInstance, FastifyRequest } from 'fastify';
import { flowDocumentSchema, SECRET_NAME } from '../../modules/chatbot/index.js';
import { normalizePhone } from '../../modules/contacts/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendAppError, sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];
const MAX_FLOW_BYTES = 512 * 1024;

/** A flow document in the body: YAML (`Content-Type: application/yaml`), a JSON document, or `{source, format}`. */
const documentBody = {
  description:
    'The flow: send it as YAML (`Content-Type: application/yaml`), as a JSON document (`application/json`), or as `{"source": "<YAML or JSON text>", "format": "yaml"|"json"}`. The format is documented by GET /api/v1/flows/schema.json and docs/flows.md.',
  type: 'object',
  additionalProperties: true,
} as const;

const problem = s.object({ path: s.string, message: s.string, fix: s.string, severity: { type: 'string', enum: ['error', 'warning'] } }, 'A problem of the document, where it is and how to fix it');
const flowView = s.object(
  {
    id: s.string,
    name: s.string,
    description: s.nullableString,
    format: { type: 'string', enum: ['yaml', 'json'] },
    source: { type: 'string', description: 'The draft as written' },
    deployments: { type: 'array', items: s.object({ phone_number_id: s.string, version: s.integer, deployed_at: s.dateTime }), description: 'Which version is live on which number' },
    latest_version: { type: ['integer', 'null'] },
    created_at: s.dateTime,
    updated_at: s.dateTime,
  },
  'A flow: its draft and where its published versions are live',
);
const versionView = s.object({ id: s.string, flow_id: s.string, version: s.integer, created_at: s.dateTime, trained: s.boolean, live_on: { type: 'array', items: s.string } }, 'A published, immutable version');
const runView = s.object(
  {
    id: s.string,
    flow: s.string,
    version: s.integer,
    conversation_id: s.string,
    messages: { type: 'array', items: s.string, description: 'Ids of the messages the run queued' },
    refused: { type: 'array', items: s.object({ code: s.string, message: s.string }), description: 'What the policy refused (e.g. free text while the window is closed)' },
    waiting: { type: ['string', 'null'], description: 'The step now waiting; null when the run ended' },
    ended: s.boolean,
  },
  'A flow started for a contact',
);
const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } } as const;
const numberField = { type: 'string', minLength: 1, maxLength: 64, description: "Our phone number id or Meta's phone_number_id" } as const;

type DocumentBody = Record<string, unknown> & { source?: unknown; format?: unknown };

/** The document a request carries, as text and its format; or why it carries none. */
function documentOf(request: FastifyRequest<{ Body: DocumentBody }>): { ok: true; source: string; format: 'yaml' | 'json' } | { ok: false; field: string; rule: string } {
  const body = request.body as unknown;
  if (typeof body === 'string') return { ok: true, source: body, format: 'yaml' };
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, field: 'body', rule: 'must be a flow document (YAML or JSON) or {source, format}' };
  const record = body as DocumentBody;
  if ('source' in record) {
    if (typeof record.source !== 'string' || record.source.trim() === '') return { ok: false, field: 'body.source', rule: 'must be the flow as YAML or JSON text' };
    if (record.format !== undefined && record.format !== 'yaml' && record.format !== 'json') return { ok: false, field: 'body.format', rule: 'must be "yaml" or "json"' };
    return { ok: true, source: record.source, format: (record.format as 'yaml' | 'json' | undefined) ?? (/^\s*[{[]/.test(record.source) ? 'json' : 'yaml') };
  }
  return { ok: true, source: JSON.stringify(record, null, 2), format: 'json' };
}

/** `/api/v1/flows`: import, check, publish, roll back and run chatbot flows; `/api/v1/flow-secrets`. */
export function registerFlowRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'flows' | 'chatbot' | 'phoneNumbers' | 'contacts' | 'conversations'>): void {
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string', bodyLimit: MAX_FLOW_BYTES }, (_request, body, done) => done(null, { source: body, format: 'yaml' }));

  app.get(
    '/flows/schema.json',
    {
      onRequest: app.requireScope('flows:read'),
      schema: {
        tags: ['flows'],
        summary: 'The JSON Schema of flow documents',
        description: 'Save it next to your flows and point your editor at it (`# yaml-language-server: $schema=./flow.schema.json`). The same rules `conversa flow validate` checks, minus the cross-references.',
        response: responses({ 200: { ...s.openObject, description: 'The JSON Schema (draft 2020-12) of flow documents' } }),
      },
    },
    async (_request, reply) => reply.header('cache-control', 'private, max-age=300').send(flowDocumentSchema),
  );

  app.post<{ Body: DocumentBody }>(
    '/flows/validate',
    {
      onRequest: app.requireScope('flows:read'),
      bodyLimit: MAX_FLOW_BYTES,
      schema: {
        tags: ['flows'],
        summary: 'Check a flow document without storing it',
        description: 'Answers 200 with `valid` and every problem and warning (path, message, fix), like `conversa flow validate`.',
        body: documentBody,
        response: responses({ 200: s.object({ valid: s.boolean, problems: { type: 'array', items: problem }, warnings: { type: 'array', items: problem } }, 'Whether the document is valid, and every problem and warning') }),
      },
    },
    async (request, reply) => {
      const doc = documentOf(request);
      if (!doc.ok) return sendError(reply, 'CONVERSA_ERR_VALIDATION', `${doc.field}: ${doc.rule}`, { field: doc.field, rule: doc.rule });
      const checked = deps.flows.check(doc.source, doc.format);
      return checked.ok ? { valid: true, problems: [], warnings: checked.warnings } : { valid: false, problems: checked.problems.filter((p) => p.severity === 'error'), warnings: checked.problems.filter((p) => p.severity !== 'error') };
    },
  );

  app.post<{ Body: DocumentBody }>(
    '/flows',
    {
      onRequest: app.requireScope('flows:write'),
      bodyLimit: MAX_FLOW_BYTES,
      schema: {
        tags: ['flows'],
        summary: 'Import a flow (its draft)',
        description: 'Checks the document and stores it as the draft of a new flow named by its `name`. Nothing runs until it is published on a number. 422 CONVERSA_ERR_FLOW_INVALID lists every problem with its path and fix.',
        body: documentBody,
        response: responses({ 201: flowView, 409: ['CONVERSA_ERR_CONFLICT'], 422: ['CONVERSA_ERR_FLOW_INVALID'] }),
      },
    },
    async (request, reply) => {
      const doc = documentOf(request);
      if (!doc.ok) return sendError(reply, 'CONVERSA_ERR_VALIDATION', `${doc.field}: ${doc.rule}`, { field: doc.field, rule: doc.rule });
      const created = await deps.flows.create(principalOf(request).workspaceId, { source: doc.source, format: doc.format });
      return created.ok ? reply.code(201).send(created.value) : sendAppError(reply, created.error);
    },
  );

  app.get('/flows', { onRequest: app.requireScope('flows:read'), schema: { tags: ['flows'], summary: "The workspace's flows", response: responses({ 200: s.list(flowView) }) } }, async (request) => ({
    data: await deps.flows.list(principalOf(request).workspaceId),
  }));

  app.get<{ Params: { id: string } }>(
    '/flows/:id',
    { onRequest: app.requireScope('flows:read'), schema: { tags: ['flows'], summary: 'A flow', params: idParams, response: responses({ 200: flowView, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => (await deps.flows.get(principalOf(request).workspaceId, request.params.id)) ?? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No flow ${request.params.id}.`),
  );

  app.put<{ Params: { id: string }; Body: DocumentBody }>(
    '/flows/:id',
    {
      onRequest: app.requireScope('flows:write'),
      bodyLimit: MAX_FLOW_BYTES,
      schema: {
        tags: ['flows'],
        summary: "Replace a flow's draft",
        description: 'Published versions never change: publish again to make the new draft live.',
        params: idParams,
        body: documentBody,
        response: responses({ 200: flowView, 404: ['CONVERSA_ERR_NOT_FOUND'], 422: ['CONVERSA_ERR_FLOW_INVALID'] }),
      },
    },
    async (request, reply) => {
      const doc = documentOf(request);
      if (!doc.ok) return sendError(reply, 'CONVERSA_ERR_VALIDATION', `${doc.field}: ${doc.rule}`, { field: doc.field, rule: doc.rule });
      const updated = await deps.flows.update(principalOf(request).workspaceId, request.params.id, { source: doc.source, format: doc.format });
      return updated.ok ? updated.value : sendAppError(reply, updated.error);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/flows/:id',
    { onRequest: app.requireScope('flows:write'), schema: { tags: ['flows'], summary: 'Delete a flow, its versions and its sessions', params: idParams, response: responses({ 204: null, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => ((await deps.flows.delete(principalOf(request).workspaceId, request.params.id)) ? reply.code(204).send() : sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No flow ${request.params.id}.`)),
  );

  const numberBody = { type: 'object', required: ['phone_number_id'], additionalProperties: false, properties: { phone_number_id: numberField } } as const;
  const resolveNumber = async (request: FastifyRequest, id: string) => deps.phoneNumbers.resolve(principalOf(request).workspaceId, id);

  app.post<{ Params: { id: string }; Body: { phone_number_id: string } }>(
    '/flows/:id/publish',
    {
      onRequest: app.requireScope('flows:write'),
      schema: {
        tags: ['flows'],
        summary: 'Publish the draft on a phone number',
        description: 'Creates an immutable version (its intents trained now) and makes it live on the number. Conversations already in the flow finish on their version.',
        params: idParams,
        body: numberBody,
        response: responses({ 201: versionView, 404: ['CONVERSA_ERR_NOT_FOUND'], 422: ['CONVERSA_ERR_FLOW_INVALID'] }),
      },
    },
    async (request, reply) => {
      const number = await resolveNumber(request, request.body.phone_number_id);
      if (!number) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No phone number ${request.body.phone_number_id} in this workspace.`, { field: 'phone_number_id', rule: 'must be a phone number of this workspace' });
      const published = await deps.flows.publish(principalOf(request).workspaceId, request.params.id, number.id);
      return published.ok ? reply.code(201).send(published.value) : sendAppError(reply, published.error);
    },
  );

  app.post<{ Params: { id: string }; Body: { phone_number_id: string; version: number } }>(
    '/flows/:id/rollback',
    {
      onRequest: app.requireScope('flows:write'),
      schema: {
        tags: ['flows'],
        summary: 'Make an earlier version live on a number',
        params: idParams,
        body: { type: 'object', required: ['phone_number_id', 'version'], additionalProperties: false, properties: { phone_number_id: numberField, version: { type: 'integer', minimum: 1 } } },
        response: responses({ 200: versionView, 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const number = await resolveNumber(request, request.body.phone_number_id);
      if (!number) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No phone number ${request.body.phone_number_id} in this workspace.`, { field: 'phone_number_id', rule: 'must be a phone number of this workspace' });
      const rolled = await deps.flows.rollback(principalOf(request).workspaceId, request.params.id, number.id, request.body.version);
      return rolled.ok ? rolled.value : sendAppError(reply, rolled.error);
    },
  );

  app.post<{ Params: { id: string }; Body: { phone_number_id: string } }>(
    '/flows/:id/unpublish',
    { onRequest: app.requireScope('flows:write'), schema: { tags: ['flows'], summary: 'Take the flow off a number (running sessions finish)', params: idParams, body: numberBody, response: responses({ 204: null, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => {
      const number = await resolveNumber(request, request.body.phone_number_id);
      const done = number ? await deps.flows.unpublish(principalOf(request).workspaceId, request.params.id, number.id) : false;
      return done ? reply.code(204).send() : sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `Flow ${request.params.id} is not live on ${request.body.phone_number_id}.`, { field: 'phone_number_id', rule: 'the flow must be live on this number' });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/flows/:id/versions',
    { onRequest: app.requireScope('flows:read'), schema: { tags: ['flows'], summary: 'Published versions, newest first', params: idParams, response: responses({ 200: s.list(versionView), 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => {
      const versions = await deps.flows.versions(principalOf(request).workspaceId, request.params.id);
      return versions ? { data: versions } : sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No flow ${request.params.id}.`);
    },
  );

  app.post<{ Params: { id: string }; Body: { to: string; phone_number_id?: string; variables?: Record<string, unknown>; replace?: boolean } }>(
    '/flows/:id/runs',
    {
      onRequest: app.requireScope('flows:write'),
      schema: {
        tags: ['flows'],
        summary: 'Start the flow for a contact',
        description:
          'Runs the version live on the number for the contact now (e.g. an appointment reminder). With the 24 h window closed only template steps can speak: anything else is refused by the send policy and listed in `refused` (and in the conversation\'s bot log). 409 when a person owns the conversation or a session runs (send `replace: true` to end it).',
        params: idParams,
        body: {
          type: 'object',
          required: ['to'],
          additionalProperties: false,
          properties: {
            to: { type: 'string', minLength: 1, maxLength: 32, description: 'The contact, in international format' },
            phone_number_id: { ...numberField, description: "Our phone number id or Meta's; default: the workspace's first number" },
            variables: { type: 'object', additionalProperties: true, maxProperties: 100, description: "Override the flow's initial variables" },
            replace: { type: 'boolean', description: 'End a running session of the conversation first' },
          },
        },
        response: responses({ 202: runView, 404: ['CONVERSA_ERR_NOT_FOUND'], 409: ['CONVERSA_ERR_FLOW_NOT_PUBLISHED', 'CONVERSA_ERR_CONVERSATION_BUSY'], 422: ['CONVERSA_ERR_INVALID_RECIPIENT', 'CONVERSA_ERR_NO_PHONE_NUMBER'] }),
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      const flow = await deps.flows.get(workspaceId, request.params.id);
      if (!flow) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No flow ${request.params.id}.`);
      if (request.body.variables && Buffer.byteLength(JSON.stringify(request.body.variables)) > 16 * 1024) {
        return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'variables: over 16 KB', { field: 'variables', rule: 'must be at most 16 KB as JSON' });
      }
      const number = request.body.phone_number_id ? await deps.phoneNumbers.resolve(workspaceId, request.body.phone_number_id) : (await deps.phoneNumbers.list(workspaceId))[0];
      if (!number) return sendError(reply, 'CONVERSA_ERR_NO_PHONE_NUMBER', request.body.phone_number_id ? `No phone number ${request.body.phone_number_id} in this workspace.` : 'This workspace has no phone number.', { field: 'phone_number_id', rule: 'must be a phone number of this workspace' });
      const phone = normalizePhone(request.body.to);
      if (!phone.ok) return sendError(reply, 'CONVERSA_ERR_INVALID_RECIPIENT', `to: ${phone.rule}`, { field: 'to', rule: phone.rule });
      const contact = (await deps.contacts.findByWaId(workspaceId, phone.waId)) ?? (await deps.contacts.upsert(workspaceId, { e164: phone.e164, waId: phone.waId })).contact;
      const conversation = await deps.conversations.ensure(workspaceId, number.id, contact.id);
      const started = await deps.chatbot.startRun({ workspaceId, flowId: flow.id, number, contactId: contact.id, conversationId: conversation.id, vars: request.body.variables ?? {}, replace: request.body.replace ?? false });
      return started.ok ? reply.code(202).send(started.run) : sendAppError(reply, started.error);
    },
  );

  const secretParams = { type: 'object', properties: { name: { type: 'string', pattern: '^[A-Za-z0-9_]{1,64}$', description: 'The secret\'s name' } } } as const;
  app.post<{ Body: { name: string; value: string } }>(
    '/flow-secrets',
    {
      onRequest: app.requireScope('flows:write'),
      schema: {
        tags: ['flows'],
        summary: 'Set (create or replace) a secret HTTP steps reference as {{secrets.NAME}}',
        description: 'Sealed at rest with the installation key; never answered back, never logged, filled in only when the HTTP step is called.',
        body: {
          type: 'object',
          required: ['name', 'value'],
          additionalProperties: false,
          properties: { name: { type: 'string', pattern: SECRET_NAME.source, description: 'UPPER_SNAKE_CASE, up to 64 characters' }, value: { type: 'string', minLength: 1, maxLength: 4096 } },
        },
        response: responses({ 204: null }),
      },
    },
    async (request, reply) => {
      await deps.flows.setSecret(principalOf(request).workspaceId, request.body.name, request.body.value);
      return reply.code(204).send();
    },
  );
  app.get('/flow-secrets', { onRequest: app.requireScope('flows:read'), schema: { tags: ['flows'], summary: 'Secret names (never values)', response: responses({ 200: s.list(s.object({ name: s.string, created_at: s.dateTime, updated_at: s.dateTime })) }) } }, async (request) => ({
    data: await deps.flows.listSecrets(principalOf(request).workspaceId),
  }));
  app.delete<{ Params: { name: string } }>(
    '/flow-secrets/:name',
    { onRequest: app.requireScope('flows:write'), schema: { tags: ['flows'], summary: 'Delete a secret', params: secretParams, response: responses({ 204: null, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => ((await deps.flows.deleteSecret(principalOf(request).workspaceId, request.params.name)) ? reply.code(204).send() : sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No secret ${request.params.name}.`)),
  );

  app.get<{ Params: { id: string } }>(
    '/conversations/:id/bot',
    {
      onRequest: app.requireScope('messages:read'),
      schema: {
        tags: ['flows'],
        summary: "The bot's part of a conversation: its running session and what it did",
        params: idParams,
        response: responses({
          200: s.object({
            session: { anyOf: [{ type: 'null' }, s.object({ flow: s.string, version: s.integer, waiting: s.nullableString, vars: s.openObject, expires_at: s.dateTime, started_at: s.dateTime })] },
            log: { type: 'array', items: s.object({ flow: s.string, version: s.integer, step: s.nullableString, level: s.string, message: s.string, created_at: s.dateTime }) },
          }, "The bot's running session (null when none) and its latest 100 log lines, oldest first"),
          404: ['CONVERSA_ERR_NOT_FOUND'],
        }),
      },
    },
    async (request, reply) => {
      const found = await deps.chatbot.botView(principalOf(request).workspaceId, request.params.id);
      return found ?? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No conversation ${request.params.id}.`);
    },
  );
}
