import { randomBytes } from 'node:crypto';
import { request } from 'undici';

/**
 * Meta's verification handshake: `GET <callback>?hub.mode=subscribe&hub.challenge=...&hub.verify_token=...`;
 * the subscriber must answer 200 with the challenge as the body.
 */
export async function verifySubscriber(url: string, verifyToken: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const challenge = String(randomBytes(6).readUIntBE(0, 6));
  const target = new URL(url);
  target.searchParams.set('hub.mode', 'subscribe');
  target.searchParams.set('hub.challenge', challenge);
  target.searchParams.set('hub.verify_token', verifyToken);
  try {
    const response = await request(target, { method: 'GET', headersTimeout: 10_000, bodyTimeout: 10_000 });
    const body = (await response.body.text()).trim();
    if (response.statusCode !== 200) return { ok: false, reason: `the callback answered HTTP ${response.statusCode} to the verification request` };
    if (body !== challenge) return { ok: false, reason: 'the callback did not echo hub.challenge' };
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `the callback could not be reached (${error instanceof Error ? error.message : String(error)})` };
  }
}
