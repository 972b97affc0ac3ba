import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyReply, RouteOptions } from 'fastify';
import { ERROR_CATALOGUE as CATALOGUE, POLICY_ERROR_CODES, type CatalogueEntry, type ErrorCode } from '../errors/index.js';

/** Every code an API error can carry: the one catalogue (src/errors/catalogue.ts). */
export type AnyErrorCode = ErrorCode;

/** The catalogue as one list, for the OpenAPI document: code, HTTP status, meaning (and fix). */
export const ERROR_CATALOGUE: ReadonlyArray<{ code: AnyErrorCode; status: number; message: string }> = Object.entries(CATALOGUE as Record<ErrorCode, CatalogueEntry>).map(([code, { status, title, fix }]) => ({
  code: code as AnyErrorCode,
  status,
  message: fix ? `${title}. ${fix}` : title,
}));

/** The policy refusals of a send (`POST /api/v1/messages`, notifications, campaigns): all 422. */
export const SEND_REFUSALS = POLICY_ERROR_CODES;

/** `$id` of the shared error schema (`#/components/schemas/Error` in the document). */
export const ERROR_SCHEMA_ID = 'Error';

/**
 * The API's one error shape. `code` stays an open string (not an `enum`) so that a client
 * generated today does not fail on a code added later; the codes are listed in the schema's
 * description (a table in /docs) and in `x-error-codes` (machine-readable).
 */
export const ERROR_SCHEMA = {
  $id: ERROR_SCHEMA_ID,
  type: 'object',
  required: ['error'],
  description: [
    'Every error of the API. Match on `error.code`, never on the wording; `details.field` and `details.rule` name the field and the rule of a `CONVERSA_ERR_VALIDATION`, and policy refusals carry `details.fix`. See docs/errors.md.',
    '',
    '| code | HTTP | meaning |',
    '|---|---|---|',
    ...ERROR_CATALOGUE.map(({ code, status, message }) => `| \`${code}\` | ${status} | ${message.replace(/\|/g, '\\|')} |`),
  ].join('\n'),
  'x-error-codes': Object.fromEntries(ERROR_CATALOGUE.map(({ code, status, message }) => [code, { status, message }])),
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', pattern: '^CONVERSA_ERR_[A-Z_]+$', description: 'A stable `CONVERSA_ERR_*` code (the table above)', examples: ['CONVERSA_ERR_VALIDATION'] },
        message: { type: 'string', description: 'What went wrong, in English, naming the field' },
        details: { type: 'object', additionalProperties: true, description: 'field, rule, fix, and facts behind the error (status, ids, Meta\'s error, ...)' },
      },
    },
  },
} as const;

/** What a status of `responses()` may say: a schema (success), `null` (no body), error codes, or `true` (any error code). */
export type Declared = Record<string, unknown> | null | true | readonly AnyErrorCode[];

/** Key of the response schemas that lists the error codes a status may carry (checked in tests). */
export const CODES_KEY = 'x-declared-codes';

/**
 * The `response` part of a route schema, so the OpenAPI document (and /docs) shows what comes
 * back. Success statuses take a JSON schema (`null`: no body, e.g. 204); error statuses take
 * the `CONVERSA_ERR_*` codes the handler answers with that status (`true`: not checked) and
 * become the shared error schema. The statuses every API route can answer (400, 401, 403, 500;
 * 413 and 415 with a request body) are added by `installResponseDefaults`: do not list them
 * unless the handler adds codes of its own.
 *
 * @example
 * schema: { body, response: responses({ 201: contactSchema, 404: ['CONVERSA_ERR_NOT_FOUND'], 422: ['CONVERSA_ERR_INVALID_PIX'] }) }
 */
export function responses(declared: Record<number, Declared | undefined>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(declared).flatMap(([status, value]) => (value === undefined ? [] : [[status, responseSchema(Number(status), value)]])));
}

