import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../deps.js';
import { principalOf } from '../auth.js';

/** `GET /api/v1/webhook-events`: the verified Meta webhooks this workspace received, newest first. */
export function registerWebhookEventRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'webhookEvents'>): void {
  app.get<{ Querystring: { limit?: number; cursor?: string } }>(
    '/webhook-events',
    {
      preHandler: app.requireScope('messages:read'),
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            cursor: { type: 'string', pattern: '^[0-9]{1,15}$' },
          },
        },
      },
    },
    async (request) => {
      const { workspaceId } = principalOf(request);
      const limit = request.query.limit ?? 50;
      return deps.webhookEvents.list(workspaceId, { limit, ...(request.query.cursor ? { before: Number(request.query.cursor) } : {}) });
    },
  );
}
