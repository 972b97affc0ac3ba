import { describe, expect, it } from 'vitest';
import type { TemplateSendComponent } from '../../whatsapp/wire.js';
import { checkSendPolicy, POLICY_ERRORS, type LocalTemplate, type PolicyInput } from './policy.js';
import { parseRateCard } from './pricing.js';

const HOUR = 60 * 60 * 1000;
const NOW = Date.parse('2026-03-10T12:00:00.000Z');

function template(overrides: Partial<LocalTemplate> = {}): LocalTemplate {
  return {
    name: 'order_update',
    language: 'pt_BR',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} saiu para entrega.' }],
    ...overrides,
  };
}

const twoParams: TemplateSendComponent[] = [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: '#123' }] }];

/** A template send to a Brazilian contact who wrote 2 h ago and has no consent records. */
function input(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    now: NOW,
    type: 'template',
    template: { name: 'order_update', language: { code: 'pt_BR' }, components: twoParams },
    templates: [template()],
    lastInboundAt: NOW - 2 * HOUR,
    consent: { marketing: 'none', utility: 'none' },
    recipientCountry: 'BR',
    recipientCallingCode: '55',
    ...overrides,
  };
}

const marketing = (overrides: Partial<PolicyInput> = {}): PolicyInput => input({ templates: [template({ category: 'MARKETING' })], ...overrides });
const closed = { lastInboundAt: NOW - 25 * HOUR };

describe('checkSendPolicy refusals', () => {
  const cases: Array<[string, PolicyInput, string]> = [
    ['text with the window closed', input({ type: 'text', template: undefined, ...closed }), 'CONVERSA_ERR_WINDOW_CLOSED'],
    ['text to a contact who never wrote', input({ type: 'text', template: undefined, lastInboundAt: null }), 'CONVERSA_ERR_WINDOW_CLOSED'],
    ['reaction one millisecond after the window', input({ type: 'reaction', lastInboundAt: NOW - 24 * HOUR - 1 }), 'CONVERSA_ERR_WINDOW_CLOSED'],
    ['template type without a template object', input({ template: undefined }), 'CONVERSA_ERR_TEMPLATE_MISSING'],
    ['unknown template', input({ templates: [] }), 'CONVERSA_ERR_TEMPLATE_NOT_FOUND'],
    ['template of another name', input({ templates: [template({ name: 'welcome' })] }), 'CONVERSA_ERR_TEMPLATE_NOT_FOUND'],
    ['template missing in the language', input({ templates: [template({ language: 'en_US' })] }), 'CONVERSA_ERR_TEMPLATE_LANGUAGE'],
    ['pending template', input({ templates: [template({ status: 'PENDING' })] }), 'CONVERSA_ERR_TEMPLATE_NOT_APPROVED'],
    ['rejected template', input({ templates: [template({ status: 'REJECTED' })] }), 'CONVERSA_ERR_TEMPLATE_NOT_APPROVED'],
    ['paused template', input({ templates: [template({ status: 'PAUSED' })] }), 'CONVERSA_ERR_TEMPLATE_NOT_APPROVED'],
    ['disabled template', input({ templates: [template({ status: 'DISABLED' })] }), 'CONVERSA_ERR_TEMPLATE_NOT_APPROVED'],
    ['too few parameters', input({ template: { name: 'order_update', language: { code: 'pt_BR' }, components: [] } }), 'CONVERSA_ERR_TEMPLATE_PARAMETERS'],
    ['marketing outside the window without opt-in', marketing(closed), 'CONVERSA_ERR_NO_MARKETING_OPT_IN'],
    ['marketing to a contact who never wrote, no opt-in', marketing({ lastInboundAt: null }), 'CONVERSA_ERR_NO_MARKETING_OPT_IN'],
    ['marketing to an opted-out contact inside the window', marketing({ consent: { marketing: 'opted_out', utility: 'none' } }), 'CONVERSA_ERR_OPTED_OUT'],
    ['utility to a contact opted out of utility', input({ consent: { marketing: 'opted_in', utility: 'opted_out' } }), 'CONVERSA_ERR_OPTED_OUT'],
    [
      'authentication to a contact opted out of utility',
      input({
        templates: [template({ category: 'AUTHENTICATION' })],
        template: { name: 'order_update', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '123456' }] }, { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '123456' }] }] },
        consent: { marketing: 'none', utility: 'opted_out' },
      }),
      'CONVERSA_ERR_OPTED_OUT',
    ],
    ['marketing to a US number even with opt-in', marketing({ recipientCountry: 'US', recipientCallingCode: '1', consent: { marketing: 'opted_in', utility: 'none' } }), 'CONVERSA_ERR_MARKETING_US_BLOCKED'],
    ['marketing to +1 of unknown country', marketing({ recipientCountry: undefined, recipientCallingCode: '1' }), 'CONVERSA_ERR_MARKETING_US_BLOCKED'],
    ['marketing to Puerto Rico', marketing({ recipientCountry: 'PR', recipientCallingCode: '1' }), 'CONVERSA_ERR_MARKETING_US_BLOCKED'],
  ];

  it.each(cases)('%s → %s', (_name, policyInput, code) => {
    const decision = checkSendPolicy(policyInput);
    expect(decision.ok).toBe(false);
    if (decision.ok) return;
    expect(decision.error.code).toBe(code);
    expect(decision.error.message.length).toBeGreaterThan(10);
    expect(decision.error.fix.length).toBeGreaterThan(10);
  });

  it('every refusal code is in the catalogue', () => {
    for (const [, policyInput] of cases) {
      const decision = checkSendPolicy(policyInput);
      if (!decision.ok) expect(POLICY_ERRORS).toHaveProperty(decision.error.code);
    }
  });
});

