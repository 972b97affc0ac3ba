import { PassThrough, Readable, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { csvRecord, UTF8_BOM } from './export-csv.js';
import { DATE_TIME_FORMAT, sheetNames, xlsxCell, xmlText } from './xlsx-cells.js';

/**
 * How a column's cells are written: `date_time` an ISO-8601 instant as a date cell (UTC,
 * `yyyy-mm-dd hh:mm:ss`; CSV: the ISO text), `number` a number cell, `text` always a string
 * cell (never a formula), `auto` by the value (numbers, booleans, `YYYY-MM-DD` days typed;
 * objects as JSON text; see `xlsxCell`).
 */
export type ColumnType = 'text' | 'number' | 'date_time' | 'auto';

export interface SheetColumn {
  header: string;
  type: ColumnType;
}

/** One sheet of a workbook: its name (made safe for Excel here), its columns, and its rows in pages (each row one value per column). */
export interface Sheet {
  name: string;
  columns: readonly SheetColumn[];
  pages: () => AsyncIterable<unknown[][]>;
}

export const SPREADSHEET_CONTENT_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
} as const;

/**
 * Streams a workbook into `out` with exceljs's streaming writer: one sheet per entry (names made
 * safe and unique by `sheetNames`), a bold, frozen header row, then the rows page by page.
 * Between pages it waits while `out` is full, so a slow client holds about one page in memory;
 * it stops early when `out` is destroyed (the client went away). The forms, leads and contacts
 * exports all write through it.
 */
export async function writeWorkbook(sheets: readonly Sheet[], out: Writable, options: { created: Date }): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Conversa';
  workbook.created = options.created;
  workbook.modified = options.created;
  const names = sheetNames(sheets.map((sheet) => sheet.name));
  for (const [index, sheet] of sheets.entries()) {
    const worksheet = workbook.addWorksheet(names[index], { views: [{ state: 'frozen', ySplit: 1 }] });
    worksheet.columns = sheet.columns.map((column) => ({ width: column.type === 'date_time' ? 20 : Math.min(Math.max(column.header.length + 2, 12), 50) }));
    const header = worksheet.addRow(sheet.columns.map((column) => xmlText(column.header)));
    header.font = { bold: true };
    header.commit();
    for await (const page of sheet.pages()) {
      for (const row of page) {
        const cells = sheet.columns.map((column, at) => typedCell(row[at], column.type));
        const written = worksheet.addRow(cells.map((cell) => cell.value));
        cells.forEach((cell, column) => {
          if (cell.numFmt) written.getCell(column + 1).numFmt = cell.numFmt;
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

/**
 * The same table as CSV, in chunks (one per page): UTF-8 with a BOM, a header row, RFC 4180
 * quoting, formulas neutralised (`csvRecord`). `date_time` cells are their ISO-8601 text.
 */
export async function* csvTable(columns: readonly SheetColumn[], pages: AsyncIterable<unknown[][]>, delimiter: ',' | ';' = ','): AsyncGenerator<Buffer> {
  yield Buffer.from(UTF8_BOM + csvRecord(columns.map((column) => column.header), delimiter), 'utf8');
  for await (const page of pages) yield Buffer.from(page.map((row) => csvRecord(row, delimiter)).join(''), 'utf8');
}

/**
 * A streamed download body: the workbook (`xlsx`) or the CSV table. A failure after the answer
 * started (the body is cut short) goes to `onError` for the log.
 */
export function spreadsheetBody(
  format: 'xlsx' | 'csv',
  content: { sheets: readonly Sheet[]; csv: { columns: readonly SheetColumn[]; pages: () => AsyncIterable<unknown[][]> } },
  options: { delimiter?: ',' | ';' | undefined; created: Date; onError: (error: unknown) => void },
): { contentType: string; body: Readable } {
  if (format === 'csv') return { contentType: SPREADSHEET_CONTENT_TYPES.csv, body: Readable.from(csvTable(content.csv.columns, content.csv.pages(), options.delimiter ?? ','), { objectMode: false }) };
  const body = new PassThrough();
  // The failure is logged through onError; this listener only keeps an error emitted before the
  // HTTP layer attached its own from being an uncaught exception.
  body.on('error', () => undefined);
  writeWorkbook(content.sheets, body, { created: options.created }).catch((error: unknown) => {
    options.onError(error);
    body.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return { contentType: SPREADSHEET_CONTENT_TYPES.xlsx, body };
}

function typedCell(value: unknown, type: ColumnType): { value: string | number | boolean | Date | null; numFmt?: string } {
  if (value === null || value === undefined) return { value: null };
  switch (type) {
    case 'date_time': {
      const at = typeof value === 'string' || value instanceof Date ? new Date(value) : undefined;
      return at && !Number.isNaN(at.getTime()) ? { value: at, numFmt: DATE_TIME_FORMAT } : { value: xmlText(String(value)) };
    }
    case 'number': {
      const number = Number(value);
      return Number.isFinite(number) ? { value: number } : { value: null };
    }
    case 'text':
      return { value: xmlText(typeof value === 'string' ? value : JSON.stringify(value)) };
    case 'auto':
      return xlsxCell(value);
  }
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
