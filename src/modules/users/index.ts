export { ROLES, canSeeConversation, type ConversationScope, type Role, type Viewer } from './viewer.js';
export { PRESENCES, Users, normaliseEmail, type AgentView, type CreateUserInput, type Presence, type UpdateUserInput, type UserResult, type UserView } from './users.js';
export { Teams, type TeamInput, type TeamView } from './teams.js';
export { SESSION_IDLE_MS, SESSION_MAX_MS, Sessions, type ActiveSession, type SessionTokens } from './sessions.js';
export { LOGIN_FAILURES_PER_ADDRESS, LOGIN_FAILURES_PER_EMAIL, LOGIN_WINDOW_MS, LoginThrottle } from './login-throttle.js';
export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, generateOneTimePassword } from './passwords.js';
export { pruneExpiredSessions } from './session-retention.js';
