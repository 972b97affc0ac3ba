import { describe, expect, it } from 'vitest';
import { readCampaignCsv, type CampaignCsvEvent } from './campaign-csv.js';
import { decideRecipient, fillComponents, referencedVariables, type CampaignTemplate, type RecipientFacts } from './recipient-decision.js';

const template: CampaignTemplate = {
  name: 'promo',
  language: 'pt_BR',
  components: [{ type: 'body', parameters: [{ type: 'text', text: 'Olá {{nome}}' }, { type: 'text', text: '{{ cupom }}' }] }],
  templates: [{ name: 'promo', language: 'pt_BR', status: 'APPROVED', category: 'MARKETING', components: [{ type: 'BODY', text: 'Oi {{1}}, use o cupom {{2}} hoje mesmo na loja.' }] }],
};
const facts: RecipientFacts = {
  valid: true,
  country: 'BR',
  callingCode: '55',
  vars: { nome: 'Ana', cupom: 'X1' },
  undeliverable: false,
  lastInboundAt: null,
  freeEntryPointUntil: null,
  consent: { marketing: 'opted_in', utility: 'none' },
};

describe('decideRecipient', () => {
  it('fills the parameters per recipient and prices the send with the policy', () => {
    const decision = decideRecipient(template, facts, Date.parse('2026-11-26T00:00:00Z'));
    expect(decision).toMatchObject({ send: true, category: 'marketing', pricingType: 'regular', cost: { amountMicros: 62_500 } });
    expect(decision.send && decision.template.components).toEqual([{ type: 'body', parameters: [{ type: 'text', text: 'Olá Ana' }, { type: 'text', text: 'X1' }] }]);
  });

  it('answers the reason in the order: invalid number, no WhatsApp, missing parameter, then the policy', () => {
    const now = Date.now();
    expect(decideRecipient(template, { ...facts, valid: false, undeliverable: true }, now)).toEqual({ send: false, reason: 'invalid_number' });
    expect(decideRecipient(template, { ...facts, undeliverable: true, vars: {} }, now)).toEqual({ send: false, reason: 'no_whatsapp' });
    expect(decideRecipient(template, { ...facts, vars: { nome: 'Ana', cupom: '  ' } }, now)).toEqual({ send: false, reason: 'missing_parameter' });
    expect(decideRecipient(template, { ...facts, consent: { marketing: 'opted_out', utility: 'none' } }, now)).toMatchObject({ send: false, reason: 'opted_out', error: { code: 'CONVERSA_ERR_OPTED_OUT' } });
    expect(decideRecipient(template, { ...facts, consent: { marketing: 'none', utility: 'none' } }, now)).toMatchObject({ send: false, reason: 'no_opt_in' });
    expect(decideRecipient(template, { ...facts, country: 'US', callingCode: '1' }, now)).toMatchObject({ send: false, reason: 'marketing_us_blocked' });
    expect(decideRecipient({ ...template, components: [] }, facts, now)).toMatchObject({ send: false, reason: 'template_parameters' });
    expect(decideRecipient(template, { ...facts, blocked: true }, now)).toMatchObject({ send: false, reason: 'blocked', error: { code: 'CONVERSA_ERR_RECIPIENT_BLOCKED' } });
  });

  it('lists and fills only text values, never identifiers', () => {
    const components = [{ type: 'button' as const, sub_type: 'url', index: 0, parameters: [{ type: 'text' as const, text: 'pedido/{{pedido}}' }] }];
    expect(referencedVariables([...template.components, ...components])).toEqual(['nome', 'cupom', 'pedido']);
    expect(fillComponents(components, { pedido: '42' })).toEqual([{ type: 'button', sub_type: 'url', index: 0, parameters: [{ type: 'text', text: 'pedido/42' }] }]);
    expect(fillComponents(components, {})).toBeUndefined();
  });
});

describe('readCampaignCsv', () => {
  const read = async (chunks: string[], defaultCountry?: string): Promise<CampaignCsvEvent[]> => {
    const events: CampaignCsvEvent[] = [];
    async function* source() {
      yield* chunks;
    }
    for await (const event of readCampaignCsv(source(), { defaultCountry })) events.push(event);
    return events;
  };

  it('takes the delimiter from the header, counts lines across quoted line breaks and chunk borders', async () => {
    const events = await read(['Celular;Nome Completo;Cupom\n(11) 98888-7777;"Ana\nMaria";X1\n', '\n+5511', '988887778;Bia;\nabc;C;D;E\n'], 'BR');
    expect(events[0]).toEqual({ type: 'header', variables: ['nome_completo', 'cupom'], phoneHeader: 'Celular' });
    expect(events[1]).toMatchObject({ type: 'row', line: 2, phone: { ok: true, waId: '5511988887777' }, vars: { nome_completo: 'Ana\nMaria', cupom: 'X1' } });
    expect(events[2]).toMatchObject({ type: 'row', line: 5, phone: { ok: true, waId: '5511988887778' }, vars: { nome_completo: 'Bia', cupom: '' } });
    expect(events[3]).toEqual({ type: 'error', line: 6, field: '', reason: 'has 4 fields but the header has 3; quote values that contain the delimiter' });
  });

  it('reports a file without a phone column, and an empty file', async () => {
    expect(await read(['nome,cupom\nAna,X\n'])).toEqual([{ type: 'error', line: 1, field: 'phone', reason: expect.stringContaining('no phone column') }]);
    expect(await read([''])).toEqual([{ type: 'error', line: 1, field: '', reason: expect.stringContaining('empty') }]);
  });
});
