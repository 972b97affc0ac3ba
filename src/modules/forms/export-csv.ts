import { FIXED_COLUMNS, fieldHeader, fieldValue } from './export-columns.js';
import type { ExportRow, ExportSheet } from './form-submissions.js';

/** Byte order mark: Excel reads a CSV as UTF-8 (accents intact) only when it starts with one. */
export const UTF8_BOM = '\uFEFF';

/**
 * A spreadsheet formula hidden in a value ("=HYPERLINK(...)", "+1+cmd|...", "@SUM(...)"), e.g. in
 * a customer's profile name, runs when the CSV is opened. A text starting with = + - @ (or a
 * tab or carriage return, which some programs skip first) gets a leading apostrophe, so it is
 * shown as text. Numbers and booleans are written as they are.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** A value as one CSV field (RFC 4180): quoted when it holds the delimiter, a quote or a line break; quotes doubled. */
export function csvField(value: unknown, delimiter: string): string {
  let text: string;
  if (value === null || value === undefined) text = '';
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else if (typeof value === 'string') text = neutraliseFormula(value);
  else text = neutraliseFormula(JSON.stringify(value));
  return text.includes(delimiter) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record, ended by CRLF. */
export function csvRecord(values: readonly unknown[], delimiter: string): string {
  return `${values.map((value) => csvField(value, delimiter)).join(delimiter)}\r\n`;
}

/**
 * The export as CSV, in chunks (one per page of rows): the BOM and a header row, then the rows
 * of each form in turn. One file holds every form, so a `form` column follows `submitted_at`
 * and the field columns are the union of every form's, in order.
 */
export async function* csvChunks(sheets: readonly ExportSheet[], rowsOf: (form: string) => AsyncIterable<ExportRow[]>, delimiter: ',' | ';' = ','): AsyncGenerator<Buffer> {
  const fields = [...new Set(sheets.flatMap((sheet) => sheet.fields))];
  const [submittedAt, ...rest] = FIXED_COLUMNS;
  yield Buffer.from(UTF8_BOM + csvRecord([submittedAt, 'form', ...rest, ...fields.map(fieldHeader)], delimiter), 'utf8');
  for (const sheet of sheets) {
    for await (const page of rowsOf(sheet.form)) {
      const text = page
        .map((row) => csvRecord([row.submitted_at, row.form, row.contact_wa_id, row.contact_name, row.flow, row.flow_version, ...fields.map((name) => fieldValue(row, name))], delimiter))
        .join('');
      yield Buffer.from(text, 'utf8');
    }
  }
}
