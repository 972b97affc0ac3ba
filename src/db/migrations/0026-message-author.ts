import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Who queued an outbound message (issue 11, the inbox's bubbles): `messages.sent_by_type`
 * (`agent`, `bot`, `api`, `system`) and `messages.sent_by_id` (the user id, the API key id; null
 * when not known). Written by `Messages.queue` in the same insert as the message (no extra
 * statement on the hot path); null for inbound messages, campaign messages and every message
 * queued before this migration.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('messages').addColumn('sent_by_type', 'text').execute();
  await db.schema.alterTable('messages').addColumn('sent_by_id', 'text').execute();
}
