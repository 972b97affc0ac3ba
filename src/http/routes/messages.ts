import type { FastifyInstance } from 'fastify';
import { MESSAGE_TYPES } from '../../modules/messaging/index.js';
import type { MessageType } from '../../whatsapp/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendAppError, sendError } from '../errors.js';
import { SEND_REFUSAL_CODES, responses, schemas as s } from '../responses.js';

export const messageSchema = s.object(
  {
    id: s.string,
    conversation_id: s.string,
    contact_id: s.string,
    direction: { type: 'string', enum: ['in', 'out'] },
    type: s.string,
    content: { description: 'The content as in the Cloud API (under the message type)' },
    status: { type: 'string', description: 'queued, sending, sent, delivered, read, failed, ...' },
    wamid: s.nullableString,
    error: { type: ['object', 'null'], additionalProperties: true, properties: { code: s.integer, title: s.nullableString, details: s.nullableString } },
    category: s.nullableString,
    pricing_type: s.nullableString,
    cost: { type: ['object', 'null'], additionalProperties: true, properties: { currency: s.string, amount_micros: s.integer } },
    attempts: s.integer,
    created_at: s.dateTime,
    sent_at: s.nullableDateTime,
    delivered_at: s.nullableDateTime,
    read_at: s.nullableDateTime,
    failed_at: s.nullableDateTime,
    read_by_business_at: { ...s.nullableDateTime, description: 'Inbound: when the business marked it (or a later message) read' },
    deleted_at: { ...s.nullableDateTime, description: 'When it was erased here (content null) or, still queued, cancelled' },
    cost_source: { type: ['string', 'null'], enum: ['provider', 'rate_card', null], description: "provider: category and billing from Meta's status webhook; rate_card: our estimate" },
    pricing: {
      type: ['object', 'null'],
      additionalProperties: true,
      properties: { billable: { type: ['boolean', 'null'] }, category: s.nullableString, pricing_model: s.nullableString, type: s.nullableString },
      description: "The status webhook's pricing, as Meta sent it",
    },
    provider_conversation: {
      type: ['object', 'null'],
      additionalProperties: true,
      properties: { id: s.nullableString, origin_type: s.nullableString, expires_at: s.nullableDateTime },
      description: "The status webhook's conversation (Meta's billing conversation)",
    },
    played_at: { ...s.nullableDateTime, description: 'A voice message: its first play (status played, after read)' },
    reacts_to: { ...s.nullableString, description: 'An inbound reaction: the id of the message it reacts to' },
    referral: { type: ['object', 'null'], additionalProperties: true, description: 'Inbound: the Click-to-WhatsApp ad or post the customer came from' },
    forwarded: { type: 'boolean', description: 'Inbound: forwarded' },
    frequently_forwarded: { type: 'boolean', description: 'Inbound: forwarded many times' },
    referred_product: { type: ['object', 'null'], additionalProperties: true, properties: { catalog_id: s.string, product_retailer_id: s.string }, description: 'Inbound: the product a "Message business" inquiry is about' },
    reactions: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, properties: { emoji: s.string, from: s.string, at: s.dateTime } },
      description: "The customer's current reactions (GET /messages/{id}; [] in lists)",
    },
    sent_by: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { type: { type: 'string', enum: ['agent', 'bot', 'api', 'system'] }, id: s.nullableString, name: s.string },
      description: "Outbound: who queued it (agent: a person of the inbox, with their name in a conversation's history; bot; api: the API key's id; system: the platform's own confirmations); null when not known (inbound, campaigns, messages from before)",
    },
  },
  'A message',
);

