import type { Kysely } from 'kysely';
import type { Clock } from '../../clock/index.js';
import { newId, type GroupsTable, type Schema } from '../../db/index.js';
import { jpegSize, type GraphResult, type GroupJoinApprovalMode, type GroupJoinRequest, type WhatsAppClient } from '../../whatsapp/index.js';
import type { Contacts } from '../contacts/index.js';
import type { Conversations } from '../conversations/index.js';
import type { Events } from '../events/index.js';
import type { PhoneNumbers, PhoneNumberView } from '../phone-numbers/index.js';

/** The Graph calls groups make (the WhatsApp client's, typed by the part used). */
export type GroupsGraph = Pick<
  WhatsAppClient,
  'createGroup' | 'getGroup' | 'updateGroup' | 'setGroupPicture' | 'deleteGroup' | 'createInviteLink' | 'revokeInviteLink' | 'listJoinRequests' | 'answerJoinRequests' | 'removeGroupParticipants'
>;

export interface GroupParticipantView {
  wa_id: string;
  contact_id: string;
  joined_at: string;
}

/** A group as the API shows it. */
export interface GroupView {
  id: string;
  /** Meta's group id; null while Meta has not confirmed the group (`status: pending`). */
  provider_group_id: string | null;
  /** Meta's phone_number_id of the number that owns the group. */
  phone_number_id: string;
  status: 'pending' | 'active' | 'deleted';
  subject: string;
  description: string;
  join_approval_mode: GroupJoinApprovalMode;
  invite_link: string | null;
  suspended: boolean;
  /** The group's conversation (its messages); null while pending. */
  conversation_id: string | null;
  participants: GroupParticipantView[];
  created_at: string;
  updated_at: string;
}

/** A group call's outcome: the value, or why not (with Meta's error when the provider refused). */
export type GroupOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; error: 'not_found' }
  | { ok: false; error: 'pending'; group: GroupView }
  | { ok: false; error: 'no_phone_number'; from?: string | undefined }
  | { ok: false; error: 'provider_rejected'; status: number; code: number; title: string; details: string }
  | { ok: false; error: 'provider_unreachable'; reason: string };

/** Where a message to a group goes: the number, the group's conversation and its contact record. */
export interface GroupRecipient {
  group: GroupView;
  number: PhoneNumberView;
  providerGroupId: string;
  conversationId: string;
  contact: { id: string; wa_id: string };
}

export interface GroupsDeps {
  db: Kysely<Schema>;
  phoneNumbers: PhoneNumbers;
  contacts: Contacts;
  conversations: Conversations;
  events: Events;
  graph: GroupsGraph;
  clock: Clock;
}

const PAGE_MAX = 100;

/** Meta's rules for a group picture (cloud-api-facts.md §1.7): a JPEG, at most 5 MB, square, at least 192 px. */
export const GROUP_PICTURE_MAX_BYTES = 5 * 1024 * 1024;
const GROUP_PICTURE_MIN_PX = 192;

/** Why a group picture would be refused by Meta (131209, 131210, 100), naming the rule; undefined when it is fine. */
export function checkGroupPicture(data: Buffer): { rule: string } | undefined {
  if (data.length > GROUP_PICTURE_MAX_BYTES) return { rule: 'must be at most 5 MB' };
  const size = jpegSize(data);
  if (!size) return { rule: 'must be a JPEG image' };
  if (size.width !== size.height) return { rule: `must be square (it is ${size.width}x${size.height})` };
  if (size.width < GROUP_PICTURE_MIN_PX) return { rule: `must be at least ${GROUP_PICTURE_MIN_PX}x${GROUP_PICTURE_MIN_PX} pixels (it is ${size.width}x${size.height})` };
  return undefined;
}

/**
 * WhatsApp groups of the workspace's numbers (Meta's Groups API). The platform keeps each group
 * it created (subject, approval mode, invite link, who is in it), Meta keeps the group itself:
 * changes go to Meta first and are stored when Meta accepted them; Meta's `group_*` webhooks
 * (see group-inbound.ts) confirm the group, and say who joined and who left.
 */
export class Groups {
  constructor(readonly deps: GroupsDeps) {}

