import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, COMMON_VARIANTS, ERROR_CATALOGUE, type AppErrorValue, type CatalogueEntry, type ErrorCode } from '../errors/index.js';

/**
 * The HTTP edge of the error catalogue (src/errors/catalogue.ts): the one place that turns a
 * `CONVERSA_ERR_*` code into an HTTP status. Every error answers `{ error: { code, message,
 * details? } }`; clients and tests match on `code`. See docs/errors.md for how to fix each one.
 */
export { ERROR_CATALOGUE as ERRORS, type ErrorCode } from '../errors/index.js';

/** The HTTP status of a code. */
export function statusOf(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

/** Sends the API's one error shape. */
export function sendError(reply: FastifyReply, code: ErrorCode, message?: string, details?: Record<string, unknown>): FastifyReply {
  return reply.code(statusOf(code)).send({ error: { code, message: message ?? ERROR_CATALOGUE[code].title, ...(details ? { details } : {}) } });
}

/** Sends a module's error (returned `{ ok: false, error }` or thrown `AppError`); its `fix` answers as `details.fix`. */
export function sendAppError(reply: FastifyReply, error: AppErrorValue | AppError): FastifyReply {
  const { code, message, fix, details } = error;
  const merged = fix !== undefined || details ? { ...(fix !== undefined ? { fix } : {}), ...details } : undefined;
  const variants: Record<string, number> | undefined = (ERROR_CATALOGUE[code] as CatalogueEntry).variants;
  const variant = 'variant' in error ? error.variant : undefined;
  const status = (variant && (variants?.[variant] ?? COMMON_VARIANTS[variant])) || statusOf(code);
  return reply.code(status).send({ error: { code, message: message || ERROR_CATALOGUE[code].title, ...(merged ? { details: merged } : {}) } });
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
    if (error instanceof AppError) return sendAppError(reply, error);
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
