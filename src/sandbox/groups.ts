import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { GroupEventType, GroupInfo, GroupJoinRequestsResponse, GroupWebhookEvent } from '../whatsapp/wire.js';
import type { SandboxEngine } from './engine.js';
import { newGraphId } from './ids.js';
import { metaFailure, webhookErrorOf, type MetaFailure } from './meta-errors.js';
import type { SandboxGroup, SandboxPhoneNumber, SimulatedPhone } from './state.js';

/** Meta's limits for groups (cloud-api-facts.md §1.7). */
export const GROUP_LIMITS = {
  participants: 8,
  groupsPerNumber: 10_000,
  subject: 128,
  description: 2048,
} as const;

/** The webhook field of each kind of group change (the facts' names; Meta's v23 spec spells the participants one `group_participant_update`). */
export const GROUP_FIELDS = {
  lifecycle: 'group_lifecycle_update',
  participants: 'group_participants_update',
  settings: 'group_settings_update',
  status: 'group_status_update',
} as const;

export type GroupOutcome<T> = { ok: true; value: T } | { ok: false; failure: MetaFailure };
type Body = Record<string, unknown>;

const INVITE_ORIGIN = 'https://chat.whatsapp.com/';

/**
 * `POST /{phone-number-id}/groups`: checks the subject, description and approval mode, answers
 * a `request_id` at once and creates the group right after, announcing its id (and invite link)
 * in a `group_lifecycle_update` webhook of type `group_create`, as Meta does.
 */
export function createGroup(engine: SandboxEngine, number: SandboxPhoneNumber, rawBody: Body | undefined): GroupOutcome<{ messaging_product: 'whatsapp'; request_id: string }> {
  const body = rawBody ?? {};
  const product = checkProduct(body);
  if (product) return { ok: false, failure: product };
  if (body.subject === undefined) return fail(131008, 'subject: is required');
  const subject = typeof body.subject === 'string' ? body.subject.trim() : '';
  if (subject.length === 0 || [...subject].length > GROUP_LIMITS.subject) return fail(100, `subject: must be a text of 1 to ${GROUP_LIMITS.subject} characters`);
  if (body.description !== undefined && (typeof body.description !== 'string' || [...body.description].length > GROUP_LIMITS.description)) {
    return fail(100, `description: must be a text of at most ${GROUP_LIMITS.description} characters`);
  }
  const mode = body.join_approval_mode ?? 'auto_approve';
  if (mode !== 'auto_approve' && mode !== 'approval_required') return fail(100, 'join_approval_mode: must be "auto_approve" or "approval_required"');
  const owned = [...engine.state.groups.values()].filter((g) => g.phoneNumberId === number.id).length;
  if (owned >= GROUP_LIMITS.groupsPerNumber) return fail(131211, `A business phone number can have at most ${GROUP_LIMITS.groupsPerNumber} groups; delete some first.`);
  const requestId = newGraphId();
  const group: SandboxGroup = {
    id: newGroupId(number),
    phoneNumberId: number.id,
    requestId,
    subject,
    description: typeof body.description === 'string' ? body.description : '',
    joinApprovalMode: mode,
    suspended: false,
    createdAt: engine.clock.now(),
    participants: [],
    inviteCode: newInviteCode(),
    joinRequests: [],
  };
  engine.state.groups.set(group.id, group);
  engine.state.touch();
  engine.later(0, () =>
    emitGroupEvent(engine, group, GROUP_FIELDS.lifecycle, 'group_create', {
      subject: group.subject,
      ...(group.description ? { description: group.description } : {}),
      join_approval_mode: group.joinApprovalMode,
      ...(group.inviteCode ? { invite_link: inviteLinkOf(group.inviteCode) } : {}),
    }),
  );
  return { ok: true, value: { messaging_product: 'whatsapp', request_id: requestId } };
}

