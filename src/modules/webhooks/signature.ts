import { createHmac, timingSafeEqual } from 'node:crypto';
import { realClock } from '../../clock/index.js';

/** Why a `Conversa-Signature` did not verify. */
export type SignatureFailure = 'malformed_header' | 'timestamp_outside_tolerance' | 'signature_mismatch';

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: SignatureFailure };

/**
 * Verifies a `Conversa-Signature` header (`t=<unix seconds>,v1=<hex>`) against the raw request
 * body, for systems that receive Conversa's webhooks. The signature is HMAC-SHA256 of
 * `"<t>.<body>"` with the subscription's secret; any `v1` entry may match (several appear while
 * a secret is rotated). A timestamp further than `toleranceSeconds` from `now` is refused, so a
 * captured request cannot be replayed later. Pure: the clock is a parameter.
 *
 * Pass the body exactly as received (a Buffer or the undecoded string), never re-serialised JSON.
 *
 * @example
 * const check = verifyConversaSignature(secret, req.headers['conversa-signature'], rawBody);
 * if (!check.ok) return res.writeHead(400).end(check.reason);
 */
export function verifyConversaSignature(
  secret: string,
  header: string | string[] | undefined,
  body: string | Uint8Array,
  toleranceSeconds = 300,
  now: Date = realClock.now(),
): SignatureCheck {
  const parsed = parseSignatureHeader(Array.isArray(header) ? header[0] : header);
  if (!parsed) return { ok: false, reason: 'malformed_header' };
  if (Math.abs(now.getTime() / 1000 - parsed.timestamp) > toleranceSeconds) return { ok: false, reason: 'timestamp_outside_tolerance' };
  const expected = Buffer.from(computeSignature(secret, parsed.timestamp, body), 'hex');
  const matches = parsed.signatures.some((candidate) => {
    const given = Buffer.from(candidate, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true, timestamp: parsed.timestamp } : { ok: false, reason: 'signature_mismatch' };
}

/** The `Conversa-Signature` header value for a body sent at `timestamp` (unix seconds). */
export function signConversaPayload(secret: string, body: string | Uint8Array, timestamp: number): string {
  return `t=${timestamp},v1=${computeSignature(secret, timestamp, body)}`;
}

function computeSignature(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

function parseSignatureHeader(header: string | undefined): { timestamp: number; signatures: string[] } | undefined {
  if (!header) return undefined;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}
