export { createWebhookModule, type WebhookModule, type WebhookModuleDeps, type WebhookModuleOptions } from './create-webhooks.js';
export { WebhookDeliveryWorker, type DeliveryWorkerOptions, type SecretOpener } from './delivery-worker.js';
export { WebhookFanOut, type FanOutOptions, type OutboxReader } from './fan-out.js';
export { advanceOutboxCursor, type OutboxCursor, type OutboxGap } from '../events/index.js';
export { DEFAULT_RETRY_SCHEDULE, nextRetry, type RetrySchedule } from './retry-schedule.js';
export { signConversaPayload, verifyConversaSignature, type SignatureCheck, type SignatureFailure } from './signature.js';
export { UndiciWebhookTransport, type PostOutcome, type TransportOptions, type WebhookTransport } from './transport.js';
export {
  DELIVERY_STATUSES,
  WEBHOOK_EVENT_FILTERS,
  Webhooks,
  checkWebhookUrl,
  eventIdOf,
  matchesEventFilter,
  type DeliveryStatus,
  type OutboxHead,
  type SecretSealer,
  type WebhookDeliveryDetail,
  type WebhookDeliveryView,
  type WebhookEventFilter,
  type WebhookSubscriptionView,
} from './webhooks.js';
export { pruneFinishedDeliveries } from './delivery-retention.js';
