import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';

/**
 * What a message's content becomes when the workspace's `message_content_days` passed: an
 * object without any of the customer's or the business's words, so every reader (history,
 * inbox preview, exports) still parses it; type, status, timestamps, errors, pricing and cost stay,
 * so analytics and billing stay true.
 */
export const EXPIRED_CONTENT = JSON.stringify({ expired: 'retention' });

/** Messages not yet sent: their content is still needed to send them. */
const UNSENT = ['queued', 'sending', 'unknown'];

/**
 * One batch of a workspace's message content rule: the messages (both ways) created before
 * `before` (ISO), after `cursor` by (`created_at`, `id`), oldest first, at most `limit`: each
 * content becomes {@link EXPIRED_CONTENT}, except messages not yet sent and those erased already
 * (content `null`). Reads by `messages_workspace_page (workspace_id, created_at, id)`. Answers how
 * many were looked at and where to continue (undefined: none left).
 */
export async function expireMessageContents(
  db: Kysely<Schema>,
  input: { workspaceId: string; before: string; cursor: { createdAt: string; id: string } | undefined; limit: number; now: string },
): Promise<{ handled: number; cursor: { createdAt: string; id: string } | undefined }> {
  let query = db.selectFrom('messages').select(['id', 'created_at']).where('workspace_id', '=', input.workspaceId).where('created_at', '<', input.before);
  const after = input.cursor;
  if (after) query = query.where((eb) => eb.or([eb('created_at', '>', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)])]));
  const rows = await query.orderBy('created_at').orderBy('id').limit(input.limit).execute();
  if (rows.length === 0) return { handled: 0, cursor: undefined };
  await db
    .updateTable('messages')
    .set({ content: EXPIRED_CONTENT, updated_at: input.now })
    .where('workspace_id', '=', input.workspaceId)
    .where('id', 'in', rows.map((row) => row.id))
    .where('status', 'not in', UNSENT)
    .where('content', '!=', 'null')
    .where('content', '!=', EXPIRED_CONTENT)
    .execute();
  const last = rows[rows.length - 1]!;
  return { handled: rows.length, cursor: { createdAt: last.created_at, id: last.id } };
}
