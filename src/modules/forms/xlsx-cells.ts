import { calendarDate } from './export-columns.js';

/** What Excel allows in a sheet name: at most 31 characters, none of : \ / ? * [ ], not starting or ending with an apostrophe. */
const SHEET_NAME_MAX = 31;
/** Excel's longest cell text. */
const CELL_TEXT_MAX = 32_767;
/** The number format of `submitted_at` (UTC). */
export const DATE_TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss';
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
export function xmlText(text: string): string {
  const clean = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  return clean.length > CELL_TEXT_MAX ? truncate(clean, CELL_TEXT_MAX) : clean;
}
