import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Transactional notifications (`POST /api/v1/notifications`): one template to one recipient,
 * now or at a time. The table is also the scheduler's queue (due rows by status and send_at);
 * an Idempotency-Key is unique per workspace.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('idempotency_key', 'text')
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('phone_number_id', 'text', (c) => c.notNull().references('phone_numbers.id').onDelete('cascade'))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('template_name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('parameters', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('send_at', 'text', (c) => c.notNull())
    .addColumn('requested_send_at', 'text')
    .addColumn('postponed', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('claimed_at', 'text')
    .addColumn('message_id', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('error_details', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('cancelled_at', 'text')
    .addColumn('refused_at', 'text')
    .addUniqueConstraint('notifications_workspace_idempotency_key', ['workspace_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('notifications_due').on('notifications').columns(['status', 'send_at']).execute();
  await db.schema.createIndex('notifications_workspace_contact').on('notifications').columns(['workspace_id', 'contact_id']).execute();
}
