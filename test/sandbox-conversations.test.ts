import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../src/sandbox/index.js';
import { startSandbox, type SandboxHarness } from './support/sandbox.js';

let h: SandboxHarness;
let files: Server;
let filesBase = '';
let nextWaId = 5511930000000;
const newCustomer = () => String((nextWaId += 1));

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
let fileRequests = 0;

beforeAll(async () => {
  h = await startSandbox();
  // A loopback file server: the only kind of host the sandbox fetches media links from.
  files = createServer((req, res) => {
    fileRequests += 1;
    if (req.url === '/photo.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    else if (req.url === '/photo.gif') res.writeHead(200, { 'content-type': 'image/gif' }).end(Buffer.from('GIF89a'));
    else if (req.url === '/fake.png') res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from('not a png'));
    else if (req.url === '/huge.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(PNG);
      res.end(Buffer.alloc(5 * 1024 * 1024));
    } else if (req.url === '/moved.png') res.writeHead(302, { location: '/photo.png' }).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesBase = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await h.close();
  await new Promise<void>((resolve) => files.close(() => resolve()));
});

const text = (to: string, body: string) => ({ messaging_product: 'whatsapp', to, type: 'text', text: { body } });
const customerSends = async (waId: string, body: object) => {
  const response = await h.admin('POST', `/phones/${waId}/messages`, { to: h.phoneNumberId, ...body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id as string;
};
const inboundWebhook = (wamid: string) =>
  h.receiver.waitFor(() => {
    const value = h.receiver.values().find((v) => ((v.messages ?? []) as Array<{ id: string }>).some((m) => m.id === wamid));
    return value && ((value.messages as Array<{ id: string }>).find((m) => m.id === wamid) as Record<string, unknown>);
  });
const finalStatus = (wamid: string, status: 'read' | 'failed' | 'sent') =>
  h.receiver.waitFor(() => h.receiver.statuses().find((s) => s.id === wamid && s.status === status));
const sendImageLink = async (to: string, link: string) => {
  const sent = await h.graph('POST', `/${h.phoneNumberId}/messages`, { messaging_product: 'whatsapp', to, type: 'image', image: { link } });
  expect(sent.status).toBe(200); // accepted; the link is fetched afterwards
  return sent.body.messages[0].id as string;
};

describe('sandbox: typing and read state on the simulated phone', () => {
  it('shows the business typing until its reply, and marks earlier messages read but not later ones', async () => {
    const waId = newCustomer();
    const first = await h.customerWrites(waId, 'Oi');
    const second = await h.customerWrites(waId, 'Tem entrega hoje?');
    const third = await h.customerWrites(waId, 'Alô?');

    const marked = await h.graph('POST', `/${h.phoneNumberId}/messages`, { messaging_product: 'whatsapp', status: 'read', message_id: second, typing_indicator: { type: 'text' } });
    expect(marked.body).toEqual({ success: true });
    const messages = await h.admin('GET', `/phones/${waId}/messages`);
    const readState = Object.fromEntries((messages.body.sent as Array<{ id: string; read_by_business: boolean }>).map((m) => [m.id, m.read_by_business]));
    // All three arrive within the same second: order of arrival decides, not the timestamp.
    expect(readState).toEqual({ [first]: true, [second]: true, [third]: false });

    const typing = await h.admin('GET', `/phones/${waId}`);
    expect(typing.body.business_typing).toMatchObject({ phone_number_id: h.phoneNumberId });
    const { since, until } = typing.body.business_typing as { since: string; until: string };
    expect(Date.parse(until) - Date.parse(since)).toBe(25_000);

    await h.graph('POST', `/${h.phoneNumberId}/messages`, text(waId, 'Tem sim!'));
    expect((await h.admin('GET', `/phones/${waId}`)).body.business_typing).toBeNull();
  });

  it('drops the typing indicator after 25 s of sandbox time without a reply', async () => {
    const waId = newCustomer();
    const wamid = await h.customerWrites(waId, 'Olá');
    await h.graph('POST', `/${h.phoneNumberId}/messages`, { messaging_product: 'whatsapp', status: 'read', message_id: wamid, typing_indicator: { type: 'text' } });
    await h.admin('POST', '/clock', { advance_seconds: 24 });
    expect((await h.admin('GET', `/phones/${waId}`)).body.business_typing).not.toBeNull();
    await h.admin('POST', '/clock', { advance_seconds: 1 });
    expect((await h.admin('GET', `/phones/${waId}`)).body.business_typing).toBeNull();
  });

  it('shows no typing for a mark-as-read without typing_indicator', async () => {
    const waId = newCustomer();
    const wamid = await h.customerWrites(waId, 'Olá');
    await h.graph('POST', `/${h.phoneNumberId}/messages`, { messaging_product: 'whatsapp', status: 'read', message_id: wamid });
    expect((await h.admin('GET', `/phones/${waId}`)).body.business_typing).toBeNull();
  });
});

const AD_REFERRAL = {
  source_url: 'https://fb.me/3cr4Wqqkv',
  source_id: '120226305854810726',
  source_type: 'ad',
  body: 'Summer Succulents are here!',
  headline: 'Chat with us',
  media_type: 'image',
  image_url: 'https://scontent.xx.fbcdn.net/v/t45.1/ad.jpg',
  ctwa_clid: 'Aff-n8ZTODiE79d22KtAwQKj9e_mIEOOj27vDVwFjN80dp4',
  welcome_message: { text: 'Hi there! Let us know how we can help!' },
};

describe('sandbox: what simulated customers send', () => {
  it('delivers a Click-to-WhatsApp referral exactly as Meta’s webhook carries it', async () => {
    const waId = newCustomer();
    const wamid = await customerSends(waId, { type: 'text', text: { body: 'Hello! Can I get more info on this?' }, referral: AD_REFERRAL });
    const message = await inboundWebhook(wamid);
    expect(message).toEqual({ from: waId, id: wamid, timestamp: expect.stringMatching(/^\d+$/), type: 'text', text: { body: 'Hello! Can I get more info on this?' }, referral: AD_REFERRAL });
  });

  it('refuses a referral that breaks Meta’s shape, naming the field', async () => {
    const waId = newCustomer();
    const cases: Array<[object, string]> = [
      [{ ...AD_REFERRAL, source_type: 'story' }, 'referral.source_type'],
      [{ ...AD_REFERRAL, ctwa_clid: undefined }, 'referral.ctwa_clid'],
      [{ ...AD_REFERRAL, thumbnail_url: 'https://example.com/t.jpg' }, 'referral.thumbnail_url'],
      [{ ...AD_REFERRAL, media_type: 'video', image_url: undefined, video_url: 'https://example.com/v.mp4' }, 'referral.thumbnail_url'],
      [{ ...AD_REFERRAL, campaign: 'x' }, 'referral.campaign'],
    ];
    for (const [referral, field] of cases) {
      const response = await h.admin('POST', `/phones/${waId}/messages`, { to: h.phoneNumberId, type: 'text', text: { body: 'oi' }, referral });
      expect(response.status).toBe(400);
      expect(response.body.error.details.field).toBe(field);
    }
  });

  it('prices replies inside 72 h after an ad as a free entry point, templates too, then regular again', async () => {
    const waId = newCustomer();
    await customerSends(waId, { type: 'text', text: { body: 'Vi o anúncio' }, referral: AD_REFERRAL });
    const reply = (await h.graph('POST', `/${h.phoneNumberId}/messages`, text(waId, 'Oi! Que bom que veio pelo anúncio'))).body.messages[0].id as string;
    await finalStatus(reply, 'read');
    const replyStatuses = h.receiver.statuses().filter((s) => s.id === reply) as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const status of replyStatuses) {
      expect(status.pricing).toEqual({ billable: false, pricing_model: 'PMP', category: 'referral_conversion', type: 'free_entry_point' });
      expect(status.conversation.origin).toEqual({ type: 'referral_conversion' });
    }
    const sent = replyStatuses.find((s) => s.status === 'sent');
    expect(Number(sent?.conversation.expiration_timestamp) - Number(sent?.timestamp)).toBeGreaterThanOrEqual(72 * 3600 - 1);

    // 48 h later the customer service window is closed, but a marketing template is still free.
    await h.admin('POST', '/clock', { advance_seconds: 48 * 3600 });
    const template = await approvedMarketingTemplate();
    const promo = await h.graph('POST', `/${h.phoneNumberId}/messages`, { messaging_product: 'whatsapp', to: waId, type: 'template', template: { name: template, language: { code: 'pt_BR' } } });
    expect(promo.status).toBe(200);
    const promoSent = await finalStatus(promo.body.messages[0].id as string, 'sent');
    expect(promoSent.pricing).toMatchObject({ category: 'referral_conversion', type: 'free_entry_point', billable: false });

    // After 72 h the same template is billed as marketing.
    await h.admin('POST', '/clock', { advance_seconds: 24 * 3600 });
    const later = await h.graph('POST', `/${h.phoneNumberId}/messages`, { messaging_product: 'whatsapp', to: waId, type: 'template', template: { name: template, language: { code: 'pt_BR' } } });
    const laterSent = await finalStatus(later.body.messages[0].id as string, 'sent');
    expect(laterSent.pricing).toMatchObject({ category: 'marketing', type: 'regular', billable: true });
  });

  it('opens no free entry point when the business first replies more than 24 h after the ad', async () => {
    const waId = newCustomer();
    await customerSends(waId, { type: 'text', text: { body: 'Vi o anúncio' }, referral: AD_REFERRAL });
    await h.admin('POST', '/clock', { advance_seconds: 24 * 3600 + 1 });
    const template = await approvedMarketingTemplate();
    const sent = await h.graph('POST', `/${h.phoneNumberId}/messages`, { messaging_product: 'whatsapp', to: waId, type: 'template', template: { name: template, language: { code: 'pt_BR' } } });
    const status = await finalStatus(sent.body.messages[0].id as string, 'sent');
    expect(status.pricing).toMatchObject({ category: 'marketing', type: 'regular' });
  });

  it('opens no free entry point with a reply that fails (a link that cannot be fetched)', async () => {
    const waId = newCustomer();
    await customerSends(waId, { type: 'text', text: { body: 'Vi o anúncio' }, referral: AD_REFERRAL });
    const failed = await sendImageLink(waId, 'https://cdn.example.com/oferta.png');
    expect((await finalStatus(failed, 'failed')).errors?.[0]?.code).toBe(131053);
    await h.admin('POST', '/clock', { advance_seconds: 25 * 3600 });
    const template = await approvedMarketingTemplate();
    const sent = await h.graph('POST', `/${h.phoneNumberId}/messages`, { messaging_product: 'whatsapp', to: waId, type: 'template', template: { name: template, language: { code: 'pt_BR' } } });
    expect((await finalStatus(sent.body.messages[0].id as string, 'sent')).pricing).toMatchObject({ category: 'marketing', type: 'regular' });
  });

  it('marks forwarded and frequently forwarded messages in context, as Meta does', async () => {
    const waId = newCustomer();
    const forwarded = await customerSends(waId, { type: 'text', text: { body: 'olha isso' }, context: { forwarded: true } });
    expect((await inboundWebhook(forwarded)).context).toEqual({ forwarded: true });
    const viral = await customerSends(waId, { type: 'text', text: { body: 'corrente' }, context: { frequently_forwarded: true } });
    expect((await inboundWebhook(viral)).context).toEqual({ frequently_forwarded: true });
    const empty = await h.admin('POST', `/phones/${waId}/messages`, { to: h.phoneNumberId, type: 'text', text: { body: 'x' }, context: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details.field).toBe('context');
  });

  it('sends a product inquiry with referred_product for a product of the WABA’s catalog only', async () => {
    const waId = newCustomer();
    const catalog = await seededCatalog();
    const wamid = await customerSends(waId, {
      type: 'text',
      text: { body: 'Is this still available?' },
      context: { referred_product: { catalog_id: catalog.id, product_retailer_id: catalog.products[0] } },
    });
    const message = await inboundWebhook(wamid);
    expect(message.context).toEqual({
      from: expect.stringMatching(/^\d+$/),
      id: expect.stringMatching(/^wamid\./),
      referred_product: { catalog_id: catalog.id, product_retailer_id: catalog.products[0] },
    });
    const unknown = await h.admin('POST', `/phones/${waId}/messages`, {
      to: h.phoneNumberId,
      type: 'text',
      text: { body: 'E este?' },
      context: { referred_product: { catalog_id: catalog.id, product_retailer_id: 'no-such-product' } },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details.field).toBe('context.referred_product.product_retailer_id');
  });

  it('delivers edits and revokes as unsupported messages with unsupported.type, in Meta’s shape', async () => {
    const waId = newCustomer();
    for (const kind of ['edit', 'revoke']) {
      const wamid = await customerSends(waId, { type: 'unsupported', unsupported: { type: kind } });
      expect(await inboundWebhook(wamid)).toEqual({
        from: waId,
        id: wamid,
        timestamp: expect.stringMatching(/^\d+$/),
        type: 'unsupported',
        errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }],
        unsupported: { type: kind },
      });
    }
  });
});

describe('sandbox: media links are fetched from loopback only', () => {
  it('delivers an image whose loopback link serves a PNG', async () => {
    const waId = newCustomer();
    await h.customerWrites(waId, 'Manda a foto');
    const wamid = await sendImageLink(waId, `${filesBase}/photo.png`);
    await finalStatus(wamid, 'read');
    expect(h.receiver.statuses().filter((s) => s.id === wamid).map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
  });

  it('fails with 131053 for links that cannot be fetched or are not what Meta accepts, never sent', async () => {
    const waId = newCustomer();
    await h.customerWrites(waId, 'Manda a foto');
    const links = [
      `${filesBase}/missing.png`, // 404
      `${filesBase}/photo.gif`, // not an image type Meta takes
      `${filesBase}/fake.png`, // bytes are not a PNG
      `${filesBase}/huge.png`, // over 5 MB
      `${filesBase}/moved.png`, // redirects are not followed
      'http://127.0.0.1:1/photo.png', // nothing listens
    ];
    for (const link of links) {
      const wamid = await sendImageLink(waId, link);
      const failed = await finalStatus(wamid, 'failed');
      expect(failed.errors?.[0]?.code, link).toBe(131053);
      expect(h.receiver.statuses().some((s) => s.id === wamid && s.status === 'sent')).toBe(false);
    }
  });

  it('never fetches a non-loopback host: the link counts as unreachable (131053)', async () => {
    const waId = newCustomer();
    await h.customerWrites(waId, 'Manda a foto');
    const before = fileRequests;
    const port = (files.address() as AddressInfo).port;
    // Even names that point at this machine are refused unless they are literally loopback.
    for (const link of [`https://example.com/photo.png`, `http://0.0.0.0:${port}/photo.png`, `http://169.254.169.254/latest/meta-data`, `http://[::ffff:127.0.0.1]:${port}/photo.png`]) {
      const wamid = await sendImageLink(waId, link);
      const failed = (await finalStatus(wamid, 'failed')) as { errors?: Array<{ code: number; error_data?: { details: string } }> };
      expect(failed.errors?.[0]?.code).toBe(131053);
      expect(failed.errors?.[0]?.error_data?.details).toMatch(/only loopback/);
    }
    expect(fileRequests).toBe(before);
  });

  it('checks a template header image given by link too', async () => {
    const waId = newCustomer();
    const name = await approvedImageTemplate();
    const send = (link: string) =>
      h.graph('POST', `/${h.phoneNumberId}/messages`, {
        messaging_product: 'whatsapp',
        to: waId,
        type: 'template',
        template: { name, language: { code: 'pt_BR' }, components: [{ type: 'header', parameters: [{ type: 'image', image: { link } }] }] },
      });
    const good = await send(`${filesBase}/photo.png`);
    await finalStatus(good.body.messages[0].id as string, 'sent');
    const bad = await send('https://cdn.example.com/banner.png');
    expect((await finalStatus(bad.body.messages[0].id as string, 'failed')).errors?.[0]?.code).toBe(131053);
  });
});

describe('sandbox: flows, catalogs and products must exist', () => {
  const interactive = (to: string, body: object) => ({ messaging_product: 'whatsapp', to, type: 'interactive', interactive: body });
  const flowMessage = (parameters: object) => ({
    type: 'flow',
    body: { text: 'Agende sua visita' },
    action: { name: 'flow', parameters: { flow_message_version: '3', flow_cta: 'Agendar', ...parameters } },
  });

  it('accepts seeded flows by id and name and refuses unknown ones with 131009 naming the field', async () => {
    const waId = newCustomer();
    await h.customerWrites(waId, 'Quero agendar');
    const flow = (await h.admin('GET', '/accounts')).body.data[0].flows[0] as { id: string; name: string };
    expect((await h.graph('POST', `/${h.phoneNumberId}/messages`, interactive(waId, flowMessage({ flow_id: flow.id })))).status).toBe(200);
    expect((await h.graph('POST', `/${h.phoneNumberId}/messages`, interactive(waId, flowMessage({ flow_name: flow.name })))).status).toBe(200);

    const byId = await h.graph('POST', `/${h.phoneNumberId}/messages`, interactive(waId, flowMessage({ flow_id: '999000999' })));
    expect(byId.status).toBe(400);
    expect(byId.body.error).toMatchObject({ code: 131009, type: 'OAuthException' });
    expect(byId.body.error.error_data.details).toMatch(/^interactive\.action\.parameters\.flow_id: /);
    const byName = await h.graph('POST', `/${h.phoneNumberId}/messages`, interactive(waId, flowMessage({ flow_name: 'no_such_flow' })));
    expect(byName.body.error.code).toBe(131009);
    expect(byName.body.error.error_data.details).toMatch(/flow_name/);
  });

  it('knows flows set through the control API, and forgets deleted ones', async () => {
    const waId = newCustomer();
    await h.customerWrites(waId, 'Quero agendar');
    const put = await h.admin('PUT', `/accounts/${h.wabaId}/flows/4242424242`, { name: 'agendamento' });
    expect(put.body).toEqual({ id: '4242424242', name: 'agendamento' });
    expect((await h.graph('POST', `/${h.phoneNumberId}/messages`, interactive(waId, flowMessage({ flow_name: 'agendamento' })))).status).toBe(200);
    expect((await h.admin('DELETE', `/accounts/${h.wabaId}/flows/4242424242`)).status).toBe(204);
    expect((await h.graph('POST', `/${h.phoneNumberId}/messages`, interactive(waId, flowMessage({ flow_id: '4242424242' })))).body.error.code).toBe(131009);
    const bad = await h.admin('PUT', `/accounts/${h.wabaId}/flows/not-numeric`, { name: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'SANDBOX_ERR_VALIDATION', details: { field: 'flow_id' } });
  });

  it('keeps flows and catalogs across a restart with a state file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
    const open = async () => {
      const sandbox = await createSandbox({ logger: pino({ level: 'silent' }), accessToken: 't', stateFile: join(dir, 'state.json') });
      const base = await sandbox.listen(0, '127.0.0.1');
      return { sandbox, control: (method: string, path: string, body?: object) => fetch(`${base}/sandbox/v1${path}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) }) };
    };
    try {
      const first = await open();
      const wabaId = ((await (await first.control('GET', '/accounts')).json()) as { data: Array<{ waba_id: string }> }).data[0]?.waba_id;
      expect((await first.control('PUT', `/accounts/${wabaId}/flows/5050`, { name: 'cadastro' })).status).toBe(200);
      expect((await first.control('PUT', `/accounts/${wabaId}/catalogs/6060`, { products: ['sku-1'] })).status).toBe(200);
      await first.sandbox.close();
      const second = await open();
      const account = ((await (await second.control('GET', '/accounts')).json()) as { data: Array<{ flows: unknown[]; catalogs: unknown[] }> }).data[0];
      await second.sandbox.close();
      expect(account?.flows).toContainEqual({ id: '5050', name: 'cadastro' });
      expect(account?.catalogs).toContainEqual({ id: '6060', products: ['sku-1'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks product, product_list and catalog_message against the WABA’s catalogs', async () => {
    const waId = newCustomer();
    await h.customerWrites(waId, 'Quais produtos?');
    const put = await h.admin('PUT', `/accounts/${h.wabaId}/catalogs/777000777`, { products: ['camiseta-p', 'camiseta-m'] });
    expect(put.status).toBe(200);
    const product = (catalog: string, retailerId: string) =>
      interactive(waId, { type: 'product', body: { text: 'Olha esta' }, action: { catalog_id: catalog, product_retailer_id: retailerId } });
    const list = (retailerIds: string[]) =>
      interactive(waId, {
        type: 'product_list',
        header: { type: 'text', text: 'Camisetas' },
        body: { text: 'Escolha' },
        action: { catalog_id: '777000777', sections: [{ title: 'Tamanhos', product_items: retailerIds.map((id) => ({ product_retailer_id: id })) }] },
      });
    const send = (body: object) => h.graph('POST', `/${h.phoneNumberId}/messages`, body);

    expect((await send(product('777000777', 'camiseta-p'))).status).toBe(200);
    expect((await send(list(['camiseta-p', 'camiseta-m']))).status).toBe(200);

    const unknownCatalog = await send(product('123123123', 'camiseta-p'));
    expect(unknownCatalog.body.error.code).toBe(131009);
    expect(unknownCatalog.body.error.error_data.details).toMatch(/^interactive\.action\.catalog_id: /);
    const unknownProduct = await send(product('777000777', 'camiseta-gg'));
    expect(unknownProduct.body.error.code).toBe(131009);
    expect(unknownProduct.body.error.error_data.details).toMatch(/^interactive\.action\.product_retailer_id: /);
    const listWithUnknown = await send(list(['camiseta-p', 'bone']));
    expect(listWithUnknown.body.error.code).toBe(131009);
    expect(listWithUnknown.body.error.error_data.details).toMatch(/^interactive\.action\.sections\[0\]\.product_items\[1\]\.product_retailer_id: /);

    const catalogMessage = (thumbnail: string) =>
      interactive(waId, { type: 'catalog_message', body: { text: 'Nosso catálogo' }, action: { name: 'catalog_message', parameters: { thumbnail_product_retailer_id: thumbnail } } });
    expect((await send(catalogMessage('camiseta-m'))).status).toBe(200);
    const badThumbnail = await send(catalogMessage('bone'));
    expect(badThumbnail.body.error.code).toBe(131009);
    expect(badThumbnail.body.error.error_data.details).toMatch(/thumbnail_product_retailer_id/);
  });
});

describe('sandbox: unknown Graph paths', () => {
  it('answers Graph’s 2500 error body for unknown paths, not the web framework’s 404', async () => {
    const unknownEdge = await h.graph('GET', `/${h.phoneNumberId}/foo`);
    expect(unknownEdge.status).toBe(400);
    expect(unknownEdge.body).toEqual({ error: { message: 'Unknown path components: /foo', type: 'OAuthException', code: 2500, fbtrace_id: expect.any(String) } });
    const unknownId = await h.graph('POST', '/foo/bar/baz', {});
    expect(unknownId.status).toBe(400);
    expect(unknownId.body.error).toMatchObject({ message: 'Unknown path components: /foo/bar/baz', code: 2500 });
  });

  it('answers an unsupported method on a served path with 100 / subcode 33', async () => {
    const put = await h.graph('PUT', `/${h.phoneNumberId}/messages`, {});
    expect(put.status).toBe(400);
    expect(put.body.error).toMatchObject({ code: 100, error_subcode: 33, type: 'OAuthException' });
    expect(put.body.error.error_data.details).toMatch(/^Unsupported put request\./);
  });

  it('still asks for the token first', async () => {
    const response = await h.graph('GET', `/${h.phoneNumberId}/foo`, undefined, null);
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe(104);
  });

  it('documents the new control paths and fields in the sandbox OpenAPI', async () => {
    const spec = (await h.admin('GET', '/openapi.json')).body;
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/accounts/{waba_id}/flows/{flow_id}', '/accounts/{waba_id}/catalogs/{catalog_id}']));
    expect(spec.components.schemas.Phone.properties).toHaveProperty('business_typing');
    expect(spec.components.schemas.Referral.required).toContain('ctwa_clid');
  });

  it('keeps the control API’s own error shape for unknown control paths', async () => {
    const response = await h.admin('GET', '/no-such-thing');
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({ code: 'SANDBOX_ERR_NOT_FOUND' });
  });
});

async function seededCatalog(): Promise<{ id: string; products: string[] }> {
  const accounts = await h.admin('GET', '/accounts');
  return accounts.body.data[0].catalogs[0] as { id: string; products: string[] };
}

let templateCount = 0;
async function approvedTemplate(components: object[]): Promise<string> {
  templateCount += 1;
  const name = `conversas_${templateCount}`;
  const created = await h.graph('POST', `/${h.wabaId}/message_templates`, { name, language: 'pt_BR', category: 'MARKETING', components });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const approved = await h.admin('POST', `/templates/${created.body.id}/status`, { status: 'APPROVED' });
  expect(approved.status).toBe(200);
  return name;
}

const approvedMarketingTemplate = () => approvedTemplate([{ type: 'BODY', text: 'Novidades na loja esta semana!' }]);
const approvedImageTemplate = () =>
  approvedTemplate([
    { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2U='] } },
    { type: 'BODY', text: 'Confira a nova coleção na loja.' },
  ]);
