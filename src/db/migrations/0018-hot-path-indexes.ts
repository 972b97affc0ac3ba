import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Two indexes every send and every inbound message paid for and no query used any more (issue
 * 9's benchmarks): `messages_conversation` (conversation_id, created_at) is a prefix of
 * `messages_conversation_page` (conversation_id, created_at, id), which serves every lookup it
 * served; `conversations_workspace` (workspace_id, last_message_at) was the inbox's order before
 * `conversations_activity` (workspace, last activity, id) replaced it. Each message insert
 * wrote one B-tree fewer and each conversation touch one fewer.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.dropIndex('messages_conversation').ifExists().execute();
  await db.schema.dropIndex('conversations_workspace').ifExists().execute();
}
