export { EVENT_TYPES, INTERNAL_EVENT_TYPES, OUTBOX_CHANNEL, Events, isInternalEventType, isWebhookEventType, type DomainEvent, type EventType, type EventsOptions, type InternalEventType, type OutboxEventType } from './events.js';
export { advanceOutboxCursor, readOutboxAt, type AdvanceOptions, type OutboxCursor, type OutboxGap, type OutboxReader } from './outbox-position.js';
export { pruneConsumedOutboxEvents } from './outbox-retention.js';
