import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * The audit log (issue 13, "Accountability"): one row per action of a person, an API key, the
 * CLI or the platform itself that changed data or settings, read personal data in bulk, exported
 * or erased, signed in or out. Append-only: a trigger refuses every UPDATE (the retention job's
 * DELETE of old rows is the one removal). `workspace_id` has no foreign key: the record of what
 * was done in a workspace outlives it until its retention ends; it is null for a failed sign-in
 * with an unknown e-mail. `details` is a small JSON object (error code, ...), never a request body.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', ctx.serialType, (c) => c.primaryKey().$call(ctx.autoIncrement))
    .addColumn('workspace_id', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_label', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('details', 'text')
    .execute();
  // The workspace's log, newest first (GET /api/v1/audit), and one record's history by target.
  await db.schema.createIndex('audit_log_page').on('audit_log').columns(['workspace_id', 'id']).execute();
  await db.schema.createIndex('audit_log_target').on('audit_log').columns(['workspace_id', 'target_id', 'id']).execute();
  // The retention job deletes the oldest rows in batches.
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
  for (const statement of ctx.refuseUpdates('audit_log', 'audit_log is append-only: its rows are never updated')) await sql.raw(statement).execute(db);
}
