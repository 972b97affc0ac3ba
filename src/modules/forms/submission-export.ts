import { PassThrough, Readable } from 'node:stream';
import { csvChunks } from './export-csv.js';
import { writeXlsx } from './export-xlsx.js';
import type { FormSubmissions, SubmissionFilter } from './form-submissions.js';

export const EXPORT_FORMATS = ['xlsx', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

/** An export ready to stream: its body is produced page by page as the client reads it. */
export interface SubmissionExport {
  contentType: string;
  /** `form-submissions-2026-12-06.xlsx`, or `form-<name>-2026-12-06.csv` for one form (ASCII only). */
  filename: string;
  body: Readable;
}

export interface ExportOptions {
  format: ExportFormat;
  /** CSV only: `,` (RFC 4180, the default) or `;` (what Excel expects where the decimal separator is a comma). */
  delimiter?: ',' | ';' | undefined;
  /** The clock's time: the export holds submissions stored before it, so rows stored during the walk do not join half-way. */
  now: Date;
  /** A failure after the answer started (the body is cut short): for the log. */
  onError: (error: unknown) => void;
}

/**
 * The submissions an export filter selects, as XLSX (one sheet per form) or CSV (one file, a
 * `form` column). The forms and their columns are read first (one aggregate; a database error
 * fails here, before any byte is sent); the rows are then read in pages while the body streams.
 */
export async function exportSubmissions(source: Pick<FormSubmissions, 'exportSheets' | 'exportRows'>, workspaceId: string, filter: SubmissionFilter, options: ExportOptions): Promise<SubmissionExport> {
  const cutoff = new Date(options.now.getTime() + 1).toISOString();
  const bounded: SubmissionFilter = { ...filter, until: filter.until !== undefined && filter.until < cutoff ? filter.until : cutoff };
  const sheets = await source.exportSheets(workspaceId, bounded);
  const rowsOf = (form: string) => source.exportRows(workspaceId, form, bounded);
  const slug = filter.form === undefined ? 'form-submissions' : `form-${filter.form.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'submissions'}`;
  const filename = `${slug}-${options.now.toISOString().slice(0, 10)}.${options.format}`;
  if (options.format === 'csv') {
    const body = Readable.from(csvChunks(sheets, rowsOf, options.delimiter ?? ','), { objectMode: false });
    return { contentType: EXPORT_CONTENT_TYPES.csv, filename, body };
  }
  const body = new PassThrough();
  // The failure is logged through onError; this listener only keeps an error emitted before the
  // HTTP layer attached its own from being an uncaught exception.
  body.on('error', () => undefined);
  writeXlsx(sheets, rowsOf, body, { created: options.now }).catch((error: unknown) => {
    options.onError(error);
    body.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return { contentType: EXPORT_CONTENT_TYPES.xlsx, filename, body };
}
