import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_MEDIA_BYTES } from '../../modules/media/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';
import { sendProviderError } from './provider-error.js';

const mediaSchema = s.object(
  {
    id: s.string,
    kind: { type: 'string', description: 'image, audio, video, document, sticker' },
    mime_type: s.string,
    size: { type: ['integer', 'null'] },
    sha256: s.nullableString,
    filename: s.nullableString,
    direction: { type: 'string', enum: ['in', 'out'] },
    status: { type: 'string', enum: ['ready', 'downloading', 'failed', 'expired'], description: "expired: received media whose bytes the workspace's retention deleted (GET /api/v1/retention)" },
    source_message_id: s.nullableString,
    created_at: s.dateTime,
    download: s.object({ attempts: s.integer, next_attempt_at: s.nullableDateTime, give_up_at: s.dateTime, last_error: s.nullableString }, 'Inbound media not yet stored: how the download goes'),
  },
  'Media in the library',
);

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/** Multipart limits: one file (the largest kind WhatsApp takes: documents, 100 MB) and a few small fields. */
const LIMITS = { fileSize: MAX_MEDIA_BYTES + 1, files: 1, fields: 5, fieldSize: 1024, parts: 6, headerPairs: 50 };

/**
 * `POST /api/v1/media` (multipart, field `file`), `GET /api/v1/media/{id}`,
 * `GET /api/v1/media/{id}/content`, `DELETE /api/v1/media/{id}`. Registers the multipart parser in its own scope.
 */
export async function registerMediaRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'media' | 'mediaRemoval'>): Promise<void> {
  await app.register(multipart, { limits: LIMITS });

  app.post(
    '/media',
    {
      onRequest: app.requireScope('messages:write'),
      schema: {
        summary: 'Upload a file to send as media',
        description:
          'multipart/form-data with a `file` part (and optionally a `filename` field). The type is sniffed from the bytes and checked against WhatsApp\'s types and size limits. Send the answered `id` as `{"type":"image","image":{"id":"med_..."}}`.',
        tags: ['media'],
        consumes: ['multipart/form-data'],
        response: responses({
          201: mediaSchema,
          413: ['CONVERSA_ERR_MEDIA_TOO_LARGE', 'CONVERSA_ERR_PAYLOAD_TOO_LARGE'],
          415: ['CONVERSA_ERR_MEDIA_UNSUPPORTED_TYPE', 'CONVERSA_ERR_UNSUPPORTED_MEDIA_TYPE'],
        }),
      },
    },
    async (request, reply) => receiveUpload(request, reply, deps, principalOf(request).workspaceId),
  );

  app.get<{ Params: { id: string } }>(
    '/media/:id',
    { onRequest: app.requireScope('messages:read'), schema: { summary: 'Media metadata (and the download progress of inbound media)', tags: ['media'], params: idParams, response: responses({ 200: mediaSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } },
    async (request, reply) => {
      const media = await deps.media.get(principalOf(request).workspaceId, request.params.id);
      return media ?? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No media ${request.params.id}.`);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/media/:id/content',
    { onRequest: app.requireScope('messages:read'), schema: {
        summary: 'The stored bytes of media',
        tags: ['media'],
        params: idParams,
        response: responses({ 200: s.file(['application/octet-stream'], "The bytes, with the media's own Content-Type"), 404: ['CONVERSA_ERR_NOT_FOUND'], 409: ['CONVERSA_ERR_MEDIA_NOT_READY'], 410: ['CONVERSA_ERR_MEDIA_EXPIRED'] }),
      },
    },
    async (request, reply) => {
      return sendMediaContent(reply, deps, principalOf(request).workspaceId, request.params.id);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/media/:id',
    {
      onRequest: app.requireScope('messages:write'),
      schema: {
        tags: ['media'],
        summary: 'Delete media here and at the provider',
        description:
          'Deletes the media at the provider where it was uploaded (Graph DELETE /{media-id}), then its record and stored bytes here. Refused (409) while a message not yet sent, or an invoice, names it.',
        params: idParams,
        response: responses({
          204: null,
          404: ['CONVERSA_ERR_NOT_FOUND'],
          409: ['CONVERSA_ERR_MEDIA_IN_USE'],
          422: ['CONVERSA_ERR_PROVIDER_REJECTED'],
          502: ['CONVERSA_ERR_PROVIDER_UNREACHABLE'],
        }),
      },
    },
    async (request, reply) => {
      const outcome = await deps.mediaRemoval.remove(principalOf(request).workspaceId, request.params.id);
      if (outcome.ok) return reply.code(204).send();
      if (outcome.reason === 'not_found') return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No media ${request.params.id}.`);
      if (outcome.reason === 'provider') return sendProviderError(reply, 'Deleting the media at the provider', outcome.result);
      return sendError(reply, 'CONVERSA_ERR_MEDIA_IN_USE', `Media ${request.params.id} is still named by ${[...outcome.messages.map((id) => `message ${id}`), ...outcome.invoices.map((id) => `invoice ${id}`)].join(', ')}.`, {
        media_id: request.params.id,
        message_ids: outcome.messages,
        invoice_ids: outcome.invoices,
        fix: 'Wait until those messages are sent (or DELETE /api/v1/messages/{id} to cancel them); media of an invoice stays with the invoice.',
      });
    },
  );
}

/** @fastify/multipart's limit and parse errors as the API's errors, naming the field. */
/** Reads a multipart upload (one part named `file`, an optional `filename`) into the media library: 201 with the media, or the refusal. */
export async function receiveUpload(request: FastifyRequest, reply: FastifyReply, deps: Pick<HttpDeps, 'media'>, workspaceId: string): Promise<FastifyReply> {
  if (!request.isMultipart()) {
      return sendError(reply, 'CONVERSA_ERR_UNSUPPORTED_MEDIA_TYPE', 'Send multipart/form-data with the file in a part named "file".', { field: 'file', rule: 'must be sent as multipart/form-data' });
    }
    let file: { data: Buffer; mimeType: string; filename: string | undefined } | undefined;
    let filename: string | undefined;
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file') {
            part.file.resume();
            return sendError(reply, 'CONVERSA_ERR_VALIDATION', `${part.fieldname}: unexpected file part; send the file in a part named "file"`, { field: part.fieldname, rule: 'only a part named "file" may carry a file' });
          }
          file = { data: await part.toBuffer(), mimeType: part.mimetype, filename: part.filename || undefined };
        } else if (part.fieldname === 'filename' && typeof part.value === 'string') {
          filename = part.value;
        }
      }
    } catch (error) {
      return multipartError(reply, error);
    }
    if (!file) return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'file: is required (a multipart part named "file")', { field: 'file', rule: 'is required' });
    const uploaded = await deps.media.upload(workspaceId, { data: file.data, declaredType: file.mimeType, filename: filename ?? file.filename });
    if (!uploaded.ok) {
      const { code, message, field, rule } = uploaded.error;
      return sendError(reply, code, message, { field, rule });
    }
    return reply.code(201).send(uploaded.media);
}

