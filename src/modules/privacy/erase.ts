import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../clock/index.js';
import type { Schema } from '../../db/index.js';
import type { Campaigns } from '../campaigns/index.js';
import type { ConsentLedger } from '../consent/index.js';
import type { Contacts } from '../contacts/index.js';
import type { Events } from '../events/index.js';
import type { InboundEvents } from '../inbound/index.js';
import type { Invoices } from '../invoices/index.js';
import type { MediaRemoval } from '../media/index.js';
import type { MessageEraser } from '../messaging/index.js';
import { forgetBlockedUser } from '../phone-numbers/index.js';
import type { Webhooks } from '../webhooks/index.js';
import { mentionsPerson, readErasureInventory, type CascadedKind } from './erase-inventory.js';

/** What an erasure removed, per kind (rows unless said otherwise). */
export interface ErasureReport {
  contact_id: string;
  erased_at: string;
  removed: Record<CascadedKind, number> & {
    contacts: number;
    contact_aliases: number;
    messages: number;
    media: number;
    invoices: number;
    campaign_recipients: number;
    blocked_users: number;
    inbound_events: number;
    outbox_events: number;
    webhook_deliveries: number;
  };
  media_files: {
    /** Files deleted from the data folder's media storage. */
    deleted_locally: number;
    /** Provider media ids deleted at Meta (uploads, and media received in the last 7 days). */
    deleted_at_provider: number;
    /** Provider deletions that failed (logged; the provider drops them itself after 7 or 30 days). */
    provider_failures: number;
    /** Media of theirs kept because a message or invoice of someone else still names it. */
    kept_in_use: number;
  };
  /** Consent tombstones kept (latest state per purpose and number, the number as a keyed hash). */
  consent_tombstones: number;
}

export interface PersonEraserDeps {
  db: Kysely<Schema>;
  contacts: Contacts;
  consent: ConsentLedger;
  messageEraser: MessageEraser;
  media: MediaRemoval;
  invoices: Invoices;
  campaigns: Campaigns;
  inboundEvents: InboundEvents;
  events: Events;
  webhooks: Webhooks;
  clock: Clock;
  logger: Logger;
  /** After the rows are gone: leave no copy in the database's own files where it can (SQLite's WAL checkpoint). */
  checkpoint: () => Promise<void>;
}

/**
 * Erasure of a person (LGPD art. 18 VI, GDPR art. 17; issue 13): removes everything the
 * workspace holds about one contact, each table through its owning module, and keeps only a
 * consent tombstone per purpose (the number as a keyed hash) to keep honouring an opt-out.
 * The order: read what they have; in one transaction the ledger's tombstones, invoices,
 * campaign rows, blocks, messages and the contact (its dependent rows by cascade); then their
 * media here and at the provider (once no row names it); then, in keyset batches outside any
 * long transaction, the raw webhook events, outbox events and webhook deliveries that mention
 * them; then the database's checkpoint. Table by table: docs/data-protection.md, "Erase".
 */
export class PersonEraser {
  constructor(private readonly deps: PersonEraserDeps) {}

  /** Erases a contact of the workspace; undefined when there is none (already erased, or another workspace's). */
  async erase(workspaceId: string, contactId: string): Promise<ErasureReport | undefined> {
    const { db, contacts } = this.deps;
    const contact = await contacts.get(workspaceId, contactId);
    if (!contact) return undefined;
    const aliases = await contacts.aliasesOf(workspaceId, contact.id);
    const numbers = [...new Set([contact.wa_id, contact.phone.replace(/\D/g, ''), ...aliases].filter((number) => number !== ''))];
    const inventory = await readErasureInventory(db, workspaceId, contact.id);
    const erasedAt = this.deps.clock.now();

    const stored = await db.transaction().execute(async (trx) => {
      const consentTombstones = await this.deps.consent.tombstone(trx, { workspaceId, contactId: contact.id, waIds: numbers, erasedAt });
      const invoices = await this.deps.invoices.forgetCustomer(trx, workspaceId, { waIds: numbers, mediaIds: inventory.mediaIds });
      const campaignRecipients = await this.deps.campaigns.forgetRecipient(trx, workspaceId, { contactId: contact.id, waIds: numbers });
      const blocked = await forgetBlockedUser(trx, workspaceId, numbers);
      const messages = await this.deps.messageEraser.forgetPerson(trx, workspaceId, contact.id, inventory.conversationIds);
      const erased = await contacts.erase(trx, workspaceId, contact.id);
      return { consentTombstones, invoices, campaignRecipients, blocked, messages, erased };
    });
    if (!stored.erased) return undefined; // erased meanwhile by another request

    const media = await this.deps.media.eraseUnreferenced(workspaceId, [...inventory.mediaIds, ...stored.invoices.mediaIds]);
    const mentions = mentionsPerson({
      numbers,
      userIds: contact.user_id ? [contact.user_id] : [],
      ids: [contact.id, ...inventory.conversationIds, ...inventory.messageIds, ...inventory.wamids, ...inventory.mediaIds, ...stored.invoices.mediaIds],
    });
    const inboundEvents = await this.deps.inboundEvents.eraseMentioning(workspaceId, mentions);
    const outboxEvents = await this.deps.events.eraseMentioning(workspaceId, mentions);
    const webhookDeliveries = await this.deps.webhooks.eraseDeliveriesMentioning(workspaceId, mentions);
    await this.deps.checkpoint();

    const report: ErasureReport = {
      contact_id: contact.id,
      erased_at: erasedAt.toISOString(),
      removed: {
        contacts: 1,
        contact_aliases: aliases.length,
        ...inventory.counts,
        messages: stored.messages,
        media: media.deleted,
        invoices: stored.invoices.deleted,
        campaign_recipients: stored.campaignRecipients,
        blocked_users: stored.blocked,
        inbound_events: inboundEvents,
        outbox_events: outboxEvents,
        webhook_deliveries: webhookDeliveries,
      },
      media_files: { deleted_locally: media.files_deleted, deleted_at_provider: media.deleted_at_provider, provider_failures: media.provider_failures, kept_in_use: media.kept_in_use },
      consent_tombstones: stored.consentTombstones,
    };
    // Counts and ids only: nothing that names the person.
    this.deps.logger.info({ workspaceId, contactId: contact.id, removed: report.removed, media: report.media_files }, 'a person was erased');
    return report;
  }
}
