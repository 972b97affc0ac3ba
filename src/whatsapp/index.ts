export { verifyWebhookSignature } from './signature.js';
export type * from './wire.js';
