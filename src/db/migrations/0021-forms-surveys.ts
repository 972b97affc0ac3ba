import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * What chatbot flows collect (issue 10): form submissions and satisfaction survey answers.
 *
 * Both are personal data of one contact: `contact_id` is on every row (with its own index) so a
 * person's data can be exported and erased (issue 13), and deleting a contact deletes them.
 * The flow is kept by name and published version as plain columns (no reference to the flows
 * tables: a submission outlives the flow's versions). `field_names` is the JSON array of the
 * submission's keys in their order, so an export reads every form's columns in one aggregate
 * before it streams the rows.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('form_submissions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('flow', 'text', (c) => c.notNull())
    .addColumn('flow_version', 'integer', (c) => c.notNull())
    .addColumn('form', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('field_names', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .execute();
  // The list (newest first), the list and export of one form, one contact's submissions.
  await db.schema.createIndex('form_submissions_page').on('form_submissions').columns(['workspace_id', 'submitted_at', 'id']).execute();
  await db.schema.createIndex('form_submissions_form').on('form_submissions').columns(['workspace_id', 'form', 'submitted_at', 'id']).execute();
  await db.schema.createIndex('form_submissions_contact').on('form_submissions').columns(['contact_id', 'submitted_at', 'id']).execute();

  await db.schema
    .createTable('survey_responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('flow', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('agent', 'text')
    .addColumn('queue', 'text')
    .addColumn('answered_at', 'text', (c) => c.notNull())
    .execute();
  // The list (newest first), the summary of one kind over a period, one contact's answers.
  await db.schema.createIndex('survey_responses_page').on('survey_responses').columns(['workspace_id', 'answered_at', 'id']).execute();
  await db.schema.createIndex('survey_responses_kind').on('survey_responses').columns(['workspace_id', 'kind', 'answered_at', 'id']).execute();
  await db.schema.createIndex('survey_responses_contact').on('survey_responses').columns(['contact_id', 'answered_at', 'id']).execute();
}