  /**
   * Asks Meta for a new group on a number (default the workspace's first). The group is
   * `pending` until Meta's `group_lifecycle_update` names its id; then it is `active`, with its
   * conversation and invite link.
   */
  async create(workspaceId: string, input: { from?: string | undefined; subject: string; description?: string | undefined; join_approval_mode?: GroupJoinApprovalMode | undefined }): Promise<GroupOutcome<GroupView>> {
    const { deps } = this;
    const number = input.from ? await deps.phoneNumbers.resolve(workspaceId, input.from) : (await deps.phoneNumbers.list(workspaceId))[0];
    if (!number) return { ok: false, error: 'no_phone_number', from: input.from };
    const sender = await deps.phoneNumbers.sender(number.id);
    if (!sender) return { ok: false, error: 'no_phone_number', from: input.from };
    const mode = input.join_approval_mode ?? 'auto_approve';
    const created = await deps.graph.createGroup(sender.endpoint, sender.metaPhoneNumberId, {
      subject: input.subject,
      ...(input.description ? { description: input.description } : {}),
      join_approval_mode: mode,
    });
    if (!created.ok) return providerFailure(created);
    const at = deps.clock.forNumber(number).toISOString();
    const row: GroupsTable = {
      id: newId('grp'),
      workspace_id: workspaceId,
      phone_number_id: number.id,
      request_id: created.value.request_id,
      provider_group_id: null,
      status: 'pending',
      subject: input.subject.trim(),
      description: input.description ?? '',
      join_approval_mode: mode,
      invite_link: null,
      suspended: 0,
      conversation_id: null,
      created_at: at,
      updated_at: at,
      deleted_at: null,
    };
    // Meta's webhook may have come first (it names the request_id): it left nothing to match, so
    // the group is confirmed when its webhook is processed after this insert, or by `confirm` below.
    await deps.db.insertInto('groups').values(row).onConflict((oc) => oc.columns(['phone_number_id', 'request_id']).doNothing()).execute();
    return { ok: true, value: await this.#view(await this.#row(workspaceId, row.id)) };
  }

  /** The workspace's groups, newest first, a page at a time (deleted ones only when asked). */
  async list(workspaceId: string, options: { limit: number; cursor?: string | undefined; includeDeleted?: boolean }): Promise<{ data: GroupView[]; next_cursor: string | null }> {
    const limit = Math.min(Math.max(options.limit, 1), PAGE_MAX);
    let query = this.deps.db.selectFrom('groups').selectAll().where('workspace_id', '=', workspaceId);
    if (!options.includeDeleted) query = query.where('status', '!=', 'deleted');
    if (options.cursor) {
      const [at, id] = Buffer.from(options.cursor, 'base64url').toString().split('|');
      if (at && id) query = query.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]));
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const data = await Promise.all(page.map((row) => this.#view(row)));
    return { data, next_cursor: rows.length > limit && last ? Buffer.from(`${last.created_at}|${last.id}`).toString('base64url') : null };
  }

  /** A group by our id (`grp_…`) or Meta's group id. */
  async get(workspaceId: string, id: string): Promise<GroupView | undefined> {
    const row = await this.#find(workspaceId, id);
    return row ? this.#view(row) : undefined;
  }

  /** New subject and/or description: at Meta first, then here. */
  async update(workspaceId: string, id: string, changes: { subject?: string | undefined; description?: string | undefined }): Promise<GroupOutcome<GroupView>> {
    return this.#atProvider(workspaceId, id, async (row, endpoint, groupId) => {
      const patch = { ...(changes.subject !== undefined ? { subject: changes.subject.trim() } : {}), ...(changes.description !== undefined ? { description: changes.description } : {}) };
      const done = await this.deps.graph.updateGroup(endpoint, groupId, patch);
      if (!done.ok) return providerFailure(done);
      await this.deps.db.updateTable('groups').set({ ...patch, updated_at: this.#now(row) }).where('id', '=', row.id).execute();
      return { ok: true, value: await this.#view(await this.#row(workspaceId, row.id)) };
    });
  }

  /**
   * A new group picture at Meta (check it first with {@link checkGroupPicture}). Nothing is
   * stored here: Meta's `group_settings_update` webhook brings `group.updated` with `picture`.
   */
  async setPicture(workspaceId: string, id: string, jpeg: Buffer): Promise<GroupOutcome<GroupView>> {
    return this.#atProvider(workspaceId, id, async (row, endpoint, groupId) => {
      const done = await this.deps.graph.setGroupPicture(endpoint, groupId, { data: jpeg, mimeType: 'image/jpeg' });
      if (!done.ok) return providerFailure(done);
      return { ok: true, value: await this.#view(row) };
    });
  }

  /** Deletes the group at Meta (every participant leaves); here it stays, `deleted`, with its conversation. */
  async delete(workspaceId: string, id: string): Promise<GroupOutcome<GroupView>> {
    return this.#atProvider(workspaceId, id, async (row, endpoint, groupId) => {
      const done = await this.deps.graph.deleteGroup(endpoint, groupId);
      if (!done.ok) return providerFailure(done);
      await this.markDeleted(row.workspace_id, row.id, this.#now(row));
      return { ok: true, value: await this.#view(await this.#row(workspaceId, row.id)) };
    });
  }

  /** A new invite link (the previous one stops working). */
  async resetInviteLink(workspaceId: string, id: string): Promise<GroupOutcome<GroupView>> {
    return this.#atProvider(workspaceId, id, async (row, endpoint, groupId) => {
      const link = await this.deps.graph.createInviteLink(endpoint, groupId);
      if (!link.ok) return providerFailure(link);
      await this.deps.db.updateTable('groups').set({ invite_link: link.value.invite_link, updated_at: this.#now(row) }).where('id', '=', row.id).execute();
      return { ok: true, value: await this.#view(await this.#row(workspaceId, row.id)) };
    });
  }

  /** Revokes the invite link: nobody joins by link until a new one is made. */
  async revokeInviteLink(workspaceId: string, id: string): Promise<GroupOutcome<GroupView>> {
    return this.#atProvider(workspaceId, id, async (row, endpoint, groupId) => {
      const done = await this.deps.graph.revokeInviteLink(endpoint, groupId);
      if (!done.ok) return providerFailure(done);
      await this.deps.db.updateTable('groups').set({ invite_link: null, updated_at: this.#now(row) }).where('id', '=', row.id).execute();
      return { ok: true, value: await this.#view(await this.#row(workspaceId, row.id)) };
    });
  }

  /** The open join requests, as Meta has them. */
  async joinRequests(workspaceId: string, id: string): Promise<GroupOutcome<GroupJoinRequest[]>> {
    return this.#atProvider(workspaceId, id, async (_row, endpoint, groupId) => {
      const list = await this.deps.graph.listJoinRequests(endpoint, groupId);
      return list.ok ? { ok: true, value: list.value } : providerFailure(list);
    });
  }

  /**
   * Approves or rejects join requests at Meta. Each succeeds or fails on its own (a full group:
   * Meta's 131204); approved customers become participants when Meta's webhook says they joined.
   */
  async answerJoinRequests(workspaceId: string, id: string, action: 'approve' | 'reject', ids: string[]): Promise<GroupOutcome<{ done: string[]; failed: Array<{ join_request_id: string; code: number; details: string }> }>> {
    return this.#atProvider(workspaceId, id, async (_row, endpoint, groupId) => {
      const answered = await this.deps.graph.answerJoinRequests(endpoint, groupId, action, ids);
      if (!answered.ok) return providerFailure(answered);
      const done = (action === 'approve' ? answered.value.approved_join_requests : answered.value.rejected_join_requests) ?? [];
      const failed = (answered.value.failed_join_requests ?? []).map((f) => ({ join_request_id: f.join_request_id, code: f.errors[0]?.code ?? 0, details: f.errors[0]?.error_data?.details ?? f.errors[0]?.message ?? '' }));
      return { ok: true, value: { done, failed } };
    });
  }

  /** Removes participants at Meta (1 to 8); here they leave when Meta's webhook says so. */
  async removeParticipants(workspaceId: string, id: string, waIds: string[]): Promise<GroupOutcome<GroupView>> {
    return this.#atProvider(workspaceId, id, async (row, endpoint, groupId) => {
      const done = await this.deps.graph.removeGroupParticipants(endpoint, groupId, waIds);
      if (!done.ok) return providerFailure(done);
      return { ok: true, value: await this.#view(row) };
    });
  }

  /**
   * Where a message to a group goes (`POST /api/v1/messages` with `recipient_type: "group"`):
   * the group by our id or Meta's, in this workspace, active.
   */
  async recipient(workspaceId: string, to: string): Promise<GroupOutcome<GroupRecipient>> {
    const row = await this.#find(workspaceId, to);
    if (!row || row.status === 'deleted') return { ok: false, error: 'not_found' };
    const group = await this.#view(row);
    if (!row.provider_group_id || !row.conversation_id) return { ok: false, error: 'pending', group };
    const number = (await this.deps.phoneNumbers.list(workspaceId)).find((n) => n.id === row.phone_number_id);
    const conversation = await this.deps.db.selectFrom('conversations').select(['id', 'contact_id']).where('id', '=', row.conversation_id).where('workspace_id', '=', workspaceId).executeTakeFirst();
    if (!number || !conversation) return { ok: false, error: 'not_found' };
    return { ok: true, value: { group, number, providerGroupId: row.provider_group_id, conversationId: conversation.id, contact: { id: conversation.contact_id, wa_id: row.provider_group_id } } };
  }

  /** The wa_ids of the group's current participants (the send policy checks their consent). */
  async participantContacts(groupId: string, trx: Kysely<Schema> = this.deps.db): Promise<string[]> {
    const rows = await trx.selectFrom('group_participants').select('contact_id').where('group_id', '=', groupId).where('status', '=', 'member').execute();
    return rows.map((r) => r.contact_id);
  }

  /** Marks a group deleted (Meta's `group_delete`, or a delete through the API). */
  async markDeleted(workspaceId: string, id: string, at: string, trx: Kysely<Schema> = this.deps.db): Promise<boolean> {
    const done = await trx.updateTable('groups').set({ status: 'deleted', deleted_at: at, updated_at: at, invite_link: null }).where('id', '=', id).where('workspace_id', '=', workspaceId).where('status', '!=', 'deleted').executeTakeFirst();
    if (Number(done.numUpdatedRows) === 0) return false;
    await trx.updateTable('group_participants').set({ status: 'left', left_at: at }).where('group_id', '=', id).where('status', '=', 'member').execute();
    return true;
  }

  async #atProvider<T>(workspaceId: string, id: string, fn: (row: GroupsTable, endpoint: { baseUrl: string; version: string; accessToken: string }, providerGroupId: string) => Promise<GroupOutcome<T>>): Promise<GroupOutcome<T>> {
    const row = await this.#find(workspaceId, id);
    if (!row || row.status === 'deleted') return { ok: false, error: 'not_found' };
    if (!row.provider_group_id) return { ok: false, error: 'pending', group: await this.#view(row) };
    const sender = await this.deps.phoneNumbers.sender(row.phone_number_id);
    if (!sender) return { ok: false, error: 'not_found' };
    return fn(row, sender.endpoint, row.provider_group_id);
  }

  async #find(workspaceId: string, id: string, trx: Kysely<Schema> = this.deps.db): Promise<GroupsTable | undefined> {
    return trx
      .selectFrom('groups')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb.or([eb('id', '=', id), eb('provider_group_id', '=', id)]))
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
  }

  async #row(workspaceId: string, id: string): Promise<GroupsTable> {
    const row = await this.#find(workspaceId, id);
    if (!row) throw new Error(`group ${id} vanished`);
    return row;
  }

  #now(row: GroupsTable): string {
    return this.deps.clock.now().toISOString() || row.updated_at;
  }

  async #view(row: GroupsTable, trx: Kysely<Schema> = this.deps.db): Promise<GroupView> {
    const participants = await trx.selectFrom('group_participants').select(['wa_id', 'contact_id', 'joined_at']).where('group_id', '=', row.id).where('status', '=', 'member').orderBy('joined_at').orderBy('wa_id').execute();
    const number = await trx.selectFrom('phone_numbers').select('phone_number_id').where('id', '=', row.phone_number_id).executeTakeFirst();
    return {
      id: row.id,
      provider_group_id: row.provider_group_id,
      phone_number_id: number?.phone_number_id ?? '',
      status: row.status as GroupView['status'],
      subject: row.subject,
      description: row.description,
      join_approval_mode: row.join_approval_mode as GroupJoinApprovalMode,
      invite_link: row.invite_link,
      suspended: Number(row.suspended) === 1,
      conversation_id: row.conversation_id,
      participants,
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
  }

  /** Reads a group in `trx` (the inbound transaction) by Meta's id on a number. */
  async byProviderId(numberRowId: string, providerGroupId: string, trx: Kysely<Schema>): Promise<GroupsTable | undefined> {
    return trx.selectFrom('groups').selectAll().where('phone_number_id', '=', numberRowId).where('provider_group_id', '=', providerGroupId).executeTakeFirst();
  }

  /** The view of a row, read in `trx`. */
  viewIn(row: GroupsTable, trx: Kysely<Schema>): Promise<GroupView> {
    return this.#view(row, trx);
  }
}

function providerFailure(result: Exclude<GraphResult<unknown>, { ok: true }>): GroupOutcome<never> {
  if (result.kind === 'error') return { ok: false, error: 'provider_rejected', status: result.status, code: result.code, title: result.title, details: result.details };
  return { ok: false, error: 'provider_unreachable', reason: result.reason };
}
