import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';
import {
  ACTOR_TYPES,
  AGENT_ID_PATTERN,
  MAX_REASON_LENGTH,
  OWNER_TYPES,
  QUEUE_PATTERN,
  TRANSITION_ACTIONS,
  type Actor,
  type InboxConversation,
  type TransitionOutcome,
  type TransitionView,
} from '../../modules/conversations/index.js';
import { MAX_HISTORY_PAGE, toView } from '../../modules/messaging/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendAppError, sendError } from '../errors.js';
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
    owner: s.object(
      { type: { type: 'string', enum: OWNER_TYPES }, id: { ...s.nullableString, description: "The queue's name or the agent's id; null for the bot" }, since: { ...s.dateTime, description: 'When this owner took it' } },
      'Who answers: the bot, a queue or an agent',
    ),
    queue: { ...s.nullableString, description: 'The queue it waits in, or the one its agent took it from; null with the bot' },
    resolved_at: { ...s.nullableDateTime, description: 'When it was last resolved (back to the bot); null when never, or handed to people since' },
    handoff: {
      type: ['object', 'null'],
      description: "The handoff that brought it to people: reason and the bot's summary; null while the bot owns it",
      properties: { transition_id: s.integer, reason: s.nullableString, summary: { type: ['object', 'null'], additionalProperties: true }, actor: s.openObject, at: s.dateTime },
      additionalProperties: true,
    },
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
    snooze: {
      type: ['object', 'null'],
      description: "Snoozed by an agent (out of their inbox's \"mine\" view) until `until` or the customer's next message; null when awake",
      properties: { until: s.nullableDateTime, until_next_message: s.boolean },
      additionalProperties: false,
    },
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

const ownerSchema = s.object({ type: { type: 'string', enum: OWNER_TYPES }, id: s.nullableString }, 'An owner');

const transitionSchema = s.object(
  {
    id: { type: 'integer', description: 'Increases with every transition: their order' },
    conversation_id: s.string,
    action: { type: 'string', enum: TRANSITION_ACTIONS },
    from: ownerSchema,
    to: ownerSchema,
    queue: { ...s.nullableString, description: "The conversation's queue after it" },
    actor: s.object({ type: { type: 'string', enum: ACTOR_TYPES }, id: s.nullableString }, 'Who made it: the bot (id: its flow), an API key (its id), a user, the platform'),
    reason: s.nullableString,
    summary: { type: ['object', 'null'], additionalProperties: true, description: 'What the bot collected (handoffs only)' },
    created_at: s.dateTime,
  },
  'A change of owner',
);

/** A transition's answer: the conversation as GET /conversations/{id} shows it, and what was recorded. */
const transitionAnswerSchema = { ...conversationSchema, description: 'The conversation after the transition, with `transition`: the one recorded (null: it was there already, nothing recorded)', properties: { ...(conversationSchema.properties as Record<string, unknown>), transition: { anyOf: [transitionSchema, { type: 'null' }] } } };

const QUEUE = { type: 'string', pattern: QUEUE_PATTERN, description: "A queue's name: lowercase letters, digits, _ and -, at most 64" } as const;
const AGENT_ID = { type: 'string', pattern: AGENT_ID_PATTERN, description: "An agent's id: letters, digits, _ . @ -, at most 128" } as const;
const REASON = { type: 'string', maxLength: MAX_REASON_LENGTH, description: 'Why: shown in the history and the event' } as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
const messagesParam = { type: 'integer', minimum: 0, maximum: 50, default: 5, description: 'How many of the latest messages to include in last_messages' } as const;

/** A conversation as the API answers it (messages as GET /messages/{id} shows them). */
const present = (conversation: InboxConversation) => ({ ...conversation, last_messages: conversation.last_messages.map(toView) });

/**
 * `GET /api/v1/conversations` (the inbox list), `GET /api/v1/conversations/{id}`,
 * `GET /api/v1/conversations/{id}/messages` (the whole history in pages),
 * `POST /api/v1/conversations/{id}/typing`, and ownership: `POST .../{id}/handoff`, `/assign`,
 * `/unassign`, `/resolve`, `GET .../{id}/transitions` (docs/conversations.md, "Ownership and handoff").
 */
