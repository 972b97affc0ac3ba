import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';

/** Delivery statuses that are final (a replay makes a delivery `pending` again and moves `updated_at`). */
const FINISHED = ['delivered', 'failed'] as const;

/**
 * One batch of the delivery-log retention rule: deletes up to `limit` outbound webhook
 * deliveries that finished (delivered, or given up: `failed`) before `before` (ISO), with their
 * attempts (`on delete cascade`). Pending deliveries are never touched. Reads by the
 * `webhook_deliveries_finished (status, updated_at)` index (migration 0031). Answers how many
 * deliveries were deleted.
 */
export async function pruneFinishedDeliveries(db: Kysely<Schema>, before: string, limit: number): Promise<number> {
  let deleted = 0;
  for (const status of FINISHED) {
    if (deleted >= limit) break;
    const rows = await db.selectFrom('webhook_deliveries').select('id').where('status', '=', status).where('updated_at', '<', before).orderBy('updated_at').limit(limit - deleted).execute();
    if (rows.length === 0) continue;
    const result = await db
      .deleteFrom('webhook_deliveries')
      .where('id', 'in', rows.map((row) => row.id))
      // Repeated: a delivery replayed meanwhile is pending again and kept.
      .where('status', '=', status)
      .where('updated_at', '<', before)
      .executeTakeFirst();
    deleted += Number(result.numDeletedRows);
  }
  return deleted;
}
