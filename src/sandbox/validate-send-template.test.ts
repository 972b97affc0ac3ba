import { describe, expect, it } from 'vitest';
import { validateSendRequest } from './validate-send.js';

function template(content: unknown): Record<string, unknown> {
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to: '16315555555', type: 'template', template: content };
}

const long = (n: number): string => 'a'.repeat(n);
const named = (components: unknown[]): Record<string, unknown> => ({ name: 'order_update', language: { code: 'pt_BR' }, components });
const body = (...parameters: unknown[]): Record<string, unknown> => ({ type: 'body', parameters });
const header = (...parameters: unknown[]): Record<string, unknown> => ({ type: 'header', parameters });
const button = (fields: Record<string, unknown>, ...parameters: unknown[]): Record<string, unknown> => ({ type: 'button', sub_type: 'quick_reply', index: '0', parameters, ...fields });
const text = (value: unknown): Record<string, unknown> => ({ type: 'text', text: value });
const DATE_TIME = { calendar: 'GREGORIAN', day_of_month: 25, day_of_week: 5, fallback_value: 'February 25, 1977', hour: 15, minute: 33, month: 2, year: 1977 };
const CURRENCY = { amount_1000: 100990, code: 'USD', fallback_value: '$100.99' };

describe('validateSendRequest: templates accepted', () => {
  const valid: Array<{ name: string; content: unknown }> = [
    { name: 'hello_world without components (Meta example)', content: { name: 'hello_world', language: { code: 'en_US' } } },
    { name: 'deterministic language policy', content: { name: 'hello_world', language: { code: 'en_US', policy: 'deterministic' } } },
    {
      name: 'media header, text/currency/date_time body, quick replies (Meta example)',
      content: named([
        header({ type: 'image', image: { link: 'https://example.com/the-image.png' } }),
        body(text('text-string'), { type: 'currency', currency: CURRENCY }, { type: 'date_time', date_time: DATE_TIME }),
        button({ index: '0' }, { type: 'payload', payload: 'aGlzIHRoaXMgaXMgY29v' }),
        button({ index: '1' }, { type: 'payload', payload: '9rwnB8RbYmPF5t2Mn09x4h' }),
      ]),
    },
    { name: 'accents and emoji in a text parameter', content: named([body(text('Olá 👋, João!'))]) },
    { name: 'named parameters', content: named([body({ type: 'text', parameter_name: 'first_name', text: 'Zoë' }, { type: 'text', parameter_name: 'order_2', text: '#123' })]) },
    { name: 'a 60-character header text parameter', content: named([header(text(long(60)))]) },
    { name: 'a 32768-character body parameter (the matcher applies 1024 when needed)', content: named([body(text(long(32768)))]) },
    { name: 'a document header with filename', content: named([header({ type: 'document', document: { id: '42', filename: 'boleto.pdf' } })]) },
    { name: 'a location header', content: named([header({ type: 'location', location: { latitude: -23.55, longitude: -46.63, name: 'Loja', address: 'Av. Paulista' } })]) },
    { name: 'a catalog button with an integer index and upper-case sub_type (Meta example)', content: named([button({ sub_type: 'CATALOG', index: 0 }, { type: 'action', action: { thumbnail_product_retailer_id: '2lc20305pt' } })]) },
    { name: 'a flow button (Meta example)', content: named([button({ sub_type: 'flow', index: '0' }, { type: 'action', action: { flow_token: 'T', flow_action_data: { k: 'v' } } })]) },
    { name: 'a url button suffix', content: named([button({ sub_type: 'url', index: '1' }, text('pedido/123'))]) },
    { name: 'a copy code button', content: named([button({ sub_type: 'copy_code', index: '2' }, { type: 'coupon_code', coupon_code: 'VERAO25' })]) },
    { name: 'authentication: body code and url button with the same code', content: named([body(text('123456')), button({ sub_type: 'url', index: '0' }, text('123456'))]) },
    { name: 'a footer component without parameters', content: named([{ type: 'footer' }]) },
    { name: 'index 9 as a string', content: named([button({ index: '9' }, { type: 'payload', payload: 'p' })]) },
  ];

  it.each(valid)('$name', ({ content }) => {
    const request = template(content);
    expect(validateSendRequest(request)).toEqual({ ok: true, kind: 'send', message: request, type: 'template' });
  });
});

