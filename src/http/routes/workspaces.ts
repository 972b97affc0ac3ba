import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { apiKeyView, errorResponses, workspaceView } from './accounts-schemas.js';

const tags = ['workspaces'];

/**
 * `POST /api/v1/workspaces` (scope `workspaces:admin`, which `admin` does not imply): a new
 * workspace and its first admin key, answered once. `GET /api/v1/workspaces/current`: the
 * workspace (and key) behind the calling API key, for any valid key.
 */
export function registerWorkspaceRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'workspaces' | 'apiKeys'>): void {
  app.post<{ Body: { name: string } }>(
    '/workspaces',
    {
      onRequest: app.requireScope('workspaces:admin'),
      schema: {
        tags,
        summary: 'Create a workspace (a tenant) and its first admin API key, answered this once',
        body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S', description: 'The business, e.g. "Padaria Pão Quente"' } } },
        response: {
          201: {
            type: 'object',
            description: 'The workspace and its first admin API key (shown this once)',
            required: ['workspace_id', 'name', 'created_at', 'api_key', 'api_key_id', 'api_key_prefix', 'scopes'],
            additionalProperties: false,
            properties: {
              workspace_id: { type: 'string', description: 'ws_...' },
              name: { type: 'string' },
              created_at: { type: 'string', format: 'date-time' },
              api_key: { type: 'string', description: "The new workspace's admin API key (cv_live_...). Shown once: store it now" },
              api_key_id: { type: 'string', description: 'key_...: its id, to list, rotate or revoke it' },
              api_key_prefix: { type: 'string' },
              scopes: { type: 'array', items: { type: 'string' }, description: '["admin"]: everything inside the new workspace, nothing outside it' },
            },
          },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const { workspace, apiKey } = await deps.workspaces.createWithAdminKey({ name: request.body.name.trim(), keyName: 'admin (workspace created)' });
      request.log.info({ workspaceId: workspace.id, by: principalOf(request).keyId }, 'workspace created');
      return reply.code(201).send({ workspace_id: workspace.id, name: workspace.name, created_at: workspace.created_at, api_key: apiKey.key, api_key_id: apiKey.id, api_key_prefix: apiKey.prefix, scopes: apiKey.view.scopes });
    },
  );

  app.get(
    '/workspaces/current',
    {
      onRequest: app.requireScope(),
      schema: {
        tags,
        summary: 'The workspace of the calling API key, and the key itself (never its secret)',
        response: {
          200: { ...workspaceView, description: 'The workspace and the calling key', required: [...workspaceView.required, 'api_key'], properties: { ...workspaceView.properties, api_key: apiKeyView } },
          ...errorResponses(401, 404),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const [workspace, key] = await Promise.all([deps.workspaces.get(principal.workspaceId), deps.apiKeys.get(principal.workspaceId, principal.keyId)]);
      if (!workspace || !key) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', 'The workspace of this API key is gone.');
      return { ...workspace, api_key: key };
    },
  );
}
