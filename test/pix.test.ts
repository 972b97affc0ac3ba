import { getPixPayloadInfo, isValidPixPayload } from '@brazilian-utils/brazilian-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/index.js';
import { parsePixCode } from '../src/modules/payments/index.js';
import { TEST_ADMIN_KEY } from './support/app.js';
import { DIALECTS } from './support/databases.js';
import { approvedTemplate as approved, useApp, type TemplateSpec } from './support/use-app.js';
import { providerMediaBytes } from './support/http.js';
import { until, type Json } from './support/wait.js';

// Banco Central's own examples ("Manual de Padrões para Iniciação do Pix"), the ones the payments
// module's unit tests use too: a static code (random key) and a dynamic one (payload URL).
const BCB_STATIC = '00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D';
const BCB_DYNAMIC = '00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd4415204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Both decoders: ours, and a published one that shares no code with it. */
function decodeBoth(code: string) {
  const ours = parsePixCode(code);
  return { ours, publishedValid: isValidPixPayload(code), published: isValidPixPayload(code) ? getPixPayloadInfo(code) : undefined };
}

describe('published Pix examples', () => {
  it.each([
    ['static', BCB_STATIC],
    ['dynamic', BCB_DYNAMIC],
  ])("the Banco Central's %s example passes both decoders, and one changed character fails both", (_kind, code) => {
    const decoded = decodeBoth(code);
    expect(decoded.ours.ok).toBe(true);
    expect(decoded.publishedValid).toBe(true);
    expect(decoded.published?.merchantName).toBe('Fulano de Tal');
    const altered = code.replace('BRASILIA', 'BRASILIO');
    expect(parsePixCode(altered)).toMatchObject({ ok: false, code: 'bad_checksum' });
    expect(isValidPixPayload(altered)).toBe(false);
  });
});

describe('CONVERSA_PAYMENT_LINK_PATTERN', () => {
  it('takes an https pattern with known placeholders and refuses others, naming the variable', () => {
    expect(loadConfig({ CONVERSA_PAYMENT_LINK_PATTERN: 'https://pay.example.com/{invoice_number}?v={amount}' }).payments.linkPattern).toBe('https://pay.example.com/{invoice_number}?v={amount}');
    expect(loadConfig({}).payments.linkPattern).toBeUndefined();
    for (const [pattern, rule] of [
      ['https://pay.example.com/{order}', /names \{order\}/],
      ['http://pay.example.com/{txid}', /https/],
      ['pay.example.com/{txid}', /absolute URL/],
    ] as const) {
      expect(() => loadConfig({ CONVERSA_PAYMENT_LINK_PATTERN: pattern })).toThrow(ConfigError);
      expect(() => loadConfig({ CONVERSA_PAYMENT_LINK_PATTERN: pattern })).toThrow(rule);
    }
  });
});