export function registerConversationRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'inbox' | 'messageHistory' | 'readReceipts' | 'ownership'>): void {
  app.get<{ Querystring: { contact_id?: string; wa_id?: string; owner_type?: string; owner_id?: string; queue?: string; resolved?: boolean; window_open?: boolean; updated_since?: string; limit?: number; cursor?: string; messages?: number } }>(
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
            owner_id: { type: 'string', pattern: AGENT_ID_PATTERN, description: "The owner's id: a queue's name or an agent's id" },
            queue: { ...QUEUE, description: 'In this queue: waiting, or with an agent who took it from there' },
            resolved: { type: 'boolean', description: 'true: resolved and not handed to people since; false: the others' },
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
        ownerId: query.owner_id,
        queue: query.queue,
        resolved: query.resolved,
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

  /** The four transitions: the body's rules, then the module's answer as the updated conversation. */
  const transition = <B extends object>(
    path: string,
    summary: string,
    description: string,
    body: Record<string, unknown>,
    run: (trx: Kysely<Schema>, target: { workspaceId: string; conversationId: string; actor: Actor }, body: B) => Promise<TransitionOutcome>,
  ) =>
    app.post<{ Params: { id: string }; Body: B }>(
      path,
      {
        onRequest: app.requireScope('messages:write'),
        // A body with no required field is optional: a POST without one means {}.
        preValidation: async (request) => {
          if (request.body === undefined) request.body = {} as B;
        },
        schema: {
          tags: ['conversations'],
          summary,
          description,
          params: idParams,
          body,
          response: responses({ 200: transitionAnswerSchema, 404: ['CONVERSA_ERR_NOT_FOUND'], 409: ['CONVERSA_ERR_CONVERSATION_TRANSITION'] }),
        },
      },
      async (request, reply) => {
        const { workspaceId, keyId } = principalOf(request);
        const target = { workspaceId, conversationId: request.params.id, actor: { type: 'api_key', id: keyId } satisfies Actor };
        const outcome = await deps.ownership.transaction((trx) => run(trx, target, request.body as B));
        if (!outcome.ok) return sendTransitionError(reply, outcome.error);
        const conversation = await deps.inbox.get(workspaceId, request.params.id, { messages: 5 });
        if (!conversation) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No conversation ${request.params.id}.`);
        return { ...present(conversation), transition: outcome.transition };
      },
    );

  transition<{ queue: string; reason?: string; summary?: Record<string, unknown> }>(
    '/conversations/:id/handoff',
    'Hand the conversation to a queue of people (from the bot, or from another queue)',
    "The bot stops answering; the conversation waits in `queue` for an agent, with the reason and the bot's summary (shown as `handoff`). 409 when an agent owns it (unassign it instead). Handing it to the queue it waits in changes nothing.",
    {
      type: 'object',
      additionalProperties: false,
      required: ['queue'],
      properties: { queue: QUEUE, reason: REASON, summary: { type: 'object', additionalProperties: true, maxProperties: 100, description: 'What the bot collected (a JSON object, at most 16 KB)' } },
    },
    (trx, target, body) => deps.ownership.handoff(trx, { ...target, queue: body.queue, reason: body.reason, summary: body.summary }),
  );

  transition<{ agent_id: string; queue?: string; transfer?: boolean; reason?: string }>(
    '/conversations/:id/assign',
    'Assign the conversation to an agent (from the bot or a queue; from another agent with transfer)',
    'From a queue the agent keeps its queue (or `queue`); from the bot it has none unless `queue` is given. A conversation another agent owns is refused (409) unless `transfer` is true, so two agents taking the same conversation at once cannot both get it. Assigning it to the agent who owns it changes nothing.',
    {
      type: 'object',
      additionalProperties: false,
      required: ['agent_id'],
      properties: {
        agent_id: AGENT_ID,
        queue: { ...QUEUE, description: 'File it under this queue (the one unassign returns it to)' },
        transfer: { type: 'boolean', default: false, description: 'Allow taking it from the agent who owns it' },
        reason: REASON,
      },
    },
    (trx, target, body) => deps.ownership.assign(trx, { ...target, agentId: body.agent_id, queue: body.queue, transfer: body.transfer, reason: body.reason }),
  );

  transition<{ queue?: string; reason?: string }>(
    '/conversations/:id/unassign',
    'Give an agent\'s conversation back to its queue (or to another queue)',
    'The conversation waits in the queue its agent took it from, or in `queue`. 409 when no agent owns it, or when it has no queue and none is given.',
    { type: 'object', additionalProperties: false, properties: { queue: { ...QUEUE, description: 'Give it to this queue instead' }, reason: REASON }, description: 'Optional' },
    (trx, target, body) => deps.ownership.unassign(trx, { ...target, queue: body.queue, reason: body.reason }),
  );

  transition<{ survey?: boolean; reason?: string }>(
    '/conversations/:id/resolve',
    'Resolve the conversation: it returns to the bot',
    'From a queue or an agent; `resolved_at` is set and the bot answers the customer\'s next message. With `survey: true` the chatbot sends its satisfaction survey. 409 when the bot owns it already.',
    { type: 'object', additionalProperties: false, properties: { survey: { type: 'boolean', default: false, description: "Start the chatbot's satisfaction survey" }, reason: REASON }, description: 'Optional' },
    (trx, target, body) => deps.ownership.resolve(trx, { ...target, reason: body.reason, survey: body.survey }),
  );

  app.get<{ Params: { id: string }; Querystring: { limit?: number; cursor?: string } }>(
    '/conversations/:id/transitions',
    {
      onRequest: app.requireScope('messages:read'),
      schema: {
        tags: ['conversations'],
        summary: "A conversation's changes of owner, oldest first, in pages",
        description: 'Every handoff, assign, transfer, unassign and resolve, oldest first (by id): who, when, why, and the bot\'s summary at a handoff. Transitions made during a walk come at its end.',
        params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 }, cursor: CURSOR } },
        response: responses({ 200: s.page(transitionSchema, 'A page of transitions, oldest first'), 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const page = await deps.ownership.transitions(principalOf(request).workspaceId, request.params.id, { limit: request.query.limit ?? 50, cursor: request.query.cursor });
      if (!page.ok) return page.reason === 'bad_cursor' ? badCursor(reply) : sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No conversation ${request.params.id}.`);
      return { data: page.data satisfies TransitionView[], next_cursor: page.next_cursor };
    },
  );
}

/** The module names body fields bare (`queue`); the API names them as the request does (`body.queue`). */
function sendTransitionError(reply: FastifyReply, error: Extract<TransitionOutcome, { ok: false }>['error']) {
  if (error.code !== 'CONVERSA_ERR_VALIDATION') return sendAppError(reply, error);
  const field = `body.${String(error.details?.field ?? '')}`;
  const rule = String(error.details?.rule ?? 'is invalid');
  return sendError(reply, 'CONVERSA_ERR_VALIDATION', `${field}: ${rule}`, { field, rule });
}

function badCursor(reply: Parameters<typeof sendError>[0]) {
  return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'querystring.cursor: is not a cursor this API gave', { field: 'querystring.cursor', rule: 'must be the next_cursor of a previous page' });
}
