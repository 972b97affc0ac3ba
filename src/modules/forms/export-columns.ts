import type { ExportRow } from './form-submissions.js';

/** The columns every export starts with, before the form's fields (the CSV adds `form` after `submitted_at`). */
export const FIXED_COLUMNS = ['submitted_at', 'contact_wa_id', 'contact_name', 'flow', 'flow_version'] as const;

/** A field's column header: its name, or `fields.<name>` when the name is one of the fixed columns (a field called `flow`). */
export function fieldHeader(name: string): string {
  return (FIXED_COLUMNS as readonly string[]).includes(name) || name === 'form' ? `fields.${name}` : name;
}

/** A field's value in a row; only the row's own keys count (a field named `constructor` is not Object's). */
export function fieldValue(row: ExportRow, name: string): unknown {
  return Object.hasOwn(row.fields, name) ? row.fields[name] : undefined;
}

/** `YYYY-MM-DD` with a real calendar day from year 1900 (Excel's first) to 9999: a date cell in the XLSX. */
export function calendarDate(text: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1900) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date : undefined;
}
