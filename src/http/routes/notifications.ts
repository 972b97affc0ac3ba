import type { FastifyInstance, FastifyReply } from 'fastify';
import { NOTIFICATION_STATUSES, type NotificationOutcome, type NotificationStatus } from '../../modules/notifications/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendAppError, sendError } from '../errors.js';
import { SEND_REFUSAL_CODES, responses, schemas as s } from '../responses.js';

const createBody = {
  type: 'object',
  required: ['to', 'template', 'language'],
  additionalProperties: false,
  properties: {
    to: { type: 'string', minLength: 1, maxLength: 128, description: 'Recipient in international format (+5511988887777) or a wa_id; with recipient_type "group", a group (grp_… or Meta group id)' },
    recipient_type: { type: 'string', enum: ['individual', 'group'], description: '"group": the template goes to a WhatsApp group (docs/groups.md); default "individual"' },
    template: { type: 'string', minLength: 1, maxLength: 512, description: 'The approved template name' },
    language: { type: 'string', minLength: 2, maxLength: 15, description: 'The template language, e.g. pt_BR' },
    parameters: {
      anyOf: [{ type: 'array', maxItems: 100 }, { type: 'object' }],
      description: 'Body variables: an array for positional templates (["Ana", "#123"] fills {{1}}, {{2}}) or an object for named ones ({"customer_name": "Ana"}). Values: strings, numbers, {currency} or {date_time}',
    },
    header: {
      description: 'A text header variable ("Ana"); a media header as our media id ("med_..."), an https link, or {image|video|document: id-or-link, filename?}; a location header as {latitude, longitude, name?, address?}',
    },
    buttons: {
      type: 'array',
      maxItems: 10,
      description: "One entry per template button, in order (null skips one): a URL button's suffix, a copy-code button's code, a quick-reply payload",
    },
    send_at: { type: 'string', minLength: 1, maxLength: 64, description: 'ISO 8601 with an offset (2026-12-01T10:00:00-03:00); absent or past: send now' },
    from: { type: 'string', minLength: 1, maxLength: 64, description: 'Phone number (our id or Meta phone_number_id); default: the first one' },
  },
} as const;

interface CreateBody {
  to: string;
  template: string;
  language: string;
  parameters?: unknown;
  header?: unknown;
  buttons?: unknown[];
  send_at?: string;
  from?: string;
  recipient_type?: 'individual' | 'group';
}

const notificationSchema = s.object(
  {
    id: s.string,
    status: { type: 'string', enum: NOTIFICATION_STATUSES },
    to: s.string,
    contact_id: s.string,
    from: { type: 'string', description: 'Our phone number id it goes from' },
    template: s.object({ name: s.string, language: s.string, category: s.string }),
    parameters: { description: 'As given' },
    header: { description: 'As given' },
    buttons: { description: 'As given' },
    send_at: { ...s.dateTime, description: 'When it goes (or went)' },
    requested_send_at: s.nullableDateTime,
    postponed: { type: ['object', 'null'], additionalProperties: true, description: 'When quiet hours moved a marketing template' },
    message_id: s.nullableString,
    error: { type: ['object', 'null'], additionalProperties: true, properties: { code: s.string, message: s.string, details: s.openObject }, description: 'Why it was refused at send time' },
    created_at: s.dateTime,
    updated_at: s.dateTime,
    sent_at: s.nullableDateTime,
    cancelled_at: s.nullableDateTime,
    refused_at: s.nullableDateTime,
  },
  'A notification',
);

const tags = ['notifications'];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/**
 * `/api/v1/notifications`: transactional template notifications, now or scheduled, with
 * Idempotency-Key, listing and cancellation. See docs/notifications.md.
 */
export function registerNotificationRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'notifications'>): void {
  app.post<{ Body: CreateBody }>(
    '/notifications',
    {
      onRequest: app.requireScope('messages:write'),
      schema: {
        tags,
        summary: 'Send an approved template to one recipient, now or at send_at',
        description:
          'Answers 202 with the notification: `status: "sent"` with its `message_id` when it went now, `"scheduled"` with `send_at` otherwise (and `postponed` when quiet hours moved a marketing template). 4xx for bad input, naming the field; 422 with the policy error when the send is refused. The same Idempotency-Key never creates or sends twice: it answers the first outcome with `idempotent-replayed: true`.',
        body: createBody,
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 255 } } },
        response: responses({ 202: notificationSchema, 404: ['CONVERSA_ERR_NO_PHONE_NUMBER'], 409: ['CONVERSA_ERR_IDEMPOTENCY_MISMATCH', 'CONVERSA_ERR_MEDIA_NOT_READY', 'CONVERSA_ERR_GROUP_PENDING'], 422: SEND_REFUSAL_CODES }),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const key = request.headers['idempotency-key'];
      const outcome = await deps.notifications.create(
        principalOf(request).workspaceId,
        { to: body.to, template: body.template, language: body.language, parameters: body.parameters, header: body.header, buttons: body.buttons, sendAt: body.send_at, from: body.from, ...(body.recipient_type === 'group' ? { recipientType: 'group' as const } : {}) },
        typeof key === 'string' ? key : undefined,
      );
      return answer(reply, outcome, 202);
    },
  );

  app.get<{ Querystring: { status?: NotificationStatus; contact_id?: string; to?: string; limit?: number; cursor?: string } }>(
    '/notifications',
    {
      onRequest: app.requireScope('messages:read'),
      schema: {
        tags,
        summary: 'Notifications, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: NOTIFICATION_STATUSES },
            contact_id: { type: 'string', maxLength: 64 },
            to: { type: 'string', maxLength: 32, description: 'Recipient number, any format' },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            cursor: { type: 'string', maxLength: 64, pattern: '^[a-z]{1,8}_[A-Za-z0-9_-]{1,60}$', description: 'The next_cursor of the previous page' },
          },
        },
        response: responses({ 200: s.page(notificationSchema) }),
      },
    },
    async (request, reply) => {
      const { status, contact_id: contactId, to, limit, cursor } = request.query;
      const page = await deps.notifications.list(principalOf(request).workspaceId, { limit: limit ?? 20, cursor, status, contactId, to });
      if (!page.ok) return sendError(reply, 'CONVERSA_ERR_VALIDATION', page.error.message, page.error.details);
      return { data: page.data, next_cursor: page.next_cursor };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/notifications/:id',
    { onRequest: app.requireScope('messages:read'), schema: { tags, summary: 'A notification, with its message status once sent', params: idParams, response: responses({ 200: notificationSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => {
      const found = await deps.notifications.get(principalOf(request).workspaceId, request.params.id);
      return found ?? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No notification ${request.params.id}.`);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/notifications/:id/cancel',
    {
      onRequest: app.requireScope('messages:write'),
      schema: { tags, summary: 'Cancel a scheduled notification', description: '409 CONVERSA_ERR_NOT_CANCELLABLE once it went (or was refused); cancelling twice answers the cancelled notification.', params: idParams, response: responses({ 200: notificationSchema, 404: ['CONVERSA_ERR_NOT_FOUND'], 409: ['CONVERSA_ERR_NOT_CANCELLABLE'] }) },
    },
    async (request, reply) => answer(reply, await deps.notifications.cancel(principalOf(request).workspaceId, request.params.id), 200),
  );
}

function answer(reply: FastifyReply, outcome: NotificationOutcome, okStatus: number): FastifyReply {
  if (outcome.replayed) reply.header('idempotent-replayed', 'true');
  if (!outcome.ok) return sendAppError(reply, outcome.error);
  return reply.code(okStatus).send(outcome.notification);
}