interface FailureCase {
  name: string;
  content: unknown;
  code: number;
  details: string;
}

describe('validateSendRequest: template failures', () => {
  it.each<FailureCase>([
    { name: 'template not an object', content: 'hello_world', code: 100, details: 'Param template must be an object.' },
    { name: 'missing name', content: { language: { code: 'en_US' } }, code: 131008, details: `Param template['name'] is required.` },
    { name: 'name of 513 characters', content: { name: long(513), language: { code: 'en_US' } }, code: 131009, details: `Param template['name'] must be at most 512 characters long.` },
    { name: 'missing language', content: { name: 'hello_world' }, code: 131008, details: `Param template['language'] is required.` },
    { name: 'language as a string', content: { name: 'hello_world', language: 'en_US' }, code: 100, details: `Param template['language'] must be an object.` },
    { name: 'missing language code', content: { name: 'hello_world', language: { policy: 'deterministic' } }, code: 131008, details: `Param template['language']['code'] is required.` },
    { name: 'unknown language policy', content: { name: 'hello_world', language: { code: 'en_US', policy: 'fallback' } }, code: 131009, details: `Param template['language']['policy'] must be "deterministic".` },
    { name: 'components not an array', content: named(body() as unknown as unknown[]), code: 100, details: `Param template['components'] must be an array.` },
    { name: 'a component without type', content: named([{ parameters: [] }]), code: 131008, details: `Param template['components'][0]['type'] is required.` },
    { name: 'a component of unknown type', content: named([{ type: 'BODY_TEXT' }]), code: 131009, details: `Param template['components'][0]['type'] must be one of "header", "body", "button", "footer".` },
    { name: 'a button without sub_type', content: named([{ type: 'button', index: '0', parameters: [] }]), code: 131008, details: `Param template['components'][0]['sub_type'] is required.` },
    { name: 'a button of unknown sub_type', content: named([button({ sub_type: 'phone_number' })]), code: 131009, details: `Param template['components'][0]['sub_type'] must be one of "quick_reply", "url", "copy_code", "flow", "catalog", "mpm", "voice_call", "otp".` },
    { name: 'a button without index', content: named([button({ index: undefined })]), code: 131008, details: `Param template['components'][0]['index'] is required.` },
    { name: 'a button index of 10', content: named([button({ index: '10' })]), code: 131009, details: `Param template['components'][0]['index'] must be a button position from 0 to 9, as a string or an integer.` },
    { name: 'a button index that is not a number', content: named([button({ index: 'first' })]), code: 131009, details: `Param template['components'][0]['index'] must be a button position from 0 to 9, as a string or an integer.` },
    { name: 'sub_type on a body component', content: named([{ type: 'body', sub_type: 'url', parameters: [] }]), code: 100, details: `Unexpected key "sub_type" on param "template['components'][0]".` },
    { name: 'parameters not an array', content: named([{ type: 'body', parameters: text('x') }]), code: 100, details: `Param template['components'][0]['parameters'] must be an array.` },
    { name: 'a parameter without type', content: named([body({ text: 'x' })]), code: 131008, details: `Param template['components'][0]['parameters'][0]['type'] is required.` },
    { name: 'a parameter type the component does not take', content: named([body({ type: 'image', image: { id: '1' } })]), code: 131009, details: `Param template['components'][0]['parameters'][0]['type'] must be one of "text", "currency", "date_time".` },
    { name: 'a text parameter without text', content: named([body(text('x'), { type: 'text' })]), code: 131008, details: `Param template['components'][0]['parameters'][1]['text'] is required.` },
    {
      // Meta's "Send Sample Issue Resolution Template" example sends `text: true`; Graph wants a string.
      name: 'a boolean text parameter',
      content: named([button({ index: 0 }, text(true))]),
      code: 100,
      details: `Param template['components'][0]['parameters'][0]['text'] must be a string.`,
    },
    { name: 'a header text parameter of 61 characters', content: named([header(text(long(61)))]), code: 131009, details: `Param template['components'][0]['parameters'][0]['text'] must be at most 60 characters long.` },
    { name: 'a body text parameter of 32769 characters', content: named([body(text(long(32769)))]), code: 131009, details: `Param template['components'][0]['parameters'][0]['text'] must be at most 32768 characters long.` },
    { name: 'a button text parameter of 1025 characters', content: named([button({ sub_type: 'url' }, text(long(1025)))]), code: 131009, details: `Param template['components'][0]['parameters'][0]['text'] must be at most 1024 characters long.` },
    { name: 'a field that does not match the type', content: named([body({ type: 'text', currency: CURRENCY })]), code: 100, details: `Unexpected key "currency" on param "template['components'][0]['parameters'][0]".` },
    { name: 'a bad parameter_name', content: named([body({ type: 'text', parameter_name: 'First Name', text: 'x' })]), code: 131009, details: `Param template['components'][0]['parameters'][0]['parameter_name'] must contain only lowercase letters, digits and underscores.` },
    { name: 'currency without amount_1000', content: named([body({ type: 'currency', currency: { code: 'USD', fallback_value: '$1' } })]), code: 131008, details: `Param template['components'][0]['parameters'][0]['currency']['amount_1000'] is required.` },
    { name: 'currency with a fractional amount_1000', content: named([body({ type: 'currency', currency: { ...CURRENCY, amount_1000: 10.5 } })]), code: 131009, details: `Param template['components'][0]['parameters'][0]['currency']['amount_1000'] must be an integer.` },
    { name: 'currency with a lower-case code', content: named([body({ type: 'currency', currency: { ...CURRENCY, code: 'usd' } })]), code: 131009, details: `Param template['components'][0]['parameters'][0]['currency']['code'] must be an ISO 4217 currency code such as "USD".` },
    { name: 'date_time without fallback_value', content: named([body({ type: 'date_time', date_time: { year: 1977 } })]), code: 131008, details: `Param template['components'][0]['parameters'][0]['date_time']['fallback_value'] is required.` },
    { name: 'an image parameter with both id and link', content: named([header({ type: 'image', image: { id: '1', link: 'https://x.io/a.png' } })]), code: 100, details: `Param template['components'][0]['parameters'][0]['image'] must have either id or link, not both.` },
    { name: 'a video parameter with neither id nor link', content: named([header({ type: 'video', video: {} })]), code: 131008, details: `Param template['components'][0]['parameters'][0]['video'] requires one of id or link.` },
    { name: 'a location parameter out of range', content: named([header({ type: 'location', location: { latitude: 91, longitude: 0 } })]), code: 131009, details: `Param template['components'][0]['parameters'][0]['location']['latitude'] must be between -90 and 90.` },
    { name: 'a payload that is not a string', content: named([button({}, { type: 'payload', payload: 1 })]), code: 100, details: `Param template['components'][0]['parameters'][0]['payload'] must be a string.` },
    { name: 'a coupon code of 16 characters', content: named([button({ sub_type: 'copy_code' }, { type: 'coupon_code', coupon_code: long(16) })]), code: 131009, details: `Param template['components'][0]['parameters'][0]['coupon_code'] must be at most 15 characters long.` },
    { name: 'an action that is not an object', content: named([button({ sub_type: 'flow' }, { type: 'action', action: 'open' })]), code: 100, details: `Param template['components'][0]['parameters'][0]['action'] must be an object.` },
    { name: 'a footer with parameters', content: named([{ type: 'footer', parameters: [text('x')] }]), code: 131009, details: `Param template['components'][0]['parameters'] must be empty: footer components take no parameters.` },
    { name: 'an unknown key on template', content: { name: 'hello_world', language: { code: 'en_US' }, namespace: 'abc' }, code: 100, details: `Unexpected key "namespace" on param "template".` },
  ])('rejects $name', ({ content, code, details }) => {
    const result = validateSendRequest(template(content));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect({ code: result.failure.code, details: result.failure.details }).toEqual({ code, details });
  });
});
