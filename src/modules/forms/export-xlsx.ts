import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { FIXED_COLUMNS, fieldHeader, fieldValue } from './export-columns.js';
import type { ExportRow, ExportSheet } from './form-submissions.js';
import { DATE_TIME_FORMAT, sheetNames, xlsxCell, xmlText } from './xlsx-cells.js';

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
      // Compression and the zip run on later turns of the event loop: let them catch up, then
      // wait while the client has not taken what they produced.
      await new Promise((resolve) => setImmediate(resolve));
      await drained(out);
      if (out.destroyed) return;
    }
    worksheet.commit();
  }
  // A client gone during the last step never lets the stream finish: stop waiting then too.
  await Promise.race([workbook.commit(), closed(out)]);
}

function closed(out: Writable): Promise<void> {
  return out.destroyed ? Promise.resolve() : new Promise((resolve) => out.once('close', () => resolve()));
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
