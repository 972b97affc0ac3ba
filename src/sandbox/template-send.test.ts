import { describe, expect, it } from 'vitest';
import type { TemplateParameter, TemplateRecord, TemplateSendComponent, TemplateSendObject, TemplateStatus } from '../whatsapp/wire.js';
import { META_TEMPLATE_EXAMPLES } from './template-fixtures.js';
import { reviewTemplate, validateTemplateCreate } from './template-review.js';
import { checkTemplateSend, templateStatusFailure, type TemplateSendCheck } from './template-send.js';

/** A stored, approved template made the way the sandbox makes one: validated, then reviewed. */
function approved(request: Record<string, unknown>): TemplateRecord {
  const validation = validateTemplateCreate(request);
  if (!validation.ok) throw new Error(validation.failure.details);
  const decision = reviewTemplate(validation.template);
  if (decision.status !== 'APPROVED') throw new Error(decision.details);
  return { id: '1066', status: 'APPROVED', ...validation.template };
}

function metaExample(name: string): TemplateRecord {
  const example = META_TEMPLATE_EXAMPLES.find((e) => e.request.name === name);
  if (example === undefined) throw new Error(`no example ${name}`);
  return approved(example.request);
}

function send(template: TemplateRecord, components?: TemplateSendComponent[]): TemplateSendCheck {
  return checkTemplateSend(template, { name: template.name, language: { code: template.language }, ...(components ? { components } : {}) });
}

const text = (value: string, parameter_name?: string): TemplateParameter => ({ type: 'text', text: value, ...(parameter_name ? { parameter_name } : {}) });
const bodyOf = (...parameters: TemplateParameter[]): TemplateSendComponent => ({ type: 'body', parameters });
const headerOf = (...parameters: TemplateParameter[]): TemplateSendComponent => ({ type: 'header', parameters });
const buttonOf = (sub_type: string, index: string | number, ...parameters: TemplateParameter[]): TemplateSendComponent => ({ type: 'button', sub_type, index, parameters });

const helloWorld = metaExample('hello_world');
const seasonal = metaExample('seasonal_promotion_text_only');
const tuscan = metaExample('limited_time_offer_tuscan_getaway_2023');
const orderConfirmation = metaExample('order_confirmation');
const delivery = metaExample('order_delivery_update');
const otpCopy = metaExample('authentication_code_copy_code_button');
const otpOneTap = metaExample('authentication_code_autofill_button');
const flowById = metaExample('flow_offer_by_id');

/** A template with no header, footer or buttons: text parameters may be 32768 long. */
const bodyOnly = approved({ name: 'nota', language: 'pt_BR', category: 'UTILITY', components: [{ type: 'BODY', text: 'Olá, sua nota fiscal: {{1}} Obrigado pela compra!', example: { body_text: [['NF 123']] } }] });

/** Named parameters, accents, and a copy-code + URL button pair. */
const named = approved({
  name: 'pedido_enviado',
  language: 'pt_BR',
  category: 'MARKETING',
  parameter_format: 'NAMED',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Pedido {{order_id}} a caminho', example: { header_text_named_params: [{ param_name: 'order_id', example: 'A-1' }] } },
    { type: 'BODY', text: 'Olá {{first_name}}, seu pedido {{order_id}} chega {{delivery_day}}. Obrigado pela preferência!', example: { body_text_named_params: [{ param_name: 'first_name', example: 'Ana' }, { param_name: 'order_id', example: 'A-1' }, { param_name: 'delivery_day', example: 'amanhã' }] } },
    { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', example: 'VERAO25' }, { type: 'URL', text: 'Rastrear', url: 'https://example.com/rastreio/{{1}}', example: ['A-1'] }] },
  ],
});
const namedBody = bodyOf(text('Zoë 😀', 'first_name'), text('A-1001', 'order_id'), text('amanhã às 10h', 'delivery_day'));
const namedButtons = [buttonOf('copy_code', 0, { type: 'coupon_code', coupon_code: 'VERAO25' }), buttonOf('url', '1', text('A-1001'))];