/** `GET /{phone-number-id}/groups?limit&after&before`: the number's groups, oldest first, in pages. */
export function listGroups(engine: SandboxEngine, number: SandboxPhoneNumber, query: { limit?: string; after?: string; before?: string }): GroupOutcome<Record<string, unknown>> {
  const limit = query.limit === undefined ? 25 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1024) return fail(100, 'limit: must be an integer from 1 to 1024');
  const groups = [...engine.state.groups.values()].filter((g) => g.phoneNumberId === number.id);
  let start = 0;
  if (query.after !== undefined) {
    const index = cursorIndex(query.after);
    if (index === undefined) return fail(131059, 'after: is not a cursor of this list');
    start = index;
  } else if (query.before !== undefined) {
    const index = cursorIndex(query.before);
    if (index === undefined) return fail(131059, 'before: is not a cursor of this list');
    start = Math.max(0, index - limit);
  }
  const page = groups.slice(start, start + limit);
  const end = start + page.length;
  return {
    ok: true,
    value: {
      data: { groups: page.map((g) => ({ id: g.id, subject: g.subject, created_at: new Date(g.createdAt).toISOString() })) },
      paging: { cursors: { before: cursorOf(start), after: cursorOf(end) } },
    },
  };
}

/** `GET /{group-id}?fields=...`: Meta's `GroupInfo`; without `fields`, every field. */
export function groupInfo(group: SandboxGroup, fields: string | undefined): GroupInfo {
  const all: GroupInfo = {
    id: group.id,
    messaging_product: 'whatsapp',
    subject: group.subject,
    description: group.description,
    join_approval_mode: group.joinApprovalMode,
    suspended: group.suspended,
    creation_timestamp: Math.floor(group.createdAt / 1000),
    participants: group.participants.map((p) => ({ wa_id: p.waId })),
    total_participant_count: group.participants.length,
  };
  const wanted = (fields ?? '').split(',').map((f) => f.trim()).filter(Boolean);
  if (wanted.length === 0) return all;
  const out: Record<string, unknown> = { id: group.id };
  for (const field of wanted) if (field in all) out[field] = all[field as keyof GroupInfo];
  return out as unknown as GroupInfo;
}

/** `POST /{group-id}`: subject and/or description (a JSON body), or the picture (multipart `file`, see the route). */
export function updateGroup(engine: SandboxEngine, group: SandboxGroup, rawBody: Body | undefined): GroupOutcome<{ success: true }> {
  const body = rawBody ?? {};
  const product = checkProduct(body);
  if (product) return { ok: false, failure: product };
  const suspended = suspendedFailure(group);
  if (suspended) return { ok: false, failure: suspended };
  const changes: { subject?: string; description?: string } = {};
  if (body.subject !== undefined) {
    const subject = typeof body.subject === 'string' ? body.subject.trim() : '';
    if (subject.length === 0 || [...subject].length > GROUP_LIMITS.subject) return fail(100, `subject: must be a text of 1 to ${GROUP_LIMITS.subject} characters`);
    changes.subject = subject;
  }
  if (body.description !== undefined) {
    if (typeof body.description !== 'string' || [...body.description].length > GROUP_LIMITS.description) return fail(100, `description: must be a text of at most ${GROUP_LIMITS.description} characters`);
    changes.description = body.description;
  }
  if (changes.subject === undefined && changes.description === undefined) return fail(131008, 'subject, description or a picture file: give at least one');
  Object.assign(group, changes);
  engine.state.touch();
  engine.later(0, () => emitGroupEvent(engine, group, GROUP_FIELDS.settings, 'group_settings_update', changes));
  return { ok: true, value: { success: true } };
}

/** The group's picture: JPEG only, square, at least 192 px (Meta's 131209 / 131210). */
export function setGroupPicture(engine: SandboxEngine, group: SandboxGroup, file: { mimeType: string; data: Buffer }): GroupOutcome<{ success: true }> {
  const suspended = suspendedFailure(group);
  if (suspended) return { ok: false, failure: suspended };
  if (file.mimeType !== 'image/jpeg') return fail(100, 'file: must be a JPEG image');
  if (file.data.length > 5 * 1024 * 1024) return fail(100, 'file: must be at most 5 MB');
  const size = jpegSize(file.data);
  if (!size) return fail(100, 'file: is not a readable JPEG image');
  if (size.width !== size.height) return fail(131209, `file: the picture must be square (it is ${size.width}x${size.height})`);
  if (size.width < 192) return fail(131210, `file: the picture must be at least 192x192 pixels (it is ${size.width}x${size.height})`);
  group.picture = { mime_type: 'image/jpeg', sha256: createHash('sha256').update(file.data).digest('base64') };
  engine.state.touch();
  engine.later(0, () => emitGroupEvent(engine, group, GROUP_FIELDS.settings, 'group_settings_update', { profile_picture: group.picture }));
  return { ok: true, value: { success: true } };
}

