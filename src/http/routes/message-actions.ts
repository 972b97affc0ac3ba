import type { FastifyInstance } from 'fastify';
import { MAX_HISTORY_PAGE } from '../../modules/messaging/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';
import { messageSchema } from './messages.js';
import { sendProviderError } from './provider-error.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/**
 * `GET /api/v1/messages` (newest first; `?wamid=` finds by Meta's id), `POST /api/v1/messages/{id}/read` (blue
 * ticks, optionally "typing…"), `DELETE /api/v1/messages/{id}` (erase here, or cancel a queued send).
 */
export function registerMessageActionRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'messageHistory' | 'readReceipts' | 'messageEraser'>): void {
  app.get<{ Querystring: { wamid?: string; limit?: number; cursor?: string } }>(
    '/messages',
    {
      onRequest: app.requireScope('messages:read'),
      schema: {
        tags: ['messages'],
        summary: "The workspace's messages, newest first; or the one with Meta's id (wamid)",
        description: "With `wamid`: a list with the workspace's message of that id, or an empty list. Without: every message, newest first by (created_at, id), in pages.",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            wamid: { type: 'string', minLength: 1, maxLength: 256, description: "Meta's message id, e.g. wamid.HBgL..." },
            limit: { type: 'integer', minimum: 1, maximum: MAX_HISTORY_PAGE, default: 50 },
            cursor: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'The next_cursor of the previous page' },
          },
        },
        response: responses({ 200: s.page(messageSchema, 'Messages, newest first (with wamid: none or one)') }),
      },
    },
    async (request, reply) => {
      const page = await deps.messageHistory.list(principalOf(request).workspaceId, { limit: request.query.limit ?? 50, cursor: request.query.cursor, wamid: request.query.wamid });
      if (!page.ok) return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'querystring.cursor: is not a cursor this API gave', { field: 'querystring.cursor', rule: 'must be the next_cursor of a previous page' });
      return { data: page.data, next_cursor: page.next_cursor };
    },
  );

  app.post<{ Params: { id: string }; Body: { typing?: boolean } | undefined }>(
    '/messages/:id/read',
    {
      onRequest: app.requireScope('messages:write'),
      // The body is optional: a POST without one means {"typing": false}.
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
      schema: {
        tags: ['messages'],
        summary: 'Mark an inbound message read (blue ticks), optionally showing "typing…"',
        description:
          "Sends Meta's read receipt for the message (earlier ones count as read too) and records here when the business read it, which lowers the conversation's unread_count. With {\"typing\": true} the contact also sees \"typing…\" until the business's next message or 25 s.",
        params: idParams,
        body: { type: 'object', additionalProperties: false, properties: { typing: { type: 'boolean', default: false, description: 'Also show "typing…"' } }, description: 'Optional' },
        response: responses({
          200: s.object(
            { message_id: s.string, conversation_id: s.string, wamid: s.string, read_by_business_at: s.dateTime, typing: s.boolean, typing_until: s.nullableDateTime },
            'Marked read at the provider (and typing shown)',
          ),
          404: ['CONVERSA_ERR_NOT_FOUND'],
          422: ['CONVERSA_ERR_NOT_INBOUND', 'CONVERSA_ERR_PROVIDER_REJECTED'],
          502: ['CONVERSA_ERR_PROVIDER_UNREACHABLE'],
        }),
      },
    },
    async (request, reply) => {
      const outcome = await deps.readReceipts.markMessageRead(principalOf(request).workspaceId, request.params.id, { typing: request.body?.typing === true });
      if (outcome.ok) return outcome.receipt;
      if (outcome.reason === 'provider') return sendProviderError(reply, 'Read receipt', outcome.result);
      if (outcome.reason === 'not_inbound') {
        return sendError(reply, 'CONVERSA_ERR_NOT_INBOUND', `Message ${request.params.id} was sent by the business; only a message the contact sent can be marked read.`, {
          field: 'path.id',
          rule: 'must be an inbound message (direction "in")',
        });
      }
      return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No message ${request.params.id}.`);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/messages/:id',
    {
      onRequest: app.requireScope('messages:write'),
      schema: {
        tags: ['messages'],
        summary: 'Erase a message here (or cancel it while queued)',
        description:
          'A message still queued is cancelled (status "cancelled", never sent). Any other becomes a tombstone: ids, status, timestamps and cost stay, content becomes null, deleted_at is set, and the media it brought is erased. WhatsApp has no "unsend" for business messages: the customer\'s phone keeps what it received.',
        params: idParams,
        response: responses({ 204: null, 404: ['CONVERSA_ERR_NOT_FOUND'], 409: ['CONVERSA_ERR_MESSAGE_SENDING'] }),
      },
    },
    async (request, reply) => {
      const outcome = await deps.messageEraser.erase(principalOf(request).workspaceId, request.params.id);
      if (outcome.ok) return reply.code(204).send();
      if (outcome.reason === 'sending') {
        return sendError(reply, 'CONVERSA_ERR_MESSAGE_SENDING', `Message ${request.params.id} is being sent right now.`, {
          fix: 'Try again in a few seconds: once its outcome is known it can be erased (it can no longer be cancelled).',
        });
      }
      return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No message ${request.params.id}.`);
    },
  );
}
