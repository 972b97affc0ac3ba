import { isUtf8 } from 'node:buffer';
import type { Kysely } from 'kysely';
import { newId, type Schema } from '../../db/index.js';
import type { ConsentLedger, ConsentStatus, RecordConsent } from '../consent/index.js';
import type { Contacts } from './contacts.js';
import { parseContactsCsvStream, type CsvImportError, type ImportedContact } from './csv-import.js';
import type { CountryCode } from './phone.js';

export interface ImportContactsInput {
  workspaceId: string;
  /** Who imports, for the consent ledger: `api_key:<id>`, `cli`, ... */
  actor: string;
  /** The whole file. UTF-8, or windows-1252 (older Excel) when the bytes are not UTF-8. */
  bytes: Uint8Array;
  defaultCountry?: CountryCode | undefined;
  /** Consent text for opt-in rows that have no `consent_text` of their own. */
  consentText?: string | undefined;
  encoding?: 'utf-8' | 'windows-1252' | undefined;
  /** The uploaded file's name, kept in the consent proof. */
  fileName?: string | undefined;
}

export interface ContactImportReport {
  /** Recorded in each consent's proof, so an entry can be traced to its file. */
  import_id: string;
  /** Distinct contacts written: `created + updated`. */
  imported: number;
  created: number;
  updated: number;
  /** Rows whose phone (after normalisation) appeared earlier in the file; merged into that contact. */
  duplicates_merged: number;
  /** Every problem by line (header = line 1), up to `MAX_REPORTED_ERRORS`; a rejected row is not imported. */
  rejected: CsvImportError[];
  rejected_count: number;
  rejected_truncated: boolean;
  /** Marketing consent entries appended; `unchanged` rows already had that state. */
  consents: { opted_in: number; opted_out: number; unchanged: number };
  encoding: 'utf-8' | 'windows-1252';
}

export const MAX_REPORTED_ERRORS = 10_000;
const BATCH = 200;
const CHUNK = 64 * 1024;

/**
 * Imports a contacts CSV (see csv-import.ts for the columns): upserts each valid row in file
 * order (a repeated phone merges into the earlier contact: later non-empty fields win, tags
 * unite), and for rows with `marketing_opt_in` appends a marketing consent to the ledger with
 * source `import` and proof `{import_id, line, file_name, consent_source}`. `yes` needs a
 * consent text (the row's or `consentText`); `no` records an opt-out. A consent equal to the
 * contact's current state is not appended again, so importing a file twice changes nothing.
 *
 * Rows are written in transactions of 200 while the file is parsed, so memory stays flat; bad
 * rows are reported and skipped, the rest is imported.
 */
export async function importContacts(
  deps: { db: Kysely<Schema>; contacts: Contacts; consent: ConsentLedger },
  input: ImportContactsInput,
): Promise<ContactImportReport> {
  const encoding = input.encoding ?? (isUtf8(input.bytes) ? 'utf-8' : 'windows-1252');
  const report: ContactImportReport = {
    import_id: newId('imp'),
    imported: 0,
    created: 0,
    updated: 0,
    duplicates_merged: 0,
    rejected: [],
    rejected_count: 0,
    rejected_truncated: false,
    consents: { opted_in: 0, opted_out: 0, unchanged: 0 },
    encoding,
  };
  const reject = (error: CsvImportError): void => {
    report.rejected_count += 1;
    if (report.rejected.length < MAX_REPORTED_ERRORS) report.rejected.push(error);
    else report.rejected_truncated = true;
  };
  const written = new Set<string>();

  const write = async (batch: ImportedContact[]): Promise<void> => {
    await deps.db.transaction().execute(async (trx) => {
      // The contacts first (new numbers in one insert), then each row's consent against the
      // state before the batch and the rows before it in the batch, appended in one insert.
      const upserted = await deps.contacts.upsertMany(
        input.workspaceId,
        batch.map((row) => ({ e164: row.e164, waId: row.waId, name: row.name, language: row.language, timeZone: row.timeZone, attributes: row.attributes, tags: row.tags })),
        trx,
      );
      const consenting = batch.flatMap((row, index) => (row.marketingOptIn ? [{ row, contactId: (upserted[index] as (typeof upserted)[number]).contact.id }] : []));
      const states = await deps.consent.states(input.workspaceId, [...new Set(consenting.map(({ contactId }) => contactId))], trx);
      const marketing = new Map([...states].map(([contactId, state]) => [contactId, state.marketing]));
      batch.forEach((row, index) => {
        const { created } = upserted[index] as (typeof upserted)[number];
        if (written.has(row.e164)) report.duplicates_merged += 1;
        else {
          written.add(row.e164);
          if (created) report.created += 1;
          else report.updated += 1;
        }
      });
      const entries: RecordConsent[] = [];
      for (const { row, contactId } of consenting) {
        const optIn = row.marketingOptIn as NonNullable<ImportedContact['marketingOptIn']>;
        const status: ConsentStatus = optIn.value ? 'opted_in' : 'opted_out';
        if ((marketing.get(contactId) ?? 'none') === status) {
          report.consents.unchanged += 1;
          continue;
        }
        marketing.set(contactId, status);
        entries.push({
          workspaceId: input.workspaceId,
          contactId,
          purpose: 'marketing',
          status,
          source: 'import',
          text: optIn.text ?? input.consentText,
          actor: input.actor,
          proof: {
            import_id: report.import_id,
            line: row.line,
            ...(input.fileName ? { file_name: input.fileName } : {}),
            ...(optIn.source ? { consent_source: optIn.source } : {}),
          },
        });
        report.consents[status] += 1;
      }
      await deps.consent.recordMany(entries, trx);
    });
  };

  let batch: ImportedContact[] = [];
  for await (const event of parseContactsCsvStream(chunksOf(input.bytes), { defaultCountry: input.defaultCountry, encoding })) {
    if (event.type === 'error') {
      reject(event.error);
      continue;
    }
    const row = event.contact;
    if (row.marketingOptIn?.value && !row.marketingOptIn.text && !input.consentText) {
      reject({ line: row.line, field: 'consent_text', reason: 'is required when marketing_opt_in is yes: the text the person agreed to, naming the business (or give one for the whole file)' });
      continue;
    }
    batch.push(row);
    if (batch.length >= BATCH) {
      await write(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await write(batch);
  report.imported = report.created + report.updated;
  return report;
}

// The parser decodes UTF-8 across chunk boundaries itself; small chunks keep it streaming.
async function* chunksOf(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += CHUNK) yield bytes.subarray(start, start + CHUNK);
}
