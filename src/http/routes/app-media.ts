import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { MAX_MEDIA_BYTES } from '../../modules/media/index.js';
import type { HttpDeps } from '../deps.js';
import { viewerOf } from '../session.js';
import { sendError } from '../errors.js';
import { receiveUpload, sendMediaContent } from './media.js';

const LIMITS = { fileSize: MAX_MEDIA_BYTES + 1, files: 1, fields: 5, fieldSize: 1024, parts: 6, headerPairs: 50 };

/**
 * Media for the agent inbox (signed-in people, the session's workspace): `POST /app/api/media`
 * uploads an attachment the composer then sends by its `med_` id, `GET /app/api/media/{id}/content`
 * answers the bytes the conversation shows (images, players, documents). The same library and
 * rules as `/api/v1/media` (docs/media.md); an agent reads only the media of conversations they
 * may see (`AgentInbox.mayReadMedia`). Registers the multipart parser in its own scope.
 */
export async function registerAppMediaRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'media' | 'agentInbox'>): Promise<void> {
  await app.register(multipart, { limits: LIMITS });
  const signedIn = { onRequest: app.requireUser(), schema: { hide: true } };
  app.post('/media', signedIn, async (request, reply) => receiveUpload(request, reply, deps, viewerOf(request).workspaceId));
  app.get<{ Params: { id: string } }>('/media/:id/content', signedIn, async (request, reply) => {
    const viewer = viewerOf(request);
    const id = request.params.id.slice(0, 64);
    // An agent reads only what was received in, or sent to, a conversation they may see.
    if (!(await deps.agentInbox.mayReadMedia(viewer, id))) return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No media ${id}.`);
    return sendMediaContent(reply, deps, viewer.workspaceId, id);
  });
}
