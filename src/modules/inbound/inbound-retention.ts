import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';

/**
 * One batch of the inbound retention rule: deletes up to `limit` raw webhook events processed
 * before `before` (ISO). Events not processed yet are never touched. The ids are selected first
 * (an index range scan on `inbound_events_pending (processed_at, id)`), then deleted by primary
 * key in one short statement; answers how many were deleted (0: nothing older is left).
 *
 * Deduplication (`dedupe_key` is unique) needs a webhook's row only while Meta may still send it
 * again: Meta retries for up to 7 days, so the rule's minimum age is above that
 * (CONVERSA_RETENTION_INBOUND_DAYS ≥ 7).
 */
export async function pruneProcessedInboundEvents(db: Kysely<Schema>, before: string, limit: number): Promise<number> {
  const rows = await db.selectFrom('inbound_events').select('id').where('processed_at', '<', before).limit(limit).execute();
  if (rows.length === 0) return 0;
  const result = await db
    .deleteFrom('inbound_events')
    .where('id', 'in', rows.map((row) => Number(row.id)))
    // Repeated: an event handed back for processing meanwhile (never happens once processed) is kept.
    .where('processed_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
