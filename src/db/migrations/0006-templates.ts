import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Templates as managed assets. The provider cache of 0002 becomes the one templates table:
 * drafts (no provider id yet), submitted and synced templates, and deleted ones (kept, marked
 * `deleted_at`, with their history), so `provider_template_id` becomes nullable and the
 * name+language uniqueness holds only for templates that are not deleted. SQLite cannot relax a
 * NOT NULL, so the table is rebuilt (copied aside, recreated, copied back; both dialects).
 * Each edit is a row of `template_versions`; status, quality and category changes are rows of
 * `template_events`.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await sql`create table templates_0006 as select * from templates`.execute(db);
  await db.schema.dropTable('templates').execute();

  await db.schema
    .createTable('templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('waba_id', 'text', (c) => c.notNull())
    .addColumn('provider_template_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('parameter_format', 'text')
    .addColumn('components', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('rejected_reason', 'text')
    .addColumn('status_details', 'text')
    .addColumn('quality_score', 'text')
    .addColumn('previous_category', 'text')
    .addColumn('submitted_at', 'text')
    .addColumn('submitting_since', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  await db.schema
    .createIndex('templates_live_name_language')
    .on('templates')
    .columns(['workspace_id', 'waba_id', 'name', 'language'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  await db.schema.createIndex('templates_provider_id').on('templates').columns(['workspace_id', 'provider_template_id']).execute();

  await sql`insert into templates (id, workspace_id, waba_id, provider_template_id, name, language, category, status, parameter_format, components, version, created_at, updated_at)
    select id, workspace_id, waba_id, provider_template_id, name, language, category, status, parameter_format, components, 1, updated_at, updated_at from templates_0006`.execute(db);
  await db.schema.dropTable('templates_0006').execute();

  await db.schema
    .createTable('template_versions')
    .addColumn('template_id', 'text', (c) => c.notNull().references('templates.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('parameter_format', 'text')
    .addColumn('components', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('template_versions_pk', ['template_id', 'version'])
    .execute();
  await sql`insert into template_versions (template_id, version, category, parameter_format, components, created_by, created_at, submitted_at, status)
    select id, 1, category, parameter_format, components, 'provider', created_at, null, status from templates`.execute(db);

  await db.schema
    .createTable('template_events')
    .addColumn('id', ctx.serialType, (c) => c.primaryKey().$call(ctx.autoIncrement))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('template_id', 'text', (c) => c.notNull().references('templates.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('version', 'integer')
    .addColumn('status', 'text')
    .addColumn('previous_status', 'text')
    .addColumn('reason', 'text')
    .addColumn('quality_score', 'text')
    .addColumn('previous_quality_score', 'text')
    .addColumn('category', 'text')
    .addColumn('previous_category', 'text')
    .addColumn('details', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('template_events_template').on('template_events').columns(['template_id', 'id']).execute();
}
