/**
 * Small checks shared by the send validator (Meta's wording and codes) and the inbound validator
 * (the sandbox admin API's wording). Each check returns an `Issue` or `undefined`, so a validator
 * reads as one `??` chain that stops at the first problem, like Meta does: it reports one error.
 */
import type { MetaErrorCode } from './meta-errors.js';

export type Path = readonly (string | number)[];

/**
 * What went wrong, independent of wording. The send validator maps kinds to Meta codes:
 * missing → 131008, type (wrong JSON type) → 100, value (bad value) → 131009,
 * unknown (unexpected key) → 100.
 */
export type IssueKind = 'missing' | 'type' | 'value' | 'unknown';

export interface Issue {
  kind: IssueKind;
  path: Path;
  /** Sentence fragment that follows the field name: "is required", "must be a string". */
  rule: string;
  /** Overrides the code the kind maps to, where Meta answers differently. */
  code?: MetaErrorCode;
}

export type Check = Issue | undefined;

export function issue(kind: IssueKind, path: Path, rule: string, code?: MetaErrorCode): Issue {
  return code === undefined ? { kind, path, rule } : { kind, path, rule, code };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value as a record, or an empty one; safe to read after its `checkObject` passed. */
export function rec(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** The value as an array, or an empty one; safe to read after its `checkArray` passed. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Length as the limits count it: Unicode code points, so "👋" is 1 and "Olá" is 3. Meta does not
 * say how it counts; code points are what a person sees as characters in nearly all text, and
 * are never stricter than UTF-16 code units.
 */
export function charLength(value: string): number {
  return [...value].length;
}

const absent = (value: unknown): boolean => value === undefined || value === null;

export function checkObject(value: unknown, path: Path, optional = false): Check {
  if (absent(value)) return optional ? undefined : issue('missing', path, 'is required');
  return isRecord(value) ? undefined : issue('type', path, 'must be an object');
}

export interface StringRule {
  optional?: boolean;
  /** Maximum length in characters (see `charLength`). */
  max?: number;
  /** Accept "" for a required string (reaction emoji). Otherwise "" counts as missing. */
  allowEmpty?: boolean;
}

export function checkString(value: unknown, path: Path, rule: StringRule = {}): Check {
  if (absent(value)) return rule.optional ? undefined : issue('missing', path, 'is required');
  if (typeof value !== 'string') return issue('type', path, 'must be a string');
  if (value === '' && !rule.optional && !rule.allowEmpty) return issue('missing', path, 'is required');
  if (rule.max !== undefined && charLength(value) > rule.max) {
    return issue('value', path, `must be at most ${rule.max} characters long`);
  }
  return undefined;
}

export function checkBoolean(value: unknown, path: Path, optional = true): Check {
  if (absent(value)) return optional ? undefined : issue('missing', path, 'is required');
  return typeof value === 'boolean' ? undefined : issue('type', path, 'must be a boolean');
}

export interface NumberRule {
  optional?: boolean;
  min?: number;
  max?: number;
  integer?: boolean;
  /** Accept a decimal string such as "37.75" (Graph API form-style values). */
  numericString?: boolean;
}

export function checkNumber(value: unknown, path: Path, rule: NumberRule = {}): Check {
  if (absent(value)) return rule.optional ? undefined : issue('missing', path, 'is required');
  const numeric =
    typeof value === 'number'
      ? value
      : rule.numericString && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())
        ? Number(value)
        : undefined;
  if (numeric === undefined || !Number.isFinite(numeric)) return issue('type', path, 'must be a number');
  if (rule.integer && !Number.isInteger(numeric)) return issue('value', path, 'must be an integer');
  const { min, max } = rule;
  if ((min !== undefined && numeric < min) || (max !== undefined && numeric > max)) {
    const range = min === undefined ? `at most ${max}` : max === undefined ? `at least ${min}` : `between ${min} and ${max}`;
    return issue('value', path, `must be ${range}`);
  }
  return undefined;
}

export function checkEnum(
  value: unknown,
  path: Path,
  allowed: readonly string[],
  options: { optional?: boolean; code?: MetaErrorCode } = {},
): Check {
  const asString = checkString(value, path, { optional: options.optional });
  if (asString || absent(value)) return asString;
  if (allowed.includes(value as string)) return undefined;
  const choices = allowed.map((choice) => `"${choice}"`).join(', ');
  return issue('value', path, allowed.length === 1 ? `must be ${choices}` : `must be one of ${choices}`, options.code);
}

export function checkArray(value: unknown, path: Path, rule: { min?: number; max?: number; optional?: boolean } = {}): Check {
  if (absent(value)) return rule.optional ? undefined : issue('missing', path, 'is required');
  if (!Array.isArray(value)) return issue('type', path, 'must be an array');
  if (rule.min !== undefined && value.length < rule.min) {
    return issue(value.length === 0 ? 'missing' : 'value', path, `must contain at least ${items(rule.min)}`);
  }
  if (rule.max !== undefined && value.length > rule.max) return issue('value', path, `must contain at most ${items(rule.max)}`);
  return undefined;
}

const items = (n: number): string => (n === 1 ? '1 item' : `${n} items`);

/** Rejects the first key of `object` that is not in `allowed`. */
export function checkKeys(object: Record<string, unknown>, allowed: readonly string[], path: Path): Check {
  const extra = Object.keys(object).find((key) => !allowed.includes(key));
  return extra === undefined ? undefined : issue('unknown', [...path, extra], 'is not allowed here');
}

/** Runs `check` on each item and returns the first issue. */
export function checkEach(values: unknown[], path: Path, check: (value: unknown, path: Path) => Check): Check {
  for (const [index, value] of values.entries()) {
    const found = check(value, [...path, index]);
    if (found) return found;
  }
  return undefined;
}

/** Rejects the second occurrence of a value; `entries` are values with their paths. */
export function checkUnique(entries: Array<{ value: unknown; path: Path }>): Check {
  const seen = new Set<unknown>();
  for (const { value, path } of entries) {
    if (seen.has(value)) return issue('value', path, `must be unique; "${String(value)}" is used more than once`);
    seen.add(value);
  }
  return undefined;
}

export function checkHttpUrl(value: unknown, path: Path, optional = false): Check {
  const asString = checkString(value, path, { optional });
  if (asString || absent(value)) return asString;
  return isHttpUrl(value as string) ? undefined : issue('value', path, 'must be an http or https URL');
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** True for one emoji (one grapheme: a pictograph, a flag, or a keycap), skin tones and ZWJ included. */
export function isSingleEmoji(value: string): boolean {
  const graphemes = [...segmenter.segment(value)];
  if (graphemes.length !== 1) return false;
  return /\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|\u20E3/u.test(value);
}

/** An emoji field: "" is allowed (it removes a reaction), otherwise exactly one emoji. */
export function checkEmoji(value: unknown, path: Path, optional: boolean): Check {
  const asString = checkString(value, path, { optional, allowEmpty: true });
  if (asString || absent(value) || value === '') return asString;
  return isSingleEmoji(value as string) ? undefined : issue('value', path, 'must be a single emoji, or "" to remove the reaction');
}

/** `latitude`/`longitude` in range, `name`/`address` (and `url` where allowed) strings. */
export function checkLocation(value: unknown, path: Path, options: { numericStrings: boolean; keys: readonly string[] }): Check {
  const location = rec(value);
  const numeric = options.numericStrings;
  return (
    checkObject(value, path) ??
    checkKeys(location, options.keys, path) ??
    checkNumber(location.latitude, [...path, 'latitude'], { min: -90, max: 90, numericString: numeric }) ??
    checkNumber(location.longitude, [...path, 'longitude'], { min: -180, max: 180, numericString: numeric }) ??
    checkString(location.name, [...path, 'name'], { optional: true, max: 1000 }) ??
    checkString(location.address, [...path, 'address'], { optional: true, max: 1000 }) ??
    checkString(location.url, [...path, 'url'], { optional: true })
  );
}

const NAME_PARTS = ['first_name', 'last_name', 'middle_name', 'prefix', 'suffix'] as const;
const CARD_LISTS = {
  addresses: ['street', 'city', 'state', 'zip', 'country', 'country_code', 'type'],
  emails: ['email', 'type'],
  phones: ['phone', 'type', 'wa_id'],
  urls: ['url', 'type'],
} as const;

/**
 * One contact card (send and inbound share the shape). `requireNamePart` adds Meta's send rule:
 * at least one of first/last/middle name, prefix or suffix besides `formatted_name`.
 */
export function checkContactCard(value: unknown, path: Path, requireNamePart: boolean): Check {
  const card = rec(value);
  const name = rec(card.name);
  const namePath = [...path, 'name'];
  const hasPart = NAME_PARTS.some((part) => typeof name[part] === 'string' && name[part] !== '');
  return (
    checkObject(value, path) ??
    checkKeys(card, ['name', 'birthday', 'org', ...Object.keys(CARD_LISTS)], path) ??
    checkObject(card.name, namePath) ??
    checkKeys(name, ['formatted_name', ...NAME_PARTS], namePath) ??
    checkString(name.formatted_name, [...namePath, 'formatted_name']) ??
    checkOptionalStrings(name, NAME_PARTS, namePath) ??
    (requireNamePart && !hasPart
      ? issue('missing', namePath, `must include at least one of ${NAME_PARTS.join(', ')} besides formatted_name`)
      : undefined) ??
    checkBirthday(card.birthday, [...path, 'birthday']) ??
    checkStringFields(card.org, [...path, 'org'], ['company', 'department', 'title']) ??
    checkCardLists(card, path)
  );
}

function checkBirthday(value: unknown, path: Path): Check {
  const asString = checkString(value, path, { optional: true });
  if (asString || absent(value)) return asString;
  return /^\d{4}-\d{2}-\d{2}$/.test(value as string) ? undefined : issue('value', path, 'must be a date in YYYY-MM-DD format');
}

function checkCardLists(card: Record<string, unknown>, path: Path): Check {
  for (const [key, fields] of Object.entries(CARD_LISTS)) {
    const listPath = [...path, key];
    const found =
      checkArray(card[key], listPath, { optional: true }) ??
      checkEach(list(card[key]), listPath, (entry, p) => checkStringFields(entry, p, fields, false));
    if (found) return found;
  }
  return undefined;
}

/** An object whose known keys all hold optional strings. */
function checkStringFields(value: unknown, path: Path, fields: readonly string[], optional = true): Check {
  const object = rec(value);
  return (
    checkObject(value, path, optional) ??
    checkKeys(object, fields, path) ??
    checkOptionalStrings(object, fields, path)
  );
}

function checkOptionalStrings(object: Record<string, unknown>, fields: readonly string[], path: Path): Check {
  for (const field of fields) {
    const found = checkString(object[field], [...path, field], { optional: true });
    if (found) return found;
  }
  return undefined;
}

/**
 * A send-side media reference: exactly one of `id` (uploaded media) or `link` (http/https URL).
 * Both → 100 (Meta treats the pair as an invalid parameter set); neither → 131008.
 */
export function checkMediaRef(value: unknown, path: Path, extraKeys: readonly string[]): Check {
  const media = rec(value);
  const hasId = !absent(media.id);
  const hasLink = !absent(media.link);
  return (
    checkObject(value, path) ??
    checkKeys(media, ['id', 'link', ...extraKeys], path) ??
    (hasId && hasLink ? issue('value', path, 'must have either id or link, not both', 100) : undefined) ??
    (!hasId && !hasLink ? issue('missing', path, 'requires one of id or link') : undefined) ??
    (hasId ? checkString(media.id, [...path, 'id']) : checkHttpUrl(media.link, [...path, 'link']))
  );
}
