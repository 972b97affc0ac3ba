import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MediaInfoResponse } from '../whatsapp/wire.js';
import type { SandboxEngine } from './engine.js';
import { MEDIA_RULES, contentMatches, mediaKindOf, type MediaItem } from './media-store.js';
import { metaFailure } from './meta-errors.js';
import { replyGraphError, unknownObject, type GraphContext } from './graph-reply.js';

const UPLOAD_TTL_MS = 30 * 24 * 3600 * 1000;

/** Media upload, the five-minute download URL, and the download itself. */
export async function registerGraphMediaRoutes(app: FastifyInstance, ctx: GraphContext): Promise<void> {
  app.post<{ Params: { id: string }; Querystring: { messaging_product?: string } }>('/:id/media', async (request, reply) => {
    const number = ctx.engine.state.phoneNumbers.get(request.params.id);
    if (!number) return replyGraphError(reply, unknownObject(request.params.id, 'POST'));
    if (!request.isMultipart()) {
      return replyGraphError(reply, metaFailure(100, 'file: the upload must be multipart/form-data with a "file" part'));
    }
    const fields: Record<string, string> = {};
    let file: { data: Buffer; mimeType: string; filename: string | undefined } | undefined;
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        file = { data: await part.toBuffer(), mimeType: part.mimetype, filename: part.filename || undefined };
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
    const product = fields.messaging_product ?? request.query.messaging_product;
    if (!product) return replyGraphError(reply, metaFailure(131008, 'messaging_product: the parameter messaging_product is required'));
    if (product !== 'whatsapp') return replyGraphError(reply, metaFailure(100, 'messaging_product: must be "whatsapp"'));
    if (!file) return replyGraphError(reply, metaFailure(131008, 'file: the parameter file is required'));
    const mimeType = (fields.type || file.mimeType || '').split(';')[0]?.trim().toLowerCase() ?? '';
    const kind = mediaKindOf(mimeType);
    if (!kind) {
      return replyGraphError(reply, metaFailure(100, `type: ${mimeType || '(none)'} is not a supported media type; see the Cloud API supported media types`));
    }
    const rule = MEDIA_RULES[kind];
    if (file.data.length === 0) return replyGraphError(reply, metaFailure(131053, 'file: the file is empty'));
    if (file.data.length > rule.maxBytes) {
      return replyGraphError(reply, metaFailure(131053, `file: ${kind} files may be at most ${rule.maxBytes} bytes; this one has ${file.data.length}`));
    }
    if (!contentMatches(mimeType, file.data)) {
      return replyGraphError(reply, metaFailure(131053, `file: the content is not a valid ${mimeType} file`));
    }
    const item = ctx.engine.media.put({
      phoneNumberId: number.id,
      mimeType,
      data: file.data,
      ...(file.filename ? { filename: file.filename } : {}),
      expiresAt: ctx.engine.clock.now() + UPLOAD_TTL_MS,
    });
    return { id: item.id };
  });

  app.get<{ Querystring: { mid?: string; exp?: string; hash?: string } }>('/whatsapp_business/attachments/', async (request, reply) => {
    const resolved = ctx.engine.media.resolveUrl(request.query, ctx.engine.clock.now());
    if (resolved === 'expired') {
      return reply.code(404).send(metaFailureBody('The media URL has expired (they last 5 minutes); call GET /{media-id} for a new one.'));
    }
    if (resolved === 'invalid') return reply.code(404).send(metaFailureBody('The media URL is not valid.'));
    return reply
      .header('content-type', resolved.mimeType)
      .header('content-length', resolved.size)
      .header('content-disposition', `attachment; filename="${(resolved.filename ?? `${resolved.id}`).replace(/"/g, '')}"`)
      .send(resolved.data);
  });
}

/** `GET /{media-id}`: the media's metadata with a URL valid for five minutes. */
export function mediaInfo(engine: SandboxEngine, request: FastifyRequest, item: MediaItem): MediaInfoResponse {
  return {
    messaging_product: 'whatsapp',
    url: engine.media.signedUrl(`${request.protocol}://${request.host}`, item, engine.clock.now()),
    mime_type: item.mimeType,
    sha256: item.sha256,
    file_size: String(item.size),
    id: item.id,
  };
}

function metaFailureBody(details: string): object {
  return { error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100, error_data: { details } } };
}
