import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Campaigns: a template sent to an audience on a schedule, under the number's throughput and
 * messaging-limit tier. `campaign_recipients` holds one row per audience member (CSV rows with an
 * invalid phone included, as skipped), keyed by (campaign, seq) so that planning, estimating and
 * sending all read it in chunks by keyset; `message_id` is assigned when the row is written and
 * becomes the outbox message's id when the recipient is queued. `campaign_rejections` keeps the
 * CSV lines that could not be read. `messaging_limits` is the tier configured per phone number.
 * The index on messages (phone_number_id, created_at) serves the moving-24 h tier count.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('phone_number_id', 'text', (c) => c.notNull().references('phone_numbers.id').onDelete('cascade'))
    .addColumn('template_name', 'text', (c) => c.notNull())
    .addColumn('template_language', 'text', (c) => c.notNull())
    .addColumn('components', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('pause_reason', 'text')
    .addColumn('pause_details', 'text')
    .addColumn('start_at', 'text')
    .addColumn('failure_threshold', 'real', (c) => c.notNull())
    .addColumn('failure_min_sample', 'integer', (c) => c.notNull())
    .addColumn('recipients_total', 'integer', (c) => c.notNull())
    .addColumn('audience_report', 'text', (c) => c.notNull())
    .addColumn('estimate', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('launched_at', 'text')
    .addColumn('completed_at', 'text')
    .execute();
  await db.schema.createIndex('campaigns_workspace').on('campaigns').columns(['workspace_id', 'id']).execute();
  await db.schema.createIndex('campaigns_status').on('campaigns').columns(['status', 'start_at']).execute();

  await db.schema
    .createTable('campaign_recipients')
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('contact_id', 'text')
    .addColumn('wa_id', 'text')
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('country', 'text')
    .addColumn('calling_code', 'text')
    .addColumn('line', 'integer')
    .addColumn('vars', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('planned', 'text')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('queued_at', 'text')
    .addPrimaryKeyConstraint('campaign_recipients_pk', ['campaign_id', 'seq'])
    .execute();
  await db.schema.createIndex('campaign_recipients_state').on('campaign_recipients').columns(['campaign_id', 'state', 'seq']).execute();
  await db.schema.createIndex('campaign_recipients_message').on('campaign_recipients').column('message_id').unique().execute();
  // One recipient per WhatsApp user in a campaign (an upload's duplicates are merged against it).
  await db.schema.createIndex('campaign_recipients_wa_id').on('campaign_recipients').columns(['campaign_id', 'wa_id']).unique().execute();

  await db.schema
    .createTable('campaign_rejections')
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('campaign_rejections_campaign').on('campaign_rejections').columns(['campaign_id', 'line']).execute();

  await db.schema
    .createTable('messaging_limits')
    .addColumn('phone_number_id', 'text', (c) => c.primaryKey().references('phone_numbers.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('tier', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createIndex('messages_number_created').on('messages').columns(['phone_number_id', 'created_at']).execute();
  // "No WhatsApp when known": the few contacts whose send failed with 131026, found per batch.
  await db.schema.createIndex('messages_contact_failed').on('messages').columns(['contact_id', 'error_code']).where(sql<boolean>`error_code is not null`).execute();
}
