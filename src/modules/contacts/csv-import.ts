// Contacts from a CSV file: a spreadsheet export, a CRM dump, a list typed by hand.
//
// Columns (matched ignoring case, accents and spacing; aliases in csv-import-row.ts):
//   phone (required; telefone, whatsapp, celular, number), name (nome),
//   language (idioma; pt-BR → pt_BR), time_zone (IANA), tags (separated by ; or |),
//   marketing_opt_in (true/false/yes/no/sim/não/1/0) with consent_text and consent_source.
//   Any other column becomes an attribute keyed by its header in snake_case.
//
// The delimiter is read from the header line: the most frequent of , ; and tab outside
// quotes (Brazilian Excel writes ;). csv-parse's own `delimiter_auto` scores every ASCII
// character, so a names-heavy sample could elect a space or a letter; the header row is
// what defines the columns, so it is what we ask.

import { parse as parseCsvStream, type Options as CsvOptions, type Parser } from 'csv-parse';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { ContactsCsvReader, CsvEncodingError, type ContactsCsvEvent } from './csv-import-reader.js';
import { mergeImportedContact, type CsvImportError, type ImportedContact } from './csv-import-row.js';
import type { CountryCode } from './phone.js';

export type { ContactsCsvEvent } from './csv-import-reader.js';
export type { CsvImportError, ImportedContact } from './csv-import-row.js';

export interface ContactsCsvOptions {
  /** Country for numbers written without a country code, e.g. `'BR'` for `(11) 98888-7777`. */
  defaultCountry?: CountryCode;
  /** Field delimiter; by default detected from the header line. */
  delimiter?: CsvDelimiter;
  /**
   * Text encoding. By default `parseContactsCsv` reads UTF-8 and falls back to
   * windows-1252 (older Excel "CSV" exports) when the bytes are not UTF-8;
   * `parseContactsCsvStream` reads UTF-8 and reports an error on other bytes.
   */
  encoding?: 'utf-8' | 'windows-1252';
}

export type CsvDelimiter = ',' | ';' | '\t';

export interface ContactsCsvImport {
  /** Valid contacts in the order of their first row, duplicates merged. */
  rows: ImportedContact[];
  /** Every problem, by line (header = line 1); a row with an error is not in `rows`. */
  errors: CsvImportError[];
  /** How many rows repeated the phone of an earlier row and were merged into it. */
  duplicates: number;
}

/**
 * Parses a whole contacts CSV held in memory (fine up to a few MB; use
 * `parseContactsCsvStream` beyond). Rows with the same phone after normalisation are
 * merged: the later row's non-empty fields win, tags are united.
 *
 * @example
 * const { rows, errors } = parseContactsCsv('telefone;nome\n(11) 98888-7777;João', { defaultCountry: 'BR' });
 * // rows[0]: { line: 2, e164: '+5511988887777', name: 'João', ... }
 */
export function parseContactsCsv(input: string | Uint8Array, options: ContactsCsvOptions = {}): ContactsCsvImport {
  const text = typeof input === 'string' ? input.replace(/^\uFEFF/, '') : decodeBytes(input, options.encoding);
  if (text === undefined) {
    return { rows: [], errors: [{ line: 1, field: '', reason: NOT_UTF8 }], duplicates: 0 };
  }
  const reader = new ContactsCsvReader(options.defaultCountry);
  const byPhone = new Map<string, ImportedContact>();
  const errors: CsvImportError[] = [];
  let duplicates = 0;

  const take = (events: ContactsCsvEvent[]): void => {
    for (const event of events) {
      if (event.type === 'error') {
        errors.push(event.error);
        continue;
      }
      const earlier = byPhone.get(event.contact.e164);
      if (earlier) duplicates += 1;
      byPhone.set(event.contact.e164, earlier ? mergeImportedContact(earlier, event.contact) : event.contact);
    }
  };

  const delimiter = options.delimiter ?? detectCsvDelimiter(text);
  let failure: unknown;
  try {
    parseCsvSync(text, {
      ...CSV_OPTIONS,
      delimiter,
      // Records are handled as they are parsed, so the rows before a syntax error count.
      on_record: (record: string[]) => {
        take(reader.accept(record));
        return null;
      },
    });
  } catch (error) {
    failure = error;
  }
  take(reader.finish(failure));
  return { rows: [...byPhone.values()], errors, duplicates };
}

/**
 * Parses a contacts CSV from a stream (an upload, a file), yielding one event per
 * contact or error as it goes, in file order, so memory stays flat however big the file.
 *
 * It does not merge duplicates (that would need the whole file): a contact whose phone
 * appeared before carries `duplicateOfLine`; upserting the events in order by phone
 * gives the same result as `parseContactsCsv`.
 *
 * @example
 * for await (const event of parseContactsCsvStream(fs.createReadStream(path), { defaultCountry: 'BR' })) {
 *   if (event.type === 'contact') await upsert(event.contact);
 *   else report(event.error);
 * }
 */
