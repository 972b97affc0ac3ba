import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * The ownership state machine of a conversation (issue 10): the bot, a queue or an agent owns
 * it, and every change of owner is a row of `conversation_transitions` (who, when, why, and the
 * bot's summary at a handoff), written in the same transaction as the change.
 *
 * On `conversations`: `queue` (the queue it waits in, or the one an agent took it from),
 * `owner_since` (when its owner took it; existing rows: their creation, as the bot has owned
 * them since), `resolved_at` (the last resolve; cleared when it leaves the bot again) and
 * `handoff_transition_id` (the handoff an inbox shows with its summary; cleared on resolve).
 * The index serves the inbox's views by owner (a queue, an agent's conversations).
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('conversation_transitions')
    .addColumn('id', ctx.serialType, (c) => c.primaryKey().$call(ctx.autoIncrement))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_type', 'text', (c) => c.notNull())
    .addColumn('from_id', 'text')
    .addColumn('to_type', 'text', (c) => c.notNull())
    .addColumn('to_id', 'text')
    .addColumn('queue', 'text')
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('reason', 'text')
    .addColumn('summary', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('conversation_transitions_conversation').on('conversation_transitions').columns(['conversation_id', 'id']).execute();

  await db.schema.alterTable('conversations').addColumn('queue', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('owner_since', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('resolved_at', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('handoff_transition_id', 'bigint').execute();
  await sql`update conversations set owner_since = created_at`.execute(db);
  await db.schema.createIndex('conversations_owner').on('conversations').columns(['workspace_id', 'owner_type', 'owner_id']).execute();
}
