import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Capabilities, NotificationsTable, Schema } from '../../db/index.js';
import { claimDue } from '../../jobs/index.js';
import type { FriendlyParameters } from './template-components.js';

/**
 * `scheduled`: waiting for `send_at`. `sending`: claimed, its message is being queued.
 * `sent`: its message is queued (follow it with `message_id`). `refused`: the send-time policy
 * check said no (`error` says why). `cancelled`: cancelled before it went.
 */
export type NotificationStatus = 'scheduled' | 'sending' | 'sent' | 'refused' | 'cancelled';

export const NOTIFICATION_STATUSES: readonly NotificationStatus[] = ['scheduled', 'sending', 'sent', 'refused', 'cancelled'];

/** Why and until when quiet hours moved a marketing notification. */
export interface Postponement {
  reason: 'quiet_hours';
  until: string;
  time_zone: string;
  quiet_hours: string;
}

/** A notification as the API shows it: its request's `parameters`, `header` and `buttons` at the top level. */
export interface NotificationView extends FriendlyParameters {
  id: string;
  status: NotificationStatus;
  to: string;
  contact_id: string;
  /** Our phone number id it goes from. */
  from: string;
  template: { name: string; language: string; category: string };
  /** When it goes (or went). */
  send_at: string;
  requested_send_at: string | null;
  postponed: Postponement | null;
  message_id: string | null;
  error: { code: string; message: string; details: Record<string, unknown> } | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  cancelled_at: string | null;
  refused_at: string | null;
}

export type NotificationRow = NotificationsTable;

/** The notifications table: rows, the listing, and the scheduler's claims. */
export class NotificationStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly capabilities: Capabilities,
  ) {}

  /** Inserts a notification; with its idempotency key already used, answers the existing row instead. */
  async insert(row: NotificationRow): Promise<{ row: NotificationRow; created: boolean }> {
    const result = await this.db
      .insertInto('notifications')
      .values(row)
      .onConflict((oc) => oc.columns(['workspace_id', 'idempotency_key']).doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0) === 1) return { row, created: true };
    const existing = await this.byKey(row.workspace_id, row.idempotency_key ?? '');
    if (!existing) throw new Error(`notification insert conflicted but no row holds key ${row.idempotency_key ?? '(none)'}`);
    return { row: existing, created: false };
  }

  async byKey(workspaceId: string, key: string): Promise<NotificationRow | undefined> {
    return this.db.selectFrom('notifications').selectAll().where('workspace_id', '=', workspaceId).where('idempotency_key', '=', key).executeTakeFirst();
  }

  async get(workspaceId: string, id: string): Promise<NotificationRow | undefined> {
    return this.db.selectFrom('notifications').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  }

  async reload(id: string): Promise<NotificationRow> {
    return this.db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  /** Newest first, with an opaque cursor (the last id of the previous page). */
  async list(
    workspaceId: string,
    filter: { limit: number; cursor?: string | undefined; status?: NotificationStatus | undefined; contactId?: string | undefined; recipient?: string | undefined },
  ): Promise<{ data: NotificationRow[]; next_cursor: string | null }> {
    let query = this.db.selectFrom('notifications').selectAll().where('workspace_id', '=', workspaceId).orderBy('id', 'desc').limit(filter.limit + 1);
    if (filter.cursor) query = query.where('id', '<', filter.cursor);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.contactId) query = query.where('contact_id', '=', filter.contactId);
    if (filter.recipient) query = query.where('recipient', '=', filter.recipient);
    const rows = await query.execute();
    const page = rows.slice(0, filter.limit);
    return { data: page, next_cursor: rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null };
  }

  /**
   * Claims due notifications: `scheduled` ones whose `send_at` has come, and `sending` ones whose
   * claim is older than the lease (their node died mid-send). `FOR UPDATE SKIP LOCKED` where the
   * database has it, so nodes take disjoint rows; the status compare-and-set keeps it safe where
   * it has not. Answers the claimed rows, `attempts` counted.
   */
  async claimDue(input: { phoneNumberId: string; now: string; claimedAt: string; staleBefore: string; limit: number }): Promise<NotificationRow[]> {
    const due = (eb: ExpressionBuilder<Schema, 'notifications'>) =>
      eb.or([eb.and([eb('status', '=', 'scheduled'), eb('send_at', '<=', input.now)]), eb.and([eb('status', '=', 'sending'), eb('claimed_at', '<', input.staleBefore)])]);
    return claimDue(this.db, this.capabilities, {
      limit: input.limit,
      due: (db) => db.selectFrom('notifications').select('id').where('phone_number_id', '=', input.phoneNumberId).where(due).orderBy('send_at'),
      take: (trx, keys) =>
        trx
          .updateTable('notifications')
          .set((eb) => ({ status: 'sending', claimed_at: input.claimedAt, attempts: eb('attempts', '+', 1), updated_at: input.now }))
          .where('id', 'in', keys.map((row) => row.id))
          .where(due)
          .returningAll()
          .execute(),
    });
  }

  /**
   * The numbers with notifications that may be due: `send_at` up to `latest` (each number's
   * own time is compared by `claimDue`), or a claim older than `staleBefore`.
   */
  async numbersDue(input: { latest: string; staleBefore: string }): Promise<string[]> {
    const rows = await this.db
      .selectFrom('notifications')
      .select('phone_number_id')
      .distinct()
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'scheduled'), eb('send_at', '<=', input.latest)]),
          eb.and([eb('status', '=', 'sending'), eb('claimed_at', '<', input.staleBefore)]),
        ]),
      )
      .execute();
    return rows.map((row) => row.phone_number_id);
  }

  /** Moves a claimed (`sending`) notification on; answers false when it was no longer `sending`. */
  async settle(id: string, patch: Partial<NotificationRow>, trx: Kysely<Schema> = this.db): Promise<boolean> {
    const result = await trx.updateTable('notifications').set(patch).where('id', '=', id).where('status', '=', 'sending').executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Cancels a `scheduled` notification; answers false when it is not scheduled (any more). */
  async cancel(workspaceId: string, id: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('notifications')
      .set({ status: 'cancelled', cancelled_at: at, updated_at: at })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .where('status', '=', 'scheduled')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

export function toView(row: NotificationRow): NotificationView {
  return {
    id: row.id,
    status: row.status as NotificationStatus,
    to: row.recipient,
    contact_id: row.contact_id,
    from: row.phone_number_id,
    template: { name: row.template_name, language: row.language, category: row.category },
    ...(JSON.parse(row.parameters) as FriendlyParameters),
    send_at: row.send_at,
    requested_send_at: row.requested_send_at,
    postponed: row.postponed ? (JSON.parse(row.postponed) as Postponement) : null,
    message_id: row.message_id,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '', details: row.error_details ? (JSON.parse(row.error_details) as Record<string, unknown>) : {} } : null,
    created_at: row.created_at,
    updated_at: row.updated_at,
    sent_at: row.sent_at,
    cancelled_at: row.cancelled_at,
    refused_at: row.refused_at,
  };
}
