import { inflateSync } from 'node:zlib';
import { isValidPixPayload } from '@brazilian-utils/brazilian-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_KEY } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { useApp } from './support/use-app.js';
import { providerMediaBytes } from './support/http.js';
import { until, type Json } from './support/wait.js';

/** A Brazilian invoice with accents everywhere; its total is R$ 1.193,85 (59,85 + 109,00 + 1.020,00 − 10,00 + 15,00). */
const INVOICE = {
  number: '2026-0042',
  issue_date: '2026-11-26',
  due_date: '2026-12-10',
  seller: { name: 'Padaria Pão Quente Ltda.', document: '11.222.333/0001-81', address: 'Rua da Conceição, 123 — São Paulo/SP' },
  customer: { name: 'João Conceição', document: '529.982.247-25', phone: '+55 11 98888-7777' },
  items: [
    { description: 'Pão de queijo (kg)', quantity: 1.5, unit_price: '39.90' },
    { description: 'Café especial — 500 g', quantity: 2, unit_price: 54.5 },
    { description: 'Bolo de cenoura com cobertura', quantity: '10', unit_price: '102.00' },
  ],
  discount: '10.00',
  shipping: 15,
  notes: 'Obrigado pela preferência!',
};

describe.each(DIALECTS)('invoices end to end on $name', (dialect) => {
  const running = useApp(dialect, { env: { CONVERSA_PAYMENT_LINK_PATTERN: 'https://pay.example.com/faturas/{invoice_number}?valor={amount}' } });
  let pn: string;
  let waba: string;

  const api = running.api;
  const sandbox = running.sandbox;
  const providerBytes = (providerMediaId: string) => providerMediaBytes(sandbox, providerMediaId);
  const phoneInbox = async (waId: string): Promise<Json[]> => (await sandbox('GET', `/sandbox/v1/phones/${waId}/messages`)).body.data ?? [];
  const customerWrites = async (waId: string, text: string) => {
    await sandbox('POST', `/sandbox/v1/phones/${waId}/messages`, { to: pn, type: 'text', text: { body: text } });
    await until(async () => {
      const contact = await api('POST', '/contacts', { phone: `+${waId}` });
      return (await api('GET', `/conversations?contact_id=${contact.body.id}`)).body.data[0]?.window_open;
    }, 'the window to open');
  };
  const create = (overrides: Record<string, unknown> = {}) => api('POST', '/invoices', { ...INVOICE, ...overrides });

  beforeAll(async () => {
    pn = running.pn;
    waba = running.waba;
  });

  it('creates an invoice with our totals and a PDF that names the customer, the items and the total in pt-BR', async () => {
    const created = await create({ number: '2026-0001', pix: { key: '11.222.333/0001-81', merchant_city: 'São Paulo' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^inv_/),
      number: '2026-0001',
      total: '1193.85',
      total_formatted: 'R$ 1.193,85',
      subtotal: '1188.85',
      media_id: expect.stringMatching(/^med_/),
      filename: 'fatura-2026-0001.pdf',
      pix: { code: expect.stringMatching(/^000201/), qr_media_id: expect.stringMatching(/^med_/) },
      payment_link: 'https://pay.example.com/faturas/2026-0001?valor=1193.85',
    });
    expect(created.body.items.map((item: Json) => item.total)).toEqual(['59.85', '109.00', '1020.00']);
    expect(created.body.customer).toMatchObject({ name: 'João Conceição', document: { type: 'CPF', value: '52998224725' }, phone: '+5511988887777' });
    expect(isValidPixPayload(created.body.pix.code)).toBe(true);
    expect(created.body.pix.code).toContain('54071193.85');

    const fetched = await api('GET', `/invoices/${created.body.id}`);
    expect(fetched.body).toEqual(created.body);
    const media = await api('GET', `/media/${created.body.media_id}`);
    expect(media.body).toMatchObject({ kind: 'document', mime_type: 'application/pdf', direction: 'out', filename: 'fatura-2026-0001.pdf' });

    const response = await fetch(`${running.started.platformUrl}/api/v1/invoices/${created.body.id}/pdf`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await response.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    for (const expected of ['João Conceição', 'Padaria Pão Quente Ltda.', 'CNPJ 11.222.333/0001-81', 'CPF 529.982.247-25', 'Pão de queijo (kg)', 'Café especial — 500 g', 'R$ 1.193,85', 'R$ 1.020,00', '-R$ 10,00', '26/11/2026', '10/12/2026', 'Obrigado pela preferência!']) {
      expect(text.lines, JSON.stringify(text.lines)).toContain(expected);
    }
    // The copia e cola is printed in lines that, joined, are the code.
    expect(text.joined).toContain(created.body.pix.code);
  });

  it('delivers the PDF as a document inside the window: the provider holds a PDF with the customer and the total', async () => {
    const created = await create({ number: '2026-0002' });
    expect(created.status).toBe(201);
    expect(created.body.pix).toBeUndefined();
    expect(created.body.payment_link).toBe('https://pay.example.com/faturas/2026-0002?valor=1193.85');
    await customerWrites('5511933330001', 'Pode me mandar a fatura?');

    const sent = await api('POST', '/messages', { to: '+5511933330001', type: 'document', document: { id: created.body.media_id, filename: created.body.filename, caption: 'Sua fatura' } });
    expect(sent.status).toBe(202);
    const received = await until(async () => (await phoneInbox('5511933330001')).find((m) => m.type === 'document'), 'the document on the phone');
    expect(received.content).toMatchObject({ filename: 'fatura-2026-0002.pdf', caption: 'Sua fatura', id: expect.stringMatching(/^\d+$/) });
    const bytes = await providerBytes(received.content.id);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(bytes);
    expect(text.lines).toContain('João Conceição');
    expect(text.lines).toContain('R$ 1.193,85');
    await until(async () => ['sent', 'delivered', 'read'].includes((await api('GET', `/messages/${sent.body.id}`)).body.status), 'the document to be sent');
  });

  it("delivers the PDF as a template's DOCUMENT header, outside any window", async () => {
    const template = await sandbox('POST', `/v23.0/${waba}/message_templates`, {
      name: 'fatura_emitida',
      language: 'pt_BR',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'DOCUMENT', example: { header_handle: ['4::YXBwbGljYXRpb24vcGRm:ARb'] } },
        { type: 'BODY', text: 'Olá {{1}}, sua fatura {{2}} no valor de {{3}} vence em {{4}}. O PDF segue anexo.', example: { body_text: [['Maria', '2026-0001', 'R$ 10,00', '10/12/2026']] } },
      ],
    });
    expect(template.status).toBe(200);
    await until(async () => (await sandbox('GET', `/v23.0/${template.body.id}`)).body.status === 'APPROVED', 'template approval');

    const created = await create({ number: '2026-0003' });
    const send = await api('POST', '/messages', {
      to: '+5511933330002',
      type: 'template',
      template: {
        name: 'fatura_emitida',
        language: { code: 'pt_BR' },
        components: [
          { type: 'header', parameters: [{ type: 'document', document: { id: created.body.media_id, filename: created.body.filename } }] },
          { type: 'body', parameters: ['João', '2026-0003', created.body.total_formatted, '10/12/2026'].map((text) => ({ type: 'text', text })) },
        ],
      },
    });
    expect(send.status).toBe(202);
    const received = await until(async () => (await phoneInbox('5511933330002')).find((m) => m.type === 'template'), 'the template on the phone');
    expect(received.content.rendered.body).toBe('Olá João, sua fatura 2026-0003 no valor de R$ 1.193,85 vence em 10/12/2026. O PDF segue anexo.');
    expect(received.content.rendered.header).toMatchObject({ format: 'DOCUMENT', media: { id: expect.stringMatching(/^\d+$/), filename: 'fatura-2026-0003.pdf' } });
    const text = pdfText(await providerBytes(received.content.rendered.header.media.id));
    expect(text.lines).toContain('João Conceição');
    expect(text.lines).toContain('R$ 1.193,85');
  });

  it('answers bad input with 400 or 422 naming the field and the rule, never a 500', async () => {
    const cases: Array<[Record<string, unknown>, number, string, RegExp]> = [
      [{ items: undefined }, 400, 'body.items', /required/],
      [{ items: [] }, 400, 'body.items', /fewer than 1/],
      [{ seller: { name: 'Padaria', document: '11.222.333/0001-82' } }, 422, 'body.seller.document', /not a valid CNPJ/],
      [{ seller: { name: 'Padaria' } }, 422, 'body.seller.document', /CPF or CNPJ/],
      [{ customer: { name: 'João', document: '123.456.789-00' } }, 422, 'body.customer.document', /not a valid CPF/],
      [{ customer: { name: 'João', phone: '123' } }, 422, 'body.customer.phone', /./],
      [{ due_date: '2026-11-01' }, 422, 'body.due_date', /before issue_date/],
      [{ due_date: '2026-02-30' }, 422, 'body.due_date', /calendar date/],
      [{ items: [{ description: 'Pão', unit_price: '1.999' }] }, 422, 'body.items.0.unit_price', /2 decimal places/],
      [{ items: [{ description: 'Pão', quantity: 0, unit_price: '1.00' }] }, 422, 'body.items.0.quantity', /greater than zero/],
      [{ items: [{ description: 'Pão', unit_price: '-1.00' }] }, 422, 'body.items.0.unit_price', /negative/],
      [{ items: [{ description: 'Pão', unit_price: '1,50' }] }, 422, 'body.items.0.unit_price', /dot for decimals/],
      [{ discount: '5000.00' }, 422, 'body.discount', /more than the subtotal/],
      [{ total: '1193.80' }, 422, 'body.total', /add up to 1193\.85/],
      [{ number: 'A 1' }, 422, 'body.number', /letters, digits/],
      [{ pix: { key: '11.222.333/0001-81', merchant_city: 'São José dos Campos' } }, 422, 'body.pix.merchant_city', /at most 15 characters/],
      [{ pix: { key: 'not a key', merchant_city: 'Recife' } }, 422, 'body.pix.key', /./],
    ];
    for (const [overrides, status, field, rule] of cases) {
      const response = await create({ number: 'BAD-1', ...overrides });
      expect({ overrides, status: response.status }).toEqual({ overrides, status });
      expect(response.body.error.code).toBe(status === 400 ? 'CONVERSA_ERR_VALIDATION' : 'CONVERSA_ERR_INVALID_INVOICE');
      expect(response.body.error.details.field).toBe(field);
      expect(response.body.error.details.rule).toMatch(rule);
    }
    expect((await api('GET', '/invoices/inv_nope')).status).toBe(404);

    expect((await create({ number: 'DUP-1' })).status).toBe(201);
    const duplicate = await create({ number: 'DUP-1' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toMatchObject({ code: 'CONVERSA_ERR_CONFLICT', details: { field: 'body.number', invoice_id: expect.stringMatching(/^inv_/) } });
    const sameTotal = await create({ number: 'OK-TOTAL', total: 1193.85 });
    expect(sameTotal.status).toBe(201);
  });

  it('documents the invoice and Pix routes in the OpenAPI document', async () => {
    const document = (await (await fetch(`${running.started.platformUrl}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { tags?: string[] }>> };
    expect(document.paths['/api/v1/invoices']?.post?.tags).toEqual(['invoices']);
    expect(document.paths['/api/v1/invoices/{id}']?.get).toBeDefined();
    expect(document.paths['/api/v1/invoices/{id}/pdf']?.get).toBeDefined();
    expect(document.paths['/api/v1/pix']?.post?.tags).toEqual(['payments']);
  });
});

/**
 * The text a PDF shows, read without a PDF library: every stream inflated, and the strings of
 * its text operators (`(...) Tj`, `[<...> 80 (...)] TJ`) decoded as WinAnsi. `lines` has one
 * entry per operator (a line of text as drawn), `joined` all of them end to end.
 */
function pdfText(pdf: Buffer): { lines: string[]; joined: string } {
  const lines: string[] = [];
  const raw = pdf.toString('latin1');
  for (const match of raw.matchAll(/stream\r?\n/g)) {
    const start = (match.index ?? 0) + match[0].length;
    const end = raw.indexOf('endstream', start);
    const bytes = pdf.subarray(start, end);
    let content: string;
    try {
      content = inflateSync(bytes).toString('latin1');
    } catch {
      continue; // not a Flate stream (an image's raw data)
    }
    for (const op of content.matchAll(/(\[(?:[^\]\\]|\\.)*\]|<[0-9a-fA-F]*>|\((?:[^)\\]|\\.)*\))\s*T[Jj]/g)) {
      const strings = [...(op[1] ?? '').matchAll(/<([0-9a-fA-F]*)>|\(((?:[^)\\]|\\.)*)\)/g)];
      const decoded = strings.map(([, hex, literal]) =>
        hex !== undefined ? Buffer.from(hex, 'hex') : Buffer.from((literal ?? '').replace(/\\([()\\])/g, '$1'), 'latin1'),
      );
      lines.push(decodeWinAnsi(Buffer.concat(decoded)));
    }
  }
  return { lines, joined: lines.join('') };
}

/** Windows-1252's 0x80..0x9F (Node's TextDecoder reads that label as Latin-1); the rest is Latin-1. */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function decodeWinAnsi(bytes: Buffer): string {
  return [...bytes].map((byte) => (byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH[byte - 0x80] : String.fromCharCode(byte))).join('');
}
