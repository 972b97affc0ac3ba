import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';

/** A workspace's retention of its customers' message contents and media, as the API shows it. */
export interface RetentionSettingsView {
  /** Message contents older than this many days become a placeholder (type, status, timestamps and cost stay); null: kept. */
  message_content_days: number | null;
  /** Received media's bytes older than this many days are deleted (the record stays, `expired`); null: kept. */
  media_days: number | null;
  /** The installation's rules for the rest (env vars), for information. */
  installation: { inbound_events_days: number; outbox_hours: number; webhook_deliveries_days: number; job_log_days: number };
  updated_at: string | null;
}

/** The bounds of the per-workspace settings: at least a day, at most ten years. */
export const RETENTION_DAYS = { min: 1, max: 3650 } as const;

/** A workspace's settings row, cursors included (the job reads it). */
export interface WorkspaceRetention {
  workspaceId: string;
  messageContentDays: number | null;
  mediaDays: number | null;
  messagesCursor: string | null;
  mediaCursor: string | null;
}

/** The `retention_settings` table: what each workspace keeps of message contents and media. */
export class RetentionSettings {
  constructor(
    private readonly deps: { db: Kysely<Schema>; now: () => Date; installation: RetentionSettingsView['installation'] },
  ) {}

  async get(workspaceId: string): Promise<RetentionSettingsView> {
    const row = await this.deps.db.selectFrom('retention_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
    return { message_content_days: row?.message_content_days ?? null, media_days: row?.media_days ?? null, installation: this.deps.installation, updated_at: row?.updated_at ?? null };
  }

  /**
   * Sets the fields given (null turns a rule off; a field left out stays). A refusal names the
   * field and its rule (the route's schema checks the same bounds first).
   */
  async set(workspaceId: string, input: { message_content_days?: number | null; media_days?: number | null }): Promise<{ ok: true; settings: RetentionSettingsView } | { ok: false; field: string; rule: string }> {
    for (const field of ['message_content_days', 'media_days'] as const) {
      const value = input[field];
      if (value === undefined || value === null) continue;
      if (!Number.isInteger(value) || value < RETENTION_DAYS.min || value > RETENTION_DAYS.max) return { ok: false, field, rule: `must be a whole number of days from ${RETENTION_DAYS.min} to ${RETENTION_DAYS.max}, or null (off)` };
    }
    const now = this.deps.now().toISOString();
    const changes = {
      ...(input.message_content_days !== undefined ? { message_content_days: input.message_content_days } : {}),
      ...(input.media_days !== undefined ? { media_days: input.media_days } : {}),
      updated_at: now,
    };
    await this.deps.db
      .insertInto('retention_settings')
      .values({ workspace_id: workspaceId, message_content_days: input.message_content_days ?? null, media_days: input.media_days ?? null, messages_cursor: null, media_cursor: null, updated_at: now })
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet(changes))
      .execute();
    return { ok: true, settings: await this.get(workspaceId) };
  }

  /** The workspaces with a rule on, for the job. */
  async active(): Promise<WorkspaceRetention[]> {
    const rows = await this.deps.db
      .selectFrom('retention_settings')
      .selectAll()
      .where((eb) => eb.or([eb('message_content_days', 'is not', null), eb('media_days', 'is not', null)]))
      .orderBy('workspace_id')
      .execute();
    return rows.map((row) => ({ workspaceId: row.workspace_id, messageContentDays: row.message_content_days, mediaDays: row.media_days, messagesCursor: row.messages_cursor, mediaCursor: row.media_cursor }));
  }

  /** Where a workspace's rule stopped (the job moves it after each batch). */
  async moveCursor(workspaceId: string, which: 'messages_cursor' | 'media_cursor', cursor: string): Promise<void> {
    await this.deps.db.updateTable('retention_settings').set({ [which]: cursor }).where('workspace_id', '=', workspaceId).execute();
  }
}
