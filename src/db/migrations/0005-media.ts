import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Media: files the workspace uploaded (direction `out`) or received from customers (`in`),
 * their bytes kept in media storage by `storage_key`; the provider's ids for uploaded files per
 * phone number (reused while valid, Meta keeps them 30 days); and the download jobs that fetch
 * inbound media before Meta's id expires (7 days).
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('media')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('mime_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer')
    .addColumn('sha256', 'text')
    .addColumn('filename', 'text')
    .addColumn('storage_key', 'text')
    .addColumn('source_message_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('media_workspace').on('media').columns(['workspace_id', 'created_at']).execute();

  await db.schema
    .createTable('media_provider_ids')
    .addColumn('media_id', 'text', (c) => c.notNull().references('media.id').onDelete('cascade'))
    .addColumn('phone_number_id', 'text', (c) => c.notNull().references('phone_numbers.id').onDelete('cascade'))
    .addColumn('provider_media_id', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('media_provider_ids_media_number', ['media_id', 'phone_number_id'])
    .execute();

  await db.schema
    .createTable('media_downloads')
    .addColumn('media_id', 'text', (c) => c.primaryKey().references('media.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('phone_number_id', 'text', (c) => c.notNull().references('phone_numbers.id').onDelete('cascade'))
    .addColumn('provider_media_id', 'text', (c) => c.notNull())
    .addColumn('expected_sha256', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text')
    .addColumn('give_up_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();
  await db.schema.createIndex('media_downloads_due').on('media_downloads').columns(['next_attempt_at']).execute();
}
