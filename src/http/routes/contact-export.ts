import type { FastifyInstance } from 'fastify';
import { spreadsheetBody, type SheetColumn } from '../../modules/forms/index.js';
import type { ContactView } from '../../modules/contacts/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { responses, schemas as s, sendDownload } from '../responses.js';

const FIXED: readonly SheetColumn[] = [
  { header: 'id', type: 'text' },
  { header: 'wa_id', type: 'text' },
  { header: 'phone', type: 'text' },
  { header: 'name', type: 'text' },
  { header: 'language', type: 'text' },
  { header: 'time_zone', type: 'text' },
  { header: 'tags', type: 'text' },
  { header: 'user_id', type: 'text' },
  { header: 'created_at', type: 'date_time' },
  { header: 'updated_at', type: 'date_time' },
];

/**
 * `GET /api/v1/contacts/export?format=xlsx|csv`: the contacts the list's filter (`tag`) selects,
 * streamed oldest first. One sheet `contacts`; dates as date cells; tags joined by commas; one
 * `attributes.<name>` text column per attribute name found. Scope `contacts:read`.
 */
export function registerContactExportRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'contacts' | 'clock'>): void {
  app.get<{ Querystring: { tag?: string; format?: 'xlsx' | 'csv'; delimiter?: ',' | ';' } }>(
    '/contacts/export',
    {
      onRequest: app.requireScope('contacts:read'),
      schema: {
        tags: ['contacts'],
        summary: 'Export contacts as XLSX or CSV, with the filters of the list',
        description:
          'Streamed as it is read, oldest first. Columns: id, wa_id, phone, name, language, time_zone, tags (comma-separated), user_id, created_at and updated_at (date cells, UTC), then attributes.<name> for every attribute name (text). CSV: UTF-8 with a BOM, RFC 4180, formulas neutralised. Holds the contacts created before the request.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            tag: { type: 'string', maxLength: 64, description: 'Only contacts with this tag' },
            format: { type: 'string', enum: ['xlsx', 'csv'], default: 'xlsx' },
            delimiter: { type: 'string', enum: [',', ';'], default: ',', description: 'CSV only' },
          },
        },
        response: responses({ 200: s.file(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv'], 'The export: an XLSX workbook or a CSV file (UTF-8 with a BOM)') }),
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      const now = deps.clock.now();
      const filter = { tag: request.query.tag || undefined, until: new Date(now.getTime() + 1).toISOString() };
      const attributes = await deps.contacts.exportAttributeNames(workspaceId, filter);
      const columns: SheetColumn[] = [...FIXED, ...attributes.map((name): SheetColumn => ({ header: `attributes.${name}`, type: 'text' }))];
      const pages = () => rowsOf(deps.contacts.exportRows(workspaceId, filter), attributes);
      const format = request.query.format ?? 'xlsx';
      const { contentType, body } = spreadsheetBody(format, { sheets: [{ name: 'contacts', columns, pages }], csv: { columns, pages } }, {
        delimiter: request.query.delimiter,
        created: now,
        onError: (error) => request.log.error({ err: error, workspaceId }, 'contacts export failed after it started'),
      });
      return sendDownload(reply, { contentType, filename: `contacts-${now.toISOString().slice(0, 10)}.${format}`, body });
    },
  );
}

async function* rowsOf(pages: AsyncIterable<ContactView[]>, attributes: readonly string[]): AsyncGenerator<unknown[][]> {
  for await (const page of pages) {
    yield page.map((contact) => [
      contact.id,
      contact.wa_id,
      contact.phone,
      contact.name,
      contact.language,
      contact.time_zone,
      contact.tags.join(', '),
      contact.user_id,
      contact.created_at,
      contact.updated_at,
      ...attributes.map((name) => (Object.hasOwn(contact.attributes, name) ? contact.attributes[name] : null)),
    ]);
  }
}
