import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';
import { messageSchema } from './messages.js';
import { sendProviderError } from './provider-error.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/**
 * `GET /api/v1/messages?wamid=` (find by Meta's id), `POST /api/v1/messages/{id}/read` (blue
 * ticks, optionally "typing…"), `DELETE /api/v1/messages/{id}` (erase here, or cancel a queued send).
 */
export function registerMessageActionRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'messageHistory' | 'readReceipts' | 'messageEraser'>): void {
  app.get<{ Querystring: { wamid: string } }>(
    '/messages',
    {
      onRequest: app.requireScope('messages:read'),
      schema: {
        tags: ['messages'],
        summary: "Find a message by Meta's id (wamid)",
        description: 'Answers a list: the workspace\'s message with that wamid, or an empty list.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['wamid'],
          properties: { wamid: { type: 'string', minLength: 1, maxLength: 256, description: "Meta's message id, e.g. wamid.HBgL..." } },
        },
        response: responses({ 200: s.list(messageSchema, 'The message with that wamid (none or one)') }),
      },
    },
    async (request) => ({ data: await deps.messageHistory.byWamid(principalOf(request).workspaceId, request.query.wamid) }),
  );

  app.post<{ Params: { id: string }; Body: { typing?: boolean } | undefined }>(
    '/messages/:id/read',
    {
      onRequest: app.requireScope('messages:write'),
      schema: {
        tags: ['messages'],
        summary: 'Mark an inbound message read (blue ticks), optionally showing "typing…"',
        description:
          "Sends Meta's read receipt for the message (earlier ones count as read too) and records here when the business read it, which lowers the conversation's unread_count. With {\"typing\": true} the contact also sees \"typing…\" until the business's next message or 25 s.",
        params: idParams,
        body: { type: ['object', 'null'], additionalProperties: false, properties: { typing: { type: 'boolean', default: false } } },
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
