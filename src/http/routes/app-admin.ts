import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ROLES, type Teams, type Users } from '../../modules/users/index.js';
import { sendError } from '../errors.js';
import { viewerOf } from '../session.js';
import { parseInput, sendBodyError } from '../zod-input.js';
import { personName } from './app-auth.js';

export interface AppAdminDeps {
  users: Users;
  teams: Teams;
}

const role = z.enum(ROLES, { errorMap: () => ({ message: `must be one of ${ROLES.join(', ')}` }) });
const capacity = z.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100');
const active = z.boolean({ invalid_type_error: 'must be true or false' });
const ids = (what: string) => z.array(z.string({ invalid_type_error: `must be ${what} ids` }).max(100), { invalid_type_error: `must be an array of ${what} ids` }).max(100, 'must hold at most 100 ids');
const email = z
  .string({ invalid_type_error: 'must be a string' })
  .trim()
  .toLowerCase()
  .max(320, 'must be at most 320 characters')
  .email('must be an e-mail address such as ana@example.com');
const teamName = z.string({ invalid_type_error: 'must be a string' }).trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const queue = z.string({ invalid_type_error: 'must be a string' }).trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');

const createUserBody = z.object({ email, role, name: personName.optional(), capacity: capacity.optional(), team_ids: ids('team').optional() }).strict();
const updateUserBody = z.object({ name: personName.optional(), role: role.optional(), capacity: capacity.optional(), active: active.optional(), team_ids: ids('team').optional() }).strict();
const createTeamBody = z.object({ name: teamName, queue, member_ids: ids('user').optional() }).strict();
const updateTeamBody = z.object({ name: teamName.optional(), queue: queue.optional(), member_ids: ids('user').optional() }).strict();
const idParams = z.object({ id: z.string().min(1).max(100) });

/**
 * Admins manage the people and teams of their workspace (`/app/api/users`, `/app/api/teams`);
 * everyone reads the workspace's agents (`GET /app/api/agents`, for transfers) and teams
 * (`GET /app/api/teams`). Everything is scoped to the viewer's workspace: another workspace's
 * person or team answers 404, as an unknown id.
 */
export function registerAppAdminRoutes(app: FastifyInstance, deps: AppAdminDeps): void {
  const admin = app.requireUser({ roles: ['admin'] });

  app.get('/users', { onRequest: admin }, async (request) => ({ data: await deps.users.list(viewerOf(request).workspaceId) }));

  app.post('/users', { onRequest: admin }, async (request, reply) => {
    const body = parseInput(reply, 'body', createUserBody, request.body);
    if (!body) return reply;
    const viewer = viewerOf(request);
    const created = await deps.users.create({
      workspaceId: viewer.workspaceId,
      email: body.email,
      role: body.role,
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.capacity !== undefined ? { capacity: body.capacity } : {}),
      ...(body.team_ids !== undefined ? { teamIds: body.team_ids } : {}),
    });
    if (!created.ok) return sendBodyError(reply, created.error);
    request.log.info({ userId: created.value.user.id, role: body.role, by: viewer.userId }, 'user created');
    return reply.code(201).send({ user: created.value.user, one_time_password: created.value.oneTimePassword });
  });

  app.get('/users/:id', { onRequest: admin }, async (request, reply) => {
    const params = parseInput(reply, 'params', idParams, request.params);
    if (!params) return reply;
    const user = await deps.users.get(viewerOf(request).workspaceId, params.id);
    return user ? { user } : sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No user ${params.id} in this workspace.`);
  });

  app.patch('/users/:id', { onRequest: admin }, async (request, reply) => {
    const params = parseInput(reply, 'params', idParams, request.params);
    const body = params && parseInput(reply, 'body', updateUserBody, request.body);
    if (!params || !body) return reply;
    const viewer = viewerOf(request);
    const updated = await deps.users.update(viewer.workspaceId, params.id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.role !== undefined ? { role: body.role } : {}),
      ...(body.capacity !== undefined ? { capacity: body.capacity } : {}),
      ...(body.active !== undefined ? { active: body.active } : {}),
      ...(body.team_ids !== undefined ? { teamIds: body.team_ids } : {}),
    });
    if (!updated.ok) return sendBodyError(reply, updated.error);
    request.log.info({ userId: params.id, by: viewer.userId, changed: Object.keys(body) }, 'user changed');
    return { user: updated.value };
  });

  app.delete('/users/:id', { onRequest: admin }, async (request, reply) => {
    const params = parseInput(reply, 'params', idParams, request.params);
    if (!params) return reply;
    const viewer = viewerOf(request);
    const removed = await deps.users.remove(viewer.workspaceId, params.id);
    if (!removed.ok) return sendBodyError(reply, removed.error);
    request.log.info({ userId: params.id, by: viewer.userId }, 'user deleted');
    return reply.code(204).send();
  });

  app.post('/users/:id/password-reset', { onRequest: admin }, async (request, reply) => {
    const params = parseInput(reply, 'params', idParams, request.params);
    if (!params) return reply;
    const viewer = viewerOf(request);
    const reset = await deps.users.resetPassword(viewer.workspaceId, params.id);
    if (!reset.ok) return sendBodyError(reply, reset.error);
    request.log.info({ userId: params.id, by: viewer.userId }, 'one-time password issued');
    return { one_time_password: reset.value.oneTimePassword };
  });

  app.get('/teams', { onRequest: app.requireUser() }, async (request) => ({ data: await deps.teams.list(viewerOf(request).workspaceId) }));

  app.post('/teams', { onRequest: admin }, async (request, reply) => {
    const body = parseInput(reply, 'body', createTeamBody, request.body);
    if (!body) return reply;
    const created = await deps.teams.create(viewerOf(request).workspaceId, { name: body.name, queue: body.queue, ...(body.member_ids !== undefined ? { memberIds: body.member_ids } : {}) });
    if (!created.ok) return sendBodyError(reply, created.error);
    return reply.code(201).send({ team: created.value });
  });

  app.patch('/teams/:id', { onRequest: admin }, async (request, reply) => {
    const params = parseInput(reply, 'params', idParams, request.params);
    const body = params && parseInput(reply, 'body', updateTeamBody, request.body);
    if (!params || !body) return reply;
    const updated = await deps.teams.update(viewerOf(request).workspaceId, params.id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.queue !== undefined ? { queue: body.queue } : {}),
      ...(body.member_ids !== undefined ? { memberIds: body.member_ids } : {}),
    });
    if (!updated.ok) return sendBodyError(reply, updated.error);
    return { team: updated.value };
  });

  app.delete('/teams/:id', { onRequest: admin }, async (request, reply) => {
    const params = parseInput(reply, 'params', idParams, request.params);
    if (!params) return reply;
    const removed = await deps.teams.remove(viewerOf(request).workspaceId, params.id);
    if (!removed.ok) return sendBodyError(reply, removed.error);
    return reply.code(204).send();
  });

  app.get('/agents', { onRequest: app.requireUser() }, async (request) => ({ data: await deps.users.agents(viewerOf(request).workspaceId) }));
}