/** Answers the stored bytes of media of a workspace (404 unknown, 409 not ready), as a download that is never sniffed. */
export async function sendMediaContent(reply: FastifyReply, deps: Pick<HttpDeps, 'media'>, workspaceId: string, id: string): Promise<FastifyReply> {
  const found = await deps.media.content(workspaceId, id);
    if (!found.ok) {
      if (found.reason === 'expired') return sendError(reply, 'CONVERSA_ERR_MEDIA_EXPIRED', `Media ${id} was received more than the workspace's media_days ago: its bytes were deleted by the retention setting.`, { media_id: id, status: 'expired' });
      return found.reason === 'not_found'
        ? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No media ${id}.`)
        : sendError(reply, 'CONVERSA_ERR_MEDIA_NOT_READY', `Media ${id} is ${found.media?.status ?? 'not ready'}.`, { media_id: id, status: found.media?.status });
    }
    const { media, data } = found;
    const name = media.filename ?? media.id;
    return reply
      .header('content-type', media.mime_type)
      .header('content-length', data.length)
      .header('content-disposition', `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .header('x-content-type-options', 'nosniff')
      .header('etag', `"${media.sha256 ?? media.id}"`)
      .send(data);
}

function multipartError(reply: FastifyReply, error: unknown): FastifyReply {
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    return sendError(reply, 'CONVERSA_ERR_MEDIA_TOO_LARGE', `file: must be at most ${MAX_MEDIA_BYTES / (1024 * 1024)} MB (documents; images 5 MB, audio and video 16 MB)`, {
      field: 'file',
      rule: `must be at most ${MAX_MEDIA_BYTES} bytes`,
    });
  }
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return sendError(reply, 'CONVERSA_ERR_PAYLOAD_TOO_LARGE', 'body: send one file in a part named "file" and at most a "filename" field', { field: 'body', rule: 'one file and few fields' });
  }
  // Anything else thrown while reading the parts is the body's fault: busboy's "Unexpected end of
  // form", "Boundary not found", a malformed part header...
  const message = error instanceof Error ? error.message : String(error);
  return sendError(reply, 'CONVERSA_ERR_VALIDATION', `body: not valid multipart/form-data (${message})`, { field: 'body', rule: 'must be complete multipart/form-data with a boundary' });
}
