import { describe, expect, it } from 'vitest';
import { checkTemplateSend } from '../messaging/index.js';
import type { CachedTemplate } from '../templates/index.js';
import { placeParameters, type FriendlyParameters } from './template-components.js';

const shipped: CachedTemplate = {
  name: 'pedido_enviado',
  language: 'pt_BR',
  status: 'APPROVED',
  category: 'UTILITY',
  components: [
    { type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} foi enviado.' },
    { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Falar com a loja' }, { type: 'URL', text: 'Rastrear', url: 'https://loja.example.com/r/{{1}}' }] },
  ],
};

const named: CachedTemplate = {
  name: 'lembrete',
  language: 'pt_BR',
  status: 'APPROVED',
  category: 'MARKETING',
  parameter_format: 'NAMED',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Pedido {{order_id}}' },
    { type: 'BODY', text: 'Olá {{first_name}}, seu pedido {{order_id}} chega {{day}}.' },
    { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', example: 'VERAO25' }, { type: 'URL', text: 'Site', url: 'https://loja.example.com' }] },
  ],
};

const invoice: CachedTemplate = {
  name: 'nota',
  language: 'pt_BR',
  status: 'APPROVED',
  category: 'UTILITY',
  components: [{ type: 'HEADER', format: 'DOCUMENT' }, { type: 'BODY', text: 'Sua nota de {{1}} chegou.' }],
};

const otp: CachedTemplate = {
  name: 'codigo',
  language: 'pt_BR',
  status: 'APPROVED',
  category: 'AUTHENTICATION',
  components: [{ type: 'BODY', add_security_recommendation: true }, { type: 'BUTTONS', buttons: [{ type: 'OTP', otp_type: 'COPY_CODE', text: 'Copiar' }] }],
};

const place = (template: CachedTemplate, input: FriendlyParameters) => {
  const placed = placeParameters(template, input);
  if (!placed.ok) return placed;
  return { ...placed, policy: checkTemplateSend({ name: template.name, language: { code: template.language }, components: placed.components }, [template]).ok };
};

describe('placeParameters', () => {
  it('places positional body values and a URL button suffix by position, and the policy accepts it', () => {
    expect(place(shipped, { parameters: ['Ana', 1234], buttons: [null, 'A-1'] })).toEqual({
      ok: true,
      policy: true,
      components: [
        { type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: '1234' }] },
        { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'A-1' }] },
      ],
    });
  });

  it('accepts {"1": ..., "2": ...} for positional templates and a quick-reply payload', () => {
    const placed = place(shipped, { parameters: { 2: '#9', 1: 'Bia' }, buttons: [{ payload: 'loja' }, { url_suffix: 'B-2' }] });
    expect(placed).toMatchObject({ ok: true, policy: true });
    expect(placed.ok && placed.components[0]).toEqual({ type: 'body', parameters: [{ type: 'text', text: 'Bia' }, { type: 'text', text: '#9' }] });
    expect(placed.ok && placed.components[1]).toEqual({ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'loja' }] });
  });

  it('names the parameters of a NAMED template, its header variable, and a copy-code button', () => {
    const placed = place(named, { parameters: { day: 'amanhã', first_name: 'Ana', order_id: 'A-1' }, header: 'A-1', buttons: ['VERAO25'] });
    expect(placed).toEqual({
      ok: true,
      policy: true,
      components: [
        { type: 'header', parameters: [{ type: 'text', text: 'A-1', parameter_name: 'order_id' }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ana', parameter_name: 'first_name' },
            { type: 'text', text: 'A-1', parameter_name: 'order_id' },
            { type: 'text', text: 'amanhã', parameter_name: 'day' },
          ],
        },
        { type: 'button', sub_type: 'copy_code', index: '0', parameters: [{ type: 'coupon_code', coupon_code: 'VERAO25' }] },
      ],
    });
  });

  it('takes a media header as our id, a link, or {document: {...}, filename}', () => {
    const byId = placeParameters(invoice, { header: 'med_abc', parameters: ['novembro'] });
    expect(byId.ok && byId.components[0]).toEqual({ type: 'header', parameters: [{ type: 'document', document: { id: 'med_abc' } }] });
    const byLink = placeParameters(invoice, { header: { document: 'https://loja.example.com/nf.pdf', filename: 'nf.pdf' }, parameters: ['novembro'] });
    expect(byLink.ok && byLink.components[0]).toEqual({ type: 'header', parameters: [{ type: 'document', document: { link: 'https://loja.example.com/nf.pdf', filename: 'nf.pdf' } }] });
    expect(place(invoice, { header: { document: { id: 'med_x', filename: 'a.pdf' } }, parameters: ['novembro'] })).toMatchObject({ ok: true, policy: true });
  });

  it('fills an authentication template code button with the body code', () => {
    const placed = place(otp, { parameters: ['482913'] });
    expect(placed).toMatchObject({ ok: true, policy: true });
    expect(placed.ok && placed.components[1]).toEqual({ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '482913' }] });
  });

  it('passes currency and date_time values through', () => {
    const currency = { currency: { fallback_value: 'R$ 10,00', code: 'BRL', amount_1000: 10000 } };
    const placed = place(shipped, { parameters: [currency, { date_time: { fallback_value: '1 de dezembro' } }], buttons: [null, 'x'] });
    expect(placed).toMatchObject({ ok: true, policy: true });
    expect(placed.ok && placed.components[0]).toEqual({ type: 'body', parameters: [{ type: 'currency', ...currency }, { type: 'date_time', date_time: { fallback_value: '1 de dezembro' } }] });
  });

  it.each<[CachedTemplate, FriendlyParameters, string]>([
    [named, { parameters: ['Ana', 'A-1', 'amanhã'] }, 'parameters'],
    [named, { parameters: { first_name: 'Ana', order_id: 'A-1', dia: 'x' } }, 'parameters.dia'],
    [named, { parameters: { first_name: 'Ana', order_id: 'A-1' } }, 'parameters.day'],
    [shipped, { parameters: { nome: 'Ana' } }, 'parameters.nome'],
    [shipped, { parameters: ['Ana', { foo: 1 }] }, 'parameters[1]'],
    [shipped, { parameters: 'Ana' }, 'parameters'],
    [shipped, { parameters: ['Ana', '1'], header: 'x' }, 'header'],
    [invoice, { header: { image: 'med_x' }, parameters: ['x'] }, 'header.image'],
    [invoice, { header: 42, parameters: ['x'] }, 'header'],
    [shipped, { parameters: ['Ana', '1'], buttons: [null, 'a', 'b'] }, 'buttons[2]'],
    [named, { parameters: { first_name: 'A', order_id: 'B', day: 'C' }, header: 'B', buttons: ['X', 'suffix'] }, 'buttons[1]'],
    [shipped, { parameters: ['Ana', '1'], buttons: 'A-1' }, 'buttons'],
  ])('names the field it cannot place (%#)', (template, input, field) => {
    expect(placeParameters(template, input)).toMatchObject({ ok: false, field });
  });

  it('leaves counts to the policy, which names the component', () => {
    const placed = placeParameters(shipped, { parameters: ['Ana'] });
    expect(placed.ok).toBe(true);
    const checked = placed.ok ? checkTemplateSend({ name: shipped.name, language: { code: 'pt_BR' }, components: placed.components }, [shipped]) : undefined;
    expect(checked).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_TEMPLATE_PARAMETERS', details: { component: 'body', expected: 2, received: 1 } } });
  });
});
