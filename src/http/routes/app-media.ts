import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { MAX_MEDIA_BYTES } from '../../modules/media/index.js';
import type { HttpDeps } from '../deps.js';
import { viewerOf } from '../session.js';
import { receiveUpload, sendMediaContent } from './media.js';

const LIMITS = { fileSize: MAX_MEDIA_BYTES + 1, files: 1, fields: 5, fieldSize: 1024, parts: 6, headerPairs: 50 };

/**
 * Media for the agent inbox (signed-in people, the session's workspace): `POST /app/api/media`
 * uploads an attachment the composer then sends by its `med_` id, `GET /app/api/media/{id}/content`
 * answers the bytes the conversation shows (images, players, documents). The same library and
 * rules as `/api/v1/media` (docs/media.md). Registers the multipart parser in its own scope.
 */
export async function registerAppMediaRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'media'>): Promise<void> {
  await app.register(multipart, { limits: LIMITS });
  const signedIn = { onRequest: app.requireUser(), schema: { hide: true } };
  app.post('/media', signedIn, async (request, reply) => receiveUpload(request, reply, deps, viewerOf(request).workspaceId));
  app.get<{ Params: { id: string } }>('/media/:id/content', signedIn, async (request, reply) => sendMediaContent(reply, deps, viewerOf(request).workspaceId, request.params.id.slice(0, 64)));
}
