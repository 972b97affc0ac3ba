import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Chatbot flows (issue 10). `flows`: a workspace's flow documents by name, with the draft as it
 * was written (`source`, YAML or JSON) and its normalised form. `flow_versions`: what publishing
 * made, immutable — the document, its source and the trained intent model. `flow_deployments`:
 * which version of a flow is live on a phone number (publish and rollback move it).
 * `bot_sessions`: one running session per conversation (its flow version, the engine's state, a
 * revision for compare-and-set, when it times out). `bot_tasks`: the engine's effects that run
 * outside a transaction (HTTP calls, waits), claimed with a lease like every job. `bot_log`:
 * what the bot did or could not do, shown in the conversation's history. `flow_secrets`: values
 * HTTP steps reference as `{{secrets.NAME}}`, sealed at rest, never answered by the API.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('flows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('flows_workspace_name').unique().on('flows').columns(['workspace_id', 'name']).execute();

  await db.schema
    .createTable('flow_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('flow_id', 'text', (c) => c.notNull().references('flows.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('model', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('flow_versions_flow').unique().on('flow_versions').columns(['flow_id', 'version']).execute();

  await db.schema
    .createTable('flow_deployments')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('phone_number_id', 'text', (c) => c.notNull().references('phone_numbers.id').onDelete('cascade'))
    .addColumn('flow_id', 'text', (c) => c.notNull().references('flows.id').onDelete('cascade'))
    .addColumn('version_id', 'text', (c) => c.notNull().references('flow_versions.id').onDelete('cascade'))
    .addColumn('deployed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('flow_deployments_pk', ['phone_number_id', 'flow_id'])
    .execute();
  await db.schema.createIndex('flow_deployments_flow').on('flow_deployments').column('flow_id').execute();

  await db.schema
    .createTable('bot_sessions')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey().references('conversations.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('flow_id', 'text', (c) => c.notNull().references('flows.id').onDelete('cascade'))
    .addColumn('version_id', 'text', (c) => c.notNull().references('flow_versions.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('rev', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('claimed_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('bot_sessions_expires').on('bot_sessions').column('expires_at').execute();

  await db.schema
    .createTable('bot_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('effect_id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('claimed_until', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('done_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('bot_tasks_due').on('bot_tasks').columns(['done_at', 'due_at']).execute();
  await db.schema.createIndex('bot_tasks_conversation').on('bot_tasks').column('conversation_id').execute();

  await db.schema
    .createTable('bot_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('flow', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('step', 'text')
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('bot_log_conversation').on('bot_log').columns(['conversation_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('flow_secrets')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('flow_secrets_pk', ['workspace_id', 'name'])
    .execute();
}
