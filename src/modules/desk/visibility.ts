import type { ExpressionBuilder, ExpressionWrapper, SqlBool } from 'kysely';
import type { Schema } from '../../db/index.js';
import type { Viewer } from '../users/index.js';

type WithConversation = Schema & { c: Schema['conversations'] };

/**
 * `canSeeConversation` (src/modules/users/viewer.ts) as a condition on `conversations as c`, for
 * counts over many conversations: admins and supervisors see the workspace's; an agent the ones
 * they own and the ones of their teams' queues. The caller scopes the workspace.
 */
export function visibleConversations<DB extends WithConversation, TB extends keyof DB & 'c'>(viewer: Viewer, eb: ExpressionBuilder<DB, TB>): ExpressionWrapper<DB, TB, SqlBool> {
  const e = eb as unknown as ExpressionBuilder<WithConversation, 'c'>;
  if (viewer.role !== 'agent') return e('c.workspace_id', '=', viewer.workspaceId) as never;
  const own = e.and([e('c.owner_type', '=', 'agent'), e('c.owner_id', '=', viewer.userId)]);
  const conditions = viewer.queues.length > 0 ? [own, e('c.queue', 'in', [...viewer.queues])] : [own];
  return e.and([e('c.workspace_id', '=', viewer.workspaceId), e.or(conditions)]) as never;
}
