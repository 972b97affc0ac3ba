import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../deps.js';
import { principalOf } from '../auth.js';
import { responses, schemas as s } from '../responses.js';

/** `GET /api/v1/webhook-events`: the events of verified Meta webhooks this workspace received (one per message, status or other change), newest first. */
export function registerWebhookEventRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'inboundEvents'>): void {
  app.get<{ Querystring: { limit?: number; cursor?: string } }>(
    '/webhook-events',
    {
      onRequest: app.requireScope('messages:read'),
      schema: {
        tags: ['webhooks'],
        summary: 'Events of verified Meta webhooks received, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            cursor: { type: 'string', pattern: '^[0-9]{1,15}$' },
          },
        },
        response: responses({
          200: s.page(s.object({ id: s.integer, field: s.string, kind: s.string, received_at: s.dateTime, processed_at: s.nullableDateTime, payload: { description: "The change as Meta sent it" } }, 'An event of a verified Meta webhook')),
        }),
      },
    },
    async (request) => {
      const { workspaceId } = principalOf(request);
      const limit = request.query.limit ?? 50;
      return deps.inboundEvents.list(workspaceId, { limit, ...(request.query.cursor ? { before: Number(request.query.cursor) } : {}) });
    },
  );
}
