import type { FastifyInstance } from 'fastify';
import { OWNER_TYPES, type InboxConversation } from '../../modules/conversations/index.js';
import { MAX_HISTORY_PAGE, toView } from '../../modules/messaging/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';
import { messageSchema } from './messages.js';
import { sendProviderError } from './provider-error.js';

const CURSOR = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'The next_cursor of the previous page' } as const;

const conversationSchema = s.object(
  {
    id: s.string,
    contact_id: s.string,
    contact: s.object({ id: s.string, wa_id: s.string, name: s.nullableString }, 'The contact'),
    phone_number_id: s.string,
    owner: s.object({ type: { type: 'string', enum: OWNER_TYPES }, id: s.nullableString }, 'Who answers: the bot, a queue or an agent'),
    last_inbound_at: s.nullableDateTime,
    window_expires_at: { ...s.nullableDateTime, description: 'When the customer service window closes; null or past: only templates may be sent' },
    window_open: s.boolean,
    free_entry_point_until: s.nullableDateTime,
    last_message_at: s.nullableDateTime,
    last_activity_at: { ...s.dateTime, description: 'The last message, else the creation: the order of the list' },
    last_message: {
      type: ['object', 'null'],
      description: 'The latest message in brief; preview is its text (at most 100 characters), null when erased or without text',
      properties: { id: s.string, direction: { type: 'string', enum: ['in', 'out'] }, type: s.string, preview: s.nullableString, status: s.string, created_at: s.dateTime },
      additionalProperties: true,
    },
    unread_count: { type: 'integer', description: 'Inbound messages after the last one the business marked read' },
    created_at: s.dateTime,
    updated_at: s.dateTime,
    last_messages: { type: 'array', items: messageSchema, description: 'The latest `messages` messages, newest first' },
  },
  'A conversation, as an inbox lists it',
);

const receiptSchema = s.object(
  {
    message_id: s.string,
    conversation_id: s.string,
    wamid: s.string,
    read_by_business_at: s.dateTime,
    typing: s.boolean,
    typing_until: { ...s.nullableDateTime, description: 'With typing: when the indicator ends at the latest (the reply ends it sooner)' },
  },
  'Marked read at the provider (and typing shown)',
);

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const messagesParam = { type: 'integer', minimum: 0, maximum: 50, default: 5, description: 'How many of the latest messages to include in last_messages' } as const;

/** A conversation as the API answers it (messages as GET /messages/{id} shows them). */
const present = (conversation: InboxConversation) => ({ ...conversation, last_messages: conversation.last_messages.map(toView) });

/**
 * `GET /api/v1/conversations` (the inbox list), `GET /api/v1/conversations/{id}`,
 * `GET /api/v1/conversations/{id}/messages` (the whole history in pages),
 * `POST /api/v1/conversations/{id}/typing`.
 */
export function registerConversationRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'inbox' | 'messageHistory' | 'readReceipts'>): void {
  app.get<{ Querystring: { contact_id?: string; wa_id?: string; owner_type?: string; window_open?: boolean; updated_since?: string; limit?: number; cursor?: string; messages?: number } }>(
    '/conversations',
    {
      onRequest: app.requireScope('messages:read'),
      schema: {
        tags: ['conversations'],
        summary: 'Conversations for an inbox, by last activity',
        description: 'Newest activity first, each with its contact, owner, window, last message and unread count; filters combine (AND).',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            contact_id: { type: 'string', maxLength: 64 },
            wa_id: { type: 'string', pattern: '^[0-9]{6,20}$', description: "The contact's WhatsApp id (digits of the number)" },
            owner_type: { type: 'string', enum: OWNER_TYPES },
            window_open: { type: 'boolean', description: 'true: the customer service window is open now; false: closed or never opened' },
            updated_since: { type: 'string', format: 'date-time', description: 'Only conversations updated at or after this time' },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            cursor: CURSOR,
            messages: messagesParam,
          },
        },
        response: responses({ 200: s.page(conversationSchema) }),
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      const query = request.query;
      const page = await deps.inbox.list(workspaceId, {
        limit: query.limit ?? 20,
        cursor: query.cursor,
        messages: query.messages ?? 5,
        contactId: query.contact_id,
        waId: query.wa_id,
        ownerType: query.owner_type,
        windowOpen: query.window_open,
        updatedSince: query.updated_since === undefined ? undefined : new Date(query.updated_since),
      });
      if (!page.ok) return badCursor(reply);
      return { data: page.data.map(present), next_cursor: page.next_cursor };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { messages?: number } }>(
    '/conversations/:id',
    {
      onRequest: app.requireScope('messages:read'),
      schema: {
        tags: ['conversations'],
        summary: 'A conversation with its contact, owner, window, last message and unread count',
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: { messages: messagesParam } },
        response: responses({ 200: conversationSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const conversation = await deps.inbox.get(principalOf(request).workspaceId, request.params.id, { messages: request.query.messages ?? 5 });
      return conversation ? present(conversation) : sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No conversation ${request.params.id}.`);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: number; cursor?: string } }>(
    '/conversations/:id/messages',
    {
      onRequest: app.requireScope('messages:read'),
      schema: {
        tags: ['conversations'],
        summary: "Every message of a conversation, newest first, in pages",
        description: 'Ordered by (created_at, id), newest first. Follow next_cursor to the end: each message comes exactly once, also when messages arrive during the walk or share a timestamp.',
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: MAX_HISTORY_PAGE, default: 50 }, cursor: CURSOR },
        },
        response: responses({ 200: s.page(messageSchema, 'A page of the history, newest first'), 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const page = await deps.messageHistory.page(principalOf(request).workspaceId, request.params.id, { limit: request.query.limit ?? 50, cursor: request.query.cursor });
      if (!page.ok) return page.reason === 'bad_cursor' ? badCursor(reply) : sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No conversation ${request.params.id}.`);
      return { data: page.data, next_cursor: page.next_cursor };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/conversations/:id/typing',
    {
      onRequest: app.requireScope('messages:write'),
      schema: {
        tags: ['conversations'],
        summary: 'Show "typing…" to the contact (and mark their latest message read)',
        description: "Marks the conversation's latest inbound message read at the provider with Meta's typing indicator: the contact sees blue ticks and \"typing…\" until the business's next message or 25 s.",
        params: idParams,
        response: responses({
          200: receiptSchema,
          404: ['CONVERSA_ERR_NOT_FOUND'],
          422: ['CONVERSA_ERR_NO_INBOUND_MESSAGE', 'CONVERSA_ERR_PROVIDER_REJECTED'],
          502: ['CONVERSA_ERR_PROVIDER_UNREACHABLE'],
        }),
      },
    },
    async (request, reply) => {
      const outcome = await deps.readReceipts.typingInConversation(principalOf(request).workspaceId, request.params.id);
      if (outcome.ok) return outcome.receipt;
      if (outcome.reason === 'not_found') return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No conversation ${request.params.id}.`);
      if (outcome.reason === 'provider') return sendProviderError(reply, 'Typing indicator', outcome.result);
      return sendError(reply, 'CONVERSA_ERR_NO_INBOUND_MESSAGE', `Conversation ${request.params.id} has no message from the contact yet.`, {
        fix: 'Typing shows on a message the contact sent: wait for one, or send a template instead.',
      });
    },
  );
}

function badCursor(reply: Parameters<typeof sendError>[0]) {
  return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'querystring.cursor: is not a cursor this API gave', { field: 'querystring.cursor', rule: 'must be the next_cursor of a previous page' });
}
