import { canSeeConversation, type ConversationScope, type Viewer } from '../users/index.js';
import type { DomainEvent } from '../events/index.js';

/**
 * Event types without a conversation that every person of the workspace may receive: a
 * template's review status (its name, language, status; no personal data; the composer's
 * template picker follows it). Every other event without a conversation (a contact created,
 * consent changed, a refused notification, a number-level error) names contacts or concerns the
 * whole business: admins and supervisors only.
 */
export const WORKSPACE_WIDE_TYPES: ReadonlySet<string> = new Set(['template.status']);

/** Where an event stands for visibility: about no conversation, or about one (its scope when it still exists). */
export type EventScope = { conversation: false } | { conversation: true; scope: ConversationScope | undefined };

/**
 * Whether `viewer` may receive `event`. Never across workspaces. An event about a conversation
 * goes to whoever may see that conversation now (`canSeeConversation` on its current scope),
 * plus, for an ownership change, whoever saw it where it came from (the agent it was taken
 * from, the team of the queue it left), so their lists drop it. A conversation that no longer
 * exists (erased): admins and supervisors. Events about no conversation: see
 * {@link WORKSPACE_WIDE_TYPES}.
 */
export function mayReceive(viewer: Viewer, event: Pick<DomainEvent, 'workspace_id' | 'type' | 'data'>, where: EventScope): boolean {
  if (event.workspace_id !== viewer.workspaceId) return false;
  const manager = viewer.role !== 'agent';
  if (!where.conversation) return manager || WORKSPACE_WIDE_TYPES.has(event.type);
  if (!where.scope) return manager;
  if (where.scope.workspace_id !== event.workspace_id) return false;
  if (canSeeConversation(viewer, where.scope)) return true;
  return event.type === 'conversation.updated' && sawItBefore(viewer, event.data);
}

function sawItBefore(viewer: Viewer, data: Record<string, unknown>): boolean {
  const transition = data.transition as { from?: { type?: unknown; id?: unknown } } | undefined;
  const from = transition?.from;
  if (!from || typeof from.id !== 'string') return false;
  if (from.type === 'agent') return from.id === viewer.userId;
  if (from.type === 'queue') return viewer.queues.includes(from.id);
  return false;
}
