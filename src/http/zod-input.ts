import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { AppErrorValue } from '../errors/index.js';
import { sendAppError, sendError } from './errors.js';

/**
 * Validates a request part with a zod schema. On failure answers 400 CONVERSA_ERR_VALIDATION
 * naming the first bad field and its rule (`details.field`, `details.rule`, as the JSON-schema
 * routes do) and returns undefined; the handler then returns the reply.
 *
 * @example
 * const body = parseInput(reply, 'body', loginBody, request.body);
 * if (!body) return reply;
 */
export function parseInput<S extends z.ZodTypeAny>(reply: FastifyReply, part: 'body' | 'params' | 'querystring', schema: S, value: unknown): z.output<S> | undefined {
  const parsed = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (parsed.success) return parsed.data as z.output<S>;
  const issue = parsed.error.issues[0];
  const field = [part, ...(issue?.path ?? [])].join('.');
  const rule = issue ? ruleOf(issue) : 'is invalid';
  void sendError(reply, 'CONVERSA_ERR_VALIDATION', `${field}: ${rule}`, { field, rule });
  return undefined;
}

function ruleOf(issue: z.ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.received === 'undefined') return 'is required';
  if (issue.code === 'unrecognized_keys') return `has unknown properties: ${issue.keys.join(', ')}`;
  return issue.message;
}

/**
 * Sends a module's error whose `details.field` names a field of the request body by its bare
 * name (`team_ids`): the answer names it as the validation does (`body.team_ids`).
 */
export function sendBodyError(reply: FastifyReply, error: AppErrorValue): FastifyReply {
  const field = error.details?.field;
  if (typeof field !== 'string' || field.startsWith('body.')) return sendAppError(reply, error);
  return sendAppError(reply, { ...error, message: error.message.startsWith(`${field}:`) ? `body.${error.message}` : error.message, details: { ...error.details, field: `body.${field}` } });
}
