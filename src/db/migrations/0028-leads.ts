import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Leads (issue 12): people who showed interest, one row per contact and source (a lead form, an
 * agent, an API client, a chat or, later, a group), with the fields found and each one's
 * provenance as JSON. `field_names` is the JSON array of the lead's field names in their order,
 * so an export reads every source's columns in one aggregate before it streams the rows.
 *
 * `lead_sources` holds what is configured per source: its interest keywords, and for a `chat`
 * source (a phone number) that every customer who writes to it becomes a lead.
 *
 * Both are personal data of one contact or configuration of one workspace: deleting the contact
 * deletes its leads, deleting the workspace deletes everything.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('leads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('source_type', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('field_names', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // One lead per contact and source; also the inbound hot path's lookup (a contact's leads).
  await db.schema.createIndex('leads_contact_source').on('leads').columns(['workspace_id', 'contact_id', 'source_type', 'source_id']).unique().execute();
  // The list (newest first), one source's list and export sheet, a contact's deletion.
  await db.schema.createIndex('leads_page').on('leads').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('leads_source').on('leads').columns(['workspace_id', 'source_type', 'source_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('leads_contact').on('leads').column('contact_id').execute();

  await db.schema
    .createTable('lead_sources')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('source_type', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('keywords', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('lead_sources_pkey', ['workspace_id', 'source_type', 'source_id'])
    .execute();
}
