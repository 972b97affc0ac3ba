import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * The agent inbox (issue 11): snoozing a conversation, and how a workspace assigns the
 * conversations handed to its queues.
 *
 * On `conversations`: `snoozed_until` (hidden from its agent's "mine" view until then; past
 * means awake, so no job wakes it) and `snooze_until_next_message` (0/1: hidden until the
 * customer writes). A customer message clears both, in the transaction that stores it.
 *
 * `assignment_settings` is one row per workspace that chose a strategy (`manual`,
 * `round_robin`, `least_busy`; no row means `manual`). `assignment_rotations` is the round
 * robin pointer per queue (the last user it gave a conversation to): a row every node reads and
 * moves with a compare-and-set inside the handoff's transaction, so several nodes agree on whose
 * turn it is.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('snoozed_until', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('snooze_until_next_message', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await db.schema
    .createTable('assignment_settings')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id').onDelete('cascade'))
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('assignment_rotations')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('last_user_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('assignment_rotations_pk', ['workspace_id', 'queue'])
    .execute();
}
