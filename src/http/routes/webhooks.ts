import type { FastifyInstance, FastifyReply } from 'fastify';
import { DELIVERY_STATUSES, WEBHOOK_EVENT_FILTERS, checkWebhookUrl, type DeliveryStatus, type WebhookEventFilter } from '../../modules/webhooks/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';

const subscriptionProperties = {
  url: { type: 'string', minLength: 1, maxLength: 2048, description: 'http(s) URL that receives the POSTs; use https in production' },
  events: {
    type: 'array',
    minItems: 1,
    maxItems: WEBHOOK_EVENT_FILTERS.length,
    uniqueItems: true,
    items: { type: 'string', enum: WEBHOOK_EVENT_FILTERS },
    description: 'Event types to receive, or ["*"] for all',
  },
  description: { type: ['string', 'null'], maxLength: 500 },
  active: { type: 'boolean', description: 'false pauses deliveries (they wait, they are not dropped)' },
} as const;

const createBody = { type: 'object', required: ['url', 'events'], additionalProperties: false, properties: subscriptionProperties } as const;
const patchBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { ...subscriptionProperties, rotate_secret: { type: 'boolean', description: 'true replaces the signing secret; the answer shows the new one once' } },
} as const;

interface SubscriptionBody {
  url?: string;
  events?: WebhookEventFilter[];
  description?: string | null;
  active?: boolean;
  rotate_secret?: boolean;
}

const subscriptionSchema = s.object(
  { id: s.string, url: s.string, events: { type: 'array', items: { type: 'string', enum: WEBHOOK_EVENT_FILTERS } }, description: s.nullableString, active: s.boolean, created_at: s.dateTime, updated_at: s.dateTime },
  'A webhook subscription',
);
const withSecret = (description: string) => ({ ...subscriptionSchema, description, properties: { ...(subscriptionSchema.properties as object), secret: { type: 'string', description: 'The signing secret, shown only here' } } });
const deliverySchema = s.object(
  {
    id: s.string,
    subscription_id: s.string,
    event_id: { type: 'string', description: "The event's id, the same in the payload, for every subscription and every replay" },
    event_type: s.string,
    status: { type: 'string', enum: DELIVERY_STATUSES },
    attempts: s.integer,
    next_attempt_at: s.nullableDateTime,
    last_status_code: { type: ['integer', 'null'] },
    last_error: s.nullableString,
    created_at: s.dateTime,
    updated_at: s.dateTime,
    delivered_at: s.nullableDateTime,
  },
  'A delivery of an event to a subscription',
);
const deliveryDetailSchema = {
  ...deliverySchema,
  properties: {
    ...(deliverySchema.properties as object),
    payload: { description: 'The body sent' },
    attempt_log: { type: 'array', items: s.object({ attempted_at: s.dateTime, status_code: { type: ['integer', 'null'] }, error: s.nullableString, duration_ms: s.integer }) },
  },
};

const tags = ['webhooks'];
const id = { type: 'string', minLength: 1, maxLength: 64 } as const;
const idParams = { type: 'object', required: ['id'], properties: { id } } as const;
const deliveryParams = { type: 'object', required: ['id', 'delivery_id'], properties: { id, delivery_id: id } } as const;

/**
 * `/api/v1/webhooks`: outbound webhook subscriptions of company systems, their delivery log,
 * and replays. All routes need the `webhooks:write` scope (or `admin`): subscriptions carry
 * customer data out of the platform.
 */
