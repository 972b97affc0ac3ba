export {
  AgentInbox,
  inboxViewer,
  type AgentInboxDeps,
  type ComposerTemplate,
  type ConversationDetail,
  type InboxOutcome,
  type InboxPeople,
  type SnoozeRequest,
  type TransferTarget,
  type TransitionAnswer,
} from './agent-inbox.js';
export { ASSIGNMENT_STRATEGIES, Assignment, type AssignmentSettingsView, type AssignmentStrategy } from './assignment.js';
