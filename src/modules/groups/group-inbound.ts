import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { newId, type ConversationsTable, type GroupsTable, type Schema } from '../../db/index.js';
import type { ChangeEventPayload, GroupWebhookEvent } from '../../whatsapp/index.js';
import type { InboundContext, InboundRouter } from '../inbound/index.js';
import type { Groups } from './groups.js';

/**
 * What the groups module does with Meta's `group_*` webhooks (registered on the inbound router
 * in the composition root; every write in the batch's transaction): a `group_create` confirms the
 * group the API created (matched by the create's `request_id`; a group made elsewhere is adopted),
 * gives it its contact record and conversation; settings, suspensions, joins and departures are
 * stored; each publishes its `group.*` event to webhook subscribers.
 */
export class GroupInbound {
  constructor(
    private readonly groups: Groups,
    private readonly logger: Logger,
    /** Told of each participant who joins, in the webhook's transaction (leads from a sales group). */
    private readonly joined?: (trx: Kysely<Schema>, input: { workspaceId: string; groupId: string; contactId: string; at: Date }) => Promise<void>,
  ) {}

  register(router: InboundRouter): void {
    router.on('group', async (event, context) => {
      for (const change of event.payload.groups) await this.onGroupEvent(change, event.payload, context);
    });
  }

  /**
   * The conversation of the group Meta calls `providerGroupId` on a number, for messaging to
   * store a message written in the group; undefined when the platform does not know the group.
   */
  async conversationFor(workspaceId: string, numberRowId: string, providerGroupId: string, trx: Kysely<Schema>): Promise<ConversationsTable | undefined> {
    const row = await this.groups.byProviderId(numberRowId, providerGroupId, trx);
    if (!row || row.workspace_id !== workspaceId || !row.conversation_id) return undefined;
    return trx.selectFrom('conversations').selectAll().where('id', '=', row.conversation_id).where('workspace_id', '=', workspaceId).executeTakeFirst();
  }

