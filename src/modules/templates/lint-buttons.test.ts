import { describe, expect, it } from 'vitest';
import type { CreateTemplateRequest } from '../../whatsapp/index.js';
import {
  authentication,
  body,
  buttons,
  copyCode,
  footer,
  header,
  marketing,
  okBody,
  otp,
  phoneButton,
  place,
  quickReply,
  span,
  urlButton,
  utility,
  type Button,
} from './lint-fixtures.js';
import { lintTemplate } from './lint.js';

type Expected = ReturnType<typeof place>;

const withButtons = (...list: Button[]): CreateTemplateRequest => marketing(okBody(), buttons(...list));
const B = 'components[1].buttons';

describe('lintTemplate: buttons', () => {
  it.each<[string, CreateTemplateRequest, Expected[]]>([
    ['BUTTONS without buttons', withButtons(), [{ rule: 'buttons.empty', path: `${B}` }]],
    ['eleven buttons', withButtons(...Array.from({ length: 11 }, (_, i) => quickReply(`Opção ${i + 1}`))), [{ rule: 'buttons.too-many', path: `${B}` }]],
    ['two phone buttons', withButtons(phoneButton('Ligar'), phoneButton('Ligar de novo')), [{ rule: 'buttons.too-many-phone', path: `${B}[1]` }]],
    [
      'three URL buttons',
      withButtons(urlButton('Loja', 'https://loja.example'), urlButton('Blog', 'https://blog.example'), urlButton('Ajuda', 'https://ajuda.example')),
      [{ rule: 'buttons.too-many-url', path: `${B}[2]` }],
    ],
    ['two copy-code buttons', withButtons(copyCode('BLACK20'), copyCode('FRETE0')), [{ rule: 'buttons.too-many-copy-code', path: `${B}[1]` }]],
    [
      'quick replies split by a URL button',
      withButtons(quickReply('Sim'), urlButton('Ver loja', 'https://loja.example'), quickReply('Não')),
      [{ rule: 'buttons.quick-replies-not-grouped', path: `${B}[1]` }],
    ],
    ['unknown button type', withButtons({ type: 'SHARE', text: 'Compartilhar' }), [{ rule: 'buttons.unknown-type', path: `${B}[0].type` }]],
    ['OTP button outside authentication', withButtons(otp()), [{ rule: 'buttons.otp-outside-authentication', path: `${B}[0].type` }]],
    ['quick reply without label', withButtons({ type: 'QUICK_REPLY' }), [{ rule: 'buttons.label-missing', path: `${B}[0].text` }]],
    ['label over 25 characters', withButtons(quickReply('Quero falar com um atendente')), [{ rule: 'buttons.label-too-long', path: `${B}[0].text` }]],
    ['variable in a label', withButtons(quickReply('Pedido {{1}}')), [{ rule: 'buttons.label-variable', path: `${B}[0].text`, at: { start: 7, end: 12 } }]],
    ['line break in a label', withButtons(quickReply('Sim,\nquero')), [{ rule: 'whitespace.newline', path: `${B}[0].text`, at: { start: 4, end: 5 } }]],
    ['URL button without url', withButtons({ type: 'URL', text: 'Ver loja' }), [{ rule: 'buttons.url-missing', path: `${B}[0].url` }]],
    ['URL that is not a URL', withButtons(urlButton('Ver loja', 'loja exemplo')), [{ rule: 'buttons.url-invalid', path: `${B}[0].url` }]],
    ['plain http URL', withButtons(urlButton('Ver loja', 'http://loja.example/ofertas')), [{ rule: 'buttons.url-not-https', path: `${B}[0].url` }]],
    [
      'URL with two variables',
      withButtons(urlButton('Rastrear', 'https://loja.example/{{1}}/{{1}}', 'https://loja.example/a/b')),
      [
        { rule: 'buttons.url-variable-not-at-end', path: `${B}[0].url`, at: span('https://loja.example/{{1}}/{{1}}', '{{1}}') },
        { rule: 'buttons.url-too-many-variables', path: `${B}[0].url`, at: span('https://loja.example/{{1}}/{{1}}', '{{1}}', 2) },
      ],
    ],
    [
      'URL variable in the middle',
      withButtons(urlButton('Rastrear', 'https://loja.example/{{1}}/status', 'https://loja.example/4521/status')),
      [{ rule: 'buttons.url-variable-not-at-end', path: `${B}[0].url`, at: { start: 21, end: 26 } }],
    ],
    ['named URL variable', withButtons(urlButton('Rastrear', 'https://loja.example/{{pedido}}', 'https://loja.example/4521')), [{ rule: 'buttons.url-variable-name', path: `${B}[0].url`, at: { start: 21, end: 31 } }]],
    ['URL variable with a missing brace', withButtons(urlButton('Rastrear', 'https://loja.example/{{1}', 'https://loja.example/4521')), [{ rule: 'variables.unbalanced-braces', path: `${B}[0].url`, at: { start: 21, end: 25 } }]],
    ['URL variable without sample', withButtons(urlButton('Rastrear', 'https://loja.example/pedidos/{{1}}')), [{ rule: 'buttons.url-missing-example', path: `${B}[0].example` }]],
    ['phone number without country code', withButtons(phoneButton('Ligar', '(11) 9876')), [{ rule: 'buttons.phone-invalid', path: `${B}[0].phone_number` }]],
    ['copy-code without sample', withButtons(copyCode()), [{ rule: 'buttons.copy-code-example', path: `${B}[0].example` }]],
    ['copy-code sample over 15 characters', withButtons(copyCode('BLACKFRIDAY2025VIP')), [{ rule: 'buttons.copy-code-example', path: `${B}[0].example` }]],
  ])('%s', (_name, template, expected) => {
    const report = lintTemplate(template);
    expect(report.problems.map(place)).toEqual(expected);
    expect(report.ok).toBe(false);
  });

  it('accepts ten buttons with one phone, two URLs, one copy code and grouped quick replies', () => {
    const template = withButtons(
      quickReply('Sim'),
      quickReply('Não'),
      quickReply('Talvez'),
      quickReply('Mais tarde'),
      quickReply('Parar promoções'),
      quickReply('Falar com alguém'),
      copyCode('BLACK20'),
      urlButton('Ver loja', 'https://loja.example'),
      urlButton('Rastrear', 'https://loja.example/p/{{1}}', 'https://loja.example/p/4521'),
      phoneButton('Ligar'),
    );
    expect(lintTemplate(template)).toEqual({ ok: true, problems: [] });
  });

  it('suggests the https address and a full sample URL', () => {
    const fixes = (t: CreateTemplateRequest) => lintTemplate(t).problems.map((p) => p.fix);
    expect(fixes(withButtons(urlButton('Ver loja', 'http://loja.example/ofertas')))).toEqual(['Use https://loja.example/ofertas.']);
    expect(fixes(withButtons(urlButton('Rastrear', 'https://loja.example/pedidos/{{1}}')))).toEqual(['Add example: ["https://loja.example/pedidos/ABC123"], the full URL with a sample value.']);
  });
});

