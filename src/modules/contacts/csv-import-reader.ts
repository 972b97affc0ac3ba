// The state shared by the sync and streaming CSV imports: where we are in the file, what
// the header said, which phones were already seen. It takes parsed records one by one
// and says what each one means; it never reads input itself.

import { CsvError } from 'csv-parse';
import {
  interpretContactRow,
  mapContactsCsvHeader,
  type ContactColumns,
  type CsvImportError,
  type ImportedContact,
} from './csv-import-row.js';
import type { CountryCode } from './phone.js';

/** What one CSV record turned out to be. */
export type ContactsCsvEvent =
  | {
      type: 'contact';
      contact: ImportedContact;
      /** Set when an earlier row had the same phone: the line of that first row. */
      duplicateOfLine?: number;
    }
  | { type: 'error'; error: CsvImportError };

/** Raised while decoding a stream whose bytes are not UTF-8. */
export class CsvEncodingError extends Error {
  override readonly name = 'CsvEncodingError';
}

/**
 * Follows a contacts CSV record by record. Feed it csv-parse records made with
 * `skip_empty_lines: false`: it counts lines itself, since every record then ends with
 * exactly one line break and only line breaks inside quoted values add more. (csv-parse's
 * own `info.lines` counts CR and LF twice inside quoted fields.)
 */
export class ContactsCsvReader {
  #nextLine = 1;
  #columns: ContactColumns | undefined;
  #headerSeen = false;
  #header: string[] = [];
  #stopped = false;
  readonly #firstLineByPhone = new Map<string, number>();
  readonly #defaultCountry: CountryCode | undefined;

  constructor(defaultCountry: CountryCode | undefined) {
    this.#defaultCountry = defaultCountry;
  }

  /** True once nothing more in the file can be imported (no phone column). */
  get stopped(): boolean {
    return this.#stopped;
  }

  accept(record: string[]): ContactsCsvEvent[] {
    const line = this.#nextLine;
    this.#nextLine += 1 + countLineBreaks(record);
    if (this.#stopped || isBlank(record)) return [];

    // PostgreSQL cannot store U+0000 in text; a file full of them is usually UTF-16.
    const nul = record.findIndex((value) => value.includes('\u0000'));
    if (nul >= 0) {
      if (!this.#headerSeen) this.#stopped = true;
      this.#headerSeen = true;
      return [toErrorEvent({ line, field: this.#header[nul] ?? '', reason: NUL_REASON })];
    }

    if (!this.#headerSeen) {
      this.#headerSeen = true;
      this.#header = record.map((name) => name.trim());
      const header = mapContactsCsvHeader(record, line);
      if (header.ok) this.#columns = header.columns;
      else this.#stopped = true;
      return header.errors.map(toErrorEvent);
    }

    const columns = this.#columns;
    if (!columns) return [];
    const row = interpretContactRow(record, line, columns, this.#defaultCountry);
    if (!row.ok) return row.errors.map(toErrorEvent);

    const firstLine = this.#firstLineByPhone.get(row.contact.e164);
    if (firstLine === undefined) {
      this.#firstLineByPhone.set(row.contact.e164, line);
      return [{ type: 'contact', contact: row.contact }];
    }
    return [{ type: 'contact', contact: row.contact, duplicateOfLine: firstLine }];
  }

  /**
   * Closes the file. `failure` is what stopped the parser, if anything: CSV syntax and
   * encoding problems become an error at the line where the unread part starts; anything
   * else (an I/O error) is not the file's fault and is thrown again.
   */
  finish(failure?: unknown): ContactsCsvEvent[] {
    if (failure !== undefined) {
      const reason = describeFailure(failure);
      if (reason === undefined) throw failure;
      this.#stopped = true;
      return [toErrorEvent({ line: this.#nextLine, field: '', reason })];
    }
    if (!this.#headerSeen) {
      return [toErrorEvent({ line: 1, field: '', reason: 'the file is empty; expected a header row with a phone column' })];
    }
    return [];
  }
}

function describeFailure(failure: unknown): string | undefined {
  if (failure instanceof CsvEncodingError) return failure.message;
  if (!(failure instanceof CsvError)) return undefined;
  const rest = 'the rest of the file was not read';
  switch (failure.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `a quoted value starting on this line is never closed; ${rest}`;
    case 'CSV_MAX_RECORD_SIZE':
      return `this row is too long; a quote is probably not closed; ${rest}`;
    default:
      return `the file is not valid CSV here (${failure.message}); ${rest}`;
  }
}

function toErrorEvent(error: CsvImportError): ContactsCsvEvent {
  return { type: 'error', error };
}

function isBlank(record: string[]): boolean {
  return record.every((field) => field.trim() === '');
}

function countLineBreaks(record: string[]): number {
  let count = 0;
  for (const field of record) {
    const breaks = field.match(LINE_BREAK);
    if (breaks) count += breaks.length;
  }
  return count;
}

const LINE_BREAK = /\r\n|\r|\n/g;

const NUL_REASON = 'contains a NUL character (U+0000), which cannot be stored; if the file is UTF-16, save it as UTF-8 CSV';
