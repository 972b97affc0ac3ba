export { WhatsAppClient, type GraphEndpoint, type GraphResult, type PhoneNumberInfo } from './client.js';
export { parseSignatureHeader, verifyWebhookSignature, WebhookSignatureChecker } from './signature.js';
export type * from './wire.js';
