import { describe, expect, it } from 'vitest';
import type { CreateTemplateRequest } from '../whatsapp/wire.js';
import { META_TEMPLATE_EXAMPLES } from './template-fixtures.js';
import { reviewTemplate, validateTemplateCreate, type ReviewDecision } from './template-review.js';

/** A UTILITY template in Portuguese whose body passes every rule; tests replace one part. */
const BODY = {
  type: 'BODY',
  text: 'Olá {{1}}, seu pedido {{2}} foi enviado e chega amanhã. Obrigado pela preferência! 🎉',
  example: { body_text: [['Ana', 'A-1001']] },
};

function draft(components: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'order_update', language: 'pt_BR', category: 'UTILITY', components, ...extra };
}

function body(text: string, example: unknown = { body_text: [['Ana', 'A-1001', 'amanhã']] }): Record<string, unknown> {
  return { type: 'BODY', text, example };
}

/** Validates (which must pass) and reviews, the way the sandbox runs a creation. */
function review(request: Record<string, unknown>): ReviewDecision {
  const validation = validateTemplateCreate(request);
  if (!validation.ok) throw new Error(`expected the synchronous checks to pass: ${validation.failure.details}`);
  return reviewTemplate(validation.template);
}

describe("Meta's OpenAPI template examples", () => {
  it.each(META_TEMPLATE_EXAMPLES.map((e) => [e.title, e.request] as const))('%s is accepted and approved', (_title, request) => {
    const validation = validateTemplateCreate(request);
    expect(validation).toMatchObject({ ok: true });
    if (!validation.ok) return;
    expect(validation.template.name).toBe(request.name);
    for (const component of validation.template.components) expect(component.type).toMatch(/^(HEADER|BODY|FOOTER|BUTTONS)$/);
    expect(reviewTemplate(validation.template)).toEqual({ status: 'APPROVED' });
  });

  it('upper-cases the lower-case component type Meta itself sends', () => {
    const flow = META_TEMPLATE_EXAMPLES.find((e) => e.request.name === 'flow_offer_by_id');
    const validation = validateTemplateCreate(flow?.request);
    expect(validation.ok && validation.template.components[0]?.type).toBe('BODY');
  });
});

