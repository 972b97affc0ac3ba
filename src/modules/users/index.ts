export { ROLES, canSeeConversation, type ConversationScope, type Role, type Viewer } from './viewer.js';
