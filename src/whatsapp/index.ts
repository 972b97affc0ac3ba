export { jpegSize } from './jpeg-size.js';
export { WhatsAppClient, type GraphEndpoint, type GraphResult, type PhoneNumberInfo } from './client.js';
export { parseSignatureHeader, verifyWebhookSignature, WebhookSignatureChecker } from './signature.js';
export {
  ACCOUNT_CHANGE_FIELDS,
  GROUP_CHANGE_FIELDS,
  INBOUND_WEBHOOK_KINDS,
  TEMPLATE_CHANGE_FIELDS,
  eventPhoneNumberId,
  messageSender,
  readWebhookEvent,
  type ChangeEventPayload,
  type ErrorsEventPayload,
  type InboundWebhookEvent,
  type InboundWebhookKind,
  type MessageEventPayload,
  type StatusEventPayload,
  type StoredEventKind,
  type UserPreference,
} from './webhook-events.js';
export type * from './wire.js';
