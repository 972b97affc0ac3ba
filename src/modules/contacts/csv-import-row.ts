// One CSV record to one ImportedContact: which column means what, and each field's rule.

import { normalizePhone, type CountryCode } from './phone.js';

/** A contact read from one CSV row (or several rows with the same phone, merged). */
export interface ImportedContact {
  /** Line in the file where the contact first appears (header = line 1). */
  line: number;
  e164: string;
  waId: string;
  name?: string;
  /** `ll` or `ll_RR`, as WhatsApp names template languages: `pt_BR`, `en`. */
  language?: string;
  /** Canonical IANA name: `America/Sao_Paulo`. */
  timeZone?: string;
  tags: string[];
  /** Every other column, keyed by its header in snake_case (`Cidade natal` → `cidade_natal`). */
  attributes: Record<string, string>;
  marketingOptIn?: { value: boolean; text?: string; source?: string };
}

/** A problem in the file. `field` is the column as headed in the file; `''` for the whole row. */
export interface CsvImportError {
  line: number;
  field: string;
  reason: string;
}

export type ContactField =
  | 'phone'
  | 'name'
  | 'language'
  | 'time_zone'
  | 'tags'
  | 'marketing_opt_in'
  | 'consent_text'
  | 'consent_source';

/** Which column holds each known field, and which become attributes. */
export interface ContactColumns {
  fields: Partial<Record<ContactField, { index: number; header: string }>>;
  attributes: Array<{ index: number; header: string; key: string }>;
  width: number;
}

export type HeaderResult =
  | { ok: true; columns: ContactColumns; errors: CsvImportError[] }
  | { ok: false; errors: CsvImportError[] };

/**
 * Reads the header row. Headers match case-, accent- and spacing-insensitively
 * (`Telefone`, ` TELEFONE `, `Time Zone`). When several columns mean the same field, the
 * alias listed first below wins (a file with `Telefone` and `Celular` uses `Celular`) and
 * the others are kept as attributes.
 */
export function mapContactsCsvHeader(header: string[], line: number): HeaderResult {
  const errors: CsvImportError[] = [];
  const fields: ContactColumns['fields'] = {};
  const rank: Partial<Record<ContactField, number>> = {};
  const seenKeys = new Set<string>();
  const others: ContactColumns['attributes'] = [];

  header.forEach((raw, index) => {
    const headerText = raw.trim().normalize('NFC');
    const key = toAttributeKey(headerText);
    if (key === '') return;
    if (seenKeys.has(key)) {
      errors.push({ line, field: headerText, reason: 'is a repeated column; only the first is read' });
      return;
    }
    seenKeys.add(key);
    const alias = FIELD_ALIASES.get(stripAccents(key));
    if (alias && (rank[alias.field] ?? Infinity) > alias.rank) {
      const previous = fields[alias.field];
      if (previous) others.push({ ...previous, key: toAttributeKey(previous.header) });
      fields[alias.field] = { index, header: headerText };
      rank[alias.field] = alias.rank;
    } else {
      others.push({ index, header: headerText, key });
    }
  });

  if (!fields.phone) {
    const names = FIELD_NAMES.phone.join(', ');
    return { ok: false, errors: [{ line, field: 'phone', reason: `no phone column: name one of ${names}` }] };
  }
  const attributes = others.sort((a, b) => a.index - b.index);
  return { ok: true, columns: { fields, attributes, width: header.length }, errors };
}

export type RowResult = { ok: true; contact: ImportedContact } | { ok: false; errors: CsvImportError[] };

/**
 * Turns one record into a contact. A row with any bad field is rejected whole, with one
 * error per bad field, so the user fixes the file rather than importing half a contact.
 */
export function interpretContactRow(
  record: string[],
  line: number,
  columns: ContactColumns,
  defaultCountry: CountryCode | undefined,
): RowResult {
  if (record.length > columns.width) {
    const reason = `has ${record.length} fields but the header has ${columns.width}; quote values that contain the delimiter`;
    return { ok: false, errors: [{ line, field: '', reason }] };
  }
  const errors: CsvImportError[] = [];
  const value = (field: ContactField): string => {
    const column = columns.fields[field];
    return column ? clean(record[column.index]) : '';
  };
  const fail = (field: ContactField, reason: string): undefined => {
    errors.push({ line, field: columns.fields[field]?.header ?? field, reason });
    return undefined;
  };

  const phoneText = value('phone');
  const phone = normalizePhone(phoneText, defaultCountry);
  if (!phone.ok) fail('phone', phoneText === '' ? phone.rule : `"${clip(phoneText)}" ${phone.rule}`);

  const languageText = value('language');
  const language = languageText === '' ? undefined : normalizeLanguage(languageText);
  if (language === null) fail('language', `"${clip(languageText)}" is not a language code like pt_BR, pt-BR or en`);

  const timeZoneText = value('time_zone');
  const timeZone = timeZoneText === '' ? undefined : normalizeTimeZone(timeZoneText);
  if (timeZone === null) fail('time_zone', `"${clip(timeZoneText)}" is not an IANA time zone like America/Sao_Paulo`);

  const optInText = value('marketing_opt_in');
  const consentText = value('consent_text');
  const consentSource = value('consent_source');
  const optIn = optInText === '' ? undefined : OPT_IN_VALUES.get(optInText.toLowerCase());
  if (optInText !== '' && optIn === undefined) {
    fail('marketing_opt_in', `"${clip(optInText)}" is not one of true, false, yes, no, sim, não, 1, 0`);
  } else if (optInText === '' && (consentText !== '' || consentSource !== '')) {
    fail('marketing_opt_in', 'is required when consent_text or consent_source is given');
  }

  if (!phone.ok || errors.length > 0) return { ok: false, errors };

  const contact: ImportedContact = {
    line,
    e164: phone.e164,
    waId: phone.waId,
    tags: splitTags(value('tags')),
    attributes: {},
  };
  const name = value('name');
  if (name !== '') contact.name = name;
  if (language) contact.language = language;
  if (timeZone) contact.timeZone = timeZone;
  if (optIn !== undefined) {
    contact.marketingOptIn = { value: optIn };
    if (consentText !== '') contact.marketingOptIn.text = consentText;
    if (consentSource !== '') contact.marketingOptIn.source = consentSource;
  }
  for (const column of columns.attributes) {
    const attribute = clean(record[column.index]);
    if (attribute !== '') contact.attributes[column.key] = attribute;
  }
  return { ok: true, contact };
}

