export { Conversations, WINDOW_MS, type ConversationView } from './conversations.js';
