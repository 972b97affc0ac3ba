import type { Kysely } from 'kysely';
import { newId, type CampaignRecipientsTable, type Schema } from '../../db/index.js';
import { normalizePhone } from '../contacts/index.js';
import { readCampaignCsv } from './campaign-csv.js';
import { CHUNK, type CampaignDeps } from './deps.js';

/** Contacts chosen by what is known about them; every condition must hold. */
export interface AudienceFilter {
  /** The contact has every one of these tags. */
  tags?: string[];
  /** The contact's attributes equal these values. */
  attributes?: Record<string, string>;
  /** The contact's current consent for this purpose is `opted_in`. */
  consent_purpose?: 'marketing' | 'utility';
}

export type AudienceSpec = { type: 'filter'; filter: AudienceFilter } | { type: 'csv'; default_country?: string; file_name?: string };

/** What building the audience found. */
export interface AudienceReport {
  /** Rows read (CSV) or contacts matched (filter), duplicates included. */
  rows: number;
  /** Recipients kept: one per wa_id, plus one per row with an invalid number. */
  recipients: number;
  /** Rows whose wa_id appeared on an earlier row: merged into it (the first row's values are used). */
  duplicates_merged: number;
  /** The first 1,000 merged rows: `{line, merged_into_line}`. */
  duplicates: Array<{ line: number; merged_into_line: number }>;
  /** Rows with a phone that is not a valid number (kept as recipients, skipped as `invalid_number`). */
  invalid_numbers: number;
  /** Rows rejected: invalid numbers plus lines that could not be read; `GET .../rejections` lists each with its line and reason. */
  rejected_count: number;
}

export type AudienceOutcome = { ok: true; report: AudienceReport } | { ok: false; field: string; rule: string };

const BUILT_IN_VARIABLES = ['phone', 'wa_id', 'name'];
const MAX_LISTED_DUPLICATES = 1000;
const MAX_STORED_REJECTIONS = 10_000;

/**
 * Writes a campaign's recipients from contact filters: contacts are read by keyset in chunks,
 * pre-filtered in SQL and checked exactly in code, and written with multi-row inserts. The
 * values of the `variables` the parameters use are copied per recipient (name, phone, wa_id or
 * an attribute), so later contact edits do not change a planned campaign.
 */
export async function buildFilterAudience(deps: Pick<CampaignDeps, 'db' | 'consent'>, campaignId: string, workspaceId: string, filter: AudienceFilter, variables: readonly string[]): Promise<AudienceOutcome> {
  const report = emptyReport();
  let cursor = '';
  let seq = 0;
  for (;;) {
    let query = deps.db
      .selectFrom('contacts')
      .select(['id', 'wa_id', 'e164', 'name', 'attributes', 'tags'])
      .where('workspace_id', '=', workspaceId)
      .where('id', '>', cursor)
      .orderBy('id')
      .limit(CHUNK);
    for (const tag of filter.tags ?? []) query = query.where('tags', 'like', `%${JSON.stringify(tag)}%`);
    for (const [key, value] of Object.entries(filter.attributes ?? {})) query = query.where('attributes', 'like', `%${JSON.stringify(key)}:${JSON.stringify(value)}%`);
    const contacts = await query.execute();
    if (contacts.length === 0) break;
    cursor = contacts.at(-1)?.id ?? cursor;
    let matched = contacts
      .map((contact) => ({ ...contact, attributes: JSON.parse(contact.attributes) as Record<string, string>, tags: JSON.parse(contact.tags) as string[] }))
      .filter((contact) => (filter.tags ?? []).every((tag) => contact.tags.includes(tag)) && Object.entries(filter.attributes ?? {}).every(([key, value]) => contact.attributes[key] === value));
    if (filter.consent_purpose) {
      const purpose = filter.consent_purpose;
      const states = await deps.consent.states(workspaceId, matched.map((contact) => contact.id));
      matched = matched.filter((contact) => states.get(contact.id)?.[purpose] === 'opted_in');
    }
    const rows = matched.map((contact): CampaignRecipientsTable => {
      const phone = normalizePhone(contact.e164);
      const known: Record<string, string> = { ...contact.attributes, phone: contact.e164, wa_id: contact.wa_id, ...(contact.name ? { name: contact.name } : {}) };
      return recipient(campaignId, (seq += 1), {
        contact_id: contact.id,
        wa_id: contact.wa_id,
        phone: contact.e164,
        country: phone.ok ? (phone.country ?? null) : null,
        calling_code: phone.ok ? phone.callingCode : null,
        line: null,
        vars: pick(known, variables),
      });
    });
    await insertRecipients(deps.db, rows);
    report.rows += matched.length;
    report.recipients += rows.length;
  }
  return { ok: true, report };
}

/**
 * Writes a campaign's recipients from a CSV read as a stream: one per wa_id (a repeated number
 * is merged into its first row, whose parameter values are used), one per row whose phone is not
 * a valid number (skipped later as `invalid_number`, so the estimate and the results count it),
 * and every unreadable line stored with its reason. Numbers not yet known become contacts.
 */