describe.each(DIALECTS)('Pix end to end on $name', (dialect) => {
  const running = useApp(dialect, { env: { CONVERSA_PAYMENT_LINK_PATTERN: 'https://pay.example.com/pix/{txid}?valor={amount}' } });
  let pn: string;

  const api = running.api;
  const sandbox = running.sandbox;
  const mediaBytes = async (id: string): Promise<Buffer> => {
    const response = await fetch(`${running.started.platformUrl}/api/v1/media/${id}/content`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  };
  const providerBytes = (providerMediaId: string) => providerMediaBytes(sandbox, providerMediaId);
  const phoneInbox = async (waId: string): Promise<Json[]> => (await sandbox('GET', `/sandbox/v1/phones/${waId}/messages`)).body.data ?? [];
  const approvedTemplate = (definition: TemplateSpec) => approved(running, definition);
  const pix = (body: Record<string, unknown>) => api('POST', '/pix', body);
  const ACME = { key: 'pagamentos@padaria.com.br', merchant_name: 'Padaria Pão Quente', merchant_city: 'São Paulo' };

  beforeAll(async () => {
    pn = running.pn;
  });

  it('makes a code a published decoder accepts, its QR as PNG media, and the payment link', async () => {
    const made = await pix({ ...ACME, amount: '1234.56', txid: 'PEDIDO42', description: 'Pedido 42' });
    expect(made.status).toBe(201);
    expect(made.body).toEqual({
      code: expect.stringMatching(/^000201.*6304[0-9A-F]{4}$/),
      qr_media_id: expect.stringMatching(/^med_/),
      payment_link: 'https://pay.example.com/pix/PEDIDO42?valor=1234.56',
      amount: '1234.56',
      txid: 'PEDIDO42',
    });
    const { ours, publishedValid, published } = decodeBoth(made.body.code);
    expect(publishedValid).toBe(true);
    expect(published).toMatchObject({ key: 'pagamentos@padaria.com.br', merchantName: 'Padaria Pao Quente', merchantCity: 'Sao Paulo', amount: 1234.56, txid: 'PEDIDO42', description: 'Pedido 42' });
    expect(ours).toMatchObject({ ok: true, fields: { key: 'pagamentos@padaria.com.br', amount: '1234.56', txid: 'PEDIDO42', currency: '986', countryCode: 'BR' } });

    const media = await api('GET', `/media/${made.body.qr_media_id}`);
    expect(media.body).toMatchObject({ kind: 'image', mime_type: 'image/png', direction: 'out' });
    expect((await mediaBytes(made.body.qr_media_id)).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);

    // An open amount: the payer types it, and a link pattern that needs {amount} is left out.
    const open = await pix({ key: '+55 11 98888-7777', merchant_name: 'Fulano de Tal', merchant_city: 'Recife' });
    expect(open.status).toBe(201);
    expect(open.body.payment_link).toBeUndefined();
    expect(open.body.txid).toBe('***');
    expect(decodeBoth(open.body.code).published).toMatchObject({ key: '+5511988887777', merchantCity: 'Recife' });
    expect(decodeBoth(open.body.code).published?.amount).toBeUndefined();
  });

  it('answers bad input with 400 or 422 naming the field and the rule', async () => {
    const cases: Array<[Record<string, unknown>, number, string, RegExp]> = [
      [{ ...ACME, merchant_name: undefined }, 400, 'body.merchant_name', /required/],
      [{ ...ACME, merchant_city: 'São José dos Campos' }, 422, 'body.merchant_city', /at most 15 characters/],
      [{ ...ACME, merchant_name: 'Padaria e Confeitaria Pão Quente' }, 422, 'body.merchant_name', /at most 25 characters/],
      [{ ...ACME, amount: '10,50' }, 422, 'body.amount', /dot for decimals/],
      [{ ...ACME, amount: 0 }, 422, 'body.amount', /greater than zero/],
      [{ ...ACME, amount: '1.005' }, 422, 'body.amount', /two decimal places/],
      [{ ...ACME, txid: 'PEDIDO-42' }, 422, 'body.txid', /letters and digits/],
      [{ ...ACME, key: '123.456.789-00' }, 422, 'body.key', /./],
      [{ ...ACME, postal_code: '123' }, 422, 'body.postal_code', /8 digits/],
    ];
    for (const [body, status, field, rule] of cases) {
      const response = await pix(body);
      expect({ body, status: response.status }).toEqual({ body, status });
      expect(response.body.error.code).toBe(status === 400 ? 'CONVERSA_ERR_VALIDATION' : 'CONVERSA_ERR_INVALID_PIX');
      expect(response.body.error.details.field).toBe(field);
      expect(response.body.error.details.rule).toMatch(rule);
    }
  });

  it('sends the QR as an IMAGE header with the code in the body and the link button; the phone gets the code intact', async () => {
    await approvedTemplate({
      name: 'pix_cobranca',
      language: 'pt_BR',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'IMAGE', example: { header_handle: ['4::aW1hZ2UvcG5n:ARb'] } },
        {
          type: 'BODY',
          text: 'Olá {{1}}, segue o Pix de {{2}} do seu pedido. Copie o código abaixo e cole no app do seu banco:\n\n{{3}}\n\nObrigado pela compra!',
          example: { body_text: [['Maria', 'R$ 10,00', '00020126...6304ABCD']] },
        },
        { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Pagar pelo link', url: 'https://pay.example.com/pix/{{1}}', example: ['PEDIDO42'] }] },
      ],
    });
    const made = await pix({ ...ACME, amount: '1234.56', txid: 'PEDIDO43' });
    const sent = await api('POST', '/messages', {
      to: '+5511944440001',
      type: 'template',
      template: {
        name: 'pix_cobranca',
        language: { code: 'pt_BR' },
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { id: made.body.qr_media_id } }] },
          { type: 'body', parameters: [{ type: 'text', text: 'João' }, { type: 'text', text: 'R$ 1.234,56' }, { type: 'text', text: made.body.code }] },
          { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: `${made.body.txid}?valor=${made.body.amount}` }] },
        ],
      },
    });
    expect(sent.status).toBe(202);
    const received = await until(async () => (await phoneInbox('5511944440001')).find((m) => m.type === 'template'), 'the Pix template on the phone');
    const rendered = received.content.rendered;
    const codeOnPhone = /banco:\n\n(.+)\n\n/.exec(rendered.body)?.[1] ?? '';
    expect(codeOnPhone).toBe(made.body.code);
    expect(decodeBoth(codeOnPhone).publishedValid).toBe(true);
    expect(rendered.buttons[0]).toMatchObject({ type: 'URL', url: made.body.payment_link });
    expect(rendered.header.format).toBe('IMAGE');
    expect((await providerBytes(rendered.header.media.id)).equals(await mediaBytes(made.body.qr_media_id))).toBe(true);
  });

  it("refuses a Pix code in a copy-code button before the wire: Meta's button copies at most 15 characters", async () => {
    await approvedTemplate({
      name: 'pix_copia_cola',
      language: 'pt_BR',
      category: 'MARKETING',
      components: [
        { type: 'BODY', text: 'Seu Pix de {{1}} está pronto: toque no botão para copiar o código.', example: { body_text: [['R$ 10,00']] } },
        { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', example: 'PIX42' }] },
      ],
    });
    const made = await pix({ ...ACME, amount: '10.00' });
    const template = (code: string) => ({
      name: 'pix_copia_cola',
      language: { code: 'pt_BR' },
      components: [
        { type: 'body', parameters: [{ type: 'text', text: 'R$ 10,00' }] },
        { type: 'button', sub_type: 'copy_code', index: '0', parameters: [{ type: 'coupon_code', coupon_code: code }] },
      ],
    });
    const refused = await api('POST', '/messages', { to: '+5511944440002', type: 'template', template: template(made.body.code) });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'CONVERSA_ERR_TEMPLATE_PARAMETERS', details: { component: 'button[0]', expected: 'at most 15 characters', received: made.body.code.length } });
    expect(refused.body.error.message).toMatch(/Pix/);

    // The sandbox, like Meta, refuses the same send made straight to the Graph API.
    const direct = await sandbox('POST', `/v23.0/${pn}/messages`, { messaging_product: 'whatsapp', to: '5511944440002', type: 'template', template: template(made.body.code) });
    expect(direct.status).toBe(400);
    expect(direct.body.error.code).toBe(131009);
  });

  it("sends Meta's Pix order_details message inside the window with the code intact", async () => {
    await sandbox('POST', `/sandbox/v1/phones/5511944440003/messages`, { to: pn, type: 'text', text: { body: 'Quero pagar com Pix' } });
    await until(async () => {
      const contact = await api('POST', '/contacts', { phone: '+5511944440003' });
      return (await api('GET', `/conversations?contact_id=${contact.body.id}`)).body.data[0]?.window_open;
    }, 'the window to open');
    const made = await pix({ ...ACME, amount: '25.90', txid: 'PEDIDO44' });
    const sent = await api('POST', '/messages', {
      to: '+5511944440003',
      type: 'interactive',
      interactive: {
        type: 'order_details',
        body: { text: 'Seu pedido 44: R$ 25,90' },
        action: {
          name: 'review_and_pay',
          parameters: {
            reference_id: 'PEDIDO44',
            type: 'digital-goods',
            payment_type: 'br',
            payment_settings: [{ type: 'pix_dynamic_code', pix_dynamic_code: { code: made.body.code, merchant_name: 'Padaria Pao Quente', key: 'pagamentos@padaria.com.br', key_type: 'EMAIL' } }],
            currency: 'BRL',
            total_amount: { value: 2590, offset: 100 },
            order: { status: 'pending', items: [{ retailer_id: 'p1', name: 'Pão de queijo', amount: { value: 2590, offset: 100 }, quantity: 1 }], subtotal: { value: 2590, offset: 100 } },
          },
        },
      },
    });
    expect(sent.status).toBe(202);
    const received = await until(async () => (await phoneInbox('5511944440003')).find((m) => m.type === 'interactive'), 'the order on the phone');
    const code = received.content.action.parameters.payment_settings[0].pix_dynamic_code.code;
    expect(code).toBe(made.body.code);
    expect(decodeBoth(code).publishedValid).toBe(true);
  });
});
