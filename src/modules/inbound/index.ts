export { InboundEvents, type InboundEventView, type StoredInboundEvent } from './inbound-events.js';
export { splitWebhook, statusRef, type InboundEvent } from './split-webhook.js';
export { jsonDepthExceeds, scopeWebhookEvents, type DroppedEvent, type WebhookScopeDirectory } from './webhook-scope.js';
export { InboundRouter, type InboundContext, type InboundHandler, type InboundNumber, type InboundRunHandler, type InboundRunItem } from './inbound-router.js';
export { pruneProcessedInboundEvents, type InboundPruneCursor } from './inbound-retention.js';
