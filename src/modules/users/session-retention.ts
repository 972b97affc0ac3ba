import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';

/**
 * One batch of the session rule: deletes up to `limit` browser sessions that expired before
 * `before` (ISO): an expired session never signs anyone in again (`Sessions.resolve` refuses it),
 * so its row is only a trace of who signed in from where. Reads by `user_sessions_expires`.
 */
export async function pruneExpiredSessions(db: Kysely<Schema>, before: string, limit: number): Promise<number> {
  const rows = await db.selectFrom('user_sessions').select('id').where('expires_at', '<', before).orderBy('expires_at').limit(limit).execute();
  if (rows.length === 0) return 0;
  const result = await db.deleteFrom('user_sessions').where('id', 'in', rows.map((row) => row.id)).where('expires_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