describe('checkTemplateSend: renders what the recipient sees', () => {
  it("hello_world without components (Meta's 'Send Test Message' example)", () => {
    expect(checkTemplateSend(helloWorld, { name: 'hello_world', language: { code: 'en_US' } })).toEqual({
      ok: true,
      rendered: {
        header: { format: 'TEXT', text: 'Hello World' },
        body: expect.stringMatching(/^Welcome and congratulations!! .*Cloud API\. Thank you for taking the time to test with us\.$/) as unknown,
        footer: 'WhatsApp Business API Team',
        buttons: [],
      },
    });
  });

  it('positional header and body, quick replies answering with their label', () => {
    const result = send(seasonal, [headerOf(text('Black Friday')), bodyOf(text('30 de novembro'), text('BF30'), text('30%'))]);
    expect(result).toEqual({
      ok: true,
      rendered: {
        header: { format: 'TEXT', text: 'Our Black Friday is on!' },
        body: 'Shop now through 30 de novembro and use code BF30 to get 30% off of all merchandise.',
        footer: 'Use the buttons below to manage your marketing subscriptions',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Unsubcribe from Promos', payload: 'Unsubcribe from Promos' },
          { type: 'QUICK_REPLY', text: 'Unsubscribe from All', payload: 'Unsubscribe from All' },
        ],
      },
    });
  });

  it('named parameters in any order, with accents and emoji, plus copy-code and URL buttons', () => {
    const reordered = bodyOf(text('amanhã às 10h', 'delivery_day'), text('Zoë 😀', 'first_name'), text('A-1001', 'order_id'));
    expect(send(named, [headerOf(text('A-1001', 'order_id')), reordered, ...namedButtons])).toEqual({
      ok: true,
      rendered: {
        header: { format: 'TEXT', text: 'Pedido A-1001 a caminho' },
        body: 'Olá Zoë 😀, seu pedido A-1001 chega amanhã às 10h. Obrigado pela preferência!',
        buttons: [
          { type: 'COPY_CODE', text: 'Copy offer code', coupon_code: 'VERAO25' },
          { type: 'URL', text: 'Rastrear', url: 'https://example.com/rastreio/A-1001' },
        ],
      },
    });
  });

  it('image header by link and a URL button suffix', () => {
    const result = send(tuscan, [headerOf({ type: 'image', image: { link: 'https://example.com/tuscany.jpg' } }), bodyOf(text('Mark'), text('Tuscan Getaway package'), text('$800')), buttonOf('url', '1', text('summer2023'))]);
    expect(result).toMatchObject({
      ok: true,
      rendered: {
        header: { format: 'IMAGE', media: { link: 'https://example.com/tuscany.jpg' } },
        body: 'Hi Mark! For a limited time only you can get our Tuscan Getaway package for as low as $800. Tap the Offer Details button for more information.',
        footer: 'Offer valid until May 31, 2023',
        buttons: [{ type: 'PHONE_NUMBER', text: 'Call' }, { type: 'URL', text: 'Shop Now', url: 'https://damp-sea-63235.herokuapp.com/shop?promo=summer2023' }],
      },
    });
  });

  it('document header by id, and currency and date_time rendered as their fallback_value', () => {
    const currency: TemplateParameter = { type: 'currency', currency: { fallback_value: '$100.99', code: 'USD', amount_1000: 100990 } };
    const dateTime: TemplateParameter = { type: 'date_time', date_time: { fallback_value: 'February 25, 1977' } };
    const result = send(orderConfirmation, [headerOf({ type: 'document', document: { id: '4490709327384033', filename: 'recibo.pdf' } }), bodyOf(currency, dateTime)]);
    expect(result).toMatchObject({
      ok: true,
      rendered: {
        header: { format: 'DOCUMENT', media: { id: '4490709327384033', filename: 'recibo.pdf' } },
        body: expect.stringMatching(/^Thank you for your order, \$100\.99! Your order number is February 25, 1977\. /) as unknown,
        buttons: [{ type: 'PHONE_NUMBER', text: 'Call' }, { type: 'URL', text: 'Contact Support', url: 'https://www.examplesite.com/support' }],
      },
    });
  });

  it('location header', () => {
    const location: TemplateParameter = { type: 'location', location: { latitude: -23.5613, longitude: -46.6565, name: 'Loja Paulista', address: 'Av. Paulista, 1000' } };
    expect(send(delivery, [headerOf(location), bodyOf(text('José'), text('566701'))])).toMatchObject({
      ok: true,
      rendered: { header: { format: 'LOCATION', location: { latitude: -23.5613, longitude: -46.6565, name: 'Loja Paulista' } }, body: 'Good news José! Your order #566701 is on its way to the location above. Thank you for your order!' },
    });
  });

  it.each([
    ['copy code', otpCopy],
    ['one-tap autofill', otpOneTap],
  ])('authentication template (%s): Meta’s fixed text, expiry footer, the code on the button', (_name, template) => {
    expect(send(template, [bodyOf(text('482913')), buttonOf('url', '0', text('482913'))])).toEqual({
      ok: true,
      rendered: {
        body: '482913 is your verification code. For your security, do not share this code.',
        footer: 'This code expires in 10 minutes.',
        buttons: [{ type: 'OTP', text: 'Copy Code', coupon_code: '482913' }],
      },
    });
  });

  it("Meta's flow template send example (index '0', sub_type flow, an action parameter)", () => {
    const action: TemplateParameter = { type: 'action', action: { flow_token: '<FLOW_TOKEN>', flow_action_data: { '<CUSTOM_KEY>': '<CUSTOM_VALUE>' } } };
    expect(send(flowById, [buttonOf('flow', '0', action)])).toMatchObject({ ok: true, rendered: { body: 'Check out this new offer', buttons: [{ type: 'FLOW', text: 'Check out this offer!' }] } });
  });

  it("Meta's 'Send Sample Issue Resolution Template' example: quick-reply payloads sent as text", () => {
    const template = approved({ name: 'sample_issue_resolution', language: 'en_US', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hi {{1}}, were we able to solve the issue that you were facing?', example: { body_text: [['John']] } }, { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Yes' }, { type: 'QUICK_REPLY', text: 'No' }] }] });
    // Verbatim from the spec, including its boolean `text` values.
    const example = JSON.parse('{"components":[{"parameters":[{"text":"*Mr. Jones*","type":"text"}],"type":"body"},{"index":0,"parameters":[{"text":true,"type":"text"}],"sub_type":"quick_reply","type":"button"},{"index":1,"parameters":[{"text":false,"type":"text"}],"sub_type":"quick_reply","type":"button"}],"language":{"code":"en_US","policy":"deterministic"},"name":"sample_issue_resolution"}') as TemplateSendObject;
    expect(checkTemplateSend(template, example)).toMatchObject({
      ok: true,
      rendered: { body: 'Hi *Mr. Jones*, were we able to solve the issue that you were facing?', buttons: [{ text: 'Yes', payload: 'true' }, { text: 'No', payload: 'false' }] },
    });
  });

  it("Meta's 'Send Catalog Template Message' example: upper-case sub_type CATALOG, numeric index", () => {
    const template = approved({ name: 'intro_catalog_offer', language: 'en_US', category: 'MARKETING', components: [{ type: 'BODY', text: 'Now shop for your favourite products right here on WhatsApp! Get Rs {{1}} off on all orders above {{2}}Rs! Valid for your first {{3}} orders placed on WhatsApp!', example: { body_text: [['100', '400', '3']] } }, { type: 'BUTTONS', buttons: [{ type: 'CATALOG', text: 'View catalog' }] }] });
    const result = send(template, [bodyOf(text('100'), text('400'), text('3')), { type: 'button', sub_type: 'CATALOG', index: 0, parameters: [{ type: 'action', action: { thumbnail_product_retailer_id: '2lc20305pt' } }] }]);
    expect(result).toMatchObject({ ok: true, rendered: { body: expect.stringContaining('Get Rs 100 off on all orders above 400Rs!') as unknown, buttons: [{ type: 'CATALOG', text: 'View catalog' }] } });
  });

  it('counts characters, not UTF-16 units: a 60-emoji header parameter fits', () => {
    const template = approved({ name: 'aviso', language: 'pt_BR', category: 'UTILITY', components: [{ type: 'HEADER', format: 'TEXT', text: '{{1}}', example: { header_text: ['Oi'] } }, { type: 'BODY', text: 'Seu pedido foi enviado hoje.' }] });
    expect(send(template, [headerOf(text('🎉'.repeat(60)))])).toMatchObject({ ok: true, rendered: { header: { text: '🎉'.repeat(60) } } });
  });

  it('a body-only template takes parameters up to 32768 characters', () => {
    expect(send(bodyOnly, [bodyOf(text('x'.repeat(5000)))]).ok).toBe(true);
  });
});