const sendBody = {
  type: 'object',
  required: ['to', 'type'],
  properties: {
    to: { type: 'string', minLength: 1, maxLength: 128, description: "Recipient in international format (+5511988887777) or a wa_id; with recipient_type \"group\", a group (our grp_… id or Meta's group id)" },
    recipient_type: { type: 'string', enum: ['individual', 'group'], default: 'individual', description: 'group: `to` is a group (docs/groups.md: which types, no window, group_* pricing)' },
    type: { type: 'string', enum: MESSAGE_TYPES },
    from: { type: 'string', minLength: 1, maxLength: 64, description: 'Phone number (our id or Meta phone_number_id); default: the first one' },
    context: { type: 'object', required: ['message_id'], properties: { message_id: { type: 'string', minLength: 1, maxLength: 512, description: 'The message to quote: its wamid, or our id (msg_…), translated to its wamid (422 CONVERSA_ERR_MESSAGE_NOT_FOUND / CONVERSA_ERR_MESSAGE_NOT_SENT when it is not a sent message of this workspace)' } } },
  },
  additionalProperties: true,
  description: 'The content goes under a key named after `type`, shaped as in the Cloud API, e.g. {"type":"text","text":{"body":"Oi"}}',
} as const;

/** `POST /api/v1/messages`, `GET /api/v1/messages/{id}` (conversations: conversations.ts). */
export function registerMessageRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'sender' | 'messages'>): void {
  app.post<{ Body: { to: string; type: MessageType; from?: string; recipient_type?: 'individual' | 'group'; context?: { message_id: string }; [key: string]: unknown } }>(
    '/messages',
    {
      onRequest: app.requireScope('messages:write'),
      schema: {
        tags: ['messages'],
        summary: 'Queue a message (after the policy check)',
        description: 'Answers 202 {id, status: "queued"}; 400 CONVERSA_ERR_VALIDATION naming the field (a JSON path such as interactive.action.buttons[3]) and the rule when WhatsApp would refuse the content (rules per type in docs/messaging.md); or 422 with the policy error and how to fix it. The same Idempotency-Key never sends twice: the same body answers the first message (`idempotent-replayed: true`), before any check; a different body answers 409 CONVERSA_ERR_IDEMPOTENCY_MISMATCH.',
        body: sendBody,
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255 } } },
        response: responses({
          202: s.object({ id: s.string, status: s.string }, 'Queued (or, with a repeated Idempotency-Key, the first outcome, with `idempotent-replayed: true`)'),
          404: ['CONVERSA_ERR_NO_PHONE_NUMBER'],
          409: ['CONVERSA_ERR_MEDIA_NOT_READY', 'CONVERSA_ERR_IDEMPOTENCY_MISMATCH', 'CONVERSA_ERR_GROUP_PENDING'],
          422: [...SEND_REFUSAL_CODES, 'CONVERSA_ERR_MESSAGE_NOT_FOUND', 'CONVERSA_ERR_MESSAGE_NOT_SENT'],
        }),
      },
    },
    async (request, reply) => {
      const { workspaceId, keyId } = principalOf(request);
      const body = request.body;
      // The content is checked by the send service (after an Idempotency-Key replay): 400 naming the field.
      const content = body[body.type];
      const key = request.headers['idempotency-key'];
      const outcome = await deps.sender.send(
        workspaceId,
        { to: body.to, type: body.type, from: body.from, context: body.context, content, ...(body.recipient_type === 'group' ? { recipientType: 'group' as const } : {}) },
        typeof key === 'string' ? key : undefined,
        { sentBy: { type: 'api', id: keyId } },
      );
      if (!outcome.ok) return sendAppError(reply, outcome.error);
      if (outcome.duplicate) reply.header('idempotent-replayed', 'true');
      return reply.code(202).send({ id: outcome.message.id, status: outcome.message.status });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/messages/:id',
    { onRequest: app.requireScope('messages:read'), schema: { tags: ['messages'], summary: 'A message with its status, wamid, error and cost', params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } }, response: responses({ 200: messageSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => {
      const message = await deps.messages.get(principalOf(request).workspaceId, request.params.id);
      return message ?? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No message ${request.params.id}.`);
    },
  );
}