export async function* parseContactsCsvStream(
  source: AsyncIterable<Uint8Array | string>,
  options: ContactsCsvOptions = {},
): AsyncGenerator<ContactsCsvEvent, void, undefined> {
  const reader = new ContactsCsvReader(options.defaultCountry);
  const chunks = decodeChunks(source, options.encoding ?? 'utf-8');
  // Records are taken from `on_record` as the parser makes them, not read from its
  // output: a stream destroyed by an error drops what it had not handed out yet.
  const records: string[][] = [];
  const open = (delimiter: CsvDelimiter): Parser => {
    const parser = parseCsvStream({
      ...CSV_OPTIONS,
      delimiter,
      on_record: (record: string[]) => {
        records.push(record);
        return null;
      },
    });
    parser.on('error', () => {}); // reported through write() and end() below
    return parser;
  };
  const drain = function* (): Generator<ContactsCsvEvent> {
    for (const record of records.splice(0)) {
      yield* reader.accept(record);
      if (reader.stopped) return;
    }
  };

  let parser: Parser | undefined;
  let head = '';
  let failure: unknown;
  try {
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      let text = next.value;
      if (!parser) {
        // Wait for the whole header line, so the delimiter is known before parsing.
        head += text;
        if (!/[\r\n]/.test(head) && head.length < HEADER_SCAN_LIMIT) continue;
        parser = open(options.delimiter ?? detectCsvDelimiter(head));
        text = head;
      }
      await writeTo(parser, text);
      yield* drain();
      if (reader.stopped) return;
    }
    if (!parser) {
      // The source ended inside the header line: nothing has been written yet.
      parser = open(options.delimiter ?? detectCsvDelimiter(head));
      if (head !== '') await writeTo(parser, head);
    }
    await endOf(parser);
    yield* drain();
  } catch (error) {
    failure = error;
  } finally {
    // Stopped early (no phone column, a syntax error, the caller broke off): let the
    // source close its file or socket.
    await chunks.return(undefined);
    parser?.destroy();
  }
  // Rows the parser finished before it failed still count.
  yield* drain();
  yield* reader.finish(failure);
}

/**
 * The delimiter of a CSV text, judged by its first line: the most frequent of `,` `;`
 * and tab outside double quotes; `,` on a tie or when there is none (one column).
 */
export function detectCsvDelimiter(text: string): CsvDelimiter {
  const counts: Record<CsvDelimiter, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const char of text.replace(/^\uFEFF/, '')) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && (char === ',' || char === ';' || char === '\t')) counts[char] += 1;
  }
  let best: CsvDelimiter = ',';
  for (const candidate of [';', '\t'] as const) if (counts[candidate] > counts[best]) best = candidate;
  return best;
}

const HEADER_SCAN_LIMIT = 64 * 1024;

function writeTo(parser: Parser, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    parser.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

function endOf(parser: Parser): Promise<void> {
  return new Promise((resolve, reject) => {
    parser.once('error', reject);
    parser.once('finish', resolve);
    parser.end();
  });
}

const CSV_OPTIONS = {
  bom: true,
  // Any line ending, even mixed in one file (lists pasted together); CRLF first so it
  // counts as one.
  record_delimiter: ['\r\n', '\n', '\r'],
  // Kept, so that each record is one line plus the line breaks inside its values.
  skip_empty_lines: false,
  // Short rows are read as empty trailing fields; long rows are reported per row.
  relax_column_count: true,
  // `João "Jonny" Silva` without surrounding quotes is taken literally.
  relax_quotes: true,
  // No contact row is this long; a longer one is an unclosed quote eating the file.
  max_record_size: 128 * 1024,
} satisfies CsvOptions;

const NOT_UTF8 = "the file is not UTF-8 text; save it as \"CSV UTF-8\" or import it with encoding 'windows-1252'";

// undefined: the bytes are not UTF-8 and the caller insisted on UTF-8.
function decodeBytes(bytes: Uint8Array, encoding: ContactsCsvOptions['encoding']): string | undefined {
  if (encoding === 'windows-1252') return new TextDecoder('windows-1252').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return encoding === 'utf-8' ? undefined : new TextDecoder('windows-1252').decode(bytes);
  }
}

async function* decodeChunks(
  source: AsyncIterable<Uint8Array | string>,
  encoding: 'utf-8' | 'windows-1252',
): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  const decode = (bytes?: Uint8Array): string => {
    try {
      return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
    } catch {
      throw new CsvEncodingError(`${NOT_UTF8} (the bytes stop being UTF-8 near this line)`);
    }
  };
  let first = true;
  for await (const chunk of source) {
    let text = typeof chunk === 'string' ? chunk : decode(chunk);
    // TextDecoder drops a UTF-8 BOM itself; a string source may still carry one.
    if (first && text.startsWith('\uFEFF')) text = text.slice(1);
    first = false;
    if (text !== '') yield text;
  }
  const tail = decode();
  if (tail !== '') yield tail;
}