describe('checkSendPolicy error details', () => {
  it('says when the window closed and to send a template', () => {
    const decision = checkSendPolicy(input({ type: 'text', lastInboundAt: Date.parse('2026-03-09T06:00:00.000Z') }));
    expect(decision).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_WINDOW_CLOSED', details: { windowClosedAt: '2026-03-10T06:00:00.000Z' } } });
    if (decision.ok) return;
    expect(decision.error.message).toContain('2026-03-10T06:00:00.000Z');
    expect(decision.error.fix).toMatch(/^Send an approved template instead/);
  });

  it('lists the languages a template exists in and suggests the closest', () => {
    const decision = checkSendPolicy(input({ template: { name: 'order_update', language: { code: 'pt_PT' }, components: twoParams }, templates: [template({ language: 'en_US' }), template()] }));
    expect(decision).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_TEMPLATE_LANGUAGE', details: { availableLanguages: ['en_US', 'pt_BR'], suggestion: 'pt_BR' } } });
  });

  it.each(['PAUSED', 'DISABLED', 'PENDING', 'REJECTED'])('names the %s status', (status) => {
    const decision = checkSendPolicy(input({ templates: [template({ status })] }));
    expect(decision).toMatchObject({ ok: false, error: { details: { status } } });
    if (!decision.ok) expect(decision.error.message).toContain(status);
  });

  it('gives component, expected and received for a parameter mismatch', () => {
    const decision = checkSendPolicy(input({ template: { name: 'order_update', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] } }));
    expect(decision).toMatchObject({ ok: false, error: { code: 'CONVERSA_ERR_TEMPLATE_PARAMETERS', details: { component: 'body', expected: 2, received: 1 } } });
  });
});

