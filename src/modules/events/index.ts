export { EVENT_TYPES, Events, type DomainEvent, type EventType } from './events.js';
