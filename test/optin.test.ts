import { beforeAll, describe, expect, it } from 'vitest';
import { optInConsentText } from '../src/modules/consent/index.js';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- responses are inspected freely

const PUBLIC_URL = 'https://conversa.example.com';
const BAKERY = 'Padaria <Pão> & Café "Bom"';

describe.each(DIALECTS)('public opt-in page on $name', (dialect) => {
  // Behind a proxy the operator names: its X-Forwarded-For is the client's address (each test
  // posts from its own). test/optin-abuse.test.ts checks the default, where it is ignored.
  const running = useApp(dialect, { env: { CONVERSA_PUBLIC_URL: PUBLIC_URL, CONVERSA_TRUST_PROXY: '127.0.0.1' } });
  let pn: string; // the sandbox number's Meta id (English page: a +1 number)
  let display: string;
  let bakery: Json; // a Brazilian number whose verified name needs escaping (Portuguese page)
  let ip = 10;

  const base = () => running.started.platformUrl;
  const page = async (path: string) => {
    const response = await fetch(`${base()}${path}`);
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  const textVersionOf = (html: string) => /name="text_version" value="([^"]+)"/.exec(html)?.[1] ?? '';
  // Each test posts from its own address, so the rate limit of one does not leak into another.
  const submit = async (path: string, fields: Record<string, string>, from = `198.51.100.${(ip += 1)}`) => {
    const response = await fetch(`${base()}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'OptInTest/1.0', 'x-forwarded-for': from },
      body: new URLSearchParams(fields).toString(),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  const api = running.api;
  const contactByWaId = async (waId: string): Promise<Json> => (await api('GET', '/contacts?limit=200')).body.data.find((c: Json) => c.wa_id === waId);

  beforeAll(async () => {
    pn = running.pn;
    display = running.started.sandboxNumber?.display_phone_number as string;
    const connected = await api('POST', '/phone-numbers', { provider: 'sandbox', verified_name: BAKERY, display_phone_number: '+55 11 93333-4444' });
    expect(connected.status).toBe(201);
    bakery = connected.body;
  });

  it('shows a mobile-friendly form whose consent text names the business and WhatsApp', async () => {
    const shown = await page(`/optin/${pn}`);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(shown.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(shown.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(shown.text).toContain(optInConsentText('Conversa Sandbox', 'en'));
    expect(shown.text).toMatch(/messages from Conversa Sandbox on WhatsApp/);
    expect(shown.text).toContain('name="consent" value="yes"');
    expect(shown.text).toContain('name="website"'); // the honeypot
    expect(textVersionOf(shown.text)).not.toBe('');
    // Our own id works as well as Meta's.
    const byOurId = await page(`/optin/${running.started.sandboxNumber?.id}`);
    expect(byOurId.text).toContain(optInConsentText('Conversa Sandbox', 'en'));
  });

  it('escapes the business name and speaks Portuguese for a Brazilian number', async () => {
    const shown = await page(`/optin/${bakery.phone_number_id}`);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('<html lang="pt-BR">');
    expect(shown.text).toContain('mensagens de Padaria &lt;Pão&gt; &amp; Café &quot;Bom&quot; pelo WhatsApp');
    expect(shown.text).not.toContain('<Pão>');
    expect(shown.text).toContain('placeholder="(11) 98888-7777"');
    const english = await page(`/optin/${bakery.phone_number_id}?lang=en`);
    expect(english.text).toContain('messages from Padaria &lt;Pão&gt; &amp; Café &quot;Bom&quot; on WhatsApp');
  });

  it('records the opt-in with its proof, visible in the contact consents', async () => {
    const path = `/optin/${bakery.phone_number_id}?utm_source=balcao`;
    const shown = await page(path);
    const done = await submit(path, { name: 'Maria Silva', phone: '(11) 97777-1001', consent: 'yes', text_version: textVersionOf(shown.text), website: '' });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Obrigado, Maria Silva!');
    expect(done.text).toContain('+5511977771001');
    expect(done.text).toContain(`https://wa.me/5511933334444?text=${encodeURIComponent('Olá! Quero receber novidades de Padaria <Pão> & Café "Bom".').replace(/&/g, '&amp;').replace(/'/g, '&#39;')}`);

    const contact = await contactByWaId('5511977771001');
    expect(contact).toMatchObject({ name: 'Maria Silva', phone: '+5511977771001' });
    const consents = await api('GET', `/contacts/${contact.id}/consents`);
    expect(consents.body.state.marketing).toBe('opted_in');
    expect(consents.body.data).toEqual([
      expect.objectContaining({
        purpose: 'marketing',
        status: 'opted_in',
        source: 'web_form',
        actor: 'optin_page',
        text: optInConsentText(BAKERY, 'pt'),
        proof: expect.objectContaining({
          ip: `198.51.100.${ip}`,
          user_agent: 'OptInTest/1.0',
          submitted_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          page_url: `${PUBLIC_URL}${path}`,
          phone_number_id: bakery.phone_number_id,
          form: { name: 'Maria Silva', phone: '(11) 97777-1001', consent: 'yes' },
        }),
      }),
    ]);
  });

  it('re-renders the form with the error (400) for a bad phone, keeping what was typed, escaped', async () => {
    const shown = await page(`/optin/${pn}`);
    const bad = await submit(`/optin/${pn}`, { name: 'Zé <b>', phone: '12345', consent: 'yes', text_version: textVersionOf(shown.text) });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(bad.text).toContain('This number does not look valid');
    expect(bad.text).toContain('value="12345"');
    expect(bad.text).toContain('value="Zé &lt;b&gt;"');
    expect(bad.text).toContain('aria-invalid="true"');
    expect(bad.text).toContain('value="yes" required checked'); // ticked for this same text: stays ticked

    const empty = await submit(`/optin/${pn}`, { phone: '', text_version: textVersionOf(shown.text) });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Enter your WhatsApp number.');
    expect(empty.text).toContain('Tick the box');

    const unticked = await submit(`/optin/${pn}`, { name: 'Ana', phone: '+5511977771002', text_version: textVersionOf(shown.text) });
    expect(unticked.status).toBe(400);
    expect(unticked.text).toContain('Tick the box to confirm');

    const stale = await submit(`/optin/${pn}`, { name: 'Ana', phone: '+5511977771002', consent: 'yes', text_version: 'old-text' });
    expect(stale.status).toBe(400);
    expect(stale.text).toContain('The consent text changed');
    expect(stale.text).not.toContain('checked'); // a different text must be agreed to again

    const noBody = await fetch(`${base()}/optin/${pn}`, { method: 'POST', headers: { 'x-forwarded-for': '198.51.100.250' } });
    expect(noBody.status).toBe(400);
    expect(await contactByWaId('5511977771002')).toBeUndefined();
  });

  it('escapes a script in the name on the thank-you page', async () => {
    const shown = await page(`/optin/${pn}`);
    const done = await submit(`/optin/${pn}`, { name: '<script>alert(1)</script>', phone: '+5511977771003', consent: 'yes', text_version: textVersionOf(shown.text) });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Thank you, &lt;script&gt;alert(1)&lt;/script&gt;!');
    expect(done.text).not.toContain('<script>');
    expect(await contactByWaId('5511977771003')).toMatchObject({ name: '<script>alert(1)</script>' });
  });

  it('answers a filled honeypot as if it worked and records nothing', async () => {
    const shown = await page(`/optin/${pn}`);
    const trapped = await submit(`/optin/${pn}`, { name: 'Bot', phone: '+5511977771004', consent: 'yes', text_version: textVersionOf(shown.text), website: 'http://spam.example' });
    expect(trapped.status).toBe(200);
    expect(trapped.text).toContain('Thank you, Bot!');
    expect(await contactByWaId('5511977771004')).toBeUndefined();
  });

  it('limits sign-ups per address and says when to try again', async () => {
    const shown = await page(`/optin/${pn}`);
    const fields = { name: 'Flood', phone: 'x', consent: 'yes', text_version: textVersionOf(shown.text) };
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) statuses.push((await submit(`/optin/${pn}`, fields, '203.0.113.9')).status);
    expect(statuses).toEqual(Array(10).fill(400));
    const limited = await submit(`/optin/${pn}`, fields, '203.0.113.9');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.text).toContain('Too many attempts');
    // Another address is not affected.
    expect((await submit(`/optin/${pn}`, fields, '203.0.113.10')).status).toBe(400);
  });

  it('answers 404 pages for unknown numbers', async () => {
    expect((await page('/optin/999999999')).status).toBe(404);
    expect((await page('/optin/%3Cscript%3E')).status).toBe(404);
    expect((await fetch(`${base()}/optin/999999999/link`)).status).toBe(404);
  });

  it('gives a wa.me link with a pre-filled message, and its QR code as SVG and PNG', async () => {
    const link: Json = await (await fetch(`${base()}/optin/${pn}/link`)).json();
    const digits = display.replace(/\D/g, '');
    expect(link).toMatchObject({
      phone_number_id: pn,
      business_name: 'Conversa Sandbox',
      text: "Hi! I'd like to receive news from Conversa Sandbox.",
      wa_me_url: `https://wa.me/${digits}?text=${encodeURIComponent("Hi! I'd like to receive news from Conversa Sandbox.")}`,
      qr_svg_url: `${PUBLIC_URL}/optin/${pn}/qr.svg`,
      qr_png_url: `${PUBLIC_URL}/optin/${pn}/qr.png`,
      optin_page_url: `${PUBLIC_URL}/optin/${pn}`,
    });
    const custom: Json = await (await fetch(`${base()}/optin/${bakery.phone_number_id}/link?text=${encodeURIComponent('Oi! Quero o cupom 10%')}`)).json();
    expect(custom.wa_me_url).toBe('https://wa.me/5511933334444?text=Oi!%20Quero%20o%20cupom%2010%25');
    expect(custom.qr_png_url).toBe(`${PUBLIC_URL}/optin/${bakery.phone_number_id}/qr.png?text=Oi!%20Quero%20o%20cupom%2010%25`);
    const portuguese: Json = await (await fetch(`${base()}/optin/${bakery.phone_number_id}/link`)).json();
    expect(portuguese.text).toBe('Olá! Quero receber novidades de Padaria <Pão> & Café "Bom".');

    const svg = await fetch(`${base()}/optin/${pn}/qr.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await svg.text()).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    const png = await fetch(`${base()}/optin/${pn}/qr.png?size=256`);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await png.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(bytes.readUInt32BE(16)).toBe(256); // IHDR width

    const tooLong = await fetch(`${base()}/optin/${pn}/link?text=${'a'.repeat(501)}`);
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as Json).error.details.field).toBe('querystring.text');
  });

  it('refuses QR codes over 1024 px with a 400 naming the field and rule, and serves forty of the largest at once', async () => {
    // Forty unauthenticated requests for 2048 px froze the server and took it to 1.46 GB.
    const from = (i: number) => ({ headers: { 'x-forwarded-for': `192.0.2.${i + 1}` } });
    const huge = await Promise.all(Array.from({ length: 40 }, (_, i) => fetch(`${base()}/optin/${pn}/qr.png?size=2048`, from(i))));
    expect(huge.map((r) => r.status)).toEqual(Array(40).fill(400));
    expect(((await huge[0]!.json()) as Json).error).toMatchObject({ code: 'CONVERSA_ERR_VALIDATION', details: { field: 'querystring.size', rule: 'must be <= 1024' } });
    await Promise.all(huge.slice(1).map((r) => r.arrayBuffer()));

    const largest = await Promise.all(Array.from({ length: 40 }, (_, i) => fetch(`${base()}/optin/${pn}/qr.png?size=1024`, from(i + 40))));
    expect(largest.map((r) => r.status)).toEqual(Array(40).fill(200));
    const images = await Promise.all(largest.map(async (r) => Buffer.from(await r.arrayBuffer())));
    expect(images[0]!.readUInt32BE(16)).toBe(1024);
    expect(images.every((image) => image.equals(images[0]!))).toBe(true);
  });
});

/**
 * The opt-in proof is read on the platform's one clock: its `submitted_at` is the ledger entry's
 * `recorded_at` (and the `consent.changed` event's), not the host's time beside it. The app's real
 * time is shifted a year ahead, so a reading of the host's clock anywhere would show.
 */
describe.each(DIALECTS)('opt-in proof on one clock on $name', (dialect) => {
  const YEAR = 365 * 24 * 3600 * 1000;
  const running = useApp(dialect, { build: { realNow: () => Date.now() + YEAR } });
  const api = running.api;

  it('records submitted_at and recorded_at as one reading of the platform clock', async () => {
    const pn = running.started.sandboxNumber?.phone_number_id as string;
    const shown = await fetch(`${running.started.platformUrl}/optin/${pn}`);
    const textVersion = /name="text_version" value="([^"]+)"/.exec(await shown.text())?.[1] ?? '';
    const before = Date.now() + YEAR;
    const done = await fetch(`${running.started.platformUrl}/optin/${pn}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'Rita', phone: '+5511977772001', consent: 'yes', text_version: textVersion, website: '' }).toString(),
    });
    expect(done.status).toBe(200);
    const after = Date.now() + YEAR;

    const contact = ((await api('GET', '/contacts?limit=50')).body.data as Json[]).find((c) => c.wa_id === '5511977772001');
    const [entry] = (await api('GET', `/contacts/${contact.id}/consents`)).body.data as Json[];
    expect(entry.proof.submitted_at).toBe(entry.recorded_at);
    expect(Date.parse(entry.recorded_at)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(entry.recorded_at)).toBeLessThanOrEqual(after);
    const event = await running.app.database.db.selectFrom('outbox_events').select('data').where('type', '=', 'consent.changed').executeTakeFirstOrThrow();
    expect(JSON.parse(event.data).recorded_at).toBe(entry.recorded_at);
  });
});
