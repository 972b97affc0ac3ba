import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkGroupPicture, GROUP_PICTURE_MAX_BYTES, type GroupOutcome, type GroupView } from '../../modules/groups/index.js';
import { principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { readFilePart } from '../multipart-file.js';
import { sendError } from '../errors.js';
import { responses, schemas as s } from '../responses.js';

const tags = ['groups'];
const WA_ID = { type: 'string', pattern: '^\\+?[0-9]{7,15}$', description: 'A participant: digits of the E.164 number (a leading + is fine)' } as const;
const GROUP_ID = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 128, description: "Our id (grp_…) or Meta's group id" } } } as const;
const strict = (properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}) => ({ type: 'object', additionalProperties: false, required, properties, ...extra });

const SUBJECT = { type: 'string', minLength: 1, maxLength: 128, pattern: '\\S', description: "The group's name (1–128 characters, Meta's limit)" } as const;
const DESCRIPTION = { type: 'string', maxLength: 2048, description: 'At most 2048 characters' } as const;
const createBody = strict(
  {
    subject: SUBJECT,
    description: DESCRIPTION,
    join_approval_mode: { type: 'string', enum: ['auto_approve', 'approval_required'], default: 'auto_approve', description: 'approval_required: people who tap the invite link wait for POST /groups/{id}/join-requests/approve' },
    from: { type: 'string', minLength: 1, maxLength: 64, description: 'The number that owns the group (our id or Meta phone_number_id); default: the first one' },
  },
  ['subject'],
);
const updateBody = strict({ subject: SUBJECT, description: DESCRIPTION }, [], { minProperties: 1 });
const joinRequestsBody = strict({ join_request_ids: { type: 'array', minItems: 1, maxItems: 100, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 256 } } }, ['join_request_ids']);
const removeBody = strict({ wa_ids: { type: 'array', minItems: 1, maxItems: 8, uniqueItems: true, items: WA_ID } }, ['wa_ids']);

export const groupSchema = s.object(
  {
    id: s.string,
    provider_group_id: { ...s.nullableString, description: "Meta's group id (null while pending)" },
    phone_number_id: { ...s.string, description: "Meta's phone_number_id of the number that owns the group" },
    status: { type: 'string', enum: ['pending', 'active', 'deleted'], description: "pending until Meta's group_lifecycle_update confirms the group" },
    subject: s.string,
    description: s.string,
    join_approval_mode: { type: 'string', enum: ['auto_approve', 'approval_required'] },
    invite_link: { ...s.nullableString, description: 'https://chat.whatsapp.com/…; null when revoked or pending' },
    suspended: s.boolean,
    conversation_id: { ...s.nullableString, description: "The group's conversation (its messages: GET /conversations/{id}/messages)" },
    participants: { type: 'array', items: s.object({ wa_id: s.string, contact_id: s.string, joined_at: s.dateTime }), description: 'Customers in the group now (the business is not listed; at most 8)' },
    created_at: s.dateTime,
    updated_at: s.dateTime,
  },
  'A WhatsApp group',
);
const joinRequestSchema = s.object({ join_request_id: s.string, wa_id: s.string, created_at: s.dateTime }, 'Someone who tapped the invite link of an approval_required group');
const answeredSchema = s.object(
  {
    done: { type: 'array', items: s.string, description: 'Join request ids approved (or rejected)' },
    failed: { type: 'array', items: s.object({ join_request_id: s.string, meta_code: s.integer, meta_details: s.string }), description: "Requests that were not, with Meta's code (131204: the group already has 8 participants)" },
  },
  'Each join request succeeds or fails on its own',
);
const PROVIDER = { 404: ['CONVERSA_ERR_NOT_FOUND'], 409: ['CONVERSA_ERR_GROUP_PENDING'], 422: ['CONVERSA_ERR_PROVIDER_REJECTED'], 502: ['CONVERSA_ERR_PROVIDER_UNREACHABLE'] } as const;

type Id = { Params: { id: string } };

