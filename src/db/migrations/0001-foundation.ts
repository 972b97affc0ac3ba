import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/** Workspaces, API keys, phone numbers (provider connections) and the raw webhook log. */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('api_keys_workspace').on('api_keys').column('workspace_id').execute();

  await db.schema
    .createTable('phone_numbers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('waba_id', 'text', (c) => c.notNull())
    .addColumn('phone_number_id', 'text', (c) => c.notNull().unique())
    .addColumn('display_phone_number', 'text', (c) => c.notNull())
    .addColumn('verified_name', 'text', (c) => c.notNull())
    .addColumn('graph_base_url', 'text', (c) => c.notNull())
    .addColumn('graph_version', 'text', (c) => c.notNull())
    .addColumn('access_token_enc', 'text', (c) => c.notNull())
    .addColumn('app_secret_enc', 'text', (c) => c.notNull())
    .addColumn('verify_token_enc', 'text', (c) => c.notNull())
    .addColumn('throughput_mps', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('phone_numbers_workspace').on('phone_numbers').column('workspace_id').execute();
  await db.schema.createIndex('phone_numbers_waba').on('phone_numbers').column('waba_id').execute();

  await db.schema
    .createTable('webhook_events')
    .addColumn('id', ctx.serialType, (c) => c.primaryKey().$call(ctx.autoIncrement))
    .addColumn('workspace_id', 'text', (c) => c.references('workspaces.id').onDelete('cascade'))
    .addColumn('waba_id', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_events_workspace').on('webhook_events').columns(['workspace_id', 'id']).execute();
}
