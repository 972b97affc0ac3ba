export { Conversations, WINDOW_MS, type ConversationView } from './conversations.js';
export { INBOX_VIEWS, Inbox, SEARCH_MESSAGES, type HandoffView, type InboxConversation, type InboxCounts, type InboxFilter, type InboxView, type InboxViewer, type LastMessagePreview } from './inbox.js';
export {
  Ownership,
  isBotOwned,
  ownerOf,
  type Actor,
  type AssignInput,
  type HandoffInput,
  type ResolveInput,
  type ResolveOptions,
  type ResolvedListener,
  type TransitionListener,
  type TransitionNotice,
  type TransitionOutcome,
  type TransitionView,
  type UnassignInput,
} from './ownership.js';
export {
  ACTOR_TYPES,
  AGENT_ID_PATTERN,
  MAX_REASON_LENGTH,
  MAX_SUMMARY_BYTES,
  OWNER_TYPES,
  QUEUE_PATTERN,
  TRANSITION_ACTIONS,
  decideTransition,
  type ActorType,
  type Owner,
  type OwnerType,
  type OwnershipState,
  type TransitionAction,
} from './ownership-rules.js';
