import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Marking read (the bot answers every customer message with blue ticks) updates a conversation's
 * unread inbound messages up to one (time, id): `messages_unread` now holds (conversation, time,
 * id) so that update reads only the unread rows instead of the conversation's whole history.
 * The queries name `direction = 'in'` as a literal: SQLite plans a partial index against bound
 * values, and a statement whose plan depends on one is prepared again on every run.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await sql`drop index messages_unread`.execute(db);
  await sql`create index messages_unread on messages (conversation_id, created_at, id) where direction = 'in' and business_read_at is null`.execute(db);
}
