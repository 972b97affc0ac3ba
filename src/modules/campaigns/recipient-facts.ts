import type { Kysely } from 'kysely';
import type { CampaignRecipientsTable, Schema } from '../../db/index.js';
import type { CampaignDeps } from './deps.js';
import type { RecipientFacts } from './recipient-decision.js';

/** Meta's error for a number that has no WhatsApp account. */
export const NO_WHATSAPP_CODE = 131026;

export type RecipientRow = Pick<CampaignRecipientsTable, 'seq' | 'contact_id' | 'wa_id' | 'phone' | 'country' | 'calling_code' | 'vars' | 'message_id' | 'state'>;

/**
 * The facts `decideRecipient` needs for a chunk of recipients, read with one query per kind:
 * conversations on the campaign's number (window, free entry point), consent states, and which
 * contacts are known to have no WhatsApp (an earlier send failed with 131026), and which the
 * number blocked.
 */
export async function loadRecipientFacts(
  deps: Pick<CampaignDeps, 'db' | 'consent' | 'conversations' | 'messages' | 'blocked'>,
  workspaceId: string,
  phoneNumberRowId: string,
  rows: readonly RecipientRow[],
  db: Kysely<Schema> = deps.db,
): Promise<RecipientFacts[]> {
  const contactIds = [...new Set(rows.flatMap((row) => (row.contact_id ? [row.contact_id] : [])))];
  const [conversations, consents, noWhatsApp] = contactIds.length === 0
    ? [[], new Map(), new Set<string>()]
    : await Promise.all([deps.conversations.windows(phoneNumberRowId, contactIds, db), deps.consent.states(workspaceId, contactIds, db), deps.messages.contactsWithError(contactIds, NO_WHATSAPP_CODE, db)]);
  const windows = new Map(conversations.map((c) => [c.contact_id, c]));
  const waIds = [...new Set(rows.flatMap((row) => (row.wa_id ? [row.wa_id] : [])))];
  const blocked = deps.blocked && waIds.length > 0 ? await deps.blocked.blockedAmong(phoneNumberRowId, waIds, db) : new Set<string>();
  return rows.map((row) => {
    const conversation = row.contact_id ? windows.get(row.contact_id) : undefined;
    return {
      valid: row.contact_id !== null,
      country: row.country ?? undefined,
      callingCode: row.calling_code ?? undefined,
      vars: row.vars ? (JSON.parse(row.vars) as Record<string, string>) : {},
      undeliverable: row.contact_id !== null && noWhatsApp.has(row.contact_id),
      lastInboundAt: conversation?.last_inbound_at ? Date.parse(conversation.last_inbound_at) : null,
      freeEntryPointUntil: conversation?.free_entry_point_until ? Date.parse(conversation.free_entry_point_until) : null,
      consent: (row.contact_id ? consents.get(row.contact_id) : undefined) ?? { marketing: 'none', utility: 'none' },
      blocked: row.wa_id !== null && blocked.has(row.wa_id),
    };
  });
}
