import type { FastifyInstance, FastifyReply } from 'fastify';
import { checkGrantableScopes, SCOPES, type ApiKeyPrincipal, type ApiKeyView, type CreatedApiKey } from '../../modules/api-keys/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { apiKeyView, createdApiKey, errorResponses } from './accounts-schemas.js';

const tags = ['api-keys'];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const createBody = {
  type: 'object',
  required: ['name', 'scopes'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S', description: 'What the key is for, e.g. "CRM integration"' },
    scopes: { type: 'array', minItems: 1, maxItems: 32, items: { type: 'string', minLength: 1, maxLength: 64 }, description: `Any of ${SCOPES.join(', ')}; never more than the calling key holds` },
  },
} as const;

/**
 * `/api/v1/api-keys` (scope `admin`): a workspace's keys. Create (the secret is answered once),
 * list (never the secret; a prefix to recognise it), revoke, rotate. Only the caller's own
 * workspace is visible: another workspace's key id answers 404. A key never grants (nor rotates
 * or revokes a key holding) a scope it does not hold itself.
 */
export function registerApiKeyRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'apiKeys'>): void {
  const scope = app.requireScope('admin');

  app.get(
    '/api-keys',
    { onRequest: scope, schema: { tags, summary: "The workspace's API keys, newest first (revoked ones too), never their secrets", response: { 200: { type: 'object', description: 'The keys, newest first', required: ['data'], additionalProperties: false, properties: { data: { type: 'array', items: apiKeyView } } }, ...errorResponses(401, 403) } } },
    async (request) => ({ data: await deps.apiKeys.list(principalOf(request).workspaceId) }),
  );

  app.post<{ Body: { name: string; scopes: string[] } }>(
    '/api-keys',
    {
      onRequest: scope,
      schema: {
        tags,
        summary: 'Create an API key with scopes; its secret is in this answer only',
        body: createBody,
        response: { 201: { ...createdApiKey, description: 'The key with its secret in `key`, shown this once' }, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const check = checkGrantableScopes(principal.scopes, request.body.scopes);
      if (!check.ok) return refuseScope(reply, check.scope, check.rule);
      const created = await deps.apiKeys.create({ workspaceId: principal.workspaceId, name: request.body.name.trim(), scopes: check.scopes });
      return reply.code(201).send(answerOf(created));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api-keys/:id',
    { onRequest: scope, schema: { tags, summary: "Revoke an API key: it answers 401 from now on (revoking twice is fine); 409 for the workspace's last admin key", params: idParams, response: { 204: { type: 'null', description: 'Revoked' }, ...errorResponses(401, 403, 404, 409) } } },
    async (request, reply) => {
      const principal = principalOf(request);
      const key = await manageable(principal, request.params.id, deps, reply);
      if (!key) return reply;
      const revoked = await deps.apiKeys.revoke(principal.workspaceId, key.id);
      if (!revoked.ok) {
        return revoked.reason === 'last_admin'
          ? sendError(reply, 'CONVERSA_ERR_CONFLICT', `API key ${key.id} is the workspace's last admin key: create another key with the admin scope first (or rotate this one).`)
          : sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No API key ${request.params.id}.`);
      }
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api-keys/:id/rotate',
    {
      onRequest: scope,
      schema: {
        tags,
        summary: 'Rotate an API key: a new key (new id and secret, same name and scopes) replaces it, and the old one stops working at once',
        params: idParams,
        response: { 201: { ...createdApiKey, description: 'The key with its secret in `key`, shown this once' }, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const key = await manageable(principal, request.params.id, deps, reply);
      if (!key) return reply;
      const rotated = await deps.apiKeys.rotate(principal.workspaceId, key.id);
      if (!rotated.ok) {
        return rotated.reason === 'revoked'
          ? sendError(reply, 'CONVERSA_ERR_CONFLICT', `API key ${key.id} is revoked; create a new key instead.`)
          : sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No API key ${request.params.id}.`);
      }
      return reply.code(201).send(answerOf(rotated.created));
    },
  );
}

/** The key, when it is in the caller's workspace and holds nothing the caller does not; else the refusal is sent. */
async function manageable(principal: ApiKeyPrincipal, id: string, deps: Pick<HttpDeps, 'apiKeys'>, reply: FastifyReply): Promise<ApiKeyView | undefined> {
  const key = await deps.apiKeys.get(principal.workspaceId, id);
  if (!key) {
    await sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No API key ${id}.`);
    return undefined;
  }
  const check = checkGrantableScopes(principal.scopes, key.scopes);
  if (!check.ok) {
    await sendError(reply, 'CONVERSA_ERR_FORBIDDEN', `API key ${id} holds the "${check.scope}" scope, which this API key lacks.`, { scope: check.scope });
    return undefined;
  }
  return key;
}

function refuseScope(reply: FastifyReply, scope: string, rule: 'unknown' | 'not_held'): FastifyReply {
  if (rule === 'unknown') {
    const text = `must be one of ${SCOPES.join(', ')}`;
    return sendError(reply, 'CONVERSA_ERR_VALIDATION', `scopes: unknown scope "${scope}" (${text})`, { field: 'scopes', rule: text, scope });
  }
  return sendError(reply, 'CONVERSA_ERR_FORBIDDEN', `scopes: this API key lacks the "${scope}" scope, so it cannot give it to another key.`, { field: 'scopes', scope });
}

function answerOf(created: CreatedApiKey): ApiKeyView & { key: string } {
  return { ...created.view, key: created.key };
}
