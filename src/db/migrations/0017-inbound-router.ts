import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * What Meta sends that was dropped (issue 9, the inbound router). On `messages`: the status
 * webhook's `pricing` (`provider_pricing`, JSON `{billable, category, pricing_model, type}`) and
 * `conversation` (`provider_conversation`, JSON `{id, origin_type, expires_at}`), which of the
 * two the cost came from (`cost_source`: `provider` or `rate_card`), when a voice message was
 * first played (`played_at`), and for an inbound reaction the message it reacts to
 * (`reacts_to`, indexed to show reactions on that message). On `contacts`: Meta's
 * business-scoped user id (`user_id`, unique in a workspace), so a user known only by username
 * has a contact. `contact_aliases`: a contact's former wa_ids (a `user_changed_number` system
 * message), so the old number still finds it.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('messages').addColumn('provider_pricing', 'text').execute();
  await db.schema.alterTable('messages').addColumn('provider_conversation', 'text').execute();
  await db.schema.alterTable('messages').addColumn('cost_source', 'text').execute();
  await db.schema.alterTable('messages').addColumn('played_at', 'text').execute();
  await db.schema.alterTable('messages').addColumn('reacts_to', 'text').execute();
  await sql`create index messages_reacts_to on messages (reacts_to) where reacts_to is not null`.execute(db);
  await db.schema.alterTable('contacts').addColumn('user_id', 'text').execute();
  await db.schema.createIndex('contacts_workspace_user_id').unique().on('contacts').columns(['workspace_id', 'user_id']).execute();
  await db.schema
    .createTable('contact_aliases')
    .addColumn('workspace_id', 'text', (col) => col.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('wa_id', 'text', (col) => col.notNull())
    .addColumn('contact_id', 'text', (col) => col.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('contact_aliases_pkey', ['workspace_id', 'wa_id'])
    .execute();
  await db.schema.createIndex('contact_aliases_contact').on('contact_aliases').column('contact_id').execute();
}
