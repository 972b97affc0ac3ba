export { WebhookEvents, type WebhookEventView } from './webhook-events.js';
