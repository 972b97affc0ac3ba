import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';
import type { InboundRouter } from '../inbound/index.js';
import type { ConsentLedger } from './consent-ledger.js';

/** The contact of a wa_id, created on first contact (the contacts module's `ensureFromInbound`). */
export interface PreferenceContacts {
  ensureFromInbound(workspaceId: string, waId: string, profileName: string | undefined, trx: Kysely<Schema>): Promise<{ id: string }>;
}

/**
 * Meta's `user_preferences` changes: a customer stopping or resuming marketing messages in
 * WhatsApp is recorded in the consent ledger (source `whatsapp_preferences`, Meta's event as
 * proof), in the batch's transaction. Other categories are ignored.
 */
export function registerPreferencesInbound(router: InboundRouter, deps: { contacts: PreferenceContacts; consent: Pick<ConsentLedger, 'record'> }): void {
  router.on('user_preferences', async (event, { workspaceId, trx }) => {
    for (const preference of event.payload.preferences) {
      if (preference?.category !== 'marketing_messages' || typeof preference.wa_id !== 'string') continue;
      const contact = await deps.contacts.ensureFromInbound(workspaceId, preference.wa_id, undefined, trx);
      await deps.consent.record(
        {
          workspaceId,
          contactId: contact.id,
          purpose: 'marketing',
          status: preference.value === 'stop' ? 'opted_out' : 'opted_in',
          source: 'whatsapp_preferences',
          actor: 'meta:user_preferences',
          proof: { ...preference },
        },
        trx,
      );
    }
  });
}
