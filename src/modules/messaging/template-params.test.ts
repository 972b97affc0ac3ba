import { describe, expect, it } from 'vitest';
import type { TemplateParameter, TemplateSendComponent } from '../../whatsapp/wire.js';
import { checkTemplateParameters, templateVariables, type LocalTemplate } from './template-params.js';

function template(components: LocalTemplate['components'], overrides: Partial<LocalTemplate> = {}): LocalTemplate {
  return { name: 't', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components, ...overrides };
}

const text = (value: string, name?: string): TemplateParameter => ({ type: 'text', text: value, ...(name ? { parameter_name: name } : {}) });
const body = (...parameters: TemplateParameter[]): TemplateSendComponent => ({ type: 'body', parameters });
const header = (...parameters: TemplateParameter[]): TemplateSendComponent => ({ type: 'header', parameters });
const button = (index: string, sub_type: string, ...parameters: TemplateParameter[]): TemplateSendComponent => ({ type: 'button', sub_type, index, parameters });
const check = (t: LocalTemplate, components: TemplateSendComponent[]) => checkTemplateParameters(t, { name: t.name, language: { code: t.language }, components });

const positional = template([
  { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
  { type: 'BODY', text: 'Hi {{1}}, order {{2}} ships {{3}}. Thanks, {{1}}!' },
  { type: 'FOOTER', text: 'Reply STOP to opt out' },
  { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track', url: 'https://shop.example/track/{{1}}' }, { type: 'QUICK_REPLY', text: 'Help' }, { type: 'COPY_CODE', example: 'SAVE10' }] },
]);
const positionalOk: TemplateSendComponent[] = [
  header(text('#42')),
  body(text('Ana'), text('#42'), { type: 'date_time', date_time: { fallback_value: 'tomorrow' } }),
  button('0', 'url', text('42')),
  button('2', 'copy_code', { type: 'coupon_code', coupon_code: 'SAVE10' }),
];
const named = template([{ type: 'BODY', text: 'Hi {{first_name}}, your code is {{code}}' }], { parameter_format: 'NAMED' });
const imageHeader = template([{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: 'New arrivals' }]);
const auth = template([{ type: 'BODY', add_security_recommendation: true }, { type: 'BUTTONS', buttons: [{ type: 'OTP', otp_type: 'COPY_CODE', text: 'Copy code' }] }], { category: 'AUTHENTICATION' });
const authOk = [body(text('123456')), button('0', 'url', text('123456'))];

describe('templateVariables', () => {
  it.each([
    ['Hi {{1}}, order {{2}} for {{1}}', ['1', '2']],
    ['Hi {{first_name}}', ['first_name']],
    ['No variables', []],
    [undefined, []],
  ])('%s → %j', (input, expected) => expect(templateVariables(input)).toEqual(expected));
});

describe('checkTemplateParameters accepts', () => {
  it.each([
    ['positional header, body, url and copy-code buttons', positional, positionalOk],
    ['a quick reply payload', positional, [...positionalOk, button('1', 'quick_reply', { type: 'payload', payload: 'HELP' })]],
    ['named parameters in any order', named, [body(text('SAVE10', 'code'), text('Ana', 'first_name'))]],
    ['an image header by id', imageHeader, [header({ type: 'image', image: { id: '123' } })]],
    ['an image header by link', imageHeader, [header({ type: 'image', image: { link: 'https://x.example/a.jpg' } })]],
    ['an authentication code with its url button', auth, authOk],
    ['a body-only template with no variables', template([{ type: 'BODY', text: 'Hello' }]), []],
    ['a currency parameter', template([{ type: 'BODY', text: 'Total {{1}}' }]), [body({ type: 'currency', currency: { fallback_value: '$10', code: 'USD', amount_1000: 10000 } })]],
    ['button index as a number', positional, [positionalOk[0]!, positionalOk[1]!, { type: 'button', sub_type: 'url', index: 0, parameters: [text('42')] }, positionalOk[3]!] as TemplateSendComponent[]],
  ] as Array<[string, LocalTemplate, TemplateSendComponent[]]>)('%s', (_name, t, components) => {
    expect(check(t, components)).toEqual({ ok: true });
  });
});

describe('checkTemplateParameters refuses', () => {
  const without = (i: number) => positionalOk.filter((_, j) => j !== i);
  it.each([
    ['a missing body parameter', positional, [positionalOk[0]!, body(text('Ana'), text('#42')), positionalOk[2]!, positionalOk[3]!], { component: 'body', expected: 3, received: 2 }],
    ['an extra body parameter', template([{ type: 'BODY', text: 'Hi {{1}}' }]), [body(text('a'), text('b'))], { component: 'body', expected: 1, received: 2 }],
    ['parameters for a body without variables', template([{ type: 'BODY', text: 'Hello' }]), [body(text('a'))], { component: 'body', expected: 0, received: 1 }],
    ['a missing header parameter', positional, without(0), { component: 'header', expected: 1, received: 0 }],
    ['a header parameter when there is no header', named, [header(text('x')), body(text('Ana', 'first_name'), text('C', 'code'))], { component: 'header', expected: 0, received: 1 }],
    ['an image in the body', template([{ type: 'BODY', text: 'Hi {{1}}' }]), [body({ type: 'image', image: { id: '1' } })], { component: 'body', expected: 'text | currency | date_time', received: 'image' }],
    ['an empty text parameter', template([{ type: 'BODY', text: 'Hi {{1}}' }]), [body(text('  '))], { component: 'body', expected: 'non-empty text' }],
    ['a header text over 60 characters', positional, [header(text('x'.repeat(61))), ...without(0)], { component: 'header', expected: 'at most 60 characters', received: 61 }],
    ['a missing image header', imageHeader, [], { component: 'header', expected: 1, received: 0 }],
    ['a video for an image header', imageHeader, [header({ type: 'video', video: { id: '1' } })], { component: 'header', expected: 'image', received: 'video' }],
    ['an image header without id or link', imageHeader, [header({ type: 'image', image: {} })], { component: 'header' }],
    ['a text param for a location header', template([{ type: 'HEADER', format: 'LOCATION' }, { type: 'BODY', text: 'Here' }]), [header(text('x'))], { component: 'header', expected: 'location', received: 'text' }],
    ['a missing url button parameter', positional, without(2), { component: 'button[0]', expected: 1, received: 0 }],
    ['a payload for a url button', positional, [...without(2), button('0', 'url', { type: 'payload', payload: 'x' })], { component: 'button[0]', expected: 'text', received: 'payload' }],
    ['a missing coupon code', positional, without(3), { component: 'button[2]', expected: 1, received: 0 }],
    ['a coupon code over 15 characters (a Pix code)', positional, [...without(3), button('2', 'copy_code', { type: 'coupon_code', coupon_code: '00020126580014br.gov.bcb.pix' })], { component: 'button[2]', expected: 'at most 15 characters', received: 28 }],
    ['a text for a copy-code button', positional, [...without(3), button('2', 'copy_code', text('SAVE10'))], { component: 'button[2]', expected: 'coupon_code', received: 'text' }],
    ['a button index the template lacks', positional, [...positionalOk, button('7', 'quick_reply')], { component: 'button[7]' }],
    ['the wrong sub_type for a button', positional, [...without(3), button('2', 'url', { type: 'coupon_code', coupon_code: 'X' })], { component: 'button[2]', expected: 'copy_code', received: 'url' }],
    ['a button given twice', positional, [...positionalOk, button('0', 'url', text('43'))], { component: 'button[0]', expected: 1, received: 2 }],
    ['parameters for a static url button', template([{ type: 'BODY', text: 'Hi' }, { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Go', url: 'https://x.example' }] }]), [button('0', 'url', text('x'))], { component: 'button[0]', expected: 0, received: 1 }],
    ['footer parameters', positional, [...positionalOk, { type: 'footer', parameters: [text('x')] }], { component: 'footer', expected: 0, received: 1 }],
    ['the body given twice', positional, [...positionalOk, body(text('x'))], { component: 'body', expected: 1, received: 2 }],
    ['named parameters without parameter_name', named, [body(text('Ana'), text('C'))], { component: 'body', expected: ['first_name', 'code'] }],
    ['a wrong parameter_name', named, [body(text('Ana', 'name'), text('C', 'code'))], { component: 'body', expected: ['first_name', 'code'], received: ['name', 'code'] }],
    ['an authentication template without the code', auth, [authOk[1]!], { component: 'body', expected: 1, received: 0 }],
    ['an authentication template with two body params', auth, [body(text('1'), text('2')), authOk[1]!], { component: 'body', expected: 1, received: 2 }],
    ['an authentication template without the url button', auth, [authOk[0]!], { component: 'button[0]', expected: 1, received: 0 }],
    [
      'an authentication template stored without buttons still needs the url button',
      template([{ type: 'BODY', text: '{{1}} is your code.' }], { category: 'AUTHENTICATION' }),
      [authOk[0]!],
      { component: 'button[0]', expected: 1, received: 0 },
    ],
  ] as Array<[string, LocalTemplate, TemplateSendComponent[], Record<string, unknown>]>)('%s', (_name, t, components, expected) => {
    const result = check(t, components);
    expect(result).toMatchObject({ ok: false, ...expected });
    if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
  });

  it('infers named parameters when parameter_format is absent', () => {
    const t = template([{ type: 'BODY', text: 'Hi {{first_name}}' }]);
    expect(check(t, [body(text('Ana'))])).toMatchObject({ ok: false, component: 'body', expected: ['first_name'] });
    expect(check(t, [body(text('Ana', 'first_name'))])).toEqual({ ok: true });
  });
});
