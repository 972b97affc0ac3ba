import { describe, expect, it } from 'vitest';
import type { TemplateSendComponent } from '../../whatsapp/index.js';
import { appointmentReminder, blackFriday, body, buttons, okBody, orderShipped, otp, urlButton, utility, verificationCode } from './lint-fixtures.js';
import { previewFromSend, previewTemplate, SAMPLE_CODE, type TemplatePreview } from './preview.js';

const shipped: TemplatePreview = {
  header: { type: 'text', text: 'Pedido #4521 a caminho' },
  body: 'Olá Ana! 📦 Seu pedido #4521 saiu para entrega e chega até sexta-feira. Acompanhe pelo botão abaixo.',
  footer: 'Responda SAIR para não receber mais',
  buttons: [
    { type: 'URL', text: 'Acompanhar pedido', url: 'https://loja.example/pedidos/4521' },
    { type: 'PHONE_NUMBER', text: 'Ligar para a loja', phone_number: '+5511987654321' },
    { type: 'QUICK_REPLY', text: 'Falar com atendente' },
    { type: 'QUICK_REPLY', text: 'Não reconheço' },
  ],
  missing: [],
};

describe('previewTemplate: positional', () => {
  it('fills header, body and the URL button from the given values', () => {
    expect(previewTemplate(orderShipped(), { header: '#4521', body: ['Ana', '#4521', 'sexta-feira'], buttons: { 0: '4521' } })).toEqual(shipped);
  });

  it('uses the template samples when no values are given, taking the URL end from the sample URL', () => {
    expect(previewTemplate(orderShipped())).toEqual(shipped);
  });

  it('keeps a variable without value as written and lists it, without falling back to samples', () => {
    const preview = previewTemplate(orderShipped(), { body: ['Ana', '#4521'] });
    expect(preview.header?.text).toBe('Pedido {{1}} a caminho');
    expect(preview.body).toBe('Olá Ana! 📦 Seu pedido #4521 saiu para entrega e chega até {{3}}. Acompanhe pelo botão abaixo.');
    expect(preview.buttons[0]?.url).toBe('https://loja.example/pedidos/{{1}}');
    expect(preview.missing).toEqual(['header {{1}}', 'body {{3}}', 'buttons[0] {{1}}']);
  });

  it('fills a repeated variable everywhere it appears', () => {
    const template = utility(body('Oi {{1}}! Seu cadastro está ativo, {{1}}. Bem-vinda à Loja Exemplo 🎉', ['Bia']));
    expect(previewTemplate(template).body).toBe('Oi Bia! Seu cadastro está ativo, Bia. Bem-vinda à Loja Exemplo 🎉');
  });
});

describe('previewTemplate: named', () => {
  const expected = { header: { type: 'text', text: 'Consulta de João' }, body: 'Oi João, sua consulta com Dr. Luís é amanhã às 9h. Responda para confirmar ou remarcar.', buttons: [], missing: [] };

  it.each([
    ['by name, in any order', { header: { nome: 'João' }, body: { horario: '9h', nome: 'João', medico: 'Dr. Luís' } }],
    ['as a list, in order of first use', { header: 'João', body: ['João', 'Dr. Luís', '9h'] }],
  ])('fills values given %s', (_name, params) => {
    expect(previewTemplate(appointmentReminder(), params)).toEqual(expected);
  });

  it('uses the named samples when no values are given', () => {
    expect(previewTemplate(appointmentReminder()).body).toBe('Oi João, sua consulta com Dra. Márcia é amanhã às 14h30. Responda para confirmar ou remarcar.');
  });

  it('lists the named variables left without value', () => {
    expect(previewTemplate(appointmentReminder(), { header: { nome: 'João' }, body: { nome: 'João' } }).missing).toEqual(['body {{medico}}', 'body {{horario}}']);
  });
});

describe('previewTemplate: media header, copy code and URL', () => {
  it("shows the coupon of a copy-code button under Meta's label", () => {
    expect(previewTemplate(blackFriday())).toEqual({
      header: { type: 'image' },
      body: 'Oi Carla, a Black Friday chegou! 🎉 Use o cupom abaixo e ganhe 20% de desconto em toda a loja até domingo.',
      footer: 'Ofertas válidas enquanto durarem os estoques',
      buttons: [
        { type: 'COPY_CODE', text: 'Copy offer code', code: 'BLACK20' },
        { type: 'URL', text: 'Ver ofertas', url: 'https://loja.example/black-friday' },
      ],
      missing: [],
    });
  });

  it('takes the image and coupon of a send, and lists what it lacks', () => {
    const withValues = previewTemplate(blackFriday(), { media: { link: 'https://cdn.loja.example/bf.jpg' }, body: ['Carla'], buttons: { 0: 'VIP30' } });
    expect(withValues.header).toEqual({ type: 'image', media: { link: 'https://cdn.loja.example/bf.jpg' } });
    expect(withValues.buttons[0]).toEqual({ type: 'COPY_CODE', text: 'Copy offer code', code: 'VIP30' });
    expect(previewTemplate(blackFriday(), { body: ['Carla'] }).missing).toEqual(['header media', 'buttons[0] code']);
  });

  it('treats a URL sample that is not the full URL as the variable part', () => {
    const template = utility(okBody(), buttons(urlButton('Rastrear', 'https://loja.example/r/{{1}}', 'XK-88')));
    expect(previewTemplate(template).buttons[0]?.url).toBe('https://loja.example/r/XK-88');
  });

  it('shows a location header with the place given', () => {
    const template = utility({ type: 'HEADER', format: 'LOCATION' }, okBody());
    const location = { latitude: -23.5614, longitude: -46.6559, name: 'Loja Paulista', address: 'Av. Paulista, 1000 – São Paulo' };
    expect(previewTemplate(template, { location, body: ['Ana', '#4521', 'sexta-feira'] }).header).toEqual({ type: 'location', location });
    expect(previewTemplate(template, { body: ['Ana', '#4521', 'sexta-feira'] }).missing).toEqual(['header location']);
  });
});