/** `DELETE /{group-id}`: every participant leaves, the group is gone (`group_delete`). */
export function deleteGroup(engine: SandboxEngine, group: SandboxGroup): { success: true } {
  engine.state.groups.delete(group.id);
  engine.state.touch();
  engine.later(0, () => emitGroupEvent(engine, group, GROUP_FIELDS.lifecycle, 'group_delete', {}));
  return { success: true };
}

/** `POST /{group-id}/invite_link`: a new link; the previous one stops working. */
export function resetInviteLink(engine: SandboxEngine, group: SandboxGroup): GroupOutcome<{ messaging_product: 'whatsapp'; invite_link: string }> {
  const suspended = suspendedFailure(group);
  if (suspended) return { ok: false, failure: suspended };
  group.inviteCode = newInviteCode();
  engine.state.touch();
  return { ok: true, value: { messaging_product: 'whatsapp', invite_link: inviteLinkOf(group.inviteCode) } };
}

/** `DELETE /{group-id}/invite_link`: nobody can join by link until a new one is made. */
export function revokeInviteLink(engine: SandboxEngine, group: SandboxGroup): { messaging_product: 'whatsapp'; success: 'true' } {
  group.inviteCode = null;
  engine.state.touch();
  return { messaging_product: 'whatsapp', success: 'true' };
}

/** `GET /{group-id}/join_requests`. */
export function listJoinRequests(group: SandboxGroup): { data: Array<{ join_request_id: string; wa_id: string; creation_timestamp: number }>; paging: { cursors: { before: string; after: string } } } {
  return {
    data: group.joinRequests.map((r) => ({ join_request_id: r.id, wa_id: r.waId, creation_timestamp: Math.floor(r.createdAt / 1000) })),
    paging: { cursors: { before: cursorOf(0), after: cursorOf(group.joinRequests.length) } },
  };
}

/**
 * `POST` (approve) or `DELETE` (reject) `/{group-id}/join_requests {join_requests: [ids]}`.
 * Each request succeeds or fails on its own: an unknown id, or (approving) a full group: 8
 * participants (131204). Approved customers join (`group_add_participants`).
 */
export function answerJoinRequests(engine: SandboxEngine, group: SandboxGroup, rawBody: Body | undefined, action: 'approve' | 'reject'): GroupOutcome<GroupJoinRequestsResponse> {
  const body = rawBody ?? {};
  const product = checkProduct(body);
  if (product) return { ok: false, failure: product };
  const suspended = suspendedFailure(group);
  if (suspended) return { ok: false, failure: suspended };
  const ids = body.join_requests;
  if (!Array.isArray(ids) || ids.length === 0) return fail(131008, 'join_requests: a list of join request ids is required');
  const bad = ids.findIndex((id) => typeof id !== 'string' || id.length === 0);
  if (bad >= 0) return fail(100, `join_requests[${bad}]: must be a join request id`);
  const done: string[] = [];
  const failed: NonNullable<GroupJoinRequestsResponse['failed_join_requests']> = [];
  const added: Array<{ wa_id: string }> = [];
  for (const id of ids as string[]) {
    const index = group.joinRequests.findIndex((r) => r.id === id);
    const request = group.joinRequests[index];
    if (!request) {
      failed.push({ join_request_id: id, errors: [webhookErrorOf(metaFailure(100, `join_requests: ${id} is not an open join request of group ${group.id}`))] });
      continue;
    }
    if (action === 'approve') {
      if (group.participants.length >= GROUP_LIMITS.participants) {
        failed.push({ join_request_id: id, errors: [webhookErrorOf(metaFailure(131204, `The group already has ${GROUP_LIMITS.participants} participants, the most a group can have.`))] });
        continue;
      }
      group.participants.push({ waId: request.waId, joinedAt: engine.clock.now() });
      added.push({ wa_id: request.waId });
    }
    group.joinRequests.splice(index, 1);
    done.push(id);
  }
  engine.state.touch();
  if (added.length > 0) engine.later(0, () => emitGroupEvent(engine, group, GROUP_FIELDS.participants, 'group_add_participants', { added_participants: added }));
  const key = action === 'approve' ? 'approved_join_requests' : 'rejected_join_requests';
  if (done.length === 0 && failed.length > 0) {
    // Nothing succeeded: the first request's error is the answer (a client sees Meta's code).
    const first = failed[0]?.errors[0];
    return fail((first?.code ?? 100) as MetaFailure['code'], first?.error_data?.details ?? 'No join request could be answered.');
  }
  return { ok: true, value: { messaging_product: 'whatsapp', [key]: done, ...(failed.length > 0 ? { failed_join_requests: failed } : {}) } };
}

