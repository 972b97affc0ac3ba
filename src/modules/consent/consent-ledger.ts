import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';
import type { Events } from '../events/index.js';
import { realClock } from '../../clock/index.js';

export type Purpose = 'marketing' | 'utility';
export type ConsentStatus = 'opted_in' | 'opted_out';
export type ConsentSource = 'web_form' | 'app' | 'sms' | 'in_store' | 'whatsapp_keyword' | 'whatsapp_preferences' | 'api' | 'import';

export const PURPOSES: readonly Purpose[] = ['marketing', 'utility'];
export const CONSENT_SOURCES: readonly ConsentSource[] = ['web_form', 'app', 'sms', 'in_store', 'whatsapp_keyword', 'whatsapp_preferences', 'api', 'import'];

export interface ConsentRecord {
  id: number;
  contact_id: string;
  purpose: Purpose;
  status: ConsentStatus;
  source: ConsentSource;
  text: string | null;
  actor: string;
  proof: Record<string, unknown>;
  recorded_at: string;
}

export interface RecordConsent {
  workspaceId: string;
  contactId: string;
  purpose: Purpose;
  status: ConsentStatus;
  source: ConsentSource;
  /** The consent text the person was shown (for opt-ins: must name the business). */
  text?: string | undefined;
  /** Who or what recorded it: an API key id, `keyword:SAIR`, `meta:user_preferences`, ... */
  actor: string;
  proof?: Record<string, unknown> | undefined;
  /** When it happened (`recorded_at`), when the caller already read the clock for its proof; default: now. */
  at?: Date | undefined;
}

/**
 * The consent ledger: append-only opt-ins and opt-outs per contact and purpose, with their
 * proof. The state for a purpose is its latest entry; nothing is ever updated or deleted.
 */
export class ConsentLedger {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => Date = () => realClock.now(),
    private readonly events?: Events,
  ) {}

  /** Appends an entry (and a `consent.changed` event) in `trx`, or in its own transaction. */
  async record(input: RecordConsent, trx?: Kysely<Schema>): Promise<ConsentRecord> {
    if (!trx) return this.db.transaction().execute((own) => this.record(input, own));
    const row = {
      workspace_id: input.workspaceId,
      contact_id: input.contactId,
      purpose: input.purpose,
      status: input.status,
      source: input.source,
      text: input.text ?? null,
      actor: input.actor,
      proof: JSON.stringify(input.proof ?? {}),
      recorded_at: (input.at ?? this.now()).toISOString(),
    };
    const inserted = await trx.insertInto('consents').values(row).returning('id').executeTakeFirstOrThrow();
    const record: ConsentRecord = { ...row, id: Number(inserted.id), purpose: input.purpose, status: input.status, source: input.source, proof: input.proof ?? {} };
    await this.events?.record(trx, input.workspaceId, 'consent.changed', { contact_id: record.contact_id, purpose: record.purpose, status: record.status, source: record.source, recorded_at: record.recorded_at });
    return record;
  }

  async history(workspaceId: string, contactId: string): Promise<ConsentRecord[]> {
    const rows = await this.db.selectFrom('consents').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).orderBy('id').execute();
    return rows.map((row) => ({
      id: Number(row.id),
      contact_id: row.contact_id,
      purpose: row.purpose as Purpose,
      status: row.status as ConsentStatus,
      source: row.source as ConsentSource,
      text: row.text,
      actor: row.actor,
      proof: JSON.parse(row.proof) as Record<string, unknown>,
      recorded_at: row.recorded_at,
    }));
  }

  /** The current state per purpose: the latest entry, or `none`. */
  async state(workspaceId: string, contactId: string, trx: Kysely<Schema> = this.db): Promise<Record<Purpose, ConsentStatus | 'none'>> {
    const rows = await trx
      .selectFrom('consents')
      .select(['purpose', 'status', 'id'])
      .where('workspace_id', '=', workspaceId)
      .where('contact_id', '=', contactId)
      .orderBy('id')
      .execute();
    const state: Record<Purpose, ConsentStatus | 'none'> = { marketing: 'none', utility: 'none' };
    for (const row of rows) state[row.purpose as Purpose] = row.status as ConsentStatus;
    return state;
  }

  /**
   * The current state per purpose of many contacts at once (campaigns read their audience in
   * chunks): one query per call. Contacts with no entry are absent from the map (`none`).
   */
  async states(workspaceId: string, contactIds: readonly string[], trx: Kysely<Schema> = this.db): Promise<Map<string, Record<Purpose, ConsentStatus | 'none'>>> {
    const states = new Map<string, Record<Purpose, ConsentStatus | 'none'>>();
    if (contactIds.length === 0) return states;
    const rows = await trx
      .selectFrom('consents')
      .select(['contact_id', 'purpose', 'status', 'id'])
      .where('workspace_id', '=', workspaceId)
      .where('contact_id', 'in', contactIds)
      .orderBy('id')
      .execute();
    for (const row of rows) {
      let state = states.get(row.contact_id);
      if (!state) states.set(row.contact_id, (state = { marketing: 'none', utility: 'none' }));
      state[row.purpose as Purpose] = row.status as ConsentStatus;
    }
    return states;
  }
}
