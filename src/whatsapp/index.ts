export { WhatsAppClient, type GraphEndpoint, type GraphResult, type PhoneNumberInfo } from './client.js';
export { verifyWebhookSignature } from './signature.js';
export type * from './wire.js';
