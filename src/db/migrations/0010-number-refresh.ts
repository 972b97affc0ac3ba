import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * What the provider last reported about a number (`GET /{phone-number-id}`), kept in step by
 * `POST /api/v1/phone-numbers/{id}/refresh` and the periodic refresh: `quality_rating` (GREEN,
 * YELLOW, RED, NA, UNKNOWN), `messaging_limit_tier` (Meta's value as given, e.g. `TIER_2K`; the
 * effective campaign tier when no manual one is set) and `refreshed_at`. `throughput_pinned` is 1
 * when `throughput_mps` was given by hand at connect (a coexistence number at 20 mps): a refresh
 * then leaves the throughput alone.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('phone_numbers').addColumn('quality_rating', 'text').execute();
  await db.schema.alterTable('phone_numbers').addColumn('messaging_limit_tier', 'text').execute();
  await db.schema.alterTable('phone_numbers').addColumn('throughput_pinned', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('phone_numbers').addColumn('refreshed_at', 'text').execute();
}
