import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * The conversation API (issue 9). `messages.business_read_at`: when the business marked an
 * inbound message read (`POST /api/v1/messages/{id}/read`; earlier ones count as read too), so
 * the unread count of a conversation is its inbound messages without it (a partial index keeps
 * that count cheap). `messages.deleted_at`: the message was erased here (content gone, a
 * tombstone keeps ids, status, timestamps and cost) or, still queued, cancelled; the dispatcher
 * never claims such a row. History pages walk (conversation, time, id) and (workspace, time, id); the inbox orders
 * conversations by last activity (last message, else creation) within a workspace.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('messages').addColumn('business_read_at', 'text').execute();
  await db.schema.alterTable('messages').addColumn('deleted_at', 'text').execute();
  await sql`create index messages_unread on messages (conversation_id) where direction = 'in' and business_read_at is null`.execute(db);
  await db.schema.createIndex('messages_conversation_page').on('messages').columns(['conversation_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('messages_workspace_page').on('messages').columns(['workspace_id', 'created_at', 'id']).execute();
  await sql`create index conversations_activity on conversations (workspace_id, (coalesce(last_message_at, created_at)), id)`.execute(db);
}
