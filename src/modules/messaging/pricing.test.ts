import { describe, expect, it } from 'vitest';
import card from './rate-card.json' with { type: 'json' };
import { loadRateCard, parseRateCard, priceMessage, usdToMicros } from './pricing.js';

describe('priceMessage', () => {
  it.each([
    ['marketing', 'regular', 'BR', 62500, 'rate-card:2026-01-01:BR:marketing'],
    ['utility', 'regular', 'BR', 6800, 'rate-card:2026-01-01:BR:utility'],
    ['authentication', 'regular', 'BR', 6800, 'rate-card:2026-01-01:BR:authentication'],
    ['marketing', 'regular', 'br', 62500, 'rate-card:2026-01-01:BR:marketing'],
    ['marketing', 'regular', 'DE', 136500, 'rate-card:2026-01-01:DE:marketing'],
    ['marketing', 'regular', 'PT', 60400, 'rate-card:2026-01-01:*:marketing'],
    ['utility', 'regular', undefined, 7700, 'rate-card:2026-01-01:*:utility'],
    ['service', 'regular', 'BR', 0, 'rate-card:2026-01-01:BR:service'],
    ['marketing', 'free_entry_point', 'BR', 0, 'free:free_entry_point'],
    ['utility', 'free_customer_service', 'BR', 0, 'free:free_customer_service'],
  ] as const)('%s %s %s → %i micros', (category, pricingType, country, micros, rateSource) => {
    expect(priceMessage(category, pricingType, country)).toEqual({ currency: 'USD', amountMicros: micros, rateSource });
  });

  it('does not read prototype keys as countries', () => {
    expect(priceMessage('marketing', 'regular', 'constructor').rateSource).toBe('rate-card:2026-01-01:*:marketing');
  });
});

describe('rate card', () => {
  it('holds integer micros for every listed market and the rest of the world', () => {
    const parsed = loadRateCard();
    for (const country of ['BR', 'US', 'MX', 'IN', 'AR', 'CO', 'CL', 'PE', 'GB', 'DE', 'ES', 'FR', 'IT', 'ID', 'NG', 'ZA', 'SA', 'AE', '*']) {
      const rates = parsed.rates[country];
      expect(rates, country).toBeDefined();
      for (const value of Object.values(rates ?? {})) expect(Number.isInteger(value)).toBe(true);
      expect(rates?.marketing).toBeGreaterThan(0);
    }
    expect(Object.isFrozen(parsed.rates)).toBe(true);
  });

  it('says the rates must be refreshed from Meta', () => {
    expect(card.source).toMatch(/refresh/i);
    expect(card.source).toMatch(/Meta/);
  });

  it.each([
    [{ currency: 'EUR', effective: '2026-01-01', source: '', rates: {} }, /currency/],
    [{ currency: 'USD', effective: 'soon', source: '', rates: {} }, /effective/],
    [{ currency: 'USD', effective: '2026-01-01', source: '', rates: { BR: { marketing: 0.06, utility: 0.01, authentication: 0.01 } } }, /rest of world/],
    [{ currency: 'USD', effective: '2026-01-01', source: '', rates: { '*': { marketing: '0.06', utility: 0.01, authentication: 0.01 } } }, /marketing must be a number/],
    [{ currency: 'USD', effective: '2026-01-01', source: '', rates: { '*': { marketing: 0.0000001, utility: 0.01, authentication: 0.01 } } }, /6 decimals/],
    [{ currency: 'USD', effective: '2026-01-01', source: '', rates: { br: { marketing: 1, utility: 1, authentication: 1 } } }, /alpha-2/],
  ])('rejects a broken card %#', (json, message) => {
    expect(() => parseRateCard(json)).toThrow(message);
  });
});

describe('usdToMicros', () => {
  it.each([
    [0.0625, 62500],
    [0.0068, 6800],
    [0.0034, 3400],
    [0.1365, 136500],
    [0.000001, 1],
    [0, 0],
  ])('%d USD → %i micros', (usd, micros) => expect(usdToMicros(usd)).toBe(micros));

  it('adds many prices without float drift', () => {
    const total = Array.from({ length: 1000 }, () => usdToMicros(0.0068)).reduce((a, b) => a + b, 0);
    expect(total).toBe(6_800_000);
  });

  it.each([-0.01, Number.NaN, 0.0000005])('refuses %d', (usd) => expect(() => usdToMicros(usd)).toThrow(RangeError));
});
