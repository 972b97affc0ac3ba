// Money and quantities as integers, never floats: amounts in cents, quantities in thousandths.
// Inputs come as JSON numbers or strings with a dot for decimals ("1234.50"), the way the Pix
// code writes amounts; output is Brazilian: "R$ 1.234,56", "1,5", "26/11/2026".

/** The largest amount accepted anywhere on an invoice: what a Pix amount can hold (9999999999.99). */
export const MAX_CENTS = 999_999_999_999n;
/** At most 1,000,000 units of one item. */
const MAX_QUANTITY_MILLI = 1_000_000_000n;

export type Parsed<T> = { ok: true; value: T } | { ok: false; rule: string };

/**
 * Reads an amount of money in BRL: a number or a dot-decimal string, zero or more, at most two
 * decimal places (money is not rounded silently).
 *
 * @example parseCents('1234.5') // { ok: true, value: 123450n }
 */
export function parseCents(value: unknown): Parsed<bigint> {
  const decimal = readDecimal(value, 2, 'must be an amount such as 1234.50 (a dot for decimals, no thousands separator)');
  if (!decimal.ok) return decimal;
  if (decimal.value < 0n) return { ok: false, rule: 'must not be negative' };
  if (decimal.value > MAX_CENTS) return { ok: false, rule: 'must be at most 9999999999.99' };
  return decimal;
}

/**
 * Reads a quantity: greater than zero, at most three decimal places (1.5 kg, 0.250 m), in
 * thousandths.
 *
 * @example parseQuantityMilli(2) // { ok: true, value: 2000n }
 */
export function parseQuantityMilli(value: unknown): Parsed<bigint> {
  const decimal = readDecimal(value, 3, 'must be a number such as 2 or 1.5 (a dot for decimals)');
  if (!decimal.ok) return decimal;
  if (decimal.value <= 0n) return { ok: false, rule: 'must be greater than zero' };
  if (decimal.value > MAX_QUANTITY_MILLI) return { ok: false, rule: 'must be at most 1000000' };
  return decimal;
}

/** quantity × unit price, rounded half up to the cent (1.5 × R$ 0,99 = R$ 1,49). */
export function lineCents(quantityMilli: bigint, unitCents: bigint): bigint {
  return (quantityMilli * unitCents + 500n) / 1000n;
}

/**
 * Brazilian currency format: "R$ 1.234,56", "-R$ 10,00". A plain space after "R$" (Intl puts a
 * no-break space there, which fonts and copy-paste handle unevenly).
 */
export function formatBrl(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${negative ? '-' : ''}R$ ${whole},${(abs % 100n).toString().padStart(2, '0')}`;
}

/** "1234.50": the amount as the API and the Pix code write it. */
export function centsToDecimal(cents: bigint): string {
  return `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
}

/** A quantity in pt-BR without useless zeros: 2000n → "2", 1500n → "1,5", 1250000n → "1.250". */
export function formatQuantity(milli: bigint): string {
  const whole = (milli / 1000n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  const fraction = (milli % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return fraction ? `${whole},${fraction}` : whole;
}

/** "2026-11-26" → "26/11/2026". */
export function formatDatePtBr(isoDate: string): string {
  const [year, month, day] = isoDate.split('-');
  return `${day}/${month}/${year}`;
}

function readDecimal(value: unknown, places: number, shape: string): Parsed<bigint> {
  if (typeof value === 'number' && !Number.isFinite(value)) return { ok: false, rule: 'must be a finite number' };
  if (typeof value !== 'number' && typeof value !== 'string') return { ok: false, rule: shape };
  // A number is read as JavaScript writes it, so 0.1 + 0.2 ("0.30000000000000004") is refused, not rounded.
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return { ok: false, rule: shape };
  const [, sign = '', whole = '', fraction = ''] = match;
  if (fraction.length > places) return { ok: false, rule: `must have at most ${places} decimal places` };
  const scaled = BigInt(whole) * 10n ** BigInt(places) + BigInt(fraction.padEnd(places, '0') || '0');
  return { ok: true, value: sign === '-' ? -scaled : scaled };
}
