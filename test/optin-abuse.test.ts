import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import type { Json } from './support/wait.js';

/**
 * The public opt-in pages with the default CONVERSA_TRUST_PROXY (trust none), as an attacker
 * reaching the server directly sees them: X-Forwarded-For is theirs to write, so it must change
 * nothing. (test/optin.test.ts runs behind a named proxy, where the header is honoured.)
 */
describe.each(DIALECTS)('public opt-in pages without a trusted proxy on $name', (dialect) => {
  const running = useApp(dialect);
  let pn: string;
  let spoofed = 0;

  const api = running.api;
  const base = () => running.started.platformUrl;
  const spoof = () => `203.0.113.${(spoofed += 1)}`;
  const post = (fields: Record<string, string>, forwardedFor = spoof()) =>
    fetch(`${base()}/optin/${pn}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor }, body: new URLSearchParams(fields).toString() });

  beforeAll(async () => {
    pn = running.pn;
  });

  it("records the connection's address as the consent proof's IP, not a spoofed X-Forwarded-For", async () => {
    const form = await (await fetch(`${base()}/optin/${pn}`)).text();
    const textVersion = /name="text_version" value="([^"]+)"/.exec(form)?.[1] ?? '';
    const done = await post({ name: 'Rita', phone: '+5511977779001', consent: 'yes', text_version: textVersion }, '198.51.100.66, 10.0.0.1');
    expect(done.status).toBe(200);
    const contact = (await api('GET', '/contacts?limit=200')).body.data.find((c: Json) => c.wa_id === '5511977779001');
    const consents = await api('GET', `/contacts/${contact.id}/consents`);
    expect(consents.body.data[0].proof.ip).toBe('127.0.0.1');
    expect(JSON.stringify(consents.body.data[0].proof)).not.toContain('198.51.100.66');
  });

  it('keeps the sign-up rate limit when every request claims another X-Forwarded-For', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) statuses.push((await post({ phone: 'x' })).status);
    // One sign-up above and nine here spend the burst of 10 per address, whatever the header says
    // (one token comes back every 6 seconds, so a slow machine may see one more 400).
    expect(statuses.slice(0, 9)).toEqual(Array(9).fill(400));
    expect(statuses.slice(9)).toContain(429);
    const limited = await post({ phone: 'x' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toContain('Too many attempts');
  });

  it('rate-limits the page, its link and its QR codes per client, with a Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40 && !statuses.includes(429); i += 1) statuses.push((await fetch(`${base()}/optin/${pn}/qr.svg?text=${i}`, { headers: { 'x-forwarded-for': spoof() } })).status);
    // 1 page view above and a burst of 30: the 30th request here is the first over (or a few
    // later on a slow machine, as one token comes back every 2 seconds).
    const served = statuses.indexOf(429);
    expect(served).toBeGreaterThanOrEqual(29);
    expect(served).toBeLessThanOrEqual(32);
    expect(statuses.slice(0, served)).toEqual(Array(served).fill(200));
    const image = await fetch(`${base()}/optin/${pn}/qr.png?size=1024`, { headers: { 'x-forwarded-for': spoof() } });
    expect(image.status).toBe(429);
    expect(Number(image.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await image.json()) as Json).error).toMatchObject({ code: 'CONVERSA_ERR_RATE_LIMITED', details: { retry_after_seconds: expect.any(Number) } });
    expect((await fetch(`${base()}/optin/${pn}/link`)).status).toBe(429);
    const page = await fetch(`${base()}/optin/${pn}`, { headers: { 'x-forwarded-for': spoof() } });
    expect(page.status).toBe(429);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('Too many attempts');
  });
});
