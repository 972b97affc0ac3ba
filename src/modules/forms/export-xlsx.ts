import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { calendarDate, FIXED_COLUMNS, fieldHeader, fieldValue } from './export-columns.js';
import type { ExportRow, ExportSheet } from './form-submissions.js';

/** What Excel allows in a sheet name: at most 31 characters, none of : \ / ? * [ ], not starting or ending with an apostrophe. */
const SHEET_NAME_MAX = 31;
/** Excel's longest cell text. */
const CELL_TEXT_MAX = 32_767;
const DATE_TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss';
const DATE_FORMAT = 'yyyy-mm-dd';

/**
 * One sheet name per form, in order: characters Excel refuses replaced by `_`, at most 31
 * characters (never half of a surrogate pair), unique regardless of case (`Contato (2)`),
 * never empty or Excel's reserved `History`.
 *
 * @example sheetNames(['Orçamento: 2026/01', 'orçamento: 2026/01']) // ['Orçamento_ 2026_01', 'orçamento_ 2026_01 (2)']
 */
export function sheetNames(forms: readonly string[]): string[] {
  const taken = new Set<string>();
  return forms.map((form) => {
    // eslint-disable-next-line no-control-regex -- control characters are refused too
    let base = form.replace(/[:\\/?*[\]\u0000-\u001f\u007f]/g, '_').replace(/^'+|'+$/g, '').trim();
    if (base === '') base = 'form';
    if (base.toLowerCase() === 'history') base = 'History_';
    let name = truncate(base, SHEET_NAME_MAX);
    for (let n = 2; taken.has(name.toLowerCase()); n += 1) {
      const suffix = ` (${n})`;
      name = `${truncate(base, SHEET_NAME_MAX - suffix.length).replace(/'+$/, '')}${suffix}`;
    }
    taken.add(name.toLowerCase());
    return name;
  });
}

/** At most `max` UTF-16 units, cut between characters. */
function truncate(text: string, max: number): string {
  let out = '';
  for (const character of text) {
    if (out.length + character.length > max) break;
    out += character;
  }
  return out;
}

/**
 * A field's value as a typed cell: numbers, booleans and `YYYY-MM-DD` dates as such, objects
 * and arrays as their JSON text, everything else as text. Text is always a string cell, never a
 * formula (exceljs writes a formula only for a `{formula}` object, and objects become text
 * here); characters XML cannot hold are dropped.
 */
export function xlsxCell(value: unknown): { value: string | number | boolean | Date | null; numFmt?: string } {
  if (value === null || value === undefined) return { value: null };
  if (typeof value === 'number') return { value: Number.isFinite(value) ? value : null };
  if (typeof value === 'boolean') return { value };
  if (typeof value === 'string') {
    const date = calendarDate(value);
    return date ? { value: date, numFmt: DATE_FORMAT } : { value: xmlText(value) };
  }
  return { value: xmlText(JSON.stringify(value)) };
}

/** Text an XML file can carry (no control characters but tab and line breaks, no unpaired surrogates), at most Excel's cell length. */
function xmlText(text: string): string {
  // eslint-disable-next-line no-control-regex -- these are the characters XML 1.0 forbids
  const clean = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  return clean.length > CELL_TEXT_MAX ? truncate(clean, CELL_TEXT_MAX) : clean;
}

/**
 * Streams the export as an XLSX workbook into `out` with exceljs's streaming writer: one sheet
 * per form (named by `sheetNames`), a bold, frozen header row, then the form's rows oldest
 * first. `submitted_at` is a date cell (UTC). Between pages it waits while `out` is full, so a
 * slow client holds about one page in memory; it stops early when `out` is destroyed (the
 * client went away). An export without submissions is one sheet with the header only.
 */
export async function writeXlsx(sheets: readonly ExportSheet[], rowsOf: (form: string) => AsyncIterable<ExportRow[]>, out: Writable, options: { created: Date }): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Conversa';
  workbook.created = options.created;
  workbook.modified = options.created;
  const list = sheets.length > 0 ? sheets : [{ form: 'submissions', fields: [] }];
  const names = sheetNames(list.map((sheet) => sheet.form));
  for (const [index, sheet] of list.entries()) {
    const worksheet = workbook.addWorksheet(names[index], { views: [{ state: 'frozen', ySplit: 1 }] });
    const headers = [...FIXED_COLUMNS, ...sheet.fields.map(fieldHeader)];
    worksheet.columns = headers.map((header, column) => ({ width: column === 0 ? 20 : Math.min(Math.max(header.length + 2, 12), 50) }));
    const header = worksheet.addRow(headers.map(xmlText));
    header.font = { bold: true };
    header.commit();
    for await (const page of rowsOf(sheet.form)) {
      for (const row of page) {
        const cells = [{ value: new Date(row.submitted_at), numFmt: DATE_TIME_FORMAT }, { value: xmlText(row.contact_wa_id) }, { value: row.contact_name === null ? null : xmlText(row.contact_name) }, { value: xmlText(row.flow) }, { value: row.flow_version }, ...sheet.fields.map((name) => xlsxCell(fieldValue(row, name)))];
        const written = worksheet.addRow(cells.map((cell) => cell.value));
        cells.forEach((cell, column) => {
          if ('numFmt' in cell && cell.numFmt) written.getCell(column + 1).numFmt = cell.numFmt;
        });
        written.commit();
      }
      if (out.destroyed) return;
      await drained(out);
    }
    worksheet.commit();
  }
  await workbook.commit();
}

/** Resolves once `out` has room again (or is gone). */
function drained(out: Writable): Promise<void> {
  if (!out.writableNeedDrain || out.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      for (const event of ['drain', 'close', 'error']) out.off(event, done);
      resolve();
    };
    for (const event of ['drain', 'close', 'error']) out.on(event, done);
  });
}