describe('checkTemplateSend: Meta errors', () => {
  const long = (n: number) => 'á'.repeat(n);
  const seasonalHeader = headerOf(text('Black Friday'));
  const seasonalBody = bodyOf(text('30 de novembro'), text('BF30'), text('30%'));
  const tuscanBody = bodyOf(text('Mark'), text('Tuscan'), text('$800'));
  const tuscanImage = headerOf({ type: 'image', image: { id: '1234' } });
  const copyCode = (...p: TemplateParameter[]) => [headerOf(text('A-1', 'order_id')), namedBody, buttonOf('copy_code', 0, ...p), buttonOf('url', '1', text('A-1'))];
  const longBodyTemplate = approved({ name: 'longo', language: 'pt_BR', category: 'UTILITY', components: [{ type: 'BODY', text: `Olá {{1}}, ${'informação importante sobre a sua conta. '.repeat(24)}Obrigado!`, example: { body_text: [['Ana']] } }, { type: 'FOOTER', text: 'Equipe' }] });

  it.each<[string, TemplateRecord, TemplateSendComponent[] | undefined, number, string]>([
    ['body params missing', seasonal, [seasonalHeader], 132000, 'body: number of localizable_params (0) does not match the expected number of params (3)'],
    ['body params too many', seasonal, [seasonalHeader, bodyOf(text('a'), text('b'), text('c'), text('d'))], 132000, 'body: number of localizable_params (4) does not match the expected number of params (3)'],
    ['params to a template without variables', helloWorld, [bodyOf(text('extra'))], 132000, 'body: number of localizable_params (1) does not match the expected number of params (0)'],
    ['header param missing', seasonal, [seasonalBody], 132000, 'header: number of localizable_params (0) does not match the expected number of params (1)'],
    ['header params with no header', bodyOnly, [headerOf(text('x')), bodyOf(text('y'))], 132000, 'header: number of localizable_params (1) does not match the expected number of params (0)'],
    ['footer params', helloWorld, [{ type: 'footer', parameters: [text('x')] }], 132000, 'footer: number of localizable_params (1)'],
    ['image header not sent', tuscan, [tuscanBody], 132012, 'header: Format mismatch, expected IMAGE, received UNKNOWN'],
    ['text sent for an image header', tuscan, [headerOf(text('x')), tuscanBody], 132012, 'header: Format mismatch, expected IMAGE, received TEXT'],
    ['video sent for a document header', orderConfirmation, [headerOf({ type: 'video', video: { id: '1' } }), bodyOf(text('a'), text('b'))], 132012, 'header: Format mismatch, expected DOCUMENT, received VIDEO'],
    ['location header not sent', delivery, [bodyOf(text('a'), text('b'))], 132012, 'header: Format mismatch, expected LOCATION, received UNKNOWN'],
    ['image without id or link', tuscan, [headerOf({ type: 'image', image: {} }), tuscanBody], 131008, 'header: image needs an id or a link'],
    ['location without latitude', delivery, [headerOf({ type: 'location', location: { longitude: 1 } as never }), bodyOf(text('a'), text('b'))], 131008, 'header: location needs latitude and longitude'],
    ['image in the body', seasonal, [seasonalHeader, bodyOf(text('a'), { type: 'image', image: { id: '1' } }, text('c'))], 132012, 'body: param {{2}}: Format mismatch, expected TEXT or CURRENCY or DATE_TIME, received IMAGE'],
    ['text missing', seasonal, [seasonalHeader, bodyOf(text('a'), { type: 'text' }, text('c'))], 131008, 'body: param {{2}}: text is required'],
    ['currency without fallback', seasonal, [seasonalHeader, bodyOf(text('a'), { type: 'currency', currency: { code: 'BRL', amount_1000: 1000 } as never }, text('c'))], 131008, 'body: param {{2}}: currency.fallback_value is required'],
    ['new line in a body param', seasonal, [seasonalHeader, bodyOf(text('a'), text('linha 1\nlinha 2'), text('c'))], 132018, 'body: param {{2}}: Param text cannot have new-line/tab characters or more than 4 consecutive spaces (found a new-line character)'],
    ['tab in a header param', seasonal, [headerOf(text('Black\tFriday')), seasonalBody], 132018, 'header: param {{1}}: Param text cannot have new-line/tab characters'],
    ['5 spaces in a param', seasonal, [seasonalHeader, bodyOf(text('a     b'), text('b'), text('c'))], 132018, '(found more than 4 consecutive spaces)'],
    ['new line in a URL suffix', tuscan, [tuscanImage, tuscanBody, buttonOf('url', 1, text('a\nb'))], 132018, 'button at index 1: param {{1}}: Param text cannot have new-line'],
    ['body param over 1024 when the template has more than a body', seasonal, [seasonalHeader, bodyOf(text(long(1025)), text('b'), text('c'))], 131009, 'body: param {{1}}: is 1025 characters, more than the 1024 allowed'],
    ['body param over 32768 in a body-only template', bodyOnly, [bodyOf(text('x'.repeat(32769)))], 131009, 'body: param {{1}}: is 32769 characters, more than the 32768 allowed'],
    ['header param over 60', seasonal, [headerOf(text(long(61))), seasonalBody], 131009, 'header: param {{1}}: is 61 characters, more than the 60 allowed'],
    ['header over 60 once filled in', seasonal, [headerOf(text(long(50))), seasonalBody], 132005, 'header: text is 61 characters once parameters are filled in, more than the 60 allowed'],
    ['body over 1024 once filled in', longBodyTemplate, [bodyOf(text(long(100)))], 132005, 'body: text is 1099 characters once parameters are filled in, more than the 1024 allowed'],
    ['named param without parameter_name', named, [headerOf(text('A-1', 'order_id')), bodyOf(text('Zoë', 'first_name'), text('A-1'), text('amanhã', 'delivery_day')), ...namedButtons], 131008, 'body: parameter 2 has no parameter_name; this template uses named parameters (first_name, order_id, delivery_day)'],
    ['named param unknown', named, [headerOf(text('A-1', 'order_id')), bodyOf(text('Zoë', 'first_name'), text('A-1', 'order'), text('amanhã', 'delivery_day')), ...namedButtons], 132000, 'body: parameter_name "order" does not match any parameter of the template (expected first_name, order_id, delivery_day)'],
    ['named param twice', named, [headerOf(text('A-1', 'order_id')), bodyOf(text('Zoë', 'first_name'), text('Zoë', 'first_name'), text('amanhã', 'delivery_day')), ...namedButtons], 132000, 'body: parameter_name "first_name" is given more than once'],
    ['named header param missing its name', named, [headerOf(text('A-1')), namedBody, ...namedButtons], 131008, 'header: parameter 1 has no parameter_name'],
    ['URL button param missing', tuscan, [tuscanImage, tuscanBody], 132000, 'button at index 1: number of localizable_params (0) does not match the expected number of params (1)'],
    ['static URL button given a param', orderConfirmation, [headerOf({ type: 'document', document: { id: '1' } }), bodyOf(text('a'), text('b')), buttonOf('url', 1, text('x'))], 132000, 'button at index 1: number of localizable_params (1) does not match the expected number of params (0)'],
    ['sub_type differs from the button', tuscan, [tuscanImage, tuscanBody, buttonOf('quick_reply', '1', { type: 'payload', payload: 'x' })], 132012, 'button at index 1: Format mismatch, expected url, received quick_reply'],
    ['params for a phone button', tuscan, [tuscanImage, tuscanBody, buttonOf('url', '0', text('x')), buttonOf('url', '1', text('y'))], 132012, 'button at index 0: Format mismatch, PHONE_NUMBER buttons take no parameters'],
    ['button index the template lacks', tuscan, [tuscanImage, tuscanBody, buttonOf('url', '1', text('y')), buttonOf('quick_reply', '5')], 131009, 'button at index 5: the template has no button at this index (it has 2)'],
    ['button index not a digit', seasonal, [seasonalHeader, seasonalBody, buttonOf('quick_reply', 'first')], 131009, 'components[2].index: must be a button position from 0 to 9'],
    ['the same button twice', seasonal, [seasonalHeader, seasonalBody, buttonOf('quick_reply', 0), buttonOf('quick_reply', '0')], 131009, 'components[3]: more than one button component for index 0'],
    ['two body components', seasonal, [seasonalHeader, seasonalBody, seasonalBody], 131009, 'components[2]: more than one body component'],
    ['copy code not sent', named, [headerOf(text('A-1', 'order_id')), namedBody, buttonOf('url', '1', text('A-1'))], 132000, 'button at index 0: number of localizable_params (0) does not match the expected number of params (1)'],
    ['copy code as text', named, copyCode(text('VERAO25')), 132012, 'button at index 0: Format mismatch, expected COUPON_CODE, received TEXT'],
    ['copy code empty', named, copyCode({ type: 'coupon_code', coupon_code: '' }), 131008, 'button at index 0: coupon_code is required'],
    ['copy code over 15', named, copyCode({ type: 'coupon_code', coupon_code: 'PROMOCAO-DE-VERAO' }), 131009, 'button at index 0: coupon_code: is 17 characters, more than the 15 allowed'],
    ['OTP code missing from the body', otpCopy, [buttonOf('url', '0', text('482913'))], 132000, 'body: number of localizable_params (0) does not match the expected number of params (1)'],
    ['OTP button code missing', otpCopy, [bodyOf(text('482913'))], 132000, 'button at index 0: number of localizable_params (0) does not match the expected number of params (1)'],
    ['OTP code over 15', otpCopy, [bodyOf(text('1234567890123456')), buttonOf('url', '0', text('1'))], 131009, 'body: param {{1}}: is 16 characters, more than the 15 allowed'],
    ['OTP button sent as copy_code', otpCopy, [bodyOf(text('482913')), buttonOf('copy_code', '0', { type: 'coupon_code', coupon_code: '482913' })], 132012, 'button at index 0: Format mismatch, expected url, received copy_code'],
  ])('%s', (_name, template, components, code, details) => {
    const result = send(template, components);
    expect(result).toMatchObject({ ok: false, failure: { code } });
    if (!result.ok) expect(result.failure.details).toContain(details);
  });

  it('allows exactly 4 consecutive spaces in a parameter', () => {
    expect(send(seasonal, [seasonalHeader, bodyOf(text('a    b'), text('b'), text('c'))]).ok).toBe(true);
  });
});

describe('templateStatusFailure', () => {
  it.each<[TemplateStatus, number | undefined]>([
    ['APPROVED', undefined],
    ['FLAGGED', undefined],
    ['PAUSED', 132015],
    ['DISABLED', 132016],
    ['PENDING', 132001],
    ['REJECTED', 132001],
    ['IN_APPEAL', 132001],
    ['ARCHIVED', 132001],
    ['PENDING_DELETION', 132001],
  ])('%s → %s', (status, code) => {
    const failure = templateStatusFailure({ ...helloWorld, status });
    expect(failure?.code).toBe(code);
    if (failure !== undefined) expect(failure.details).toContain('hello_world');
  });

  it('names the template and language the way Meta does for an unapproved one', () => {
    expect(templateStatusFailure({ ...helloWorld, status: 'PENDING' })?.details).toMatch(/^template name \(hello_world\) does not exist in en_US/);
  });
});
