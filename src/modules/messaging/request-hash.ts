import { createHash } from 'node:crypto';

/**
 * The SHA-256 (hex) of a JSON value written canonically: object keys sorted, `undefined`
 * members left out. Two API requests that differ only in key order or spacing hash alike, so
 * an `Idempotency-Key` retry is recognised as the same request.
 *
 * @example
 * canonicalHash({ b: 1, a: [2, { d: 3, c: 4 }] }) === canonicalHash({ a: [2, { c: 4, d: 3 }], b: 1 }) // true
 */
export function canonicalHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