function responseSchema(status: number, value: Declared): Record<string, unknown> {
  if (status < 400) {
    if (value === null) return { type: 'null', description: 'No content' };
    if (value === true || Array.isArray(value)) throw new Error(`responses(): status ${status} needs a schema (or null for no body)`);
    return value as Record<string, unknown>;
  }
  if (value === true) return { $ref: `${ERROR_SCHEMA_ID}#`, description: `${STATUS_CODES[status] ?? 'Error'}: any \`CONVERSA_ERR_*\` code of the Error schema` };
  if (!Array.isArray(value) || value.length === 0) throw new Error(`responses(): status ${status} takes the error codes it answers (or true)`);
  const codes = value as readonly AnyErrorCode[];
  return { $ref: `${ERROR_SCHEMA_ID}#`, description: `${STATUS_CODES[status] ?? 'Error'}: ${codes.map((code) => `\`${code}\``).join(', ')}`, [CODES_KEY]: [...codes] };
}

/** Statuses every `/api/v1` route can answer, whatever its handler does. */
const ALWAYS: Record<number, AnyErrorCode[]> = {
  400: ['CONVERSA_ERR_VALIDATION'],
  401: ['CONVERSA_ERR_UNAUTHENTICATED'],
  403: ['CONVERSA_ERR_FORBIDDEN'],
  500: ['CONVERSA_ERR_INTERNAL'],
};
/** ... and those a route with a request body can answer (body limit, content type). */
const WITH_BODY: Record<number, AnyErrorCode[]> = {
  413: ['CONVERSA_ERR_PAYLOAD_TOO_LARGE'],
  415: ['CONVERSA_ERR_UNSUPPORTED_MEDIA_TYPE'],
};

/**
 * Registers the shared error schema and completes every `/api/v1` route's declared responses
 * with the statuses any route can answer (400 validation, 401, 403, 500; 413 and 415 when the
 * method takes a body), merging their codes into what the route declared. Install before the
 * routes. A route that declares no `response` is left alone (and fails the response check).
 */
export function installResponseDefaults(app: FastifyInstance): void {
  app.addSchema(ERROR_SCHEMA);
  app.addHook('onRoute', (route: RouteOptions) => {
    const response = route.schema?.response as Record<string, Record<string, unknown>> | undefined;
    if (!route.url.startsWith('/api/v1/') || !response) return;
    const methods = [route.method].flat();
    const common = { ...ALWAYS, ...(methods.some((method) => method !== 'GET' && method !== 'HEAD') ? WITH_BODY : {}) };
    for (const [status, codes] of Object.entries(common)) {
      const own = response[status];
      if (!own) response[status] = responseSchema(Number(status), codes);
      else if (Array.isArray(own[CODES_KEY])) {
        const merged = [...new Set([...codes, ...(own[CODES_KEY] as AnyErrorCode[])])];
        response[status] = responseSchema(Number(status), merged);
      }
    }
  });
}

/**
 * For tests: records every answer of a documented `/api/v1` route whose status its schema's
 * `response` does not declare, or whose error code is not among the codes declared for that
 * status. `problems()` lists them (`POST /api/v1/pix answered 409 ...`).
 */
export function installResponseCheck(app: FastifyInstance): { problems(): string[] } {
  const problems = new Set<string>();
  app.addHook('onSend', async (request, reply, payload) => {
    const url = request.routeOptions.url;
    if (!url?.startsWith('/api/v1/') || url === '/api/v1/openapi.json') return payload;
    const route = `${request.method} ${url}`;
    const status = reply.statusCode;
    const response = request.routeOptions.schema?.response as Record<string, Record<string, unknown>> | undefined;
    const declared = response?.[String(status)] ?? response?.[`${String(status)[0]}xx`] ?? response?.default;
    if (!declared) {
      problems.add(`${route} answered ${status}, which its schema's response does not declare`);
      return payload;
    }
    const codes = declared[CODES_KEY];
    if (status >= 400 && Array.isArray(codes) && typeof payload === 'string') {
      const code = errorCodeOf(payload);
      if (!code || !codes.includes(code)) problems.add(`${route} answered ${status} ${code ?? '(no error code)'}, which its schema declares only with ${codes.join(', ')}`);
    }
    return payload;
  });
  return { problems: () => [...problems] };
}

function errorCodeOf(payload: string): string | undefined {
  try {
    const code = (JSON.parse(payload) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** Small builders for success schemas. Objects stay open (`additionalProperties: true`): they document, they do not trim. */
export const schemas = {
  /** An object with these (documented) properties; others may come too. */
  object: (properties: Record<string, unknown>, description?: string): Record<string, unknown> => ({ type: 'object', ...(description ? { description } : {}), properties, additionalProperties: true }),
  /** A page of a list: `{data: [item], next_cursor}`; `next_cursor` is null on the last page. */
  page: (item: Record<string, unknown>, description = 'A page of the list'): Record<string, unknown> => ({
    type: 'object',
    description,
    required: ['data'],
    properties: { data: { type: 'array', items: item }, next_cursor: { type: ['string', 'null'], description: 'Give it as `cursor` for the next page; null on the last one' } },
    additionalProperties: true,
  }),
  /** A list without pages: `{data: [item]}`. */
  list: (item: Record<string, unknown>, description = 'The whole list'): Record<string, unknown> => ({ type: 'object', description, required: ['data'], properties: { data: { type: 'array', items: item } }, additionalProperties: true }),
  /** A file answered as is (PDF, media bytes). */
  file: (mediaTypes: string[], description: string): Record<string, unknown> => ({ description, content: Object.fromEntries(mediaTypes.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])) }),
  string: { type: 'string' },
  nullableString: { type: ['string', 'null'] },
  dateTime: { type: 'string', format: 'date-time' },
  nullableDateTime: { type: ['string', 'null'], format: 'date-time' },
  integer: { type: 'integer' },
  boolean: { type: 'boolean' },
  openObject: { type: 'object', additionalProperties: true },
} as const;

/** Everything a send can be refused with (`POST /api/v1/messages`, notifications): 422. */
export const SEND_REFUSAL_CODES: readonly AnyErrorCode[] = [...SEND_REFUSALS, 'CONVERSA_ERR_INVALID_RECIPIENT', 'CONVERSA_ERR_NO_PHONE_NUMBER', 'CONVERSA_ERR_MEDIA_NOT_FOUND', 'CONVERSA_ERR_MEDIA_TYPE_MISMATCH'];

/** Answers a file to download (an export): its type and name, never cached, never sniffed. */
export function sendDownload(reply: FastifyReply, file: { contentType: string; filename: string; body: unknown }): FastifyReply {
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `attachment; filename="${file.filename}"`)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(file.body);
}
