import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The error catalogue of the HTTP API. Every error answers `{ error: { code, message, details? } }`;
 * clients and tests match on `code`. See docs/errors.md for how to fix each one.
 */
export const ERRORS = {
  CONVERSA_ERR_VALIDATION: { status: 400, message: 'The request is not valid.' },
  CONVERSA_ERR_UNAUTHENTICATED: { status: 401, message: 'Send an API key as "Authorization: Bearer <key>".' },
  CONVERSA_ERR_FORBIDDEN: { status: 403, message: 'This API key lacks the scope for this operation.' },
  CONVERSA_ERR_NOT_FOUND: { status: 404, message: 'Not found.' },
  CONVERSA_ERR_CONFLICT: { status: 409, message: 'It already exists.' },
  CONVERSA_ERR_PROVIDER_REJECTED: { status: 422, message: "The WhatsApp provider (Meta's Graph API or the sandbox) refused the request." },
  CONVERSA_ERR_UNSAFE_URL: { status: 422, message: 'The URL targets an address the server does not call (loopback, private, link-local, metadata, ...) or carries a user name or password.' },
  CONVERSA_ERR_PROVIDER_UNREACHABLE: { status: 502, message: "The WhatsApp provider (Meta's Graph API or the sandbox) could not be reached." },
  CONVERSA_ERR_WEBHOOK_SIGNATURE: { status: 401, message: 'The X-Hub-Signature-256 header is missing or does not match the body.' },
  CONVERSA_ERR_WEBHOOK_VERIFY_TOKEN: { status: 403, message: 'hub.verify_token does not match any connected phone number.' },
  CONVERSA_ERR_PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  CONVERSA_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported Content-Type.' },
  CONVERSA_ERR_MEDIA_TOO_LARGE: { status: 413, message: 'The file is over the size WhatsApp accepts for its kind.' },
  CONVERSA_ERR_MEDIA_UNSUPPORTED_TYPE: { status: 415, message: 'WhatsApp does not accept files of this type.' },
  CONVERSA_ERR_MEDIA_NOT_READY: { status: 409, message: 'The media is not stored yet (inbound media still downloading, or its download failed).' },
  CONVERSA_ERR_MEDIA_NOT_FOUND: { status: 422, message: 'A media id of the message is not media of this workspace (or its download failed).' },
  CONVERSA_ERR_MEDIA_TYPE_MISMATCH: { status: 422, message: "The media's kind does not fit the message (a PNG as audio)." },
  CONVERSA_ERR_INVALID_RECIPIENT: { status: 422, message: 'The recipient is not a valid phone number in international format.' },
  CONVERSA_ERR_INVALID_INVOICE: { status: 422, message: 'The invoice breaks a rule (a document, a date, an amount, or a total that does not add up).' },
  CONVERSA_ERR_INVALID_PIX: { status: 422, message: 'The Pix request breaks a rule of the BR Code (key, name, city, amount or txid).' },
  CONVERSA_ERR_TEMPLATE_LINT: { status: 422, message: "The template breaks Meta's review rules (details.problems lists each with its place and fix)." },
  CONVERSA_ERR_TEMPLATE_STATE: { status: 409, message: "The template's status does not allow this operation." },
  CONVERSA_ERR_NO_PHONE_NUMBER: { status: 422, message: 'This workspace has no phone number.' },
  CONVERSA_ERR_NOT_CANCELLABLE: { status: 409, message: 'Only a scheduled notification can be cancelled; this one already went or was refused.' },
  CONVERSA_ERR_IDEMPOTENCY_MISMATCH: { status: 409, message: 'This Idempotency-Key was used for a different request.' },
  CONVERSA_ERR_CAMPAIGN_STATE: { status: 409, message: 'The campaign is not in a state that allows this operation.' },
  CONVERSA_ERR_NOT_INBOUND: { status: 422, message: 'Only a message the contact sent (direction "in") can be marked read.' },
  CONVERSA_ERR_NO_INBOUND_MESSAGE: { status: 422, message: 'The conversation has no message from the contact to mark read or to show typing on.' },
  CONVERSA_ERR_MEDIA_IN_USE: { status: 409, message: 'A message not yet sent (or an invoice) still names this media.' },
  CONVERSA_ERR_MESSAGE_SENDING: { status: 409, message: 'The message is being sent right now; its outcome is known in a moment.' },
  CONVERSA_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests from this address; wait for the Retry-After seconds.' },
  CONVERSA_ERR_INTERNAL: { status: 500, message: 'Something went wrong on our side; the error is logged.' },
  CONVERSA_ERR_UNAVAILABLE: { status: 503, message: 'A dependency (the database) is not reachable.' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** Sends the API's one error shape. */
export function sendError(reply: FastifyReply, code: ErrorCode, message?: string, details?: Record<string, unknown>): FastifyReply {
  return reply.code(ERRORS[code].status).send({ error: { code, message: message ?? ERRORS[code].message, ...(details ? { details } : {}) } });
}

/**
 * Fastify's `frameworkErrors` option: URLs the router cannot even match (invalid percent-encoding,
 * a path segment over `maxParamLength`) answer the API's error shape instead of Fastify's own.
 */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_BAD_URL') void sendError(reply, 'CONVERSA_ERR_VALIDATION', 'path: is not valid percent-encoded UTF-8', { field: 'path', rule: 'must be valid percent-encoded UTF-8' });
  else if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') void sendError(reply, 'CONVERSA_ERR_VALIDATION', 'path: a path segment is too long', { field: 'path', rule: 'each path segment must be at most 100 characters' });
  else {
    reply.log.error({ err: error }, 'request failed');
    void sendError(reply, 'CONVERSA_ERR_INTERNAL');
  }
}

/** Maps Fastify's own failures (bad JSON, schema validation, body size) to the API's error shape. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      const first = error.validation[0];
      const field = [error.validationContext, first?.instancePath.replace(/^\//, '').replace(/\//g, '.')].filter(Boolean).join('.');
      const missing = first?.keyword === 'required' ? String((first.params as { missingProperty?: string }).missingProperty) : undefined;
      const path = missing ? `${field ? `${field}.` : ''}${missing}` : field;
      const rule = missing ? 'is required' : (first?.message ?? 'is invalid');
      return sendError(reply, 'CONVERSA_ERR_VALIDATION', `${path}: ${rule}`, { field: path, rule });
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 'CONVERSA_ERR_PAYLOAD_TOO_LARGE');
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(reply, 'CONVERSA_ERR_UNSUPPORTED_MEDIA_TYPE', `Unsupported Content-Type: ${request.headers['content-type'] ?? '(none)'}.`);
    if (error.statusCode && error.statusCode < 500) {
      return sendError(reply, 'CONVERSA_ERR_VALIDATION', `body: ${error.message}`, { field: 'body', rule: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 'CONVERSA_ERR_INTERNAL');
  });
}
