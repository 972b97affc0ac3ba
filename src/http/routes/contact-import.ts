import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { importContacts, isPhoneCountry } from '../../modules/contacts/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';

/** The largest CSV accepted, raw or as a multipart file. */
export const CONTACT_IMPORT_LIMIT_BYTES = 20 * 1024 * 1024;

const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'];

const importQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    default_country: { type: 'string', pattern: '^[A-Za-z]{2}$', description: 'ISO country for numbers written without a country code, e.g. BR' },
    consent_text: { type: 'string', minLength: 1, maxLength: 4096, description: 'Consent text for marketing_opt_in=yes rows without a consent_text column value (must name the business)' },
    encoding: { type: 'string', enum: ['utf-8', 'windows-1252'], description: 'Default: UTF-8, or windows-1252 when the bytes are not UTF-8' },
  },
} as const;

interface ImportQuery {
  default_country?: string;
  consent_text?: string;
  encoding?: 'utf-8' | 'windows-1252';
}

/**
 * `POST /api/v1/contacts/import`: a contacts CSV as the raw body (`text/csv`) or as the
 * multipart field `file`. Registers @fastify/multipart and the CSV body parser on `app`:
 * give it a scope of its own, so that no other route sees them.
 */
export async function registerContactImportRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'contacts' | 'consent' | 'database'>): Promise<void> {
  await app.register(multipart, { limits: { fileSize: CONTACT_IMPORT_LIMIT_BYTES, parts: 20, fields: 10, fieldSize: 64 * 1024 } });
  app.addContentTypeParser(CSV_TYPES, { parseAs: 'buffer', bodyLimit: CONTACT_IMPORT_LIMIT_BYTES }, (_request, body, done) => done(null, body));

  app.post<{ Querystring: ImportQuery }>(
    '/contacts/import',
    {
      onRequest: app.requireScope('contacts:write'),
      bodyLimit: CONTACT_IMPORT_LIMIT_BYTES,
      schema: {
        tags: ['contacts'],
        summary: 'Import contacts from a CSV file (up to 20 MB)',
        description: [
          'Send the CSV as the body with `Content-Type: text/csv`, or as the multipart/form-data field `file`.',
          'Columns: phone (or telefone, whatsapp, celular), name (nome), language, time_zone, tags, marketing_opt_in, consent_text, consent_source; others become attributes. `;` or `,`.',
          'Answers 200 with counts and every rejected row `{line, field, reason}`; valid rows are imported even when others are not.',
        ].join('\n'),
        consumes: ['text/csv', 'multipart/form-data'],
        querystring: importQuery,
        response: responses({
          200: s.object(
            {
              import_id: { type: 'string', description: "Recorded in each consent's proof" },
              imported: s.integer,
              created: s.integer,
              updated: s.integer,
              duplicates_merged: s.integer,
              rejected: { type: 'array', items: s.object({ line: s.integer, field: s.string, reason: s.string }) },
              rejected_count: s.integer,
              rejected_truncated: s.boolean,
              consents: s.object({ opted_in: s.integer, opted_out: s.integer, unchanged: s.integer }),
              encoding: { type: 'string', enum: ['utf-8', 'windows-1252'] },
            },
            'Counts and every rejected row',
          ),
        }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const query = request.query;
      const country = query.default_country?.toUpperCase();
      if (country !== undefined && !isPhoneCountry(country)) {
        return sendError(reply, 'CONVERSA_ERR_VALIDATION', `querystring.default_country: "${country}" is not a country code the phone metadata knows`, {
          field: 'querystring.default_country',
          rule: 'must be an ISO 3166-1 alpha-2 country code such as BR',
        });
      }
      const upload = request.isMultipart() ? await readMultipartFile(request) : Buffer.isBuffer(request.body) ? { bytes: request.body } : undefined;
      if (!upload) {
        return sendError(reply, 'CONVERSA_ERR_UNSUPPORTED_MEDIA_TYPE', "Send the CSV as the body with Content-Type: text/csv (curl --data-binary @contacts.csv -H 'content-type: text/csv'), or as the multipart/form-data field \"file\".");
      }
      if ('error' in upload) {
        if (upload.error === 'too_large') return sendError(reply, 'CONVERSA_ERR_PAYLOAD_TOO_LARGE', 'The CSV is over 20 MB; split it into several files.');
        if (upload.error === 'malformed') return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'body: not valid multipart/form-data', { field: 'body', rule: 'must be complete multipart/form-data with a boundary' });
        return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'file: is required: send the CSV in the multipart field "file"', { field: 'file', rule: 'is required' });
      }
      if (upload.bytes.length === 0) return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'body: the CSV is empty', { field: 'body', rule: 'must not be empty' });
      return importContacts(
        { db: deps.database.db, contacts: deps.contacts, consent: deps.consent },
        {
          workspaceId: principal.workspaceId,
          actor: `api_key:${principal.keyId}`,
          bytes: upload.bytes,
          defaultCountry: country,
          consentText: query.consent_text,
          encoding: query.encoding,
          fileName: upload.fileName,
        },
      );
    },
  );
}

type Upload = { bytes: Buffer; fileName?: string } | { error: 'too_large' | 'missing' | 'malformed' };

// The first file part named "file", buffered (the importer needs to know the encoding before
// it reads, and a too-large upload must fail before any row is written). Other parts are drained.
async function readMultipartFile(request: FastifyRequest): Promise<Upload> {
  let found: { bytes: Buffer; fileName?: string } | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type !== 'file') continue;
      if (part.fieldname === 'file' && !found) found = { bytes: await part.toBuffer(), ...(part.filename ? { fileName: part.filename.slice(0, 256) } : {}) };
      else part.file.resume();
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT') return { error: 'too_large' };
    // Anything else is the body's fault: a truncated form, no boundary, a malformed part header.
    return { error: 'malformed' };
  }
  return found ?? { error: 'missing' };
}
