import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { replyGraphError, unknownObject, type GraphContext } from './graph-reply.js';
import {
  answerJoinRequests,
  createGroup,
  deleteGroup,
  groupInfo,
  listGroups,
  listJoinRequests,
  removeParticipants,
  resetInviteLink,
  revokeInviteLink,
  setGroupPicture,
  updateGroup,
  type GroupOutcome,
} from './groups.js';
import { metaFailure } from './meta-errors.js';
import type { SandboxGroup } from './state.js';

type Body = Record<string, unknown>;

/**
 * The Groups API on the Graph surface (cloud-api-facts.md §1.7): a number's groups (create,
 * list), a group's invite link, join requests and participants. The group object itself
 * (`GET`/`POST`/`DELETE /{group-id}`) shares `/:id` with the other objects: see
 * {@link answerGroupObject}, called from routes-graph-account.ts.
 */
export async function registerGraphGroupRoutes(app: FastifyInstance, ctx: GraphContext): Promise<void> {
  const { engine } = ctx;
  const groupOf = (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): SandboxGroup | undefined => {
    const group = engine.state.groups.get(request.params.id);
    if (!group) void replyGraphError(reply, unknownObject(request.params.id, request.method));
    return group;
  };
  const answer = <T>(reply: FastifyReply, outcome: GroupOutcome<T>) => (outcome.ok ? reply.send(outcome.value) : replyGraphError(reply, outcome.failure));

  app.post<{ Params: { id: string }; Body: Body | undefined }>('/:id/groups', async (request, reply) => {
    const number = engine.state.phoneNumbers.get(request.params.id);
    if (!number) return replyGraphError(reply, unknownObject(request.params.id, 'POST'));
    return answer(reply, createGroup(engine, number, request.body));
  });

  app.get<{ Params: { id: string }; Querystring: { limit?: string; after?: string; before?: string } }>('/:id/groups', async (request, reply) => {
    const number = engine.state.phoneNumbers.get(request.params.id);
    if (!number) return replyGraphError(reply, unknownObject(request.params.id, 'GET'));
    return answer(reply, listGroups(engine, number, request.query));
  });

  app.post<{ Params: { id: string } }>('/:id/invite_link', async (request, reply) => {
    const group = groupOf(request, reply);
    return group ? answer(reply, resetInviteLink(engine, group)) : reply;
  });

  app.delete<{ Params: { id: string } }>('/:id/invite_link', async (request, reply) => {
    const group = groupOf(request, reply);
    return group ? revokeInviteLink(engine, group) : reply;
  });

  app.get<{ Params: { id: string } }>('/:id/join_requests', async (request, reply) => {
    const group = groupOf(request, reply);
    return group ? listJoinRequests(group) : reply;
  });

  app.post<{ Params: { id: string }; Body: Body | undefined }>('/:id/join_requests', async (request, reply) => {
    const group = groupOf(request, reply);
    return group ? answer(reply, answerJoinRequests(engine, group, request.body, 'approve')) : reply;
  });

  app.delete<{ Params: { id: string }; Body: Body | undefined }>('/:id/join_requests', async (request, reply) => {
    const group = groupOf(request, reply);
    return group ? answer(reply, answerJoinRequests(engine, group, request.body, 'reject')) : reply;
  });

  app.delete<{ Params: { id: string }; Body: Body | undefined }>('/:id/participants', async (request, reply) => {
    const group = groupOf(request, reply);
    return group ? answer(reply, removeParticipants(engine, group, request.body)) : reply;
  });

  // Meta's spec lists an add, but its guide says customers join by invite link only.
  app.post<{ Params: { id: string } }>('/:id/participants', async (request, reply) => {
    const group = groupOf(request, reply);
    if (!group) return reply;
    return replyGraphError(reply, metaFailure(100, 'participants: adding participants directly is not available; customers join with the invite link (POST /{group-id}/invite_link)'));
  });
}

/**
 * `GET`, `POST` and `DELETE /{group-id}` when the id names a group: its info, a change of
 * subject/description (JSON) or picture (multipart `file`), its deletion. Answers undefined when
 * the id is not a group (the caller tries the other kinds of object).
 */
export async function answerGroupObject(ctx: GraphContext, request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<FastifyReply | object | undefined> {
  const { engine } = ctx;
  const group = engine.state.groups.get(request.params.id);
  if (!group) return undefined;
  if (request.method === 'GET') return groupInfo(group, (request.query as { fields?: string }).fields);
  if (request.method === 'DELETE') return deleteGroup(engine, group);
  if (request.isMultipart()) {
    const fields: Record<string, string> = {};
    let file: { data: Buffer; mimeType: string } | undefined;
    for await (const part of request.parts()) {
      if (part.type === 'file') file = { data: await part.toBuffer(), mimeType: part.mimetype };
      else fields[part.fieldname] = String(part.value);
    }
    if (fields.messaging_product !== 'whatsapp') return replyGraphError(reply, metaFailure(131008, 'messaging_product: is required ("whatsapp")'));
    if (!file) return replyGraphError(reply, metaFailure(131008, 'file: the picture file is required'));
    const outcome = setGroupPicture(engine, group, file);
    return outcome.ok ? outcome.value : replyGraphError(reply, outcome.failure);
  }
  const outcome = updateGroup(engine, group, request.body as Body | undefined);
  return outcome.ok ? outcome.value : replyGraphError(reply, outcome.failure);
}