describe('checkSendPolicy allowed sends: category, pricing and cost', () => {
  const cases: Array<[string, PolicyInput, { category: string; pricingType: string; windowOpen: boolean; amountMicros: number }]> = [
    ['service text inside the window', input({ type: 'text' }), { category: 'service', pricingType: 'free_customer_service', windowOpen: true, amountMicros: 0 }],
    ['service text exactly 24 h after the last message', input({ type: 'text', lastInboundAt: NOW - 24 * HOUR }), { category: 'service', pricingType: 'free_customer_service', windowOpen: true, amountMicros: 0 }],
    ['service ignores an opt-out: the contact wrote', input({ type: 'text', consent: { marketing: 'opted_out', utility: 'opted_out' } }), { category: 'service', pricingType: 'free_customer_service', windowOpen: true, amountMicros: 0 }],
    ['utility template inside the window', input(), { category: 'utility', pricingType: 'free_customer_service', windowOpen: true, amountMicros: 0 }],
    ['utility template outside the window, Brazil', input(closed), { category: 'utility', pricingType: 'regular', windowOpen: false, amountMicros: 6800 }],
    ['utility template without any consent record', input({ lastInboundAt: null }), { category: 'utility', pricingType: 'regular', windowOpen: false, amountMicros: 6800 }],
    ['marketing outside the window with opt-in, Brazil', marketing({ ...closed, consent: { marketing: 'opted_in', utility: 'none' } }), { category: 'marketing', pricingType: 'regular', windowOpen: false, amountMicros: 62500 }],
    ['marketing inside the window without opt-in is charged', marketing(), { category: 'marketing', pricingType: 'regular', windowOpen: true, amountMicros: 62500 }],
    ['marketing to Canada (+1, not a US area code)', marketing({ recipientCountry: 'CA', recipientCallingCode: '1' }), { category: 'marketing', pricingType: 'regular', windowOpen: true, amountMicros: 25000 }],
    ['marketing to an unlisted country uses the * rate', marketing({ recipientCountry: 'PT', recipientCallingCode: '351' }), { category: 'marketing', pricingType: 'regular', windowOpen: true, amountMicros: 60400 }],
    ['utility to an unknown country uses the * rate', input({ ...closed, recipientCountry: undefined, recipientCallingCode: undefined }), { category: 'utility', pricingType: 'regular', windowOpen: false, amountMicros: 7700 }],
    ['marketing inside a free entry point window', marketing({ freeEntryPointUntil: NOW + HOUR }), { category: 'marketing', pricingType: 'free_entry_point', windowOpen: true, amountMicros: 0 }],
    [
      'utility outside the 24 h window but inside the 72 h free entry point',
      input({ lastInboundAt: NOW - 30 * HOUR, freeEntryPointUntil: NOW + 40 * HOUR }),
      { category: 'utility', pricingType: 'free_entry_point', windowOpen: false, amountMicros: 0 },
    ],
    ['an expired free entry point window is billed', input({ ...closed, freeEntryPointUntil: NOW - 1 }), { category: 'utility', pricingType: 'regular', windowOpen: false, amountMicros: 6800 }],
    [
      'authentication inside the window is still charged',
      input({
        templates: [template({ category: 'AUTHENTICATION', components: [{ type: 'BODY', add_security_recommendation: true }, { type: 'BUTTONS', buttons: [{ type: 'OTP', otp_type: 'COPY_CODE' }] }] })],
        template: { name: 'order_update', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: '123456' }] }, { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '123456' }] }] },
      }),
      { category: 'authentication', pricingType: 'regular', windowOpen: true, amountMicros: 6800 },
    ],
  ];

  it.each(cases)('%s', (_name, policyInput, expected) => {
    const decision = checkSendPolicy(policyInput);
    expect(decision).toMatchObject({ ok: true, category: expected.category, pricingType: expected.pricingType, windowOpen: expected.windowOpen, cost: { currency: 'USD', amountMicros: expected.amountMicros } });
  });

  it('names the rate it used', () => {
    const decision = checkSendPolicy(marketing({ ...closed, consent: { marketing: 'opted_in', utility: 'none' } }));
    expect(decision).toMatchObject({ ok: true, cost: { rateSource: 'rate-card:2026-01-01:BR:marketing' } });
  });

  it('prices with a rate card passed in', () => {
    const rateCard = parseRateCard({ currency: 'USD', effective: '2026-10-01', source: 'test', rates: { '*': { marketing: 0.1, utility: 0.01, authentication: 0.01 } } });
    const decision = checkSendPolicy(marketing({ rateCard }));
    expect(decision).toMatchObject({ ok: true, cost: { amountMicros: 100000, rateSource: 'rate-card:2026-10-01:*:marketing' } });
  });

  it('does not treat a template status case difference as unapproved', () => {
    expect(checkSendPolicy(input({ templates: [template({ status: 'approved' })] })).ok).toBe(true);
  });
});
