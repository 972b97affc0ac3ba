import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Retention (issue 13): what a workspace keeps of its customers' message contents and media
 * (`retention_settings`, one row per workspace that set it; no row: kept until deleted), and
 * the indexes the prune jobs read by, so that each batch is an index range scan rather than a
 * scan of a large table:
 *
 * - `webhook_deliveries (status, updated_at)`: finished deliveries (delivered or failed) by when they finished;
 * - `bot_log (created_at)`: the bot's log by age;
 * - `media_downloads (completed_at)`: finished downloads by when they finished.
 *
 * `inbound_events (processed_at, id)`, `user_sessions (expires_at)`, `bot_tasks (done_at, due_at)`,
 * `messages (workspace_id, created_at, id)` and `media (workspace_id, created_at)` exist already;
 * the outbox is pruned by its primary key.
 *
 * `messages_cursor` and `media_cursor` are where the content and media rules stopped (`created_at|id`
 * of the last row they handled), so a pass never walks the rows it already expired again.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('retention_settings')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id').onDelete('cascade'))
    .addColumn('message_content_days', 'integer')
    .addColumn('media_days', 'integer')
    .addColumn('messages_cursor', 'text')
    .addColumn('media_cursor', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_deliveries_finished').on('webhook_deliveries').columns(['status', 'updated_at']).execute();
  await db.schema.createIndex('bot_log_created').on('bot_log').column('created_at').execute();
  await db.schema.createIndex('media_downloads_completed').on('media_downloads').column('completed_at').execute();
}
