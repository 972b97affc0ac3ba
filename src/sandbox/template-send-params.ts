/**
 * Matching the parameters of one send component (`header`, `body`, a `button`) to the variables
 * the stored template expects, with Meta's send-time errors. Pure; used by `template-send.ts`.
 */
import type { TemplateParameter } from '../whatsapp/wire.js';
import { metaFailure, type MetaFailure } from './meta-errors.js';
import { charLength, paramWhitespaceProblem } from './template-variables.js';

export type Matched<T> = { ok: true; value: T } | { ok: false; failure: MetaFailure };

export interface BindOptions {
  /** How the component is named in `details`: `header`, `body`, `button at index 0`. */
  label: string;
  /** Parameter keys the template expects (`['1', '2']` or `['first_name']`). */
  keys: string[];
  /** The template uses named parameters: each send parameter must carry `parameter_name`. */
  named: boolean;
  /** Longest value allowed for one parameter (code 131009 beyond it). */
  maxLength: number;
  /** Parameter types accepted, rendered to text (`text`, `currency`, `date_time`). */
  types: ReadonlyArray<'text' | 'currency' | 'date_time'>;
}

/**
 * Binds send parameters to the template's keys and renders each to text.
 *
 * - count differs → 132000 `body: number of localizable_params (0) does not match the expected number of params (1)`
 * - named template, a parameter without `parameter_name` → 131008 (a required field is missing)
 * - named template, a `parameter_name` the template does not have, or given twice → 132000
 *   (the set of localizable params does not match the template's, the same family as a count mismatch)
 * - a parameter of another type (an image in the body) → 132012 format mismatch
 * - a value with a new line, a tab or more than 4 consecutive spaces → 132018
 * - a value longer than `maxLength` → 131009
 *
 * Currency and date_time parameters render as their `fallback_value`.
 */
export function bindParameters(params: readonly TemplateParameter[], options: BindOptions): Matched<Map<string, string>> {
  const { label, keys, named } = options;
  if (params.length !== keys.length) {
    return failed(132000, `${label}: number of localizable_params (${params.length}) does not match the expected number of params (${keys.length})`);
  }
  const values = new Map<string, string>();
  for (const [i, param] of params.entries()) {
    let key = keys[i] ?? String(i + 1);
    if (named) {
      const name = param.parameter_name;
      if (typeof name !== 'string' || name === '') {
        return failed(131008, `${label}: parameter ${i + 1} has no parameter_name; this template uses named parameters (${keys.join(', ')})`);
      }
      if (!keys.includes(name)) {
        return failed(132000, `${label}: parameter_name "${name}" does not match any parameter of the template (expected ${keys.join(', ')})`);
      }
      if (values.has(name)) return failed(132000, `${label}: parameter_name "${name}" is given more than once`);
      key = name;
    }
    const value = renderParameter(param, `${label}: param {{${key}}}`, options);
    if (!value.ok) return value;
    values.set(key, value.value);
  }
  return { ok: true, value: values };
}

function renderParameter(param: TemplateParameter, where: string, options: BindOptions): Matched<string> {
  const type = String(param.type ?? '').toLowerCase();
  if (!(options.types as readonly string[]).includes(type)) {
    return failed(132012, `${where}: Format mismatch, expected ${options.types.map((t) => t.toUpperCase()).join(' or ')}, received ${type === '' ? 'UNKNOWN' : type.toUpperCase()}`);
  }
  const value = type === 'text' ? param.text : type === 'currency' ? param.currency?.fallback_value : param.date_time?.fallback_value;
  const field = type === 'text' ? 'text' : `${type}.fallback_value`;
  if (value === undefined || value === null || value === '') return failed(131008, `${where}: ${field} is required`);
  if (typeof value !== 'string') return failed(131009, `${where}: ${field} must be a string`);
  return checkValue(value, where, options.maxLength);
}

/** The value rules every text parameter shares: 132018 whitespace, 131009 length. */
export function checkValue(value: string, where: string, maxLength: number): Matched<string> {
  const whitespace = paramWhitespaceProblem(value);
  if (whitespace !== undefined) {
    return failed(132018, `${where}: Param text cannot have new-line/tab characters or more than 4 consecutive spaces (found ${whitespace})`);
  }
  const length = charLength(value);
  if (length > maxLength) return failed(131009, `${where}: is ${length} characters, more than the ${maxLength} allowed`);
  return { ok: true, value };
}

export function failed(code: MetaFailure['code'], details: string): { ok: false; failure: MetaFailure } {
  return { ok: false, failure: metaFailure(code, details) };
}
