import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * WhatsApp groups (issue 12, Meta's Groups API). `groups`: one row per group a number created
 * through the platform, `pending` until Meta's `group_lifecycle_update` names its id (matched by
 * the create's `request_id`), then `active`, then `deleted`. `group_participants`: who is in
 * it, each a contact, with when they joined or left. A group's messages live in one ordinary
 * conversation (`conversations.group_id` set), whose contact is the group's own contact record.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('phone_number_id', 'text', (c) => c.notNull().references('phone_numbers.id').onDelete('cascade'))
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('provider_group_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('join_approval_mode', 'text', (c) => c.notNull())
    .addColumn('invite_link', 'text')
    .addColumn('suspended', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('conversation_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .execute();
  await db.schema.createIndex('groups_provider_id').on('groups').columns(['phone_number_id', 'provider_group_id']).unique().execute();
  await db.schema.createIndex('groups_request').on('groups').columns(['phone_number_id', 'request_id']).unique().execute();
  await db.schema.createIndex('groups_workspace').on('groups').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema
    .createTable('group_participants')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('wa_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'text', (c) => c.notNull())
    .addColumn('left_at', 'text')
    .addPrimaryKeyConstraint('group_participants_pkey', ['group_id', 'wa_id'])
    .execute();
  await db.schema.alterTable('conversations').addColumn('group_id', 'text').execute();
}
