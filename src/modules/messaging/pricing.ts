import defaultCard from './rate-card.json' with { type: 'json' };

/** The category a delivered message is billed under (the webhook's `pricing.category`). */
export type PricedCategory = 'marketing' | 'utility' | 'authentication' | 'service';

/** The webhook's `pricing.type`: billed, or free for one of Meta's two reasons. */
export type PricingType = 'regular' | 'free_customer_service' | 'free_entry_point';

/** What one delivered message costs. `amountMicros` is USD × 1,000,000, an integer. */
export interface Cost {
  currency: 'USD';
  amountMicros: number;
  /** Where the figure came from, e.g. `rate-card:2026-01-01:BR:marketing` or `free:free_customer_service`. */
  rateSource: string;
}

/** Rates of one country, in integer micro-USD per delivered message. */
export interface CountryRates {
  marketing: number;
  utility: number;
  authentication: number;
  /** 0 while service messages are free (Meta announced a change for 2026-10-01; see rate-card.json). */
  service: number;
}

/** A parsed rate card: country (ISO 3166-1 alpha-2, upper case) → rates; `*` is the rest of the world. */
export interface RateCard {
  currency: 'USD';
  effective: string;
  source: string;
  rates: Readonly<Record<string, Readonly<CountryRates>>>;
}

/**
 * The price of one delivered message. Free pricing types cost 0; `regular` uses the card's
 * rate for the recipient's country, or the `*` rate when the country is unknown or not listed.
 * Defaults to the rate card shipped in `rate-card.json`.
 *
 * @example
 * priceMessage('marketing', 'regular', 'BR'); // { currency: 'USD', amountMicros: 62500, rateSource: 'rate-card:2026-01-01:BR:marketing' }
 */
export function priceMessage(category: PricedCategory, pricingType: PricingType, country: string | undefined, card: RateCard = loadRateCard()): Cost {
  if (pricingType !== 'regular') return { currency: card.currency, amountMicros: 0, rateSource: `free:${pricingType}` };
  const code = country?.toUpperCase();
  const listed = code !== undefined && code !== '*' && Object.hasOwn(card.rates, code);
  const key = listed ? code : '*';
  const rates = card.rates[key];
  if (!rates) throw new Error(`Rate card ${card.effective} has no '*' (rest of world) rates.`);
  return { currency: card.currency, amountMicros: rates[category], rateSource: `rate-card:${card.effective}:${key}:${category}` };
}

let cached: RateCard | undefined;

/** The rate card shipped with Conversa (`rate-card.json`), parsed once and frozen. */
export function loadRateCard(): RateCard {
  cached ??= parseRateCard(defaultCard);
  return cached;
}

/**
 * Validates a rate card in the JSON shape of `rate-card.json` (USD per message as decimals)
 * and converts its rates to integer micros. Throws a RangeError naming the bad field: a
 * broken rate card is a configuration bug, not an expected outcome.
 */
export function parseRateCard(json: unknown): RateCard {
  const card = json as { currency?: unknown; effective?: unknown; source?: unknown; rates?: unknown };
  if (typeof card !== 'object' || card === null) throw new RangeError('rate card: must be an object');
  if (card.currency !== 'USD') throw new RangeError(`rate card: currency must be "USD", got ${JSON.stringify(card.currency)}`);
  if (typeof card.effective !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(card.effective)) throw new RangeError('rate card: effective must be a YYYY-MM-DD date');
  if (typeof card.source !== 'string') throw new RangeError('rate card: source must be a string');
  if (typeof card.rates !== 'object' || card.rates === null) throw new RangeError('rate card: rates must be an object');
  const rates: Record<string, Readonly<CountryRates>> = {};
  for (const [country, value] of Object.entries(card.rates as Record<string, unknown>)) {
    if (country !== '*' && !/^[A-Z]{2}$/.test(country)) throw new RangeError(`rate card: rates.${country}: key must be an upper-case ISO 3166-1 alpha-2 code or "*"`);
    const row = (value ?? {}) as Record<string, unknown>;
    rates[country] = Object.freeze({
      marketing: rateMicros(row.marketing, `rates.${country}.marketing`),
      utility: rateMicros(row.utility, `rates.${country}.utility`),
      authentication: rateMicros(row.authentication, `rates.${country}.authentication`),
      service: row.service === undefined ? 0 : rateMicros(row.service, `rates.${country}.service`),
    });
  }
  if (!rates['*']) throw new RangeError('rate card: rates["*"] (rest of world) is required');
  return Object.freeze({ currency: 'USD', effective: card.effective, source: card.source, rates: Object.freeze(rates) });
}

/**
 * Converts a USD amount with at most 6 decimals to integer micros without float drift
 * (0.0068 × 1e6 is 6799.999999999999 in floating point; this answers 6800).
 */
export function usdToMicros(usd: number): number {
  const micros = Math.round(usd * 1_000_000);
  if (!Number.isFinite(usd) || usd < 0 || Math.abs(micros - usd * 1_000_000) > 1e-6) {
    throw new RangeError(`${usd} is not a non-negative USD amount with at most 6 decimals`);
  }
  return micros;
}

function rateMicros(value: unknown, field: string): number {
  if (typeof value !== 'number') throw new RangeError(`rate card: ${field} must be a number (USD per message)`);
  try {
    return usdToMicros(value);
  } catch (error) {
    throw new RangeError(`rate card: ${field}: ${(error as Error).message}`);
  }
}