const C = 'components';

describe('lintTemplate: authentication', () => {
  it.each<[string, CreateTemplateRequest, Expected[]]>([
    ['a header', authentication(header('Seu código'), { type: 'BODY' }, buttons(otp())), [{ rule: 'authentication.header', path: `${C}[0]` }]],
    ['free body text', authentication(body('Seu código é {{1}}. Não compartilhe.', ['123456']), buttons(otp())), [{ rule: 'authentication.free-text', path: `${C}[0].text` }]],
    ['free footer text', authentication({ type: 'BODY' }, footer('Válido por 10 minutos'), buttons(otp())), [{ rule: 'authentication.free-text', path: `${C}[1].text` }]],
    ['expiry of 0 minutes', authentication({ type: 'FOOTER', code_expiration_minutes: 0 }, buttons(otp())), [{ rule: 'authentication.code-expiration', path: `${C}[0].code_expiration_minutes` }]],
    ['expiry of 91 minutes', authentication({ type: 'FOOTER', code_expiration_minutes: 91 }, buttons(otp())), [{ rule: 'authentication.code-expiration', path: `${C}[0].code_expiration_minutes` }]],
    ['expiry of 2.5 minutes', authentication({ type: 'FOOTER', code_expiration_minutes: 2.5 }, buttons(otp())), [{ rule: 'authentication.code-expiration', path: `${C}[0].code_expiration_minutes` }]],
    ['no buttons', authentication({ type: 'BODY', add_security_recommendation: true }), [{ rule: 'authentication.missing-otp-button', path: C }]],
    [
      'a quick reply instead of OTP',
      authentication({ type: 'BODY' }, buttons(quickReply('Não fui eu'))),
      [
        { rule: 'authentication.missing-otp-button', path: C },
        { rule: 'authentication.button-type', path: `${C}[1].buttons[0].type` },
      ],
    ],
    ['two OTP buttons', authentication({ type: 'BODY' }, buttons(otp(), otp())), [{ rule: 'authentication.too-many-otp-buttons', path: `${C}[1].buttons[1]` }]],
    ['unknown otp_type', authentication({ type: 'BODY' }, buttons(otp('MAGIC_LINK'))), [{ rule: 'authentication.otp-type', path: `${C}[1].buttons[0].otp_type` }]],
    ['one-tap without app', authentication({ type: 'BODY' }, buttons(otp('ONE_TAP'))), [{ rule: 'authentication.app-missing', path: `${C}[1].buttons[0]` }]],
    [
      'zero-tap without accepted terms',
      authentication({ type: 'BODY' }, buttons(otp('ZERO_TAP', { supported_apps: [{ package_name: 'com.loja.app', signature_hash: 'K8a/AINcGX7' }] }))),
      [{ rule: 'authentication.zero-tap-terms', path: `${C}[1].buttons[0].zero_tap_terms_accepted` }],
    ],
    ['OTP label over 25 characters', authentication({ type: 'BODY' }, buttons(otp('COPY_CODE', { text: 'Copiar o código de verificação' }))), [{ rule: 'buttons.label-too-long', path: `${C}[1].buttons[0].text` }]],
  ])('%s', (_name, template, expected) => {
    const report = lintTemplate(template);
    expect(report.problems.map(place)).toEqual(expected);
    expect(report.ok).toBe(false);
  });

  it('accepts a one-tap button with its app, and no BODY at all', () => {
    const template = authentication(buttons(otp('ONE_TAP', { autofill_text: 'Preencher', package_name: 'com.loja.app', signature_hash: 'K8a/AINcGX7' })));
    expect(lintTemplate(template)).toEqual({ ok: true, problems: [] });
  });
});

