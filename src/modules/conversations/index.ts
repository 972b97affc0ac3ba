export { Conversations, WINDOW_MS, type ConversationView } from './conversations.js';
export { Inbox, OWNER_TYPES, type InboxConversation, type InboxFilter, type LastMessagePreview } from './inbox.js';