/**
 * `/api/v1/groups`: WhatsApp groups (Meta's Groups API) — create, list, read, change, delete,
 * the invite link, join requests and participants. Sending to a group is `POST /api/v1/messages`
 * with `recipient_type: "group"`. See docs/groups.md.
 */
export function registerGroupRoutes(app: FastifyInstance, deps: Pick<HttpDeps, 'groups'>): void {
  const read = { onRequest: app.requireScope('groups:read') };
  const write = { onRequest: app.requireScope('groups:write') };
  const op = (summary: string, description: string, response: Record<number, unknown>, extra: Record<string, unknown> = {}) => ({ tags, summary, description, params: GROUP_ID, response: responses({ ...PROVIDER, ...response } as never), ...extra });
  const answer = <T>(reply: FastifyReply, id: string, what: string, outcome: GroupOutcome<T>, present: (value: T) => unknown = (value) => value) =>
    outcome.ok ? present(outcome.value) : sendGroupError(reply, what, id, outcome);

  app.post<{ Body: { subject: string; description?: string; join_approval_mode?: 'auto_approve' | 'approval_required'; from?: string } }>(
    '/groups',
    {
      ...write,
      schema: {
        tags,
        summary: 'Create a group',
        description: "Meta's `POST /{phone_number_id}/groups`. Answers 202 with the group `pending`: Meta names its id (and invite link) in a `group_lifecycle_update` webhook, then the group is `active` and `group.created` goes to webhook subscribers. At most 8 participants join, by the invite link.",
        body: createBody,
        response: responses({ 202: groupSchema, 404: ['CONVERSA_ERR_NO_PHONE_NUMBER'], 422: ['CONVERSA_ERR_PROVIDER_REJECTED', 'CONVERSA_ERR_NO_PHONE_NUMBER'], 502: ['CONVERSA_ERR_PROVIDER_UNREACHABLE'] }),
      },
    },
    async (request, reply) => {
      const outcome = await deps.groups.create(principalOf(request).workspaceId, request.body);
      if (outcome.ok) return reply.code(202).send(outcome.value);
      return sendGroupError(reply, 'Creating the group', request.body.from ?? '', outcome);
    },
  );

  app.get<{ Querystring: { limit: number; cursor?: string; include_deleted?: boolean } }>(
    '/groups',
    {
      ...read,
      schema: {
        tags,
        summary: 'The groups, newest first',
        querystring: strict({ limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 }, cursor: { type: 'string', maxLength: 200 }, include_deleted: { type: 'boolean', default: false } }),
        response: responses({ 200: s.page(groupSchema) }),
      },
    },
    async (request) => deps.groups.list(principalOf(request).workspaceId, { limit: request.query.limit, cursor: request.query.cursor, includeDeleted: request.query.include_deleted === true }),
  );

  app.get<Id>('/groups/:id', { ...read, schema: { tags, summary: 'A group with its participants', params: GROUP_ID, response: responses({ 200: groupSchema, 404: ['CONVERSA_ERR_NOT_FOUND'] }) } }, async (request, reply) => {
    const group = await deps.groups.get(principalOf(request).workspaceId, request.params.id);
    return group ?? sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No group ${request.params.id} in this workspace.`);
  });

  app.patch<Id & { Body: { subject?: string; description?: string } }>(
    '/groups/:id',
    { ...write, schema: op('Change the subject or description', "Meta's `POST /{group_id}`; answers the group. Participants see the change; `group.updated` follows Meta's webhook.", { 200: groupSchema }, { body: updateBody }) },
    async (request, reply) => answer(reply, request.params.id, 'Changing the group', await deps.groups.update(principalOf(request).workspaceId, request.params.id, request.body)),
  );

  app.delete<Id>(
    '/groups/:id',
    { ...write, schema: op('Delete the group', "Meta's `DELETE /{group_id}`: every participant is removed. The group stays here as `deleted`, with its conversation.", { 200: groupSchema }) },
    async (request, reply) => answer(reply, request.params.id, 'Deleting the group', await deps.groups.delete(principalOf(request).workspaceId, request.params.id)),
  );

  const linkSchema = s.object({ group_id: s.string, invite_link: s.nullableString }, 'The invite link (null: revoked)');
  const link = (view: GroupView) => ({ group_id: view.id, invite_link: view.invite_link });
  app.get<Id>('/groups/:id/invite-link', { ...read, schema: op('The invite link', 'As Meta last gave it (at creation or the last reset).', { 200: linkSchema }) }, async (request, reply) => {
    const group = await deps.groups.get(principalOf(request).workspaceId, request.params.id);
    if (!group || group.status === 'deleted') return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No group ${request.params.id} in this workspace.`);
    if (group.status === 'pending') return sendError(reply, 'CONVERSA_ERR_GROUP_PENDING', `Group ${group.id} is not confirmed by Meta yet.`);
    return link(group);
  });
  app.post<Id>('/groups/:id/invite-link', { ...write, schema: op('Make a new invite link', "Meta's `POST /{group_id}/invite_link`: the previous link stops working.", { 200: linkSchema }) }, async (request, reply) =>
    answer(reply, request.params.id, 'Resetting the invite link', await deps.groups.resetInviteLink(principalOf(request).workspaceId, request.params.id), link),
  );
  app.delete<Id>('/groups/:id/invite-link', { ...write, schema: op('Revoke the invite link', "Meta's `DELETE /{group_id}/invite_link`: nobody joins by link until a new one is made.", { 200: linkSchema }) }, async (request, reply) =>
    answer(reply, request.params.id, 'Revoking the invite link', await deps.groups.revokeInviteLink(principalOf(request).workspaceId, request.params.id), link),
  );

  app.get<Id>('/groups/:id/join-requests', { ...read, schema: op('Open join requests', "Meta's `GET /{group_id}/join_requests` (groups with join_approval_mode approval_required).", { 200: s.list(joinRequestSchema) }) }, async (request, reply) =>
    answer(reply, request.params.id, 'Reading the join requests', await deps.groups.joinRequests(principalOf(request).workspaceId, request.params.id), (list) => ({
      data: list.map((r) => ({ join_request_id: r.join_request_id, wa_id: r.wa_id, created_at: new Date(r.creation_timestamp * 1000).toISOString() })),
    })),
  );
  const answerRequests = (action: 'approve' | 'reject') =>
    app.post<Id & { Body: { join_request_ids: string[] } }>(
      `/groups/:id/join-requests/${action}`,
      {
        ...write,
        schema: op(
          action === 'approve' ? 'Approve join requests' : 'Reject join requests',
          `Meta's \`${action === 'approve' ? 'POST' : 'DELETE'} /{group_id}/join_requests\`. Each request succeeds or fails on its own: \`failed\` lists which did not, with Meta's code. When none succeeds, the answer is Meta's error (422, e.g. meta_code 131204: the group already has 8 participants).`,
          { 200: answeredSchema },
          { body: joinRequestsBody },
        ),
      },
      async (request, reply) =>
        answer(reply, request.params.id, action === 'approve' ? 'Approving' : 'Rejecting', await deps.groups.answerJoinRequests(principalOf(request).workspaceId, request.params.id, action, request.body.join_request_ids), (value) => ({
          done: value.done,
          failed: value.failed.map((f) => ({ join_request_id: f.join_request_id, meta_code: f.code, meta_details: f.details })),
        })),
    );
  answerRequests('approve');
  answerRequests('reject');

  // The picture is multipart: its parser lives in a scope of its own, like the media upload's.
  void app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: GROUP_PICTURE_MAX_BYTES + 1, files: 1, fields: 2, parts: 3, fieldSize: 256, headerPairs: 50 } });
    scope.put<Id>(
      '/groups/:id/picture',
      {
        ...write,
        schema: op(
          "Set the group's picture",
          "multipart/form-data with the picture in a part named `file`: a square JPEG of at least 192x192 pixels, at most 5 MB (Meta's rules, checked here first; 131209/131210 at Meta). Meta's `POST /{group_id}` with the file; `group.updated` with `changed: [\"picture\"]` follows Meta's webhook.",
          { 200: groupSchema, 400: ['CONVERSA_ERR_VALIDATION'], 413: ['CONVERSA_ERR_PAYLOAD_TOO_LARGE'], 415: ['CONVERSA_ERR_UNSUPPORTED_MEDIA_TYPE'] },
          { consumes: ['multipart/form-data'] },
        ),
      },
      async (request, reply) => {
        const picture = await readPicture(request, reply);
        if (!Buffer.isBuffer(picture)) return picture;
        return answer(reply, request.params.id, 'Setting the picture', await deps.groups.setPicture(principalOf(request).workspaceId, request.params.id, picture));
      },
    );
  });

  app.post<Id & { Body: { wa_ids: string[] } }>(
    '/groups/:id/participants/remove',
    { ...write, schema: op('Remove participants', "Meta's `DELETE /{group_id}/participants` (1 to 8). They leave the group here when Meta's webhook says so (`group.participant_left`). Someone not in the group is Meta's 131212.", { 200: groupSchema }, { body: removeBody }) },
    async (request, reply) => answer(reply, request.params.id, 'Removing participants', await deps.groups.removeParticipants(principalOf(request).workspaceId, request.params.id, request.body.wa_ids.map((w) => w.replace(/\D/g, '')))),
  );
}

