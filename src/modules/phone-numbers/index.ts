export { PhoneNumbers, type ConnectPhoneNumber, type PhoneNumberView, type Provider, type WebhookSecret } from './phone-numbers.js';
