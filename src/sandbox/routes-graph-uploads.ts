import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { replyGraphError, unknownObject, type GraphContext } from './graph-reply.js';
import { metaFailure } from './meta-errors.js';
import { isUploadSessionId, SANDBOX_APP, UPLOAD_MAX_BYTES } from './uploads.js';

type Body = Record<string, unknown>;

/**
 * Meta's Resumable Upload API (Graph API "Resumable Upload API"): `GET /app` (the token's app),
 * `POST /{app-id}/uploads` (a session), then `POST /{upload-session-id}` with the bytes and a
 * `file_offset` header (the handle once complete) and `GET /{upload-session-id}` (where to
 * resume). The session paths are `/:id` paths, answered by `answerUploadSession` from the
 * generic object routes.
 */
export async function registerGraphUploadRoutes(app: FastifyInstance, ctx: GraphContext): Promise<void> {
  const { engine } = ctx;

  // The upload step sends raw bytes with whatever content type the client picks (curl's
  // --data-binary says application/x-www-form-urlencoded, SDKs application/octet-stream, some
  // none): on an upload session path they are all taken as bytes. Nothing else takes bytes.
  app.addHook('onRequest', async (request) => {
    if (request.method === 'POST' && isUploadSessionId(firstSegment(request.url))) request.raw.headers['content-type'] = 'application/octet-stream';
  });
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: UPLOAD_MAX_BYTES }, (request, body, done) => {
    if (isUploadSessionId(firstSegment(request.url))) return done(null, body);
    return done(Object.assign(new Error('Unsupported Media Type: application/octet-stream'), { statusCode: 415 }), undefined);
  });

  app.get('/app', async () => ({ ...SANDBOX_APP }));

  app.post<{ Params: { id: string }; Body: Body | undefined }>('/:id/uploads', async (request, reply) => {
    const id = request.params.id;
    if (id !== SANDBOX_APP.id && id !== 'app') return replyGraphError(reply, unknownObject(id, 'POST'));
    // Meta's examples pass the parameters in the query string; a JSON body works too.
    const created = engine.uploads.create({ ...(request.query as Body), ...(isPlainBody(request.body) ? request.body : {}) }, engine.state.app.appSecret);
    return 'code' in created ? replyGraphError(reply, created) : created;
  });
}

/**
 * `GET`/`POST /{upload-session-id}` when the id names an upload session (`upload:…`); answers
 * undefined for any other id, so the generic object routes go on.
 */
export function answerUploadSession(ctx: GraphContext, request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<unknown> | undefined {
  const id = request.params.id;
  if (!isUploadSessionId(id)) return undefined;
  const { engine } = ctx;
  const secret = engine.state.app.appSecret;
  const sig = (request.query as { sig?: unknown }).sig;
  const session = engine.uploads.find(id, typeof sig === 'string' ? sig : undefined, secret);
  if (!session) return Promise.resolve(replyGraphError(reply, unknownObject(id, request.method)));
  if (request.method === 'GET') return Promise.resolve(engine.uploads.status(session));
  // Meta: "You must include the access token in the header or the call will fail."
  if (!request.headers.authorization) {
    return Promise.resolve(replyGraphError(reply, metaFailure(104, 'The upload step needs the access token in the Authorization header (Authorization: OAuth <token>), not in the query string.')));
  }
  const header = request.headers.file_offset;
  if (header === undefined) return Promise.resolve(replyGraphError(reply, metaFailure(131008, 'file_offset: the header is required (0 for a new upload; GET /{upload-session-id} answers where to resume)')));
  const offset = typeof header === 'string' && /^\d+$/.test(header.trim()) ? Number(header.trim()) : Number.NaN;
  if (!Number.isSafeInteger(offset)) return Promise.resolve(replyGraphError(reply, metaFailure(100, 'file_offset: must be a byte offset (a whole number)')));
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const answer = engine.uploads.append(session, offset, body, secret, engine.clock.now());
  return Promise.resolve('code' in answer ? replyGraphError(reply, answer) : answer);
}

function firstSegment(url: string): string {
  const segment = (url.split('?')[0] ?? '').split('/').find(Boolean) ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function isPlainBody(body: unknown): body is Body {
  return typeof body === 'object' && body !== null && !Buffer.isBuffer(body);
}