describe('lintTemplate: marketing wording in a UTILITY template', () => {
  const text = 'Olá {{1}}, seu pedido foi entregue! Aproveite 10% OFF na próxima compra com a nossa promoção.';
  const problems = lintTemplate(utility(body(text, ['Ana']), buttons(quickReply('Ver ofertas')))).problems;

  it('warns at each promotional word, accents and case ignored, and stays ok', () => {
    expect(problems.map(place)).toEqual([
      { rule: 'category.marketing-content', path: 'components[0].text', at: span(text, 'Aproveite') },
      { rule: 'category.marketing-content', path: 'components[0].text', at: span(text, '10% OFF') },
      { rule: 'category.marketing-content', path: 'components[0].text', at: span(text, 'promoção') },
      { rule: 'category.marketing-content', path: 'components[1].buttons[0].text', at: span('Ver ofertas', 'ofertas') },
    ]);
    expect(problems.every((p) => p.severity === 'warning')).toBe(true);
    expect(problems[0]?.fix).toContain('Meta re-categorises such templates as MARKETING');
  });

  it.each([
    ['a MARKETING template', marketing(body(text, ['Ana']))],
    ['a variable named like a promotion', utility(body('Olá {{1}}, o código {{desconto}} foi aplicado ao seu pedido de hoje.', ['Ana', 'X']))],
    ['words that only contain a promotional word', utility(body('Seu saleiro e o ofertante chegaram ao endereço cadastrado.'))],
  ])('does not warn for %s', (_name, template) => {
    expect(lintTemplate(template).problems.filter((p) => p.rule === 'category.marketing-content')).toEqual([]);
  });

  it.each([
    ['en_US', 'Your order is on its way. Enjoy 20% off and free shipping on the next one.', ['20% off', 'free']],
    ['es_MX', 'Tu pedido sale hoy. Aprovecha el descuento en tu próxima compra.', ['Aprovecha', 'descuento']],
    ['pt_BR', 'Seu pedido sale hoje com frete grátis na Black Friday.', ['grátis', 'Black Friday']],
  ])('reads the words of the template language (%s)', (language, text, words) => {
    const found = lintTemplate({ ...utility(body(text)), language }).problems.map((p) => (p.at ? text.slice(p.at.start, p.at.end) : ''));
    expect(found).toEqual(words);
  });

  it('reads decomposed accents (NFD) at the right place', () => {
    const decomposed = 'Seu pedido saiu. Veja a promoc\u0327a\u0303o de hoje no app.';
    const [problem] = lintTemplate(utility(body(decomposed))).problems;
    expect(problem).toMatchObject({ rule: 'category.marketing-content', at: span(decomposed, 'promoc\u0327a\u0303o') });
  });
});
