import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Blocked users of a phone number (issue 12): Meta keeps the blocklist; the platform keeps its
 * own copy of the blocks made through it, so agents see who is blocked without asking Meta.
 * One row per (number, wa_id); the primary key is also the list's order (by wa_id). Deleting
 * the number deletes its rows.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('blocked_users')
    .addColumn('phone_number_id', 'text', (c) => c.notNull().references('phone_numbers.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('wa_id', 'text', (c) => c.notNull())
    .addColumn('blocked_at', 'text', (c) => c.notNull())
    .addColumn('blocked_by', 'text')
    .addPrimaryKeyConstraint('blocked_users_pkey', ['phone_number_id', 'wa_id'])
    .execute();
}
