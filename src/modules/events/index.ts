export { EVENT_TYPES, Events, INTERNAL_EVENT_TYPES, isInternalEventType, type DomainEvent, type EventType, type InternalEventType } from './events.js';
