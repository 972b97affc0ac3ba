import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { SandboxEngine } from './engine.js';
import { graphErrorBody, httpStatusOf, metaFailure, type MetaFailure } from './meta-errors.js';
import type { SandboxTemplates } from './templates.js';

export interface GraphContext {
  engine: SandboxEngine;
  templates: SandboxTemplates;
  accessToken: string;
}

/** Answers a Meta-shaped Graph error. */
export function replyGraphError(reply: FastifyReply, failure: MetaFailure): FastifyReply {
  return reply.code(httpStatusOf(failure)).send(graphErrorBody(failure));
}

/** Meta's answer for an id that names nothing (or nothing that supports the call). */
export function unknownObject(id: string, method: string): MetaFailure {
  return metaFailure(
    100,
    `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    33,
  );
}


/**
 * Graph's answer for a path it does not serve (HTTP 400, code 2500), e.g.
 * `{"error":{"message":"Unknown path components: /foo","type":"OAuthException","code":2500,"fbtrace_id":"..."}}`.
 */
export function replyUnknownPath(reply: FastifyReply, components: string): FastifyReply {
  return reply.code(400).send({
    error: { message: `Unknown path components: ${components}`, type: 'OAuthException', code: 2500, fbtrace_id: randomBytes(9).toString('base64url') },
  });
}
