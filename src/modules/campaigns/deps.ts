import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import type { Capabilities, Schema } from '../../db/index.js';
import type { WhatsAppClient } from '../../whatsapp/index.js';
import type { ConsentLedger } from '../consent/index.js';
import type { Contacts } from '../contacts/index.js';
import type { Conversations } from '../conversations/index.js';
import type { Messages } from '../messaging/index.js';
import type { BlockedUsers, PhoneNumbers } from '../phone-numbers/index.js';
import type { TemplateCache } from '../templates/index.js';
import type { MessagingLimits } from './messaging-limits.js';

/** What campaigns use of the rest of the platform (narrowed to the calls made). */
export interface CampaignDeps {
  db: Kysely<Schema>;
  capabilities: Capabilities;
  phoneNumbers: Pick<PhoneNumbers, 'resolve' | 'list' | 'sender'>;
  contacts: Pick<Contacts, 'ensureMany'>;
  consent: Pick<ConsentLedger, 'states'>;
  conversations: Pick<Conversations, 'ensureMany' | 'windows'>;
  messages: Pick<Messages, 'queueMany' | 'withdrawQueued' | 'outboxDepth' | 'contactsWithError'>;
  templates: Pick<TemplateCache, 'byName' | 'syncFromProvider'>;
  client: Pick<WhatsAppClient, 'listTemplates'>;
  limits: MessagingLimits;
  /** The wa_ids a number blocked (phone-numbers' blocked users): skipped as `blocked`. */
  blocked?: Pick<BlockedUsers, 'blockedAmong'>;
  /** Tells the dispatcher something was queued. */
  queued: () => void;
  /** A campaign's schedule, timestamps and tier run on its number's clock. */
  clock: Clock;
  logger: Logger;
}

/** Rows read and written per statement when walking an audience. */
export const CHUNK = 1000;
