import type { FastifyInstance } from 'fastify';
import { exportPerson } from '../../modules/privacy/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { responses, schemas as s, sendDownload } from '../responses.js';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/**
 * `GET /api/v1/contacts/{id}/export`: the right of access. One ZIP with everything held about
 * the person (README.txt, person.json, summary.html, messages.csv, media/), streamed as it is
 * read. Scope `contacts:read`. docs/data-protection.md describes the archive.
 */
export function registerPersonExportRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'personData' | 'media' | 'clock'>): void {
  app.get<{ Params: { id: string } }>(
    '/contacts/:id/export',
    {
      onRequest: app.requireScope('contacts:read'),
      schema: {
        tags: ['contacts'],
        summary: 'Export everything held about one person (right of access) as a ZIP',
        description:
          'A ZIP streamed as it is read: README.txt (what each file is), person.json (everything, machine-readable: contact and former numbers, blocks, consent ledger with proofs and current state, conversations with owner changes, labels, internal notes and bot session, form submissions, survey answers, leads, campaign recipient rows, notifications, invoices sent to the person, group participations, media list, messages with statuses and costs), summary.html (the same for a person to read; no script), messages.csv, media/<media id>.<ext> (the bytes of every file the person sent or was sent).',
        params: idParams,
        response: responses({ 200: s.file(['application/zip'], 'The archive'), 404: ['CONVERSA_ERR_NOT_FOUND'] }),
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      const archive = await exportPerson({ personData: deps.personData, media: deps.media, now: () => deps.clock.now() }, workspaceId, request.params.id, (error) =>
        request.log.error({ err: error, workspaceId, contactId: request.params.id }, 'person export failed after it started'),
      );
      if (!archive) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No contact ${request.params.id}.`);
      return sendDownload(reply, { contentType: 'application/zip', filename: `contact-${request.params.id}.zip`, body: archive });
    },
  );
}
