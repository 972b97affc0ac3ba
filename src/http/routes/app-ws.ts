import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { CLOSE_TOO_SLOW, parseClientFrame, type RealtimeHub, type Subscription } from '../../modules/realtime/index.js';
import type { Viewer } from '../../modules/users/index.js';
import { sendError } from '../errors.js';

export interface AppWsDeps {
  realtime: RealtimeHub;
  /** The signed-in person of the session cookie, or null (src/http/session.ts `viewerFromCookie`). */
  viewerFromCookie: (request: FastifyRequest) => Promise<Viewer | null>;
  /** CONVERSA_PUBLIC_URL: its origin is accepted beside the request's own host. */
  publicUrl: string;
}

export interface AppWsOptions {
  /** Bytes a connection may have waiting to be sent before it is closed as too slow (default 1 MiB). */
  maxBufferedBytes?: number;
  /** Open connections per person on one node (default 10). */
  maxConnectionsPerUser?: number;
}

const AFTER = /^[0-9]{1,15}$/;

/**
 * `GET /app/ws?after=<last event id>`: the inbox's WebSocket (docs/inbox.md, "Real time").
 * Checked before the upgrade, answered as HTTP errors: the query (`after`: 400), the Origin
 * (a page of another site may not open it with the user's cookie: 403), the session cookie
 * (401), the number of connections of the person on this node (429).
 */
export async function registerAppWsRoutes(app: FastifyInstance, deps: AppWsDeps, options: AppWsOptions = {}): Promise<void> {
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const maxPerUser = options.maxConnectionsPerUser ?? 10;
  // Browsers send small frames (typing, ping): anything bigger is not one of ours.
  await app.register(websocket, { options: { maxPayload: 4096 } });

  app.get<{ Querystring: { after?: string } }>(
    '/app/ws',
    {
      websocket: true,
      preValidation: async (request, reply) => {
        const after = request.query.after;
        if (after !== undefined && (typeof after !== 'string' || !AFTER.test(after))) {
          return sendError(reply, 'CONVERSA_ERR_VALIDATION', 'after: must be the id of the last event received (digits)', { field: 'after', rule: 'must be a non-negative integer of at most 15 digits' });
        }
        if (!sameOrigin(request, deps.publicUrl)) {
          return sendError(reply, 'CONVERSA_ERR_FORBIDDEN', 'Origin: the WebSocket opens only from the platform\'s own pages', { field: 'origin', rule: 'must be the origin of the page served by this platform' });
        }
        const viewer = await deps.viewerFromCookie(request);
        if (!viewer) return sendError(reply, 'CONVERSA_ERR_UNAUTHENTICATED', 'Sign in first: the WebSocket needs the session cookie.');
        if (deps.realtime.connectionsOf(viewer.userId) >= maxPerUser) {
          return sendError(reply, 'CONVERSA_ERR_TOO_MANY_CONNECTIONS', `At most ${maxPerUser} open connections per person; close a tab.`, { limit: maxPerUser });
        }
        request.wsViewer = viewer;
        return undefined;
      },
    },
    async (socket, request) => {
      const viewer = request.wsViewer as Viewer;
      const after = request.query.after === undefined ? undefined : Number(request.query.after);
      let subscription: Subscription | undefined;
      let closed = false;
      socket.on('close', () => {
        closed = true;
        subscription?.end();
      });
      socket.on('error', () => socket.terminate());
      socket.on('message', (raw, binary) => {
        if (binary) return;
        const frame = parseClientFrame(raw.toString());
        if (!frame) return;
        if (frame.type === 'ping') send(socket, '{"type":"pong"}', maxBuffered);
        else void deps.realtime.typing(viewer, frame.conversation_id).catch((error: unknown) => request.log.warn({ err: error }, 'realtime: typing not published'));
      });
      try {
        subscription = await deps.realtime.subscribe(
          {
            viewer,
            send: (text) => send(socket, text, maxBuffered),
            close: (code, reason) => socket.close(code, reason),
          },
          after,
        );
      } catch (error) {
        request.log.error({ err: error }, 'realtime: subscribing failed');
        socket.close(1011, 'try again');
        return;
      }
      if (closed) subscription.end();
    },
  );
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The viewer checked before the WebSocket upgrade of `/app/ws`. */
    wsViewer?: Viewer;
  }
}

/** Sends a frame, or closes a connection that cannot keep up (its browser resumes with `after`). */
function send(socket: WebSocket, text: string, maxBuffered: number): void {
  if (socket.readyState !== socket.OPEN) return;
  if (socket.bufferedAmount > maxBuffered) {
    socket.close(CLOSE_TOO_SLOW, 'too slow: reconnect with after');
    return;
  }
  socket.send(text);
}

/**
 * Cross-site WebSocket hijacking: browsers send the cookie with any page's upgrade, and no CORS
 * check applies, so the page's Origin must be this platform (the request's Host, or the public URL).
 */
function sameOrigin(request: FastifyRequest, publicUrl: string): boolean {
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  try {
    if (parsed.origin === new URL(publicUrl).origin) return true;
    return parsed.host === new URL(`${parsed.protocol}//${request.host}`).host;
  } catch {
    return false;
  }
}
