import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './context.js';

/**
 * Inbound webhook events are deduplicated per workspace: `dedupe_key` becomes
 * `<workspace_id>/<key>`, so an event signed for one workspace can never take the key of
 * another's. A status's `ref` names the sending number as well as our message id
 * (`<phone_number_id>:<message id>`); the unprocessed ones are rewritten so that a send held
 * for its status webhook at the upgrade stays held. No change to the schema itself.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await sql`update inbound_events set dedupe_key = workspace_id || '/' || dedupe_key`.execute(db);
  const pending = await sql<{ id: number | string; payload: string; ref: string }>`select id, payload, ref from inbound_events where ref is not null and processed_at is null`.execute(db);
  for (const row of pending.rows) {
    let number: unknown;
    try {
      number = (JSON.parse(row.payload) as { metadata?: { phone_number_id?: unknown } }).metadata?.phone_number_id;
    } catch {
      number = undefined;
    }
    const ref = typeof number === 'string' ? `${number}:${row.ref}` : null;
    await sql`update inbound_events set ref = ${ref} where id = ${row.id}`.execute(db);
  }
}
