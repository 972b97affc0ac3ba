import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * What an agent keeps beside a conversation in the inbox (issue 11, module `desk`): internal
 * notes and who they mention, labels, and the workspace's canned replies.
 *
 * - `conversation_notes`: never sent to the customer. `mentions` is the JSON array of the user
 *   ids the text mentions (as resolved when the note was written).
 * - `note_mentions`: one row per mentioned user, with `read_at`, so a person's unread mentions
 *   are one index range (`note_mentions_user`).
 * - `conversation_labels`: one row per label of a conversation; `label_key` is the lower-cased
 *   label (labels are unique case-insensitively), `label` its spelling, `position` its place in
 *   the list as set.
 * - `canned_replies`: `shortcut` (e.g. `/frete`, lower-cased) unique per workspace.
 *
 * User ids are plain text (no reference to `users`): a note keeps its author after the person
 * leaves. Deleting a conversation deletes its notes, mentions and labels.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('conversation_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('mentions', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('conversation_notes_conversation').on('conversation_notes').columns(['conversation_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('note_mentions')
    .addColumn('note_id', 'text', (c) => c.notNull().references('conversation_notes.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text')
    .addPrimaryKeyConstraint('note_mentions_pk', ['note_id', 'user_id'])
    .execute();
  await db.schema.createIndex('note_mentions_user').on('note_mentions').columns(['user_id', 'read_at', 'created_at']).execute();

  await db.schema
    .createTable('conversation_labels')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('label_key', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_labels_pk', ['conversation_id', 'label_key'])
    .execute();
  await db.schema.createIndex('conversation_labels_workspace').on('conversation_labels').columns(['workspace_id', 'label_key']).execute();

  await db.schema
    .createTable('canned_replies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('shortcut', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('canned_replies_shortcut', ['workspace_id', 'shortcut'])
    .execute();
}
