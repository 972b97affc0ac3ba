export { InboundEvents, type InboundEventView, type StoredInboundEvent } from './inbound-events.js';
export { splitWebhook, type InboundEvent } from './split-webhook.js';
