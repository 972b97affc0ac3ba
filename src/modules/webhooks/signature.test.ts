import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signConversaPayload, verifyConversaSignature } from './signature.js';

describe('Conversa-Signature', () => {
  const secret = 'whsec_test-secret';
  const body = '{"id":"evt_1","type":"message.received","data":{"text":"Olá 👋"}}';
  const now = new Date('2025-06-01T12:00:00Z');
  const t = Math.floor(now.getTime() / 1000);

  it('signs HMAC-SHA256 of "<t>.<body>" and verifies it over the raw bytes', () => {
    const header = signConversaPayload(secret, body, t);
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`);
    expect(verifyConversaSignature(secret, header, body, 300, now)).toEqual({ ok: true, timestamp: t });
    expect(verifyConversaSignature(secret, header, Buffer.from(body, 'utf8'), 300, now).ok).toBe(true);
  });

  it('refuses another secret, another body, an old timestamp and a malformed header', () => {
    const header = signConversaPayload(secret, body, t);
    expect(verifyConversaSignature('whsec_other', header, body, 300, now)).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(verifyConversaSignature(secret, header, body.replace('Olá', 'Ola'), 300, now)).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(verifyConversaSignature(secret, header, body, 300, new Date(now.getTime() + 301_000))).toEqual({ ok: false, reason: 'timestamp_outside_tolerance' });
    expect(verifyConversaSignature(secret, header.replace(`t=${t}`, `t=${t + 1}`), body, 300, now)).toEqual({ ok: false, reason: 'signature_mismatch' });
    for (const bad of [undefined, '', 'v1=abc', `t=${t}`, `t=soon,v1=${'a'.repeat(64)}`]) {
      expect(verifyConversaSignature(secret, bad, body, 300, now)).toEqual({ ok: false, reason: 'malformed_header' });
    }
  });

  it('accepts any of several v1 signatures (a secret being rotated)', () => {
    const current = signConversaPayload(secret, body, t);
    const both = `${signConversaPayload('whsec_old', body, t)},${current.split(',')[1]}`;
    expect(verifyConversaSignature(secret, both, body, 300, now).ok).toBe(true);
    expect(verifyConversaSignature(secret, [current], body, 300, now).ok).toBe(true);
  });
});
