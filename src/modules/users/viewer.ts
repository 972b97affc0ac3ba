/**
 * Who is looking: a signed-in person of the agent inbox (issue 11), as every inbox route, the
 * WebSocket feed and the visibility checks see them. Built from a session by `src/http/session.ts`.
 */
export const ROLES = ['admin', 'supervisor', 'agent'] as const;
export type Role = (typeof ROLES)[number];

export interface Viewer {
  workspaceId: string;
  userId: string;
  name: string;
  email: string;
  role: Role;
  /** The teams the person belongs to. */
  teamIds: readonly string[];
  /** The queues of those teams (a team works one queue: the name a handoff names). */
  queues: readonly string[];
}

/** What visibility needs to know about a conversation. */
export interface ConversationScope {
  workspace_id: string;
  owner_type: string;
  owner_id: string | null;
  queue: string | null;
}

/**
 * Whether `viewer` may see a conversation: never across workspaces; admins and supervisors see
 * every conversation of their workspace; an agent sees the ones they own and the ones in their
 * teams' queues (waiting there, or with a colleague who took them from there).
 */
export function canSeeConversation(viewer: Viewer, conversation: ConversationScope): boolean {
  if (conversation.workspace_id !== viewer.workspaceId) return false;
  if (viewer.role !== 'agent') return true;
  if (conversation.owner_type === 'agent' && conversation.owner_id === viewer.userId) return true;
  return conversation.queue !== null && viewer.queues.includes(conversation.queue);
}