/**
 * `DELETE /{group-id}/participants {participants: [{user}]}` (1 to 8): removes them
 * (`group_remove_participants`); a user who is not in the group is Meta's 131212.
 */
export function removeParticipants(engine: SandboxEngine, group: SandboxGroup, rawBody: Body | undefined): GroupOutcome<{ messaging_product: 'whatsapp'; success: true; removed_participants: Array<{ input: string; wa_id: string }> }> {
  const body = rawBody ?? {};
  const product = checkProduct(body);
  if (product) return { ok: false, failure: product };
  const list = body.participants;
  if (!Array.isArray(list) || list.length === 0) return fail(131008, 'participants: a list of 1 to 8 {"user": "<phone number or wa_id>"} is required');
  if (list.length > GROUP_LIMITS.participants) return fail(100, `participants: at most ${GROUP_LIMITS.participants} per request`);
  const users: Array<{ input: string; waId: string }> = [];
  for (const [index, item] of list.entries()) {
    const user = (item as Body | null)?.user;
    if (typeof user !== 'string' || !/^\+?[\d\s()-]{5,20}$/.test(user)) return fail(100, `participants[${index}].user: must be a phone number or wa_id`);
    const waId = user.replace(/\D/g, '');
    if (!group.participants.some((p) => p.waId === waId)) return fail(131212, `participants[${index}].user: ${user} is not a participant of group ${group.id}`);
    users.push({ input: user, waId });
  }
  const gone = new Set(users.map((u) => u.waId));
  group.participants = group.participants.filter((p) => !gone.has(p.waId));
  engine.state.touch();
  const removed = users.map((u) => ({ input: u.input, wa_id: u.waId }));
  engine.later(0, () => emitGroupEvent(engine, group, GROUP_FIELDS.participants, 'group_remove_participants', { removed_participants: removed }));
  return { ok: true, value: { messaging_product: 'whatsapp', success: true, removed_participants: removed } };
}

export type JoinOutcome = { ok: true; group: SandboxGroup; joined: boolean; join_request_id?: string } | { ok: false; status: 404 | 409 | 422; code?: number; field: string; rule: string };

/**
 * A simulated customer taps an invite link: with `auto_approve` they join at once
 * (`group_add_participants`), with `approval_required` a join request waits for the business.
 * A full group (8 participants) refuses them with Meta's 131204.
 */
export function joinByLink(engine: SandboxEngine, phone: SimulatedPhone, link: string): JoinOutcome {
  const code = link.startsWith(INVITE_ORIGIN) ? link.slice(INVITE_ORIGIN.length) : link;
  const group = [...engine.state.groups.values()].find((g) => g.inviteCode !== null && g.inviteCode === code);
  if (!group) return { ok: false, status: 404, field: 'invite_link', rule: 'is not the current invite link of any group (revoked, reset or never made)' };
  if (!phone.hasWhatsapp) return { ok: false, status: 422, field: 'wa_id', rule: 'this simulated phone has no WhatsApp account' };
  if (group.suspended) return { ok: false, status: 422, code: 131207, field: 'invite_link', rule: 'the group is suspended' };
  if (group.participants.some((p) => p.waId === phone.waId)) return { ok: false, status: 409, code: 131202, field: 'wa_id', rule: 'is already a participant of this group' };
  const pending = group.joinRequests.find((r) => r.waId === phone.waId);
  if (pending) return { ok: true, group, joined: false, join_request_id: pending.id };
  if (group.participants.length >= GROUP_LIMITS.participants) {
    return { ok: false, status: 422, code: 131204, field: 'invite_link', rule: `the group is full (${GROUP_LIMITS.participants} participants, Meta's limit)` };
  }
  if (group.joinApprovalMode === 'approval_required') {
    const request = { id: Buffer.from(`${group.id}:${phone.waId}:${randomInt(0, 1e9)}`).toString('base64url'), waId: phone.waId, createdAt: engine.clock.now() };
    group.joinRequests.push(request);
    engine.state.touch();
    return { ok: true, group, joined: false, join_request_id: request.id };
  }
  group.participants.push({ waId: phone.waId, joinedAt: engine.clock.now() });
  engine.state.touch();
  engine.later(0, () => emitGroupEvent(engine, group, GROUP_FIELDS.participants, 'group_add_participants', { added_participants: [{ wa_id: phone.waId }] }));
  return { ok: true, group, joined: true };
}

