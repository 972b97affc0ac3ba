/**
 * An opaque page cursor over a (time, id) order: the last row's sort key, base64url-encoded.
 * Pages walk `(time, id) < (cursor time, cursor id)`, so rows inserted meanwhile never shift a
 * page and rows sharing one timestamp neither repeat nor vanish.
 */
export function encodeKeysetCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`, 'utf8').toString('base64url');
}

/** The (time, id) a cursor names, or undefined when it is not one this server made. */
export function decodeKeysetCursor(cursor: string): { at: string; id: string } | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z)\|([a-z]{1,8}_[A-Za-z0-9_-]{1,60})$/.exec(text);
  return match ? { at: match[1]!, id: match[2]! } : undefined;
}