/**
 * Folds a later row for the same phone into the earlier contact: the later row's non-empty
 * fields win, attributes merge key by key, and tags are united (a person on two lists
 * keeps both tags). The merged contact keeps the earlier line.
 */
export function mergeImportedContact(earlier: ImportedContact, later: ImportedContact): ImportedContact {
  const merged: ImportedContact = {
    ...earlier,
    tags: [...new Set([...earlier.tags, ...later.tags])],
    attributes: { ...earlier.attributes, ...later.attributes },
  };
  if (later.name !== undefined) merged.name = later.name;
  if (later.language !== undefined) merged.language = later.language;
  if (later.timeZone !== undefined) merged.timeZone = later.timeZone;
  if (later.marketingOptIn !== undefined) merged.marketingOptIn = later.marketingOptIn;
  return merged;
}

/**
 * `pt-BR`, `pt_br`, `PT` → `pt_BR`, `pt_BR`, `pt`; `null` when it is not a language code.
 * Script subtags (`zh-Hant-TW`) are refused: WhatsApp's language codes have none.
 */
export function normalizeLanguage(text: string): string | null {
  const match = /^([a-z]{2,3})(?:[-_]([a-z]{2}|\d{3}))?$/i.exec(text.trim());
  if (!match?.[1]) return null;
  const language = match[1].toLowerCase();
  return match[2] ? `${language}_${match[2].toUpperCase()}` : language;
}

/**
 * The canonical IANA name for `text` (`america/sao_paulo` → `America/Sao_Paulo`,
 * `Brazil/East` → `America/Sao_Paulo`), or `null`. Uses `Intl.DateTimeFormat`, which
 * accepts links and `UTC` that `Intl.supportedValuesOf('timeZone')` leaves out.
 */
export function normalizeTimeZone(text: string): string | null {
  const cached = timeZoneCache.get(text);
  if (cached !== undefined) return cached;
  let result: string | null = null;
  // Offsets such as +03:00 are not IANA zones, and newer engines would accept them.
  if (/^[a-z]/i.test(text)) {
    try {
      result = new Intl.DateTimeFormat('en', { timeZone: text }).resolvedOptions().timeZone;
    } catch {
      result = null;
    }
  }
  if (timeZoneCache.size < 1_000) timeZoneCache.set(text, result);
  return result;
}

const timeZoneCache = new Map<string, string | null>();

// Order matters: the first alias present in a file wins.
const FIELD_NAMES: Record<ContactField, string[]> = {
  phone: ['phone', 'whatsapp', 'celular', 'telefone', 'number'],
  name: ['name', 'nome'],
  language: ['language', 'idioma'],
  time_zone: ['time_zone', 'timezone'],
  tags: ['tags'],
  marketing_opt_in: ['marketing_opt_in'],
  consent_text: ['consent_text'],
  consent_source: ['consent_source'],
};

const FIELD_ALIASES = new Map<string, { field: ContactField; rank: number }>(
  Object.entries(FIELD_NAMES).flatMap(([field, names]) =>
    names.map((name, rank) => [name, { field: field as ContactField, rank }] as const),
  ),
);

const OPT_IN_VALUES = new Map<string, boolean>([
  ['true', true], ['yes', true], ['sim', true], ['1', true],
  ['false', false], ['no', false], ['não', false], ['nao', false], ['0', false],
]);

function toAttributeKey(header: string): string {
  return header.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

function stripAccents(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '');
}

// NFC so that names typed on macOS (decomposed accents) compare equal to the rest;
// line breaks inside quoted values as \n, whatever the file used.
function clean(value: string | undefined): string {
  return value === undefined ? '' : value.trim().normalize('NFC').replace(/\r\n?/g, '\n');
}

function splitTags(text: string): string[] {
  return [...new Set(text.split(/[;|]/).map((tag) => tag.trim()).filter((tag) => tag !== ''))];
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
