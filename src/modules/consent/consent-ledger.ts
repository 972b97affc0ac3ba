import type { Kysely } from 'kysely';
import type { Schema } from '../../db/index.js';
import type { Events } from '../events/index.js';
import { realClock } from '../../clock/index.js';
import type { SubjectHasher } from '../../security/index.js';

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
 * proof. The state for a purpose is its latest entry; nothing is ever updated, and an entry is
 * deleted only with its person (`tombstone`, the erasure: docs/erasure.md).
 */
export class ConsentLedger {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly now: () => Date = () => realClock.now(),
    private readonly events?: Events,
    /** The keyed hash of a number for consent tombstones (erasure); without it nothing is tombstoned or restored. */
    private readonly subjects?: SubjectHasher,
  ) {}

  /**
   * Erasure of a person (issue 13): keeps the latest state of each purpose of the contact's
   * ledger as a tombstone per number (its wa_id and former numbers), the number replaced by its
   * keyed hash, with no text, proof, actor or contact id; then deletes the contact's ledger.
   * In the erasure's transaction. Answers how many tombstones were written.
   */
  async tombstone(trx: Kysely<Schema>, input: { workspaceId: string; contactId: string; waIds: readonly string[]; erasedAt: Date }): Promise<number> {
    if (!this.subjects) throw new Error('ConsentLedger: no subject hasher, cannot keep consent tombstones');
    const rows = await trx.selectFrom('consents').select(['purpose', 'status', 'source', 'recorded_at', 'id']).where('workspace_id', '=', input.workspaceId).where('contact_id', '=', input.contactId).orderBy('id').execute();
    const latest = new Map<string, (typeof rows)[number]>();
    for (const row of rows) latest.set(row.purpose, row);
    let written = 0;
    for (const waId of new Set(input.waIds)) {
      if (!waId) continue;
      const subject = this.subjects(input.workspaceId, waId);
      for (const row of latest.values()) {
        const values = { status: row.status, source: row.source, recorded_at: row.recorded_at, erased_at: input.erasedAt.toISOString() };
        await trx
          .insertInto('consent_tombstones')
          .values({ workspace_id: input.workspaceId, subject_hash: subject, purpose: row.purpose, ...values })
          .onConflict((oc) => oc.columns(['workspace_id', 'subject_hash', 'purpose']).doUpdateSet(values))
          .execute();
        written += 1;
      }
    }
    await trx.deleteFrom('consents').where('workspace_id', '=', input.workspaceId).where('contact_id', '=', input.contactId).execute();
    return written;
  }

  /**
   * New contacts whose number was erased before: each opt-out kept in a tombstone is appended
   * to the new contact's ledger (source and time of the original choice, actor
   * `consent_tombstone`), so a person who opted out and was erased stays opted out when the
   * number comes back (a message, an import, a campaign audience) until a new opt-in. An erased
   * opt-in is not carried over: marketing to a person who asked to be forgotten needs a new
   * opt-in. Called by the contacts module, in the transaction that created the contacts.
   */
  async restoreTombstones(trx: Kysely<Schema>, workspaceId: string, contacts: ReadonlyArray<{ id: string; wa_id: string }>): Promise<void> {
    const subjects = this.subjects;
    if (!subjects || contacts.length === 0) return;
    const byHash = new Map(contacts.filter((contact) => contact.wa_id).map((contact) => [subjects(workspaceId, contact.wa_id), contact.id]));
    const hashes = [...byHash.keys()];
    for (let i = 0; i < hashes.length; i += 500) {
      const found = await trx
        .selectFrom('consent_tombstones')
        .select(['subject_hash', 'purpose', 'status', 'source', 'recorded_at', 'erased_at'])
        .where('workspace_id', '=', workspaceId)
        .where('subject_hash', 'in', hashes.slice(i, i + 500))
        .where('status', '=', 'opted_out')
        .execute();
      for (const row of found) {
        const contactId = byHash.get(row.subject_hash);
        if (!contactId) continue;
        await this.record(
          {
            workspaceId,
            contactId,
            purpose: row.purpose as Purpose,
            status: 'opted_out',
            source: row.source as ConsentSource,
            actor: 'consent_tombstone',
            proof: { consent_tombstone: { recorded_at: row.recorded_at, erased_at: row.erased_at }, note: 'the opt-out of a person erased earlier, matched by the keyed hash of the number' },
            at: new Date(row.recorded_at),
          },
          trx,
        );
      }
    }
  }

  /** Appends an entry (and a `consent.changed` event) in `trx`, or in its own transaction. */
  async record(input: RecordConsent, trx?: Kysely<Schema>): Promise<ConsentRecord> {
    if (!trx) return this.db.transaction().execute((own) => this.record(input, own));
    return (await this.recordMany([input], trx))[0] as ConsentRecord;
  }

  /**
   * Appends entries in `trx`, in the order given (a contact import's batch): their rows in one
   * insert per 200 and their `consent.changed` events in one, as `record` would one by one.
   */
  async recordMany(inputs: readonly RecordConsent[], trx: Kysely<Schema>): Promise<ConsentRecord[]> {
    const records: ConsentRecord[] = [];
    for (let i = 0; i < inputs.length; i += 200) {
      const chunk = inputs.slice(i, i + 200).map((input) => ({ input, row: this.#row(input) }));
      // One statement's rows take their ids in the order of its VALUES: the ledger's order.
      const ids = await trx.insertInto('consents').values(chunk.map(({ row }) => row)).returning('id').execute();
      if (ids.length !== chunk.length) throw new Error(`consents: inserted ${ids.length} rows of ${chunk.length}`);
      const sorted = ids.map((row) => Number(row.id)).sort((a, b) => a - b);
      chunk.forEach(({ input, row }, index) => records.push({ ...row, id: sorted[index] as number, purpose: input.purpose, status: input.status, source: input.source, proof: input.proof ?? {} }));
    }
    await this.events?.recordMany(
      trx,
      records.map((record, index) => ({
        workspaceId: (inputs[index] as RecordConsent).workspaceId,
        type: 'consent.changed' as const,
        data: { contact_id: record.contact_id, purpose: record.purpose, status: record.status, source: record.source, recorded_at: record.recorded_at },
      })),
    );
    return records;
  }

  #row(input: RecordConsent) {
    return {
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