  async onGroupEvent(change: GroupWebhookEvent, payload: ChangeEventPayload, { workspaceId, number, trx }: InboundContext): Promise<void> {
    if (!number) {
      this.logger.warn({ field: payload.field, group_id: change.group_id }, 'group webhook without a phone number of this workspace; kept in inbound_events only');
      return;
    }
    const { deps } = this.groups;
    const at = new Date(Number(change.timestamp) * 1000 || deps.clock.forNumber(number).getTime()).toISOString();
    let row = await this.groups.byProviderId(number.id, change.group_id, trx);
    if (change.type === 'group_create') {
      row = await this.#confirm(workspaceId, number.id, change, at, row, trx);
      await deps.events.record(trx, workspaceId, 'group.created', { ...(await this.#summary(row, trx)), timestamp: at });
      return;
    }
    if (!row || row.workspace_id !== workspaceId) {
      this.logger.warn({ type: change.type, group_id: change.group_id }, 'webhook about a group this workspace does not know; kept in inbound_events only');
      return;
    }
    switch (change.type) {
      case 'group_delete':
        if (await this.groups.markDeleted(workspaceId, row.id, at, trx)) await deps.events.record(trx, workspaceId, 'group.deleted', { group_id: row.id, provider_group_id: change.group_id, phone_number_id: number.phone_number_id, timestamp: at });
        return;
      case 'group_settings_update':
      case 'group_suspend':
      case 'group_unsuspend': {
        const patch: Partial<GroupsTable> = { updated_at: at };
        if (typeof change.subject === 'string') patch.subject = change.subject;
        if (typeof change.description === 'string') patch.description = change.description;
        if (change.type !== 'group_settings_update') patch.suspended = change.type === 'group_suspend' ? 1 : 0;
        await trx.updateTable('groups').set(patch).where('id', '=', row.id).execute();
        const changed = Object.keys(patch).filter((k) => k !== 'updated_at');
        await deps.events.record(trx, workspaceId, 'group.updated', { ...(await this.#summary({ ...row, ...patch }, trx)), changed: change.profile_picture ? [...changed, 'picture'] : changed, timestamp: at });
        return;
      }
      case 'group_add_participants':
        for (const participant of change.added_participants ?? []) {
          if (typeof participant?.wa_id !== 'string') continue;
          const contact = await deps.contacts.ensureFromInbound(workspaceId, participant.wa_id, undefined, trx);
          await trx
            .insertInto('group_participants')
            .values({ group_id: row.id, workspace_id: workspaceId, wa_id: participant.wa_id, contact_id: contact.id, status: 'member', joined_at: at, left_at: null })
            .onConflict((oc) => oc.columns(['group_id', 'wa_id']).doUpdateSet({ status: 'member', joined_at: at, left_at: null }))
            .execute();
          await deps.events.record(trx, workspaceId, 'group.participant_joined', { group_id: row.id, provider_group_id: change.group_id, phone_number_id: number.phone_number_id, wa_id: participant.wa_id, contact_id: contact.id, timestamp: at });
          await this.joined?.(trx, { workspaceId, groupId: row.id, contactId: contact.id, at: new Date(at) });
        }
        return;
      case 'group_remove_participants':
        for (const participant of change.removed_participants ?? []) {
          if (typeof participant?.wa_id !== 'string') continue;
          const left = await trx.updateTable('group_participants').set({ status: 'left', left_at: at }).where('group_id', '=', row.id).where('wa_id', '=', participant.wa_id).where('status', '=', 'member').returning('contact_id').executeTakeFirst();
          if (!left) continue;
          await deps.events.record(trx, workspaceId, 'group.participant_left', { group_id: row.id, provider_group_id: change.group_id, phone_number_id: number.phone_number_id, wa_id: participant.wa_id, contact_id: left.contact_id, timestamp: at });
        }
        return;
      default:
        this.logger.info({ type: change.type, group_id: change.group_id }, 'group webhook of a type the platform does not act on; kept in inbound_events');
    }
  }

  /** Meta confirmed a group: our pending row (by `request_id`) becomes active, or a group made elsewhere is adopted. */
  async #confirm(workspaceId: string, numberRowId: string, change: GroupWebhookEvent, at: string, existing: GroupsTable | undefined, trx: Kysely<Schema>): Promise<GroupsTable> {
    const { deps } = this.groups;
    let row = existing ?? (await trx.selectFrom('groups').selectAll().where('phone_number_id', '=', numberRowId).where('request_id', '=', String(change.request_id)).executeTakeFirst());
    if (!row) {
      row = {
        id: newId('grp'),
        workspace_id: workspaceId,
        phone_number_id: numberRowId,
        request_id: String(change.request_id ?? change.group_id),
        provider_group_id: change.group_id,
        status: 'active',
        subject: change.subject ?? '',
        description: change.description ?? '',
        join_approval_mode: change.join_approval_mode ?? 'auto_approve',
        invite_link: change.invite_link ?? null,
        suspended: 0,
        conversation_id: null,
        created_at: at,
        updated_at: at,
        deleted_at: null,
      };
      await trx.insertInto('groups').values(row).execute();
    }
    // The group's own contact record: what its conversation is with (wa_id = Meta's group id, no phone).
    const subject = change.subject ?? row.subject;
    const { contact } = await deps.contacts.upsert(workspaceId, { waId: change.group_id, e164: '', name: subject, attributes: { conversa_group_id: row.id } }, trx);
    const conversation = await deps.conversations.ensureForGroup(workspaceId, numberRowId, contact.id, row.id, trx);
    const patch = {
      provider_group_id: change.group_id,
      status: 'active',
      subject,
      ...(change.description !== undefined ? { description: change.description } : {}),
      ...(change.join_approval_mode ? { join_approval_mode: change.join_approval_mode } : {}),
      invite_link: change.invite_link ?? row.invite_link,
      conversation_id: conversation.id,
      updated_at: at,
    };
    await trx.updateTable('groups').set(patch).where('id', '=', row.id).execute();
    return { ...row, ...patch };
  }

  async #summary(row: GroupsTable, trx: Kysely<Schema>): Promise<Record<string, unknown>> {
    const view = await this.groups.viewIn(row, trx);
    return {
      group_id: view.id,
      provider_group_id: view.provider_group_id,
      phone_number_id: view.phone_number_id,
      subject: view.subject,
      description: view.description,
      join_approval_mode: view.join_approval_mode,
      invite_link: view.invite_link,
      suspended: view.suspended,
      conversation_id: view.conversation_id,
    };
  }
}