/** The picture of `PUT /groups/{id}/picture`: its bytes, or the 4xx already sent naming the field and the rule. */
async function readPicture(request: FastifyRequest, reply: FastifyReply): Promise<Buffer | FastifyReply> {
  const data = await readFilePart(request, reply, GROUP_PICTURE_MAX_BYTES);
  if (!Buffer.isBuffer(data)) return data;
  const problem = checkGroupPicture(data);
  return problem ? sendError(reply, 'CONVERSA_ERR_VALIDATION', `file: ${problem.rule}`, { field: 'file', rule: problem.rule }) : data;
}

/** A group call that did not happen, explained: not found, pending, or Meta's refusal. */
function sendGroupError(reply: FastifyReply, what: string, id: string, outcome: Exclude<GroupOutcome<unknown>, { ok: true }>): FastifyReply {
  switch (outcome.error) {
    case 'not_found':
      return sendError(reply, 'CONVERSA_ERR_NOT_FOUND', `No group ${id} in this workspace.`);
    case 'pending':
      return sendError(reply, 'CONVERSA_ERR_GROUP_PENDING', `Group ${outcome.group.id} is not confirmed by Meta yet.`, { fix: 'Wait for the group.created event (or GET /api/v1/groups/{id} showing status "active").' });
    case 'no_phone_number':
      return sendError(reply, 'CONVERSA_ERR_NO_PHONE_NUMBER', outcome.from ? `from: no phone number ${outcome.from} in this workspace.` : 'This workspace has no phone number.', outcome.from ? { field: 'from', rule: 'must be a phone number of this workspace' } : undefined);
    case 'provider_rejected':
      return sendError(reply, 'CONVERSA_ERR_PROVIDER_REJECTED', `${what}: (#${outcome.code}) ${outcome.title}`, { meta_code: outcome.code, meta_message: outcome.title, meta_details: outcome.details, fix: fixOf(outcome.code) });
    case 'provider_unreachable':
      return sendError(reply, 'CONVERSA_ERR_PROVIDER_UNREACHABLE', `${what}: the Graph API could not be reached (${outcome.reason}).`, { fix: 'Try again; nothing was changed here.' });
  }
}

/** What to do about Meta's group errors (cloud-api-facts.md §1.7). */
function fixOf(code: number): string {
  const fixes: Record<number, string> = {
    131020: 'The group has nobody but the business: share its invite link first.',
    131041: 'Meta does not know this group (deleted elsewhere?): list the groups again.',
    131202: 'That customer is already in the group.',
    131204: 'A group holds at most 8 participants: remove someone first.',
    131207: 'WhatsApp suspended this group: it cannot be changed or messaged.',
    131208: 'Too many group calls: wait and retry.',
    131209: 'The picture must be square.',
    131210: 'The picture must be at least 192x192 pixels.',
    131211: 'The number has the most groups Meta allows (10,000): delete some first.',
    131212: 'That customer is not in the group.',
  };
  return fixes[code] ?? 'Read meta_details for what Meta refused.';
}
