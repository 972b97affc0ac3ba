import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * The domain event outbox: services write an event in the same transaction as the change it
 * describes (`message.received`, `message.status`, `consent.changed`, ...); consumers (outbound
 * webhooks, realtime) read it after commit, so no event is published for a change that rolled
 * back and none is lost for one that committed.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('outbox_events')
    .addColumn('id', ctx.serialType, (c) => c.primaryKey().$call(ctx.autoIncrement))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outbox_events_workspace').on('outbox_events').columns(['workspace_id', 'id']).execute();
}
