import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';

/**
 * One batch of the bot rule: deletes up to `limit` bot tasks (HTTP steps, waits) done before
 * `before` (ISO). Tasks not done are never touched. Reads by `bot_tasks_due (done_at, due_at)`.
 */
export async function pruneFinishedBotTasks(db: Kysely<Schema>, before: string, limit: number): Promise<number> {
  const rows = await db.selectFrom('bot_tasks').select('id').where('done_at', '<', before).orderBy('done_at').limit(limit).execute();
  if (rows.length === 0) return 0;
  const result = await db.deleteFrom('bot_tasks').where('id', 'in', rows.map((row) => row.id)).where('done_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** One batch of the bot log rule: deletes up to `limit` lines of the bot's log written before `before` (ISO). Reads by `bot_log_created` (migration 0031). */
export async function pruneBotLog(db: Kysely<Schema>, before: string, limit: number): Promise<number> {
  const rows = await db.selectFrom('bot_log').select('id').where('created_at', '<', before).orderBy('created_at').limit(limit).execute();
  if (rows.length === 0) return 0;
  const result = await db.deleteFrom('bot_log').where('id', 'in', rows.map((row) => row.id)).executeTakeFirst();
  return Number(result.numDeletedRows);
}