export async function buildCsvAudience(
  deps: Pick<CampaignDeps, 'db' | 'contacts'>,
  campaignId: string,
  workspaceId: string,
  source: AsyncIterable<Uint8Array | string>,
  options: { defaultCountry?: string | undefined; variables: readonly string[] },
): Promise<AudienceOutcome> {
  const report = emptyReport();
  const chunkLines = new Map<string, number>();
  let seq = 0;
  let pending: Array<{ row: CampaignRecipientsTable; e164?: string }> = [];
  let rejections: Array<{ campaign_id: string; line: number; field: string; reason: string }> = [];

  // Duplicates are found per chunk: inside it by a small map, against earlier chunks by the
  // unique (campaign_id, wa_id) index, so memory does not grow with the audience.
  const flush = async (): Promise<void> => {
    const waIds = [...chunkLines.keys()];
    const earlier = new Map<string, number>();
    for (let i = 0; i < waIds.length; i += CHUNK) {
      const found = await deps.db.selectFrom('campaign_recipients').select(['wa_id', 'line']).where('campaign_id', '=', campaignId).where('wa_id', 'in', waIds.slice(i, i + CHUNK)).execute();
      for (const row of found) earlier.set(row.wa_id as string, row.line ?? 0);
    }
    const kept = pending.filter(({ row }) => {
      const line = row.wa_id ? earlier.get(row.wa_id) : undefined;
      if (line === undefined) return true;
      report.recipients -= 1;
      report.duplicates_merged += 1;
      if (report.duplicates.length < MAX_LISTED_DUPLICATES) report.duplicates.push({ line: row.line ?? 0, merged_into_line: line });
      return false;
    });
    const valid = kept.flatMap((item) => (item.e164 && item.row.wa_id ? [{ e164: item.e164, waId: item.row.wa_id }] : []));
    const ids = await deps.contacts.ensureMany(workspaceId, valid);
    const rows = kept.map(({ row }) => (row.wa_id ? { ...row, contact_id: ids.get(row.wa_id) ?? null } : row));
    await insertRecipients(deps.db, rows);
    pending = [];
    chunkLines.clear();
    if (rejections.length > 0) {
      await deps.db.insertInto('campaign_rejections').values(rejections).execute();
      rejections = [];
    }
  };

  for await (const event of readCampaignCsv(source, { defaultCountry: options.defaultCountry })) {
    if (event.type === 'header') {
      const missing = options.variables.find((name) => !BUILT_IN_VARIABLES.includes(name) && !event.variables.includes(name));
      if (missing) return { ok: false, field: 'components', rule: `{{${missing}}} is not a column of the CSV (columns: ${event.variables.join(', ') || 'none besides the phone'})` };
      continue;
    }
    if (event.type === 'error') {
      report.rejected_count += 1;
      if (report.rejected_count <= MAX_STORED_REJECTIONS) rejections.push({ campaign_id: campaignId, line: event.line, field: event.field, reason: event.reason });
      if (event.field === 'phone' && event.line === 1) return { ok: false, field: 'file', rule: event.reason };
      continue;
    }
    report.rows += 1;
    const { phone } = event;
    if (!phone.ok) {
      report.invalid_numbers += 1;
      report.rejected_count += 1;
      report.recipients += 1;
      const reason = event.phoneText === '' ? phone.rule : `"${event.phoneText.slice(0, 40)}" ${phone.rule}`;
      if (report.rejected_count <= MAX_STORED_REJECTIONS) rejections.push({ campaign_id: campaignId, line: event.line, field: 'phone', reason });
      pending.push({ row: recipient(campaignId, (seq += 1), { contact_id: null, wa_id: null, phone: event.phoneText.slice(0, 64), country: null, calling_code: null, line: event.line, vars: null }) });
    } else {
      const earlier = chunkLines.get(phone.waId);
      if (earlier !== undefined) {
        report.duplicates_merged += 1;
        if (report.duplicates.length < MAX_LISTED_DUPLICATES) report.duplicates.push({ line: event.line, merged_into_line: earlier });
        continue;
      }
      chunkLines.set(phone.waId, event.line);
      report.recipients += 1;
      const known: Record<string, string> = { ...event.vars, phone: phone.e164, wa_id: phone.waId };
      pending.push({
        row: recipient(campaignId, (seq += 1), { contact_id: null, wa_id: phone.waId, phone: phone.e164, country: phone.country ?? null, calling_code: phone.callingCode, line: event.line, vars: pick(known, options.variables) }),
        e164: phone.e164,
      });
    }
    if (pending.length >= CHUNK) await flush();
  }
  await flush();
  return { ok: true, report };
}

function emptyReport(): AudienceReport {
  return { rows: 0, recipients: 0, duplicates_merged: 0, duplicates: [], invalid_numbers: 0, rejected_count: 0 };
}

function recipient(
  campaignId: string,
  seq: number,
  fields: Pick<CampaignRecipientsTable, 'contact_id' | 'wa_id' | 'phone' | 'country' | 'calling_code' | 'line' | 'vars'>,
): CampaignRecipientsTable {
  return { campaign_id: campaignId, seq, ...fields, reason: null, state: 'pending', planned: null, message_id: newId('msg'), queued_at: null };
}

function pick(known: Record<string, string>, variables: readonly string[]): string | null {
  if (variables.length === 0) return null;
  const vars: Record<string, string> = {};
  for (const name of variables) if (known[name] !== undefined) vars[name] = known[name];
  return JSON.stringify(vars);
}

async function insertRecipients(db: Kysely<Schema>, rows: CampaignRecipientsTable[]): Promise<void> {
  // 14 columns a row: 1,000 rows stay under SQLite's 32,766 bound parameters.
  for (let i = 0; i < rows.length; i += CHUNK) await db.insertInto('campaign_recipients').values(rows.slice(i, i + CHUNK)).execute();
}
