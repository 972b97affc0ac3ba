import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';

/** Where a pass of the inbound rule got to: the last deleted event's `processed_at` and id. */
export interface InboundPruneCursor {
  processedAt: string;
  id: number;
}

/**
 * One batch of the inbound retention rule: deletes up to `limit` raw webhook events processed
 * before `before` (ISO), oldest first, after `after` (where the previous batch of the pass
 * stopped). Events not processed yet are never touched. The ids are selected first, by an index
 * range scan on `inbound_events_pending (processed_at, id)` that starts after the previous batch
 * (so it never walks the entries of rows deleted a moment ago, which PostgreSQL keeps until
 * vacuum), then deleted by primary key in one short statement. Answers how many were deleted and
 * where to continue (`more`: the page was full, there may be older ones left).
 *
 * Deduplication (`dedupe_key` is unique) needs a webhook's row only while Meta may still send it
 * again: Meta retries for up to 7 days, so the rule's minimum age is above that
 * (CONVERSA_RETENTION_INBOUND_DAYS ≥ 7).
 */
export async function pruneProcessedInboundEvents(db: Kysely<Schema>, before: string, limit: number, after?: InboundPruneCursor): Promise<{ deleted: number; more: boolean; after: InboundPruneCursor | undefined }> {
  let query = db.selectFrom('inbound_events').select(['id', 'processed_at']).where('processed_at', '<', before);
  // A row-value comparison: both databases take it as the start of the index range (an OR would not be).
  if (after) query = query.where((eb) => eb(eb.refTuple('processed_at', 'id'), '>', eb.tuple(after.processedAt, after.id)));
  const rows = await query.orderBy('processed_at').orderBy('id').limit(limit).execute();
  if (rows.length === 0) return { deleted: 0, more: false, after };
  const result = await db
    .deleteFrom('inbound_events')
    .where('id', 'in', rows.map((row) => Number(row.id)))
    // Repeated: an event handed back for processing meanwhile (never happens once processed) is kept.
    .where('processed_at', '<', before)
    .executeTakeFirst();
  const last = rows[rows.length - 1]!;
  // A short page means nothing older is left.
  return { deleted: Number(result.numDeletedRows), more: rows.length === limit, after: { processedAt: last.processed_at as string, id: Number(last.id) } };
}
