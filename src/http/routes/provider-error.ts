import type { FastifyReply } from 'fastify';
import type { GraphResult } from '../../whatsapp/index.js';
import { sendError } from '../errors.js';

/** A failed Graph call as the API answers it: 422 with Meta's error when it refused, else 502. */
export function sendProviderError(reply: FastifyReply, what: string, result: Exclude<GraphResult<unknown>, { ok: true }>): FastifyReply {
  if (result.kind === 'error') {
    return sendError(reply, 'CONVERSA_ERR_PROVIDER_REJECTED', `${what}: (#${result.code}) ${result.title}`, {
      meta_code: result.code,
      meta_message: result.title,
      meta_details: result.details,
      fix: 'Read meta_details; code 100 often means the provider no longer knows the message or media (older than 30 days, or deleted).',
    });
  }
  return sendError(reply, 'CONVERSA_ERR_PROVIDER_UNREACHABLE', `${what}: the Graph API could not be reached (${result.reason}).`, {
    fix: 'Try again; nothing was changed here.',
  });
}
