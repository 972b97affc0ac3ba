import type { FastifyInstance } from 'fastify';
import { RETENTION_DAYS } from '../../modules/retention/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';

const DAYS = {
  type: ['integer', 'null'],
  minimum: RETENTION_DAYS.min,
  maximum: RETENTION_DAYS.max,
} as const;

const settingsSchema = s.object(
  {
    message_content_days: { type: ['integer', 'null'], description: 'Message contents (both ways) older than this many days become `{"expired":"retention"}`; type, status, timestamps, errors, pricing and cost stay. null: kept (the default)' },
    media_days: { type: ['integer', 'null'], description: "Media customers sent older than this many days: the bytes are deleted, the record stays with status `expired` (its content answers 410 CONVERSA_ERR_MEDIA_EXPIRED). null: kept (the default)" },
    installation: s.object(
      { inbound_events_days: s.integer, outbox_hours: s.integer, webhook_deliveries_days: s.integer, job_log_days: s.integer },
      "The installation's rules for raw webhook events, the event outbox, webhook delivery logs, and bot tasks, bot log and media downloads (set by the operator with CONVERSA_RETENTION_* variables)",
    ),
    updated_at: s.nullableDateTime,
  },
  "The workspace's retention",
);

const body = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    message_content_days: { ...DAYS, description: `Days (${RETENTION_DAYS.min}–${RETENTION_DAYS.max}) after which message contents are replaced by a placeholder; null turns it off` },
    media_days: { ...DAYS, description: `Days (${RETENTION_DAYS.min}–${RETENTION_DAYS.max}) after which the bytes of media customers sent are deleted; null turns it off` },
  },
} as const;

/**
 * `GET/PUT /api/v1/retention`: what the workspace keeps of its customers' message contents and
 * media (both off by default), applied by the retention job (docs/data-protection.md#retention).
 * Scope `admin`: it deletes data for good.
 */
export function registerRetentionRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'retentionSettings'>): void {
  const admin = { onRequest: app.requireScope('admin') };
  app.get('/retention', { ...admin, schema: { tags: ['retention'], summary: "The workspace's retention settings", description: 'Both workspace rules are off (null) until set; the installation-wide rules are listed under `installation`.', response: responses({ 200: settingsSchema }) } }, async (request) =>
    deps.retentionSettings.get(principalOf(request).workspaceId),
  );
  app.put<{ Body: { message_content_days?: number | null; media_days?: number | null } }>(
    '/retention',
    {
      ...admin,
      schema: {
        tags: ['retention'],
        summary: "Change the workspace's retention of message contents and media",
        description: 'The fields given change (null turns a rule off), the others stay. The retention job applies them at its next pass (every CONVERSA_RETENTION_INTERVAL_SECONDS): message contents become a placeholder and received media bytes are deleted, for good.',
        body,
        response: responses({ 200: settingsSchema }),
      },
    },
    async (request, reply) => {
      if (!request.body || Object.keys(request.body).length === 0) return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'body: must name at least one of message_content_days, media_days', { field: 'body', rule: 'must name at least one of message_content_days, media_days' });
      const outcome = await deps.retentionSettings.set(principalOf(request).workspaceId, request.body);
      if (!outcome.ok) return sendError(reply, 'CONVERSA_ERR_VALIDATION', `body.${outcome.field}: ${outcome.rule}`, { field: `body.${outcome.field}`, rule: outcome.rule });
      return outcome.settings;
    },
  );
}
