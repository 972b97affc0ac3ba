import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { sendError } from './errors.js';

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
