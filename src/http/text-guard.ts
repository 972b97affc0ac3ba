import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.js';

const RULE = 'must be text without NUL characters (U+0000) or unpaired surrogates';

// U+0000, or half of a surrogate pair without its other half.
const INVALID = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Refuses path parameters, query strings and JSON bodies holding text no database keeps as
 * sent: PostgreSQL cannot store U+0000 in text at all (the insert fails), and an unpaired
 * surrogate is not valid Unicode (it comes back as U+FFFD). Answers 400 naming the field,
 * before any handler runs. Add it to a scope; it covers that scope's routes.
 */
export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request, reply) => {
    const field = invalidTextIn(request.params, 'params') ?? invalidTextIn(request.query, 'querystring') ?? invalidTextIn(request.body, 'body');
    if (field) await sendError(reply, 'CONVERSA_ERR_VALIDATION', `${field}: ${RULE}`, { field, rule: RULE });
  });
}

/** The path of the first string (or object key) in a parsed JSON value that breaks the rule. */
export function invalidTextIn(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return INVALID.test(value) ? path : undefined;
  // Parsed JSON, params and query strings (whatever their prototype); Buffers and streams (the
  // CSV bodies) are the file formats' business.
  if (value === null || typeof value !== 'object' || depth > 64 || Buffer.isBuffer(value) || typeof (value as { pipe?: unknown }).pipe === 'function') return undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = invalidTextIn(item, `${path}.${index}`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    if (INVALID.test(key)) return `${path}.${key.replace(INVALID, '?')}`;
    const found = invalidTextIn(item, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}
