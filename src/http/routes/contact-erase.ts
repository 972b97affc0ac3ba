import type { FastifyInstance } from 'fastify';
import type { ErasureReport } from '../../modules/privacy/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

const counts = (names: string[], description: string) => ({ type: 'object', description, required: names, additionalProperties: false, properties: Object.fromEntries(names.map((name) => [name, s.integer])) });

const REMOVED = [
  'contacts', 'contact_aliases', 'conversations', 'conversation_transitions', 'conversation_notes', 'conversation_labels', 'bot_sessions', 'bot_tasks', 'bot_log', 'consents',
  'form_submissions', 'survey_responses', 'leads', 'notifications', 'group_participants', 'messages', 'media', 'invoices', 'campaign_recipients', 'blocked_users',
  'inbound_events', 'outbox_events', 'webhook_deliveries',
] satisfies Array<keyof ErasureReport['removed']>;

const reportSchema = s.object(
  {
    contact_id: s.string,
    erased_at: s.dateTime,
    removed: counts(REMOVED, 'Rows removed per kind (a webhook delivery with its attempts)'),
    media_files: counts(['deleted_locally', 'deleted_at_provider', 'provider_failures', 'kept_in_use'], 'Media bytes: files deleted from the data folder, ids deleted at the provider (and failures, which expire there by themselves), media kept because someone else\'s message or invoice names it'),
    consent_tombstones: { ...s.integer, description: 'Consent states kept, one per purpose and number, the number replaced by a keyed hash (docs/data-protection.md, "Erase")' },
  },
  'What the erasure removed',
);

/**
 * `POST /api/v1/contacts/{id}/erase` (the report) and `DELETE /api/v1/contacts/{id}` (204):
 * the erasure of a person (issue 13, docs/data-protection.md "Erase").
 */
export function registerContactEraseRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'personEraser'>): void {
  app.post<{ Params: { id: string } }>(
    '/contacts/:id/erase',
    {
      onRequest: app.requireScope('contacts:write'),
      schema: {
        tags: ['contacts'],
        summary: "Erase a person: their contact, conversations, messages, media (here and at the provider), consent ledger (a hashed tombstone is kept), forms, leads, campaign rows, invoices, notifications, raw webhooks and event logs",
        params: idParams,
        response: responses({ 200: reportSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const report = await deps.personEraser.erase(principalOf(request).workspaceId, request.params.id);
      return report ?? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No contact ${request.params.id}.`);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/contacts/:id',
    {
      onRequest: app.requireScope('contacts:write'),
      schema: { tags: ['contacts'], summary: 'Delete a contact: the same erasure as POST /contacts/{id}/erase, without the report', params: idParams, response: responses({ 204: null, 404: ['CONVERSA_ERR_NOT_FOUND'] }) },
    },
    async (request, reply) => ((await deps.personEraser.erase(principalOf(request).workspaceId, request.params.id)) ? reply.code(204).send() : sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No contact ${request.params.id}.`)),
  );
}