export function registerWebhookRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'webhooks'>): void {
  const scope = app.requireScope('webhooks:write');

  app.post<{ Body: SubscriptionBody & { url: string; events: WebhookEventFilter[] } }>('/webhooks', { onRequest: scope, schema: { tags, summary: 'Subscribe a company system to events; the answer shows the signing secret once', body: createBody, response: responses({ 201: withSecret('The subscription, with its signing secret (shown once)'), 422: ['CONVERSA_ERR_UNSAFE_URL'] }) } }, async (request, reply) => {
    const url = checkUrl(reply, request.body.url, deps.webhooks);
    if (url === undefined) return reply;
    const { description, active, events } = request.body;
    const created = await deps.webhooks.create(principalOf(request).workspaceId, { url, events, description, ...(active === undefined ? {} : { active }) });
    return reply.code(201).send(created);
  });

  app.get('/webhooks', { onRequest: scope, schema: { tags, summary: "The workspace's webhook subscriptions", response: responses({ 200: s.list(subscriptionSchema) }) } }, async (request) => ({ data: await deps.webhooks.list(principalOf(request).workspaceId) }));

  app.get<{ Params: { id: string } }>('/webhooks/:id', { onRequest: scope, schema: { tags, summary: 'A webhook subscription', params: idParams, response: responses({ 200: subscriptionSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } }, async (request, reply) => {
    const found = await deps.webhooks.get(principalOf(request).workspaceId, request.params.id);
    return found ?? notFound(reply, request.params.id);
  });

  app.patch<{ Params: { id: string }; Body: SubscriptionBody }>('/webhooks/:id', { onRequest: scope, schema: { tags, summary: 'Change a subscription (url, events, active) or rotate its secret', params: idParams, body: patchBody, response: responses({ 200: withSecret('The subscription (with `secret` when rotated)'), 404: ['CONVERSA_ERR_NOT_FOUND'], 422: ['CONVERSA_ERR_UNSAFE_URL'] }) } }, async (request, reply) => {
    const body = request.body;
    const url = body.url === undefined ? undefined : checkUrl(reply, body.url, deps.webhooks);
    if (body.url !== undefined && url === undefined) return reply;
    const updated = await deps.webhooks.update(principalOf(request).workspaceId, request.params.id, {
      ...(url === undefined ? {} : { url }),
      ...(body.events === undefined ? {} : { events: body.events }),
      ...(body.description === undefined ? {} : { description: body.description }),
      ...(body.active === undefined ? {} : { active: body.active }),
      ...(body.rotate_secret ? { rotateSecret: true } : {}),
    });
    return updated ?? notFound(reply, request.params.id);
  });

  app.delete<{ Params: { id: string } }>('/webhooks/:id', { onRequest: scope, schema: { tags, summary: 'Delete a subscription and its delivery log', params: idParams, response: responses({ 204: null, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } }, async (request, reply) => {
    const removed = await deps.webhooks.remove(principalOf(request).workspaceId, request.params.id);
    return removed ? reply.code(204).send() : notFound(reply, request.params.id);
  });

  app.get<{ Params: { id: string }; Querystring: { status?: DeliveryStatus; limit?: number; cursor?: string } }>(
    '/webhooks/:id/deliveries',
    {
      onRequest: scope,
      schema: {
        tags,
        summary: 'The delivery log of a subscription, newest first',
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: DELIVERY_STATUSES }, limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 }, cursor: { type: 'string', maxLength: 64, pattern: '^[a-z]{1,8}_[A-Za-z0-9_-]{1,60}$', description: 'The next_cursor of the previous page' } },
        },
        response: responses({ 200: s.page(deliverySchema), 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      if (!(await deps.webhooks.get(workspaceId, request.params.id))) return notFound(reply, request.params.id);
      const { status, limit, cursor } = request.query;
      return deps.webhooks.deliveries(workspaceId, request.params.id, { limit: limit ?? 50, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
    },
  );

  app.get<{ Params: { id: string; delivery_id: string } }>('/webhooks/:id/deliveries/:delivery_id', { onRequest: scope, schema: { tags, summary: 'A delivery with its body and every attempt', params: deliveryParams, response: responses({ 200: deliveryDetailSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } }, async (request, reply) => {
    const found = await deps.webhooks.delivery(principalOf(request).workspaceId, request.params.id, request.params.delivery_id);
    return found ?? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No delivery ${request.params.delivery_id} for webhook ${request.params.id}.`);
  });

  app.post<{ Params: { id: string; delivery_id: string } }>('/webhooks/:id/deliveries/:delivery_id/replay', { onRequest: scope, schema: { tags, summary: 'Send a delivery again now, with the same body', params: deliveryParams, response: responses({ 202: deliverySchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } }, async (request, reply) => {
    const replayed = await deps.webhooks.replayDelivery(principalOf(request).workspaceId, request.params.id, request.params.delivery_id);
    return replayed ? reply.code(202).send(replayed) : sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No delivery ${request.params.delivery_id} for webhook ${request.params.id}.`);
  });

  app.post<{ Params: { id: string }; Body: { status: 'failed' } }>(
    '/webhooks/:id/replay',
    {
      onRequest: scope,
      schema: {
        tags,
        summary: 'Send every failed delivery of a subscription again',
        params: idParams,
        body: { type: 'object', required: ['status'], additionalProperties: false, properties: { status: { type: 'string', enum: ['failed'] } } },
        response: responses({ 202: s.object({ replayed: { type: 'integer', description: 'How many deliveries were queued again' } }, 'The failed deliveries are queued again'), 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      if (!(await deps.webhooks.get(workspaceId, request.params.id))) return notFound(reply, request.params.id);
      return reply.code(202).send({ replayed: await deps.webhooks.replayAll(workspaceId, request.params.id, request.body.status) });
    },
  );
}

// A malformed URL is a 400; a well-formed one the SSRF guard refuses is a 422 naming the rule.
function checkUrl(reply: FastifyReply, value: string, webhooks: HttpDeps['webhooks']): string | undefined {
  const checked = checkWebhookUrl(value);
  if (!checked.ok) {
    void sendError(reply, 'CONVERSA_ERR_VALIDATION', `body.url: ${checked.rule}`, { field: 'body.url', rule: checked.rule });
    return undefined;
  }
  const target = webhooks.checkTarget(checked.url);
  if (target.ok) return checked.url;
  void sendError(reply, 'CONVERSA_ERR_UNSAFE_URL', `body.url: ${target.rule}`, { field: 'body.url', rule: target.rule, reason: target.reason });
  return undefined;
}

function notFound(reply: FastifyReply, id: string): FastifyReply {
  return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No webhook ${id}.`);
}