describe('validateTemplateCreate: synchronous checks (code 100)', () => {
  const long = (n: number, ch = 'a') => ch.repeat(n);
  const button = (b: Record<string, unknown>) => draft([BODY, { type: 'BUTTONS', buttons: [b] }]);
  const buttons = (list: Array<Record<string, unknown>>) => draft([BODY, { type: 'BUTTONS', buttons: list }]);
  const url = (u: string) => button({ type: 'URL', text: 'Rastrear', url: u, example: ['x'] });

  it.each<[string, unknown, string]>([
    ['body not an object', 'name=x', 'request body must be a JSON object'],
    ['name missing', { ...draft([BODY]), name: undefined }, 'name: required'],
    ['name not a string', { ...draft([BODY]), name: 7 }, 'name: must be a string'],
    ['name with capitals', { ...draft([BODY]), name: 'Order_Update' }, 'name: may contain only'],
    ['name with a hyphen', { ...draft([BODY]), name: 'order-update' }, 'name: may contain only'],
    ['name with an accent', { ...draft([BODY]), name: 'promoção' }, 'name: may contain only'],
    ['name over 512 characters', { ...draft([BODY]), name: long(513) }, 'name: must be at most 512 characters, got 513'],
    ['language missing', { ...draft([BODY]), language: undefined }, 'language: required'],
    ['language not a code', { ...draft([BODY]), language: 'Portuguese' }, 'language: "Portuguese"'],
    ['category missing', { ...draft([BODY]), category: undefined }, 'category: required'],
    ['category unknown', { ...draft([BODY]), category: 'TRANSACTIONAL' }, 'category: must be one of MARKETING, UTILITY, AUTHENTICATION'],
    ['parameter_format unknown', draft([BODY], { parameter_format: 'MIXED' }), 'parameter_format: must be one of POSITIONAL, NAMED'],
    ['allow_category_change not boolean', draft([BODY], { allow_category_change: 'yes' }), 'allow_category_change: must be a boolean'],
    ['components missing', { ...draft([]), components: undefined }, 'components: must be a non-empty array'],
    ['components empty', draft([]), 'components: must be a non-empty array'],
    ['component not an object', draft([BODY, 'FOOTER']), 'components[1]: must be an object'],
    ['unknown component type', draft([BODY, { type: 'CAROUSEL', cards: [] }]), 'components[1].type: must be one of HEADER, BODY, FOOTER, BUTTONS'],
    ['two bodies', draft([BODY, BODY]), 'components[1].type: a template can have only one BODY component'],
    ['two footers', draft([BODY, { type: 'FOOTER', text: 'a' }, { type: 'FOOTER', text: 'b' }]), 'components[2].type: a template can have only one FOOTER'],
    ['no body', draft([{ type: 'FOOTER', text: 'Equipe Conversa' }]), 'components: a BODY component is required'],
    ['body without text', draft([{ type: 'BODY' }]), 'components[0].text: required'],
    ['body text blank', draft([{ type: 'BODY', text: '   ' }]), 'components[0].text: must not be blank'],
    ['body over 1024 characters', draft([body(long(1025, 'é'))]), 'components[0].text: must be at most 1024 characters, got 1025'],
    ['header without format', draft([{ type: 'HEADER', text: 'Oi' }, BODY]), 'components[0].format: required'],
    ['header format unknown', draft([{ type: 'HEADER', format: 'AUDIO' }, BODY]), 'components[0].format: must be one of TEXT, IMAGE, VIDEO, GIF, DOCUMENT, LOCATION'],
    ['text header without text', draft([{ type: 'HEADER', format: 'TEXT' }, BODY]), 'components[0].text: required'],
    ['header over 60 characters', draft([{ type: 'HEADER', format: 'TEXT', text: long(61) }, BODY]), 'components[0].text: must be at most 60 characters, got 61'],
    ['footer without text', draft([BODY, { type: 'FOOTER' }]), 'components[1].text: required'],
    ['footer over 60 characters', draft([BODY, { type: 'FOOTER', text: long(61) }]), 'components[1].text: must be at most 60 characters'],
    ['body_text not nested', draft([{ ...BODY, example: { body_text: ['Ana', 'A-1001'] } }]), 'components[0].example.body_text: must be an array of arrays of strings'],
    ['header_text not strings', draft([{ type: 'HEADER', format: 'TEXT', text: 'Pedido {{1}}', example: { header_text: [1] } }, BODY]), 'components[0].example.header_text'],
    ['named params malformed', draft([{ ...BODY, example: { body_text_named_params: [{ name: 'x' }] } }]), 'components[0].example.body_text_named_params'],
    ['buttons empty', draft([BODY, { type: 'BUTTONS', buttons: [] }]), 'components[1].buttons: must be a non-empty array'],
    ['11 buttons', buttons(Array.from({ length: 11 }, (_, i) => ({ type: 'QUICK_REPLY', text: `Opção ${i}` }))), 'components[1].buttons: at most 10 buttons, got 11'],
    ['button type unknown', button({ type: 'CALL', text: 'Ligar' }), 'components[1].buttons[0].type: must be one of'],
    ['button without label', button({ type: 'QUICK_REPLY' }), 'components[1].buttons[0].text: required'],
    ['button label over 25', button({ type: 'QUICK_REPLY', text: long(26) }), 'components[1].buttons[0].text: must be at most 25 characters, got 26'],
    ['two phone buttons', buttons([{ type: 'PHONE_NUMBER', text: 'A', phone_number: '+5511999990000' }, { type: 'PHONE_NUMBER', text: 'B', phone_number: '+5511999990001' }]), 'at most 1 PHONE_NUMBER button(s)'],
    ['three URL buttons', buttons([1, 2, 3].map((i) => ({ type: 'URL', text: `Site ${i}`, url: `https://example.com/${i}` }))), 'at most 2 URL button(s)'],
    ['two copy-code buttons', buttons([{ type: 'COPY_CODE', example: 'A' }, { type: 'COPY_CODE', example: 'B' }]), 'at most 1 COPY_CODE button(s)'],
    ['quick replies not grouped', buttons([{ type: 'QUICK_REPLY', text: 'Sim' }, { type: 'URL', text: 'Site', url: 'https://example.com' }, { type: 'QUICK_REPLY', text: 'Não' }]), 'QUICK_REPLY buttons must be grouped together'],
    ['URL missing', button({ type: 'URL', text: 'Site' }), 'components[1].buttons[0].url: required'],
    ['URL not http', url('ftp://example.com/file'), 'components[1].buttons[0].url: must be an http:// or https:// URL'],
    ['URL without host', url('https://'), 'components[1].buttons[0].url: must be an http'],
    ['URL variable in the middle', url('https://example.com/{{1}}/track'), 'components[1].buttons[0].url: the only variable allowed is {{1}}, at the end'],
    ['URL variable not {{1}}', url('https://example.com/{{2}}'), 'components[1].buttons[0].url: the only variable allowed is {{1}}'],
    ['URL with two variables', url('https://example.com/?a={{1}}&b={{1}}'), 'components[1].buttons[0].url: at most one variable'],
    ['URL with broken braces', url('https://example.com/{{1}'), 'components[1].buttons[0].url: mismatched curly braces'],
    ['URL over 2000 characters', url(`https://example.com/${long(2000)}`), 'components[1].buttons[0].url: must be at most 2000'],
    ['phone button without number', button({ type: 'PHONE_NUMBER', text: 'Ligar' }), 'components[1].buttons[0].phone_number: required'],
    ['phone number not digits', button({ type: 'PHONE_NUMBER', text: 'Ligar', phone_number: 'call-us' }), 'components[1].buttons[0].phone_number: must be a phone number'],
    ['copy code sample over 15', button({ type: 'COPY_CODE', example: 'PROMOCAO-DE-VERAO' }), 'components[1].buttons[0].example: the sample coupon code'],
    ['flow without a flow', button({ type: 'FLOW', text: 'Abrir' }), 'components[1].buttons[0]: FLOW buttons need one of flow_id, flow_name or flow_json'],
    ['OTP type unknown', { ...button({ type: 'OTP', otp_type: 'SMS' }), category: 'AUTHENTICATION' }, 'components[1].buttons[0].otp_type: must be one of COPY_CODE, ONE_TAP, ZERO_TAP'],
    ['one-tap without app', { ...button({ type: 'OTP', otp_type: 'ONE_TAP' }), category: 'AUTHENTICATION' }, 'components[1].buttons[0]: ONE_TAP buttons need package_name and signature_hash'],
    ['expiry over 90 minutes', draft([{ type: 'BODY', add_security_recommendation: true }, { type: 'FOOTER', code_expiration_minutes: 91 }], { category: 'AUTHENTICATION' }), 'components[1].code_expiration_minutes: must be an integer from 1 to 90'],
    ['security flag not boolean', draft([{ type: 'BODY', add_security_recommendation: 'yes' }], { category: 'AUTHENTICATION' }), 'components[0].add_security_recommendation: must be a boolean'],
  ])('%s', (_name, request, details) => {
    const validation = validateTemplateCreate(request);
    expect(validation.ok).toBe(false);
    if (validation.ok) return;
    expect(validation.failure.code).toBe(100);
    expect(validation.failure.details).toContain(details);
  });

  it.each<[string, string, number, string]>([
    ['body starts with a variable', '{{1}}, seu pedido {{2}} foi enviado e chega amanhã. Obrigado!', 2388299, 'components[0].text: BODY: a variable cannot be at the start or end of the text ({{1}} at position 0)'],
    ['body ends with a variable and a full stop', 'Olá {{1}}, o código do seu pedido enviado hoje é {{2}}.', 2388299, '({{2}} at position 49)'],
    ['body starts with punctuation then a variable', '¡{{1}}! Su pedido {{2}} fue enviado y llega mañana. ¡Gracias!', 2388299, '({{1}} at position 1)'],
    ['too many variables for the words', 'Hi {{1}}, gate {{2}}. Thank you.', 2388293, 'components[0].text: BODY: too many variables for the text length: 2 variable(s) need at least 5 words of fixed text, found 4'],
  ])('%s', (_name, text, subcode, details) => {
    const validation = validateTemplateCreate(draft([body(text)]));
    expect(validation).toMatchObject({ ok: false, failure: { code: 100, subcode } });
    if (!validation.ok) expect(validation.failure.details).toContain(details);
  });

  it('counts characters, not UTF-16 units: 1024 emoji fit a body, 60 accented letters a header', () => {
    expect(validateTemplateCreate(draft([{ type: 'HEADER', format: 'TEXT', text: 'é'.repeat(60) }, { type: 'BODY', text: '😀'.repeat(1024) }])).ok).toBe(true);
  });

  it('accepts enum values in any case and returns them upper-cased', () => {
    const validation = validateTemplateCreate(
      draft([{ type: 'header', format: 'text', text: 'Pedido enviado' }, { ...BODY, type: 'body' }, { type: 'buttons', buttons: [{ type: 'quick_reply', text: 'Parar' }] }], {
        category: 'utility',
        parameter_format: 'positional',
      }),
    );
    expect(validation).toMatchObject({
      ok: true,
      template: { category: 'UTILITY', parameter_format: 'POSITIONAL', components: [{ type: 'HEADER', format: 'TEXT' }, { type: 'BODY' }, { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY' }] }] },
    });
  });

  it('accepts a 512-character name and keeps extra button fields (flow_id, navigate_screen)', () => {
    const validation = validateTemplateCreate({ ...button({ type: 'FLOW', text: 'Abrir', flow_id: '123', navigate_screen: 'START' }), name: 'a'.repeat(512) });
    expect(validation).toMatchObject({ ok: true, template: { components: [{}, { buttons: [{ flow_id: '123', navigate_screen: 'START' }] }] } });
  });
});

describe('reviewTemplate: rejections (status REJECTED)', () => {
  const named = (text: string, params: Array<[string, string]>) => ({ type: 'BODY', text, example: { body_text_named_params: params.map(([param_name, example]) => ({ param_name, example })) } });
  const header = (text: string, example?: unknown) => ({ type: 'HEADER', format: 'TEXT', text, ...(example === undefined ? {} : { example }) });
  const auth = (components: unknown[]) => draft(components, { category: 'AUTHENTICATION', name: 'login_code' });
  const OTP = { type: 'BUTTONS', buttons: [{ type: 'OTP', otp_type: 'COPY_CODE', text: 'Copiar código' }] };

  it.each<[string, Record<string, unknown>, string, string]>([
    ['mismatched braces {{1}', draft([body('Olá {{1}, seu pedido foi enviado e chega amanhã. Obrigado!')]), 'INVALID_FORMAT', 'BODY: mismatched curly braces at position 4'],
    ['single braces {1}', draft([body('Olá {1}, seu pedido foi enviado e chega amanhã. Obrigado!')]), 'INVALID_FORMAT', 'BODY: mismatched curly braces'],
    ['triple braces {{{1}}}', draft([body('Olá {{{1}}}, seu pedido foi enviado e chega amanhã. Obrigado!', { body_text: [['Ana']] })]), 'INVALID_FORMAT', 'BODY: mismatched curly braces at position 4'],
    ['# inside a variable', draft([body('Olá {{#1}}, seu pedido foi enviado e chega amanhã. Obrigado!', { body_text: [['Ana']] })]), 'INVALID_FORMAT', 'BODY: variable {{#1}} contains a special character (#, $ or %) at position 4'],
    ['$ inside a variable', draft([body('Seu saldo é {{$saldo}} hoje, consulte o aplicativo para detalhes.')]), 'INVALID_FORMAT', 'special character'],
    ['% inside a variable', draft([body('Você ganhou {{1%}} de desconto nesta compra, aproveite hoje mesmo.')]), 'INVALID_FORMAT', 'special character'],
    ['a variable with spaces and capitals', draft([body('Olá {{First Name}}, seu pedido foi enviado e chega amanhã.')]), 'INVALID_FORMAT', 'BODY: {{First Name}} at position 4 is not a valid variable'],
    ['positional gap', draft([body('Olá {{1}}, seu pedido {{3}} foi enviado e chega amanhã. Obrigado!')]), 'INVALID_FORMAT', 'BODY: positional variables must be sequential; {{2}} is missing (found {{1}}, {{3}})'],
    ['numbering from 0', draft([body('Olá {{0}}, seu pedido {{1}} foi enviado e chega amanhã. Obrigado!')]), 'INVALID_FORMAT', 'BODY: positional variables are numbered from {{1}}, found {{0}}'],
    ['named and positional mixed', draft([named('Olá {{1}}, seu pedido {{order_id}} foi enviado e chega amanhã.', [['order_id', 'A-1']])], { parameter_format: 'NAMED' }), 'INVALID_FORMAT', 'BODY: named and positional variables cannot be mixed ({{1}} in BODY, {{order_id}} in BODY)'],
    ['mixed across header and body', draft([header('Pedido {{1}}', { header_text: ['A-1'] }), named('Olá {{first_name}}, seu pedido foi enviado e chega amanhã.', [['first_name', 'Ana']])], { parameter_format: 'NAMED' }), 'INVALID_FORMAT', '({{1}} in HEADER, {{first_name}} in BODY)'],
    ['NAMED declared, positional used', draft([BODY], { parameter_format: 'NAMED' }), 'INVALID_FORMAT', 'BODY: parameter_format is NAMED but {{1}} is positional'],
    ['named used without parameter_format', draft([named('Olá {{first_name}}, seu pedido foi enviado e chega amanhã.', [['first_name', 'Ana']])]), 'INVALID_FORMAT', 'BODY: {{first_name}} is a named variable but parameter_format is POSITIONAL (the default); set parameter_format to NAMED'],
    ['adjacent variables', draft([body('Olá {{1}} {{2}}, seu pedido foi enviado e chega amanhã. Obrigado!')]), 'INVALID_FORMAT', 'BODY: variables {{1}} and {{2}} are next to each other with no text between them (position 4)'],
    ['header with two variables', draft([header('Pedido {{1}} de {{2}}', { header_text: ['A', 'B'] }), BODY]), 'INVALID_FORMAT', 'HEADER: a header can have at most one variable, found 2'],
    ['footer with a variable', draft([BODY, { type: 'FOOTER', text: 'Pedido {{1}}' }]), 'INVALID_FORMAT', 'FOOTER: the footer cannot contain variables ({{1}} at position 7)'],
    ['body without examples', draft([{ type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} foi enviado e chega amanhã. Obrigado!' }]), 'INVALID_FORMAT', 'BODY: variable {{1}} has no example value (example.body_text); 2 variable(s), 0 example(s)'],
    ['body with too few examples', draft([body('Olá {{1}}, seu pedido {{2}} foi enviado e chega amanhã. Obrigado!', { body_text: [['Ana']] })]), 'INVALID_FORMAT', 'BODY: variable {{2}} has no example value (example.body_text); 2 variable(s), 1 example(s)'],
    ['body with an empty example', draft([body('Olá {{1}}, seu pedido {{2}} foi enviado e chega amanhã. Obrigado!', { body_text: [['Ana', ' ']] })]), 'INVALID_FORMAT', 'BODY: variable {{2}} has no example value'],
    ['header variable without example', draft([header('Pedido {{1}} enviado'), BODY]), 'INVALID_FORMAT', 'HEADER: variable {{1}} has no example value (example.header_text)'],
    ['named variable without example', draft([named('Olá {{first_name}}, seu pedido {{order_id}} foi enviado e chega amanhã.', [['first_name', 'Ana']])], { parameter_format: 'NAMED' }), 'INVALID_FORMAT', 'BODY: variable {{order_id}} has no example value (example.body_text_named_params)'],
    ['named example for an absent variable', draft([named('Olá {{first_name}}, seu pedido foi enviado e chega amanhã.', [['first_name', 'Ana'], ['coupon', 'X']])], { parameter_format: 'NAMED' }), 'INVALID_FORMAT', 'BODY: example.body_text_named_params gives an example for {{coupon}}, which is not in the text'],
    ['image header without a sample', draft([{ type: 'HEADER', format: 'IMAGE' }, BODY]), 'INVALID_FORMAT', 'HEADER: IMAGE headers need a sample media handle (example.header_handle)'],
    ['URL variable without a sample', draft([BODY, { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Rastrear', url: 'https://example.com/t/{{1}}' }] }]), 'INVALID_FORMAT', 'BUTTONS[0]: a URL button with a variable needs a sample URL suffix (example)'],
    ['copy code without a sample', draft([BODY, { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE' }] }], { category: 'MARKETING' }), 'INVALID_FORMAT', 'BUTTONS[0]: a COPY_CODE button needs a sample code (example)'],
    ['header with a new line', draft([header('Pedido\nenviado'), BODY]), 'INVALID_FORMAT', 'HEADER: header text cannot contain new lines'],
    ['header with an emoji', draft([header('Pedido enviado 🚚'), BODY]), 'INVALID_FORMAT', 'HEADER: header text cannot contain emojis (🚚)'],
    ['body with a tab', draft([body('Olá {{1}},\tseu pedido {{2}} foi enviado e chega amanhã. Obrigado!')]), 'INVALID_FORMAT', 'BODY: text cannot contain tab characters'],
    ['body with 5 spaces', draft([body('Olá {{1}},     seu pedido {{2}} foi enviado e chega amanhã. Obrigado!')]), 'INVALID_FORMAT', 'BODY: text cannot contain more than 4 consecutive spaces'],
    ['body with 4 new lines in a row', draft([body('Olá {{1}}, seu pedido {{2}} foi enviado.\n\n\n\nChega amanhã. Obrigado!')]), 'INVALID_FORMAT', 'BODY: text cannot contain more than 3 consecutive new lines'],
    ['footer with 5 spaces', draft([BODY, { type: 'FOOTER', text: 'Equipe     Conversa' }]), 'INVALID_FORMAT', 'FOOTER: text cannot contain more than 4 consecutive spaces'],
    ['authentication with its own text', auth([{ type: 'BODY', text: 'Seu código é {{1}}. Não compartilhe com ninguém.', example: { body_text: [['123456']] } }, OTP]), 'INVALID_FORMAT', 'BODY: AUTHENTICATION templates use Meta\'s fixed text'],
    ['authentication with a header', auth([{ type: 'HEADER', format: 'TEXT', text: 'Código' }, { type: 'BODY', add_security_recommendation: true }, OTP]), 'INVALID_FORMAT', 'HEADER: AUTHENTICATION templates cannot have a header'],
    ['authentication with footer text', auth([{ type: 'BODY' }, { type: 'FOOTER', text: 'Equipe Conversa' }, OTP]), 'INVALID_FORMAT', 'FOOTER: AUTHENTICATION templates cannot have footer text'],
    ['authentication with a URL button', auth([{ type: 'BODY' }, { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Entrar', url: 'https://example.com' }] }]), 'INVALID_FORMAT', 'BUTTONS[0]: AUTHENTICATION templates allow only an OTP button, found URL'],
    ['authentication without a button', auth([{ type: 'BODY', add_security_recommendation: true }]), 'INVALID_FORMAT', 'BUTTONS: AUTHENTICATION templates need exactly one OTP button'],
    ['OTP button in a marketing template', draft([BODY, OTP], { category: 'MARKETING' }), 'INCORRECT_CATEGORY', 'BUTTONS[0]: OTP buttons are only allowed in AUTHENTICATION templates (category is MARKETING)'],
  ])('%s', (_name, request, reason, details) => {
    const decision = review(request);
    expect(decision).toMatchObject({ status: 'REJECTED', reason });
    if (decision.status === 'REJECTED') expect(decision.details).toContain(details);
  });

  it.each<[string, string, string]>([
    ['dangling at the start', '{{1}}, seu pedido {{2}} foi enviado e chega amanhã. Obrigado!', 'BODY: a variable cannot be at the start or end of the text ({{1}} at position 0)'],
    ['dangling at the end', 'Olá {{1}}, o código do seu pedido enviado hoje é {{2}}!', 'BODY: a variable cannot be at the start or end of the text ({{2}} at position'],
    ['too many variables', 'Oi {{1}}, pedido {{2}} às {{3}} ok.', 'BODY: too many variables for the text length: 3 variable(s) need at least 7 words of fixed text, found 4'],
  ])('also rejects what creation catches when reviewing directly: %s', (_name, text, details) => {
    const template: CreateTemplateRequest = { name: 'order_update', language: 'pt_BR', category: 'UTILITY', components: [{ type: 'BODY', text, example: { body_text: [['a', 'b', 'c']] } }] };
    expect(reviewTemplate(template)).toEqual({ status: 'REJECTED', reason: 'INVALID_FORMAT', details: expect.stringContaining(details) as unknown });
  });
});

describe('reviewTemplate: approvals', () => {
  it.each<[string, Record<string, unknown>]>([
    ['accents and emoji in header, body and footer', draft([{ type: 'HEADER', format: 'TEXT', text: 'Atualização do pedido nº {{1}}', example: { header_text: ['A-1001'] } }, BODY, { type: 'FOOTER', text: 'Equipe Conversa ❤️ São Paulo' }])],
    ['named parameters with examples', draft([{ type: 'HEADER', format: 'TEXT', text: 'Pedido {{order_id}} enviado', example: { header_text_named_params: [{ param_name: 'order_id', example: 'A-1' }] } }, { type: 'BODY', text: 'Olá {{first_name}}, seu pedido {{order_id}} chega {{delivery_day}}. Obrigado pela preferência!', example: { body_text_named_params: [{ param_name: 'first_name', example: 'Ana' }, { param_name: 'order_id', example: 'A-1' }, { param_name: 'delivery_day', example: 'amanhã' }] } }], { parameter_format: 'NAMED' })],
    ['® and ™ in the header are not emoji', draft([{ type: 'HEADER', format: 'TEXT', text: 'Conversa® Entregas™' }, BODY])],
    ['positional variables out of order', draft([body('Olá {{2}}, seu pedido {{1}} foi enviado hoje e chega amanhã de manhã.')])],
    ['a variable used twice', draft([body('Olá {{1}}! Seu pedido foi enviado hoje, {{1}}, e chega amanhã de manhã.', { body_text: [['Ana']] })])],
    ['new lines and a hash before a variable', draft([body('Olá {{1}}!\n\nSeu pedido #{{2}} foi enviado.\nChega amanhã, obrigado pela preferência.')])],
    ['Japanese without spaces', { ...draft([body('こんにちは{{1}}様、ご注文{{2}}を発送しました。明日お届け予定です。ありがとうございます。')]), language: 'ja' }],
    ['4 spaces and 3 new lines', draft([body('Olá {{1}},    seu pedido {{2}} foi enviado.\n\n\nChega amanhã. Obrigado!')])],
    ['copy code in a marketing template', draft([BODY, { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', example: 'VERAO25' }, { type: 'URL', text: 'Loja', url: 'https://example.com/{{1}}', example: ['promo'] }] }], { category: 'MARKETING' })],
  ])('%s', (_name, request) => {
    expect(review(request)).toEqual({ status: 'APPROVED' });
  });
});
