import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { SandboxEngine } from './engine.js';
import { groupInfo, inviteLinkOf, joinByLink, leaveGroup, setSuspended } from './groups.js';

const waId = z.string().regex(/^\d{7,15}$/, 'must be 7 to 15 digits (the E.164 number without +)');
const join = z
  .object({
    invite_link: z.string().min(1).max(200).optional(),
    code: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be the code of an invite link (the part after https://chat.whatsapp.com/)').optional(),
  })
  .strict()
  .refine((v) => (v.invite_link === undefined) !== (v.code === undefined), { message: 'give exactly one of invite_link or code', path: ['invite_link'] });
const groupPatch = z.object({ suspended: z.boolean() }).strict();

type ReplyError = (reply: FastifyReply, status: number, code: string, message: string, details?: object) => FastifyReply;

/**
 * The simulated customers' side of groups (`/sandbox/v1`): join by an invite link (or its
 * code), leave, and the control calls a tester needs: every group with its participants and
 * join requests, and WhatsApp suspending or reinstating a group. Customers write in a group with
 * `POST /phones/{wa_id}/messages` and `to` = the group id.
 */
export async function registerAdminGroupRoutes(app: FastifyInstance, engine: SandboxEngine, replyError: ReplyError): Promise<void> {
  const { state } = engine;
  const invalid = (reply: FastifyReply, field: string, rule: string) => replyError(reply, 400, 'SANDBOX_ERR_VALIDATION', `${field}: ${rule}`, { field, rule });

  app.post<{ Params: { wa_id: string } }>('/phones/:wa_id/groups/join', async (request, reply) => {
    const id = waId.safeParse(request.params.wa_id);
    if (!id.success) return invalid(reply, 'wa_id', id.error.issues[0]?.message ?? 'is invalid');
    const input = join.safeParse(request.body ?? {});
    if (!input.success) {
      const issue = input.error.issues[0];
      return invalid(reply, issue?.path.join('.') || '(body)', issue?.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : (issue?.message ?? 'is invalid'));
    }
    const outcome = joinByLink(engine, state.phoneFor(id.data), input.data.invite_link ?? input.data.code ?? '');
    if (!outcome.ok) {
      const code = outcome.status === 404 ? 'SANDBOX_ERR_NOT_FOUND' : outcome.status === 409 ? 'SANDBOX_ERR_CONFLICT' : 'SANDBOX_ERR_UNPROCESSABLE';
      return replyError(reply, outcome.status, code, `${outcome.field}: ${outcome.rule}`, { field: outcome.field, rule: outcome.rule, ...(outcome.code ? { meta_code: outcome.code } : {}) });
    }
    return reply.code(outcome.joined ? 201 : 202).send({
      group_id: outcome.group.id,
      status: outcome.joined ? 'joined' : 'requested',
      ...(outcome.join_request_id ? { join_request_id: outcome.join_request_id } : {}),
    });
  });

  app.post<{ Params: { wa_id: string; group_id: string } }>('/phones/:wa_id/groups/:group_id/leave', async (request, reply) => {
    const phone = state.phones.get(request.params.wa_id);
    const group = state.groups.get(request.params.group_id);
    if (!phone || !group) return replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `No simulated phone ${request.params.wa_id} or group ${request.params.group_id}.`);
    if (!leaveGroup(engine, phone, group)) return replyError(reply, 409, 'SANDBOX_ERR_CONFLICT', `wa_id: ${phone.waId} is not a participant of group ${group.id}`, { field: 'wa_id', rule: 'must be a participant' });
    return { group_id: group.id, status: 'left' };
  });

  app.get('/groups', async () => ({ data: [...state.groups.values()].map(describe) }));

  app.patch<{ Params: { group_id: string } }>('/groups/:group_id', async (request, reply) => {
    const group = state.groups.get(request.params.group_id);
    if (!group) return replyError(reply, 404, 'SANDBOX_ERR_NOT_FOUND', `No group ${request.params.group_id} in the sandbox.`);
    const input = groupPatch.safeParse(request.body ?? {});
    if (!input.success) {
      const issue = input.error.issues[0];
      return invalid(reply, issue?.path.join('.') || '(body)', issue?.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : (issue?.message ?? 'is invalid'));
    }
    setSuspended(engine, group, input.data.suspended);
    return describe(group);
  });

  function describe(group: Parameters<typeof groupInfo>[0]) {
    return {
      ...groupInfo(group, undefined),
      phone_number_id: group.phoneNumberId,
      invite_link: group.inviteCode ? inviteLinkOf(group.inviteCode) : null,
      join_requests: group.joinRequests.map((r) => ({ join_request_id: r.id, wa_id: r.waId, creation_timestamp: Math.floor(r.createdAt / 1000) })),
    };
  }
}
