/**
 * Small checks the outbound validator is built from. Each answers `undefined` when the value
 * is fine, or the first `Problem`: the JSON path of the field and the rule it breaks. They
 * never throw on a value of the wrong shape, so they can be chained with `??`.
 */

/** A path into the request, e.g. `['interactive', 'action', 'buttons', 3]`. */
export type Path = ReadonlyArray<string | number>;

export interface Problem {
  path: Path;
  rule: string;
}

export type Check = Problem | undefined;

/** `['interactive', 'action', 'buttons', 3, 'reply']` → `interactive.action.buttons[3].reply`. */
export function pathText(path: Path): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

export const problem = (path: Path, rule: string): Problem => ({ path, rule });

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The value as a record, or an empty one, so that reading a field of a bad value is safe. */
export const rec = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});

/** The value as an array, or an empty one. */
export const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Length as a person counts it: code points, so an emoji is one (not two UTF-16 units). */
export const charCount = (text: string): number => [...text].length;

export function checkObject(value: unknown, path: Path, options: { optional?: boolean } = {}): Check {
  if (value === undefined && options.optional) return undefined;
  if (value === undefined || value === null) return problem(path, 'is required');
  return isRecord(value) ? undefined : problem(path, 'must be an object');
}

/** Only these keys are allowed on the object (Meta answers 100 for an unknown parameter). */
export function checkKeys(value: unknown, path: Path, allowed: readonly string[]): Check {
  if (!isRecord(value)) return undefined;
  const stray = Object.keys(value).find((key) => !allowed.includes(key));
  return stray === undefined ? undefined : problem([...path, stray], `is not a parameter here (allowed: ${allowed.join(', ')})`);
}

/**
 * A string, not empty or only spaces unless `allowEmpty`, at most `max` characters. An absent
 * value is fine when `optional`.
 */
export function checkString(value: unknown, path: Path, options: { optional?: boolean; max?: number; allowEmpty?: boolean } = {}): Check {
  if (value === undefined || value === null) return options.optional ? undefined : problem(path, 'is required');
  if (typeof value !== 'string') return problem(path, 'must be a string');
  if (!options.allowEmpty && value.trim() === '') return problem(path, 'must not be empty');
  if (options.max !== undefined && charCount(value) > options.max) return problem(path, `must be at most ${options.max} characters long (it has ${charCount(value)})`);
  return undefined;
}

export function checkBoolean(value: unknown, path: Path): Check {
  return value === undefined || typeof value === 'boolean' ? undefined : problem(path, 'must be true or false');
}

export function checkEnum(value: unknown, path: Path, allowed: readonly string[], options: { optional?: boolean } = {}): Check {
  if (value === undefined && options.optional) return undefined;
  if (value === undefined || value === null) return problem(path, `is required (one of ${allowed.join(', ')})`);
  return typeof value === 'string' && allowed.includes(value) ? undefined : problem(path, `must be one of ${allowed.join(', ')}`);
}

/** An array of `min` to `max` items. */
export function checkArray(value: unknown, path: Path, bounds: { min: number; max?: number }): Check {
  if (value === undefined || value === null) return problem(path, 'is required');
  if (!Array.isArray(value)) return problem(path, 'must be an array');
  if (value.length < bounds.min) return problem(path, bounds.min === 1 ? 'must not be empty' : `must have at least ${bounds.min} items (it has ${value.length})`);
  if (bounds.max !== undefined && value.length > bounds.max) return problem(path, `must have at most ${bounds.max} items (it has ${value.length})`);
  return undefined;
}

/** The first problem of any item. */
export function checkEach(items: readonly unknown[], path: Path, check: (item: unknown, itemPath: Path, index: number) => Check): Check {
  for (const [index, item] of items.entries()) {
    const found = check(item, [...path, index], index);
    if (found) return found;
  }
  return undefined;
}

/** Each item's `key(item)` is different from the earlier ones' (button titles, row ids, ...). */
export function checkUnique(items: unknown[], path: Path, field: Path, what: string): Check {
  const seen = new Map<string, number>();
  for (const [index, item] of items.entries()) {
    let value: unknown = item;
    for (const part of field) value = rec(value)[part];
    if (typeof value !== 'string') continue;
    const earlier = seen.get(value);
    if (earlier !== undefined) return problem([...path, index, ...field], `must be unique: ${what} "${value}" is also used at [${earlier}]`);
    seen.set(value, index);
  }
  return undefined;
}

/** An absolute http or https URL (Meta fetches media links and opens button URLs with these only). */
export function checkHttpUrl(value: unknown, path: Path, options: { optional?: boolean; max?: number } = {}): Check {
  const asString = checkString(value, path, options);
  if (asString || value === undefined || value === null) return asString;
  let url: URL;
  try {
    url = new URL(value as string);
  } catch {
    return problem(path, 'must be an absolute URL (https://...)');
  }
  return url.protocol === 'https:' || url.protocol === 'http:' ? undefined : problem(path, `must be an http or https URL (not ${url.protocol})`);
}

/** A latitude or longitude: a number (or a numeric string, as Meta's spec types it) within `limit`. */
export function checkCoordinate(value: unknown, path: Path, limit: 90 | 180): Check {
  if (value === undefined || value === null) return problem(path, 'is required');
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) return problem(path, 'must be a number');
  return Math.abs(number) <= limit ? undefined : problem(path, `must be between -${limit} and ${limit}`);
}

/**
 * The media a message carries: exactly one of `id` (our `med_...` id or the provider's) or
 * `link` (an http or https URL), plus the other keys its place allows.
 */
export function checkMediaRef(value: unknown, path: Path, otherKeys: readonly string[]): Check {
  const media = rec(value);
  const hasId = media.id !== undefined;
  const hasLink = media.link !== undefined;
  return (
    checkObject(value, path) ??
    checkKeys(value, path, ['id', 'link', ...otherKeys]) ??
    (hasId && hasLink ? problem([...path, 'link'], 'must not be given with id: send the media by id or by link, not both') : undefined) ??
    (!hasId && !hasLink ? problem([...path, 'id'], 'is required (or link): the media by its id or by an https link') : undefined) ??
    (hasId ? checkString(media.id, [...path, 'id']) : checkHttpUrl(media.link, [...path, 'link']))
  );
}
