import type { FastifyInstance } from 'fastify';
import { AUDIT_ACTOR_TYPES, AUDIT_OUTCOMES, MAX_AUDIT_PAGE, type AuditActorType, type AuditLog, type AuditOutcome } from '../../modules/audit/index.js';
import { principalOf } from '../auth.js';
import { sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';
import { parseInstant } from './forms.js';

const INSTANT_RULE = 'must be a date (2026-12-01, midnight UTC) or an ISO-8601 date-time with its offset (2026-12-01T09:00:00-03:00)';
const INSTANT = (description: string) => ({ type: 'string', minLength: 1, maxLength: 40, description: `${description}: a date (YYYY-MM-DD, midnight UTC) or an ISO-8601 date-time` }) as const;

type AuditQuery = {
  actor_type?: AuditActorType;
  actor_id?: string;
  action?: string;
  target_id?: string;
  outcome?: AuditOutcome;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
};

const entrySchema = s.object(
  {
    id: { type: 'integer', description: 'Increasing: a later entry has a larger id' },
    at: s.dateTime,
    actor: s.object(
      {
        type: { type: 'string', enum: AUDIT_ACTOR_TYPES, description: 'api_key, user (the agent inbox), cli (a `conversa` command on the server), system' },
        id: { ...s.nullableString, description: "The key's id, the person's user id (null: a sign-in with an e-mail no account has), the OS user of a command" },
        label: { ...s.nullableString, description: "The key's name, the person's e-mail" },
      },
      'Who acted',
    ),
    action: { type: 'string', description: 'A stable dotted name: contacts.update, contacts.export, messages.send, api_keys.create, users.sign_in, ...' },
    method: { type: 'string', description: 'The HTTP method, or CLI' },
    route: { type: 'string', description: 'The route pattern (/api/v1/contacts/:id), never the URL with its query; or the command' },
    target: { type: ['object', 'null'], properties: { type: s.string, id: s.string }, description: 'The record the route names (its first path parameter, or the id of what a POST created)' },
    ip: { ...s.nullableString, description: "The client's address (behind a proxy: as CONVERSA_TRUST_PROXY allows)" },
    outcome: { type: 'string', enum: AUDIT_OUTCOMES, description: 'success (2xx), denied (401, 403, 429), failed (other 4xx), error (5xx)' },
    status_code: s.integer,
    request_id: { ...s.nullableString, description: "The request's id in the server's log (reqId)" },
    details: { type: ['object', 'null'], additionalProperties: true, description: 'A few short values (the error code of a refusal); never a request body, token, password or message text' },
  },
  'One entry of the audit log',
);

/**
 * `GET /api/v1/audit`: the workspace's audit log, newest first, with filters
 * (docs/data-protection.md, "The audit log"). Needs `audit:read` (admin implies it).
 */
export function registerAuditRoutes(app: FastifyInstance, deps: { auditLog: AuditLog }): void {
  app.get<{ Querystring: AuditQuery }>(
    '/audit',
    {
      onRequest: app.requireScope('audit:read'),
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first',
        description:
          "Who did what in the workspace: changes of data and settings, bulk reads and exports of personal data, sign-ins. Filters combine (AND). Follow next_cursor to the end: each entry comes exactly once, also when new ones arrive during the walk. Reading the log is recorded too (audit.list). Entries older than CONVERSA_AUDIT_RETENTION_DAYS are deleted.",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            actor_type: { type: 'string', enum: AUDIT_ACTOR_TYPES, description: 'Only entries of this kind of actor' },
            actor_id: { type: 'string', minLength: 1, maxLength: 100, description: 'Only entries of this key id, user id or OS user' },
            action: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[a-z0-9_]+(\\.[a-z0-9_]+)*(\\.\\*)?$', description: 'An action (contacts.update) or every action under a prefix (contacts.*)' },
            target_id: { type: 'string', minLength: 1, maxLength: 200, description: 'Only entries about this record (a contact id, a key id, ...)' },
            outcome: { type: 'string', enum: AUDIT_OUTCOMES },
            since: INSTANT('At or after'),
            until: INSTANT('Before'),
            limit: { type: 'integer', minimum: 1, maximum: MAX_AUDIT_PAGE, default: 50 },
            cursor: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'The next_cursor of the previous page' },
          },
        },
        response: responses({ 200: s.page(entrySchema, 'A page of the audit log, newest first') }),
      },
    },
    async (request, reply) => {
      const query = request.query;
      const instants: { since?: string; until?: string } = {};
      for (const field of ['since', 'until'] as const) {
        const text = query[field];
        if (text === undefined) continue;
        const at = parseInstant(text);
        if (!at) return sendError(reply, 'CONVERSA_ERR_VALIDATION', `querystring.${field}: ${INSTANT_RULE}`, { field: `querystring.${field}`, rule: INSTANT_RULE });
        instants[field] = at;
      }
      const page = await deps.auditLog.list(principalOf(request).workspaceId, {
        actorType: query.actor_type,
        actorId: query.actor_id,
        action: query.action,
        targetId: query.target_id,
        outcome: query.outcome,
        ...instants,
        limit: query.limit ?? 50,
        cursor: query.cursor,
      });
      if (!page.ok) return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'querystring.cursor: is not a cursor this API gave', { field: 'querystring.cursor', rule: 'must be the next_cursor of a previous page' });
      return { data: page.data, next_cursor: page.next_cursor };
    },
  );
}