describe('previewTemplate: authentication', () => {
  it("renders Meta's fixed text, the security line, the expiry footer and the code on the button", () => {
    expect(previewTemplate(verificationCode(), { body: ['482913'] })).toEqual({
      body: '482913 is your verification code. For your security, do not share this code.',
      footer: 'This code expires in 10 minutes.',
      buttons: [{ type: 'OTP', text: 'Copiar código', code: '482913' }],
      missing: [],
    });
  });

  it('uses a sample code when none is given, and leaves out what the template does not ask for', () => {
    const bare = { category: 'AUTHENTICATION' as const, components: [{ type: 'BODY' as const }, { type: 'FOOTER' as const, code_expiration_minutes: 1 }, buttons({ type: 'OTP', otp_type: 'COPY_CODE' })] };
    expect(previewTemplate(bare)).toEqual({
      body: `${SAMPLE_CODE} is your verification code.`,
      footer: 'This code expires in 1 minute.',
      buttons: [{ type: 'OTP', text: 'Copy code', code: SAMPLE_CODE }],
      missing: [],
    });
  });

  it('shows the autofill label of a one-tap button and lists a missing code', () => {
    const template = { category: 'AUTHENTICATION' as const, components: [buttons(otp('ONE_TAP', { autofill_text: 'Preencher' }))] };
    expect(previewTemplate(template, {})).toEqual({ body: '{{1}} is your verification code.', buttons: [{ type: 'OTP', text: 'Preencher' }], missing: ['body code'] });
  });
});

describe('previewFromSend', () => {
  const send = (...components: TemplateSendComponent[]) => ({ name: 't', language: { code: 'pt_BR' }, components });

  it('reads text, currency and date_time fallbacks, and a URL suffix', () => {
    const template = utility(
      { type: 'HEADER', format: 'TEXT', text: 'Fatura {{1}}', example: { header_text: ['#88'] } },
      body('Olá {{1}}, sua fatura de {{2}} vence em {{3}}. Pague pelo link abaixo.', ['Ana', 'R$ 10,00', '1 de maio']),
      buttons(urlButton('Pagar', 'https://pay.example/{{1}}', 'https://pay.example/abc')),
    );
    const preview = previewFromSend(
      template,
      send(
        { type: 'header', parameters: [{ type: 'text', text: 'nº 2025-07' }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Conceição' },
            { type: 'currency', currency: { fallback_value: 'R$ 1.234,56', code: 'BRL', amount_1000: 1234560 } },
            { type: 'date_time', date_time: { fallback_value: '10 de março' } },
          ],
        },
        { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'fat-2025-07' }] },
      ),
    );
    expect(preview).toEqual({
      header: { type: 'text', text: 'Fatura nº 2025-07' },
      body: 'Olá Conceição, sua fatura de R$ 1.234,56 vence em 10 de março. Pague pelo link abaixo.',
      buttons: [{ type: 'URL', text: 'Pagar', url: 'https://pay.example/fat-2025-07' }],
      missing: [],
    });
  });

  it('matches named parameters by parameter_name', () => {
    const preview = previewFromSend(
      appointmentReminder(),
      send(
        { type: 'header', parameters: [{ type: 'text', parameter_name: 'nome', text: 'Zé' }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', parameter_name: 'horario', text: '16h' },
            { type: 'text', parameter_name: 'nome', text: 'Zé' },
            { type: 'text', parameter_name: 'medico', text: 'Dra. Inês' },
          ],
        },
      ),
    );
    expect(preview.header?.text).toBe('Consulta de Zé');
    expect(preview.body).toBe('Oi Zé, sua consulta com Dra. Inês é amanhã às 16h. Responda para confirmar ou remarcar.');
  });

  it('never falls back to samples: what the send lacks is missing', () => {
    const preview = previewFromSend(orderShipped(), send({ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }));
    expect(preview.missing).toEqual(['header {{1}}', 'body {{2}}', 'body {{3}}', 'buttons[0] {{1}}']);
  });

  it('reads the media of the header and the coupon of a copy-code button', () => {
    const preview = previewFromSend(
      blackFriday(),
      send(
        { type: 'header', parameters: [{ type: 'image', image: { id: '1480' } }] },
        { type: 'body', parameters: [{ type: 'text', text: 'Carla' }] },
        { type: 'button', sub_type: 'copy_code', index: 0, parameters: [{ type: 'coupon_code', coupon_code: 'CARLA15' }] },
      ),
    );
    expect(preview.header).toEqual({ type: 'image', media: { id: '1480' } });
    expect(preview.buttons[0]).toEqual({ type: 'COPY_CODE', text: 'Copy offer code', code: 'CARLA15' });
    expect(preview.missing).toEqual([]);
  });

  it('renders an authentication send with its code', () => {
    const preview = previewFromSend(
      verificationCode(),
      send({ type: 'body', parameters: [{ type: 'text', text: '907153' }] }, { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '907153' }] }),
    );
    expect(preview.body).toBe('907153 is your verification code. For your security, do not share this code.');
    expect(preview.buttons).toEqual([{ type: 'OTP', text: 'Copiar código', code: '907153' }]);
  });
});
