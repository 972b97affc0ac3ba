import type { Writable } from 'node:stream';
import { FIXED_COLUMNS, fieldHeader, fieldValue } from './export-columns.js';
import type { ExportRow, ExportSheet } from './form-submissions.js';
import { writeWorkbook, type SheetColumn } from './spreadsheet.js';

/**
 * Streams the export as an XLSX workbook into `out` (`writeWorkbook`): one sheet per form, a
 * bold, frozen header row, then the form's rows oldest first. `submitted_at` is a date cell
 * (UTC); the fields are typed by their values. An export without submissions is one sheet with
 * the header only.
 */
export async function writeXlsx(sheets: readonly ExportSheet[], rowsOf: (form: string) => AsyncIterable<ExportRow[]>, out: Writable, options: { created: Date }): Promise<void> {
  const list = sheets.length > 0 ? sheets : [{ form: 'submissions', fields: [] }];
  const fixed: SheetColumn[] = [
    { header: FIXED_COLUMNS[0], type: 'date_time' },
    { header: FIXED_COLUMNS[1], type: 'text' },
    { header: FIXED_COLUMNS[2], type: 'text' },
    { header: FIXED_COLUMNS[3], type: 'text' },
    { header: FIXED_COLUMNS[4], type: 'number' },
  ];
  await writeWorkbook(
    list.map((sheet) => ({
      name: sheet.form,
      columns: [...fixed, ...sheet.fields.map((name): SheetColumn => ({ header: fieldHeader(name), type: 'auto' }))],
      pages: () => rowsOfSheet(rowsOf(sheet.form), sheet.fields),
    })),
    out,
    options,
  );
}

async function* rowsOfSheet(pages: AsyncIterable<ExportRow[]>, fields: readonly string[]): AsyncGenerator<unknown[][]> {
  for await (const page of pages) yield page.map((row) => [row.submitted_at, row.contact_wa_id, row.contact_name, row.flow, row.flow_version, ...fields.map((name) => fieldValue(row, name))]);
}
