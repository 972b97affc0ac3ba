import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * The messaging core: contacts, the consent ledger, conversations, messages (which are also
 * the outbox the dispatcher claims from), inbound webhook events (deduplicated), and the
 * platform's copy of the provider's templates. The raw webhook log of 0001 is replaced by
 * inbound_events, which keeps every event (unknown ones raw) one row each.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('wa_id', 'text', (c) => c.notNull())
    .addColumn('e164', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('language', 'text')
    .addColumn('time_zone', 'text')
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('contacts_workspace_wa_id', ['workspace_id', 'wa_id'])
    .execute();

  await db.schema
    .createTable('consents')
    .addColumn('id', ctx.serialType, (c) => c.primaryKey().$call(ctx.autoIncrement))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('text', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('proof', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('consents_contact').on('consents').columns(['contact_id', 'purpose', 'id']).execute();

  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('phone_number_id', 'text', (c) => c.notNull().references('phone_numbers.id').onDelete('cascade'))
    .addColumn('owner_type', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text')
    .addColumn('last_inbound_at', 'text')
    .addColumn('window_expires_at', 'text')
    .addColumn('free_entry_point_until', 'text')
    .addColumn('last_message_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('conversations_number_contact', ['phone_number_id', 'contact_id'])
    .execute();
  await db.schema.createIndex('conversations_workspace').on('conversations').columns(['workspace_id', 'last_message_at']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('phone_number_id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('wamid', 'text', (c) => c.unique())
    .addColumn('idempotency_key', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text')
    .addColumn('claimed_at', 'text')
    .addColumn('error_code', 'integer')
    .addColumn('error_title', 'text')
    .addColumn('error_details', 'text')
    .addColumn('category', 'text')
    .addColumn('pricing_type', 'text')
    .addColumn('cost_micros', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('read_at', 'text')
    .addColumn('failed_at', 'text')
    .addUniqueConstraint('messages_idempotency', ['workspace_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('messages_dispatch').on('messages').columns(['status', 'phone_number_id', 'next_attempt_at']).execute();
  await db.schema.createIndex('messages_conversation').on('messages').columns(['conversation_id', 'created_at']).execute();

  await db.schema
    .createTable('inbound_events')
    .addColumn('id', ctx.serialType, (c) => c.primaryKey().$call(ctx.autoIncrement))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('ref', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('processed_at', 'text')
    .addColumn('claimed_until', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('inbound_events_pending').on('inbound_events').columns(['processed_at', 'id']).execute();
  await db.schema.createIndex('inbound_events_workspace').on('inbound_events').columns(['workspace_id', 'id']).execute();
  await db.schema.createIndex('inbound_events_ref').on('inbound_events').column('ref').execute();

  await db.schema
    .createTable('templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('waba_id', 'text', (c) => c.notNull())
    .addColumn('provider_template_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('parameter_format', 'text')
    .addColumn('components', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('templates_waba_name_language', ['workspace_id', 'waba_id', 'name', 'language'])
    .execute();

  await db.schema.dropTable('webhook_events').execute();
}
