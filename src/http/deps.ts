import type { Logger } from 'pino';
import type { Database } from '../db/index.js';
import type { ApiKeys } from '../modules/api-keys/index.js';
import type { PhoneNumbers } from '../modules/phone-numbers/index.js';
import type { WebhookEvents } from '../modules/webhook-events/index.js';

/** What the HTTP layer needs from the rest of the app. */
export interface HttpDeps {
  logger: Logger;
  database: Database;
  apiKeys: ApiKeys;
  phoneNumbers: PhoneNumbers;
  webhookEvents: WebhookEvents;
}