/** A simulated customer leaves a group (`group_remove_participants`). */
export function leaveGroup(engine: SandboxEngine, phone: SimulatedPhone, group: SandboxGroup): boolean {
  const before = group.participants.length;
  group.participants = group.participants.filter((p) => p.waId !== phone.waId);
  if (group.participants.length === before) return false;
  engine.state.touch();
  engine.later(0, () => emitGroupEvent(engine, group, GROUP_FIELDS.participants, 'group_remove_participants', { removed_participants: [{ wa_id: phone.waId }] }));
  return true;
}

/** Suspends or reinstates a group (WhatsApp's decision, made through the control API); `group_status_update`. */
export function setSuspended(engine: SandboxEngine, group: SandboxGroup, suspended: boolean): void {
  if (group.suspended === suspended) return;
  group.suspended = suspended;
  engine.state.touch();
  engine.later(0, () => emitGroupEvent(engine, group, GROUP_FIELDS.status, suspended ? 'group_suspend' : 'group_unsuspend', {}));
}

/** `https://chat.whatsapp.com/{code}`. */
export function inviteLinkOf(code: string): string {
  return `${INVITE_ORIGIN}${code}`;
}

/** Meta's 131207 for a suspended group. */
export function suspendedFailure(group: SandboxGroup): MetaFailure | undefined {
  return group.suspended ? metaFailure(131207, `Group ${group.id} is suspended by WhatsApp; it cannot be changed or messaged.`) : undefined;
}

/** One `group_*` webhook with one event of the group, to the number's WABA. */
export function emitGroupEvent(engine: SandboxEngine, group: SandboxGroup, field: string, type: GroupEventType, extra: Partial<GroupWebhookEvent>): void {
  const number = engine.state.phoneNumbers.get(group.phoneNumberId);
  if (!number) return;
  const event: GroupWebhookEvent = { timestamp: Number(engine.clock.unixSeconds()), group_id: group.id, type, request_id: group.requestId, ...extra };
  engine.emit(number.wabaId, field, {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: number.displayPhoneNumber, phone_number_id: number.id },
    groups: [event],
  });
}

/** Meta's group ids are base64 text (`Y2FwaV9ncm91cDo...`: "capi_group:{number}:{id}"). */
function newGroupId(number: SandboxPhoneNumber): string {
  const serial = `${randomInt(100_000_000, 999_999_999)}${randomInt(100_000_000, 999_999_999)}`;
  return Buffer.from(`capi_group:${number.displayPhoneNumber.replace(/\D/g, '')}:${serial}`).toString('base64url');
}

function newInviteCode(): string {
  return randomBytes(16).toString('base64url').replace(/[-_]/g, 'x').slice(0, 22);
}

function checkProduct(body: Body): MetaFailure | undefined {
  if (body.messaging_product === undefined) return metaFailure(131008, 'messaging_product: is required ("whatsapp")');
  if (body.messaging_product !== 'whatsapp') return metaFailure(100, 'messaging_product: must be "whatsapp"');
  return undefined;
}

function fail<T>(code: MetaFailure['code'], details: string): GroupOutcome<T> {
  return { ok: false, failure: metaFailure(code, details) };
}

function cursorOf(index: number): string {
  return Buffer.from(`g:${index}`).toString('base64url');
}

function cursorIndex(cursor: string): number | undefined {
  const match = /^g:(\d{1,6})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? Number(match[1]) : undefined;
}

/** Width and height of a baseline or progressive JPEG (its SOF marker), or undefined. */
function jpegSize(data: Buffer): { width: number; height: number } | undefined {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return undefined;
  let offset = 2;
  while (offset + 9 < data.length) {
    if (data[offset] !== 0xff) return undefined;
    const marker = data[offset + 1] ?? 0;
    const length = data.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return undefined;
}
