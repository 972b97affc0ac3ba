import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role, Sessions, Users, Viewer } from '../modules/users/index.js';
import { sendError } from './errors.js';

/** The session cookie of the agent inbox. */
export const SESSION_COOKIE = 'conversa_session';
/** The header unsafe requests carry the session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The session behind a request that ran `requireUser` (for sign-out and password changes). */
export interface RequestSession {
  /** `user_sessions.id`. */
  id: string;
  /** The cookie's token (never logged, never stored). */
  token: string;
  mustChangePassword: boolean;
}

export interface RequireUserOptions {
  /** Roles admitted (default: every role). */
  roles?: readonly Role[];
  /**
   * Admit a person who still has a one-time password (default false: they get 403
   * CONVERSA_ERR_PASSWORD_CHANGE_REQUIRED until they choose their own). Only the session and
   * password routes set it.
   */
  allowPasswordChange?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person, set by `app.requireUser()`; read it with `viewerOf(request)`. */
    viewer: Viewer | null;
    userSession: RequestSession | null;
  }
  interface FastifyInstance {
    /**
     * An `onRequest` hook for the routes of the agent inbox (`/app/api/...`): 401
     * CONVERSA_ERR_UNAUTHENTICATED without a live session cookie; 403 CONVERSA_ERR_CSRF on
     * POST/PUT/PATCH/DELETE without the session's `x-csrf-token`; 403 CONVERSA_ERR_FORBIDDEN for
     * a role not in `roles`; 403 CONVERSA_ERR_PASSWORD_CHANGE_REQUIRED while the person has a
     * one-time password. Sets `request.viewer`.
     *
     * @example app.get('/app/api/users', { onRequest: app.requireUser({ roles: ['admin'] }) }, handler)
     */
    requireUser(options?: RequireUserOptions): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /** The session services behind `requireUser` and `viewerFromCookie`. */
    userAuth: UserAuth;
  }
}

/** What the session layer needs from the users module. */
export interface UserAuth {
  users: Pick<Users, 'viewer'>;
  sessions: Pick<Sessions, 'resolve' | 'checkCsrf' | 'csrfTokenOf'>;
}

/**
 * Cookie sessions of the agent inbox: registers @fastify/cookie and decorates `requireUser`.
 * Install once, on the root instance, before the routes. API keys (`requireScope`) stay for
 * machines; the two never mix: a session cookie does not open `/api/v1`, an API key does not
 * open `/app/api`.
 */
export async function installSessions(app: FastifyInstance, auth: UserAuth): Promise<void> {
  await app.register(fastifyCookie);
  app.decorate('userAuth', auth);
  app.decorateRequest('viewer', null);
  app.decorateRequest('userSession', null);
  app.decorate('requireUser', (options: RequireUserOptions = {}) => async (request: FastifyRequest, reply: FastifyReply) => {
    const found = await lookupSession(request);
    if (!found) {
      await sendError(reply, 'CONVERSA_ERR_UNAUTHENTICATED', 'Sign in first: no live session (the conversa_session cookie is missing, expired or signed out).');
      return;
    }
    // Known from here on: a refused CSRF token or role is recorded in the audit log as denied.
    request.auditActor = { type: 'user', id: found.viewer.userId, label: found.viewer.email, workspaceId: found.viewer.workspaceId };
    if (UNSAFE_METHODS.has(request.method) && !auth.sessions.checkCsrf(found.session.token, headerOf(request, CSRF_HEADER))) {
      await sendError(reply, 'CONVERSA_ERR_CSRF', undefined, { header: CSRF_HEADER });
      return;
    }
    if (options.roles && !options.roles.includes(found.viewer.role)) {
      await sendError(reply, 'CONVERSA_ERR_FORBIDDEN', `This needs the role ${options.roles.join(' or ')}; you are ${found.viewer.role}.`, { roles: [...options.roles], role: found.viewer.role });
      return;
    }
    if (found.session.mustChangePassword && !options.allowPasswordChange) {
      await sendError(reply, 'CONVERSA_ERR_PASSWORD_CHANGE_REQUIRED');
      return;
    }
    request.viewer = found.viewer;
    request.userSession = found.session;
  });
}

/** The signed-in person of a route that ran `app.requireUser()`. */
export function viewerOf(request: FastifyRequest): Viewer {
  if (!request.viewer) throw new Error('viewerOf() called on a route without app.requireUser()');
  return request.viewer;
}

/** The live session of a request's cookie and its person (no CSRF or role check), or null. */
export async function lookupSession(request: FastifyRequest): Promise<{ viewer: Viewer; session: RequestSession } | null> {
  const token = cookieOf(request);
  if (!token) return null;
  const { users, sessions } = request.server.userAuth;
  const session = await sessions.resolve(token);
  if (!session) return null;
  const found = await users.viewer(session.userId);
  if (!found) return null;
  const { mustChangePassword, ...viewer } = found;
  return { viewer, session: { id: session.id, token, mustChangePassword } };
}

/**
 * The signed-in person of a request's session cookie, or null: for the WebSocket upgrade, which
 * carries no CSRF header (the WebSocket route checks Origin instead). A person who still has a
 * one-time password gets null, as from `requireUser`.
 */
export async function viewerFromCookie(request: FastifyRequest): Promise<Viewer | null> {
  const found = await lookupSession(request);
  if (!found || found.session.mustChangePassword) return null;
  return found.viewer;
}

/** The session cookie's token of a request ('' when absent). */
export function cookieOf(request: FastifyRequest): string {
  const parsed = request.cookies?.[SESSION_COOKIE];
  if (parsed !== undefined) return parsed;
  const header = request.headers.cookie;
  return header ? (request.server.parseCookie(header)[SESSION_COOKIE] ?? '') : '';
}

/**
 * Sets the session cookie: HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site
 * POSTs), Path=/, and Secure when the request came over https (directly, or through a proxy
 * named by CONVERSA_TRUST_PROXY that sets X-Forwarded-Proto). No Max-Age: it ends with the
 * browser, and the server ends it after 12 h idle (see docs/inbox.md).
 */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', secure: request.protocol === 'https' });
}

/** Clears the session cookie in the browser. */
export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/', secure: request.protocol === 'https' });
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
