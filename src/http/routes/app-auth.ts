import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, normaliseEmail, PRESENCES, type LoginThrottle, type Sessions, type Users } from '../../modules/users/index.js';
import type { Assignment } from '../../modules/agent-inbox/index.js';
import type { RealtimeHub } from '../../modules/realtime/index.js';
import { sendError } from '../errors.js';
import { clientKey } from '../rate-limit.js';
import { clearSessionCookie, cookieOf, lookupSession, setSessionCookie, viewerOf } from '../session.js';
import { parseInput, sendBodyError } from '../zod-input.js';

export interface AppAuthDeps {
  users: Users;
  sessions: Sessions;
  /** Failed sign-ins per e-mail and address (one per server; tests reach it to reset). */
  loginThrottle: LoginThrottle;
  /** Automatic assignment, told when a person comes online (optional: absent, nothing is assigned). */
  assignment?: Pick<Assignment, 'agentAvailable'>;
  /** The inbox's live feed, told when a person's presence changes (optional: absent, nobody is told). */
  realtime?: Pick<RealtimeHub, 'presence'>;
}

const loginBody = z.object({
  // Any text: an unknown e-mail answers like a wrong password, so its shape is not checked here.
  email: z.string({ invalid_type_error: 'must be a string' }).min(1, 'must not be empty').max(320, 'must be at most 320 characters'),
  password: z.string({ invalid_type_error: 'must be a string' }).min(1, 'must not be empty').max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`),
}).strict();

/** A password a person chooses: 10 to 256 characters, not only spaces. */
export const newPassword = z
  .string({ invalid_type_error: 'must be a string' })
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`)
  .refine((value) => value.trim().length > 0, 'must not be only spaces');

const passwordBody = z.object({ current_password: z.string({ invalid_type_error: 'must be a string' }).max(MAX_PASSWORD_LENGTH), new_password: newPassword }).strict();

/** A person's name: 1 to 200 characters with something visible. */
export const personName = z.string({ invalid_type_error: 'must be a string' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

const meBody = z
  .object({ name: personName.optional(), presence: z.enum(PRESENCES, { errorMap: () => ({ message: `must be one of ${PRESENCES.join(', ')}` }) }).optional() })
  .strict();

/**
 * Signing in and out of the agent inbox, and a person's own account:
 * `POST/GET/DELETE /app/api/session`, `POST /app/api/me/password`, `PATCH /app/api/me`.
 */
export function registerAppAuthRoutes(app: FastifyInstance, deps: AppAuthDeps): void {
  app.post('/session', async (request, reply) => {
    const body = parseInput(reply, 'body', loginBody, request.body);
    if (!body) return reply;
    const email = normaliseEmail(body.email);
    const address = clientKey(request.ip);
    // A sign-in attempt is recorded in the audit log even without a session: with the account
    // once the e-mail is known to be one, else with none (the typed e-mail is not kept: people
    // type passwords into the wrong field), never with the password.
    request.auditActor = { type: 'user', id: null, label: null, workspaceId: null };
    const allowed = deps.loginThrottle.check(email, address);
    if (!allowed.ok) {
      request.log.warn({ address }, 'sign-in refused: too many failed attempts');
      reply.header('retry-after', String(allowed.retryAfterSeconds));
      return sendError(reply, 'CONVERSA_ERR_RATE_LIMITED', 'Too many failed sign-ins for this e-mail or from this address; wait for the Retry-After seconds.', { retry_after_seconds: allowed.retryAfterSeconds });
    }
    const outcome = await deps.users.authenticate(email, body.password);
    if (!outcome.ok) {
      if (outcome.user) request.auditActor = { type: 'user', id: outcome.user.id, label: outcome.user.email, workspaceId: outcome.user.workspaceId };
      deps.loginThrottle.fail(email, address);
      request.log.info({ address }, 'sign-in failed');
      return sendError(reply, 'CONVERSA_ERR_LOGIN_FAILED');
    }
    request.auditActor = { type: 'user', id: outcome.userId, label: outcome.email, workspaceId: outcome.workspaceId };
    deps.loginThrottle.succeed(email);
    const session = await deps.sessions.create(outcome.userId);
    setSessionCookie(request, reply, session.token);
    request.log.info({ userId: outcome.userId, workspaceId: outcome.workspaceId }, 'signed in');
    return { user: await selfView(deps, outcome.userId), csrf_token: session.csrfToken };
  });

  app.get('/session', async (request, reply) => {
    const found = await lookupSession(request);
    if (!found) return sendError(reply, 'CONVERSA_ERR_UNAUTHENTICATED', 'Not signed in.');
    return { user: await selfView(deps, found.viewer.userId), csrf_token: deps.sessions.csrfTokenOf(found.session.token) };
  });

  // Signing out needs the CSRF token (a third-party page must not sign people out); without a
  // live session it only clears the cookie.
  app.delete('/session', async (request, reply) => {
    const found = await lookupSession(request);
    if (found) {
      const guard = app.requireUser({ allowPasswordChange: true });
      await guard(request, reply);
      if (reply.sent) return reply;
      await deps.sessions.revoke(cookieOf(request));
      request.log.info({ userId: found.viewer.userId }, 'signed out');
    }
    clearSessionCookie(request, reply);
    return reply.code(204).send();
  });

  app.post('/me/password', { onRequest: app.requireUser({ allowPasswordChange: true }) }, async (request, reply) => {
    const body = parseInput(reply, 'body', passwordBody, request.body);
    if (!body) return reply;
    const viewer = viewerOf(request);
    const changed = await deps.users.changePassword(viewer.userId, body.current_password, body.new_password, request.userSession?.id);
    if (!changed.ok) return sendBodyError(reply, changed.error);
    request.log.info({ userId: viewer.userId }, 'password changed');
    return { user: await selfView(deps, viewer.userId) };
  });

  app.patch('/me', { onRequest: app.requireUser() }, async (request, reply) => {
    const body = parseInput(reply, 'body', meBody, request.body);
    if (!body) return reply;
    const viewer = viewerOf(request);
    await deps.users.updateSelf(viewer.userId, { ...(body.name !== undefined ? { name: body.name } : {}), ...(body.presence !== undefined ? { presence: body.presence } : {}) });
    // Coming online: the oldest conversations waiting in their teams' queues are theirs (automatic assignment).
    if (body.presence === 'online') await deps.assignment?.agentAvailable(viewer.workspaceId, viewer.userId);
    if (body.presence !== undefined) await deps.realtime?.presence(viewer.workspaceId, { user_id: viewer.userId, presence: body.presence, name: body.name ?? viewer.name });
    return { user: await selfView(deps, viewer.userId) };
  });
}

async function selfView(deps: AppAuthDeps, userId: string): Promise<Awaited<ReturnType<Users['self']>>> {
  return deps.users.self(userId);
}

