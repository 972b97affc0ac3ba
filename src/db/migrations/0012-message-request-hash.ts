import type { Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * `messages.request_hash`: the canonical SHA-256 of the `POST /api/v1/messages` body that first
 * used the row's `idempotency_key`, so a later request with that key and a different body is
 * refused (409) instead of being answered with the first message. Null on rows queued without
 * a key, and on rows queued before this migration (those keep answering any body with the key).
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('messages').addColumn('request_hash', 'text').execute();
}
