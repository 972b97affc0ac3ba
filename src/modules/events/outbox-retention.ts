import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';

/**
 * One batch of the outbox retention rule: deletes, oldest first, up to `limit` domain events with
 * an id below `belowId` (the lowest position of every consumer: the webhook fan-out's committed
 * position, this node's realtime hub) that were recorded before `before` (ISO: the grace that
 * lets inbox clients resume with `?after=`). The newest event is always kept, so the next id a
 * consumer starting fresh reads (`lastId`) never goes back to 0.
 *
 * The walk is by primary key from the oldest event and stops at the first one recorded after
 * `before` (ids grow with time), so a batch reads at most `limit` rows. Answers how many were
 * deleted.
 */
export async function pruneConsumedOutboxEvents(db: Kysely<Schema>, belowId: number, before: string, limit: number): Promise<number> {
  const newest = await db.selectFrom('outbox_events').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
  const bound = Math.min(belowId, Number(newest?.max ?? 0));
  if (bound <= 0) return 0;
  const rows = await db.selectFrom('outbox_events').select(['id', 'created_at']).where('id', '<', bound).orderBy('id').limit(limit).execute();
  let last: number | undefined;
  for (const row of rows) {
    if (row.created_at >= before) break;
    last = Number(row.id);
  }
  if (last === undefined) return 0;
  const first = Number(rows[0]!.id);
  const result = await db.deleteFrom('outbox_events').where('id', '>=', first).where('id', '<=', last).where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
