export { CLOSE_TOO_SLOW, EPHEMERAL_CHANNEL, RealtimeHub, type RealtimeDeps, type RealtimeOptions, type RealtimeOutbox, type Subscriber, type Subscription } from './hub.js';
export { eventFrame, parseClientFrame, type ClientFrame, type EphemeralKind, type ServerFrame } from './frames.js';
export { WORKSPACE_WIDE_TYPES, mayReceive, type EventScope } from './visibility.js';
