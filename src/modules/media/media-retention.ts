import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';
import type { MediaStorage } from './media-storage.js';

/**
 * One batch of the download-job rule: deletes up to `limit` inbound media download jobs that
 * finished before `before` (ISO): completed (`completed_at`, index `media_downloads_completed`,
 * migration 0031) or given up (no next attempt, past `give_up_at`). A job still due is never
 * touched. The media record stays (its status says how the download ended).
 */
export async function pruneFinishedMediaDownloads(db: Kysely<Schema>, before: string, limit: number): Promise<number> {
  const completed = await db.selectFrom('media_downloads').select('media_id').where('completed_at', '<', before).orderBy('completed_at').limit(limit).execute();
  const givenUp =
    completed.length < limit
      ? await db.selectFrom('media_downloads').select('media_id').where('next_attempt_at', 'is', null).where('completed_at', 'is', null).where('give_up_at', '<', before).limit(limit - completed.length).execute()
      : [];
  const ids = [...completed, ...givenUp].map((row) => row.media_id);
  if (ids.length === 0) return 0;
  const result = await db.deleteFrom('media_downloads').where('media_id', 'in', ids).where('next_attempt_at', 'is', null).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Where a per-workspace rule stopped: the last row it handled, by (`created_at`, `id`). */
export interface RetentionCursor {
  createdAt: string;
  id: string;
}

/**
 * One batch of a workspace's media rule (`media_days`): the media its customers sent
 * (`direction = 'in'`) received before `before` (ISO), after `cursor`, oldest first, at most
 * `limit`: each stored one becomes `expired` (no `storage_key`; kind, size and sha256 stay) and
 * its bytes are deleted unless another record still names the same content-addressed file.
 * Files the workspace uploaded itself (`out`) are its own, kept until `DELETE /api/v1/media/{id}`.
 * Answers how many records were looked at and where to continue (undefined: none left).
 */
export async function expireReceivedMedia(
  db: Kysely<Schema>,
  storage: MediaStorage,
  input: { workspaceId: string; before: string; cursor: RetentionCursor | undefined; limit: number; now: string },
): Promise<{ handled: number; cursor: RetentionCursor | undefined }> {
  let query = db
    .selectFrom('media')
    .select(['id', 'created_at', 'status', 'storage_key'])
    .where('workspace_id', '=', input.workspaceId)
    .where('created_at', '<', input.before)
    .where('direction', '=', 'in');
  const after = input.cursor;
  if (after) query = query.where((eb) => eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]));
  const rows = await query.orderBy('created_at').orderBy('id').limit(input.limit).execute();
  if (rows.length === 0) return { handled: 0, cursor: undefined };
  const stored = rows.filter((row) => row.status === 'ready');
  if (stored.length > 0) {
    await db
      .updateTable('media')
      .set({ status: 'expired', storage_key: null, updated_at: input.now })
      .where('workspace_id', '=', input.workspaceId)
      .where('id', 'in', stored.map((row) => row.id))
      .where('status', '=', 'ready')
      .execute();
    const keys = [...new Set(stored.map((row) => row.storage_key).filter((key): key is string => key !== null))];
    if (keys.length > 0) {
      // Identical files share one content-addressed file: keep it while another record names it.
      const shared = new Set((await db.selectFrom('media').select('storage_key').where('storage_key', 'in', keys).execute()).map((row) => row.storage_key));
      for (const key of keys) if (!shared.has(key)) await storage.delete(key);
    }
  }
  const last = rows[rows.length - 1]!;
  return { handled: rows.length, cursor: { createdAt: last.created_at, id: last.id } };
}
