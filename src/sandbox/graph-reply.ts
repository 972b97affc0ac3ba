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

