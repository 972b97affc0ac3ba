/**
 * Serialises a webhook body the way Meta does: JSON whose non-ASCII characters are all written
 * as lowercase `\uXXXX` escapes (astral characters as UTF-16 surrogate pairs), and `/` as `\/`.
 * Meta signs exactly these bytes (cloud-api-facts.md §2.2), so receivers that hash the raw body
 * and receivers that re-escape before hashing both verify it.
 */
export function serializeLikeMeta(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\//g, '\\/');
}
