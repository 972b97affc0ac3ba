import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Invoices: the checked invoice with the totals Conversa computed (`data`, JSON), its number
 * unique per workspace, and the media ids of its PDF and, when it carries a Pix code, of the
 * code's QR image. The bytes live in media storage like any outbound file.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('invoices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('issue_date', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('customer_name', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('total_cents', 'bigint', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('media_id', 'text', (c) => c.notNull().references('media.id'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('pix_code', 'text')
    .addColumn('pix_qr_media_id', 'text', (c) => c.references('media.id'))
    .addColumn('payment_link', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('invoices_workspace_number', ['workspace_id', 'number'])
    .execute();
  await db.schema.createIndex('invoices_workspace_created').on('invoices').columns(['workspace_id', 'created_at']).execute();
}
