import { SCOPES } from '../../modules/api-keys/index.js';

/** The API's one error shape, as a response schema (`details` is free-form). */
export const errorResponse = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'A CONVERSA_ERR_* code (docs/errors.md)' },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true, description: '`field` and `rule` name what was wrong; `scope` names a scope' },
      },
    },
  },
} as const;

const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;

const apiKeyProperties = {
  id: { type: 'string', description: 'key_...' },
  name: { type: 'string' },
  prefix: { type: 'string', description: 'The first characters of the key (cv_live_ and four more), to recognise it; the key itself is never shown again' },
  scopes: { type: 'array', items: { type: 'string', enum: SCOPES } },
  created_at: { type: 'string', format: 'date-time' },
  last_used_at: { ...nullableTime, description: 'When it last authenticated a request (kept to the minute: written at most once a minute)' },
  revoked_at: { ...nullableTime, description: 'Set once revoked (or retired by a rotation); a revoked key answers 401' },
  replaced_by: { type: ['string', 'null'], description: 'For a key retired by a rotation: the id of the key that replaced it' },
} as const;

/** A key as listed: never the secret. */
export const apiKeyView = { type: 'object', required: Object.keys(apiKeyProperties), additionalProperties: false, properties: apiKeyProperties } as const;

/** A key just created or rotated: the view plus the secret, shown this once. */
export const createdApiKey = {
  type: 'object',
  required: [...Object.keys(apiKeyProperties), 'key'],
  additionalProperties: false,
  properties: { ...apiKeyProperties, key: { type: 'string', description: 'The API key (cv_live_...). Shown once: store it now, it cannot be read again' } },
} as const;

export const workspaceView = {
  type: 'object',
  required: ['id', 'name', 'created_at'],
  additionalProperties: false,
  properties: { id: { type: 'string', description: 'ws_...' }, name: { type: 'string' }, created_at: { type: 'string', format: 'date-time' } },
} as const;

/** Every error status a route of these two files can answer, in the error shape. */
export function errorResponses(...statuses: Array<400 | 401 | 403 | 404 | 409>): Record<number, unknown> {
  const text: Record<number, string> = {
    400: 'Bad input (CONVERSA_ERR_VALIDATION); details.field and details.rule name it',
    401: 'No API key, or an unknown or revoked one (CONVERSA_ERR_UNAUTHENTICATED)',
    403: 'The API key lacks the scope (CONVERSA_ERR_FORBIDDEN); details.scope names it',
    404: "Not found in this workspace (CONVERSA_ERR_NOT_FOUND); the id of another workspace's key answers 404 too",
    409: "CONVERSA_ERR_CONFLICT: rotating a revoked key, or revoking the workspace's last admin key",
  };
  return Object.fromEntries(statuses.map((status) => [status, { description: text[status], ...errorResponse }]));
}
