import { SCOPES } from '../../modules/api-keys/index.js';
import { responses, type AnyErrorCode } from '../responses.js';

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

/**
 * Every error status a route of these two files can answer, as `responses()` declares them (the
 * shared Error schema with the codes each status carries).
 */
export function errorResponses(...statuses: Array<400 | 401 | 403 | 404 | 409>): Record<string, unknown> {
  const codes: Record<number, readonly AnyErrorCode[]> = {
    400: ['CONVERSA_ERR_VALIDATION'],
    401: ['CONVERSA_ERR_UNAUTHENTICATED'],
    403: ['CONVERSA_ERR_FORBIDDEN'],
    404: ['CONVERSA_ERR_NOT_FOUND'],
    409: ['CONVERSA_ERR_CONFLICT'],
  };
  return responses(Object.fromEntries(statuses.map((status) => [status, codes[status]])));
}
