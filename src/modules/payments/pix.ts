// The static Pix BR Code ("Pix copia e cola"), following Banco Central's "Manual de Padrões
// para Iniciação do Pix" (EMV QR Code merchant-presented mode, IDs below):
//
//   00 Payload Format Indicator "01"
//   26 Merchant Account Information: 00 GUI "br.gov.bcb.pix", 01 key, 02 description (optional)
//   52 Merchant Category Code "0000"        53 Transaction Currency "986" (BRL)
//   54 Transaction Amount (optional)        58 Country Code "BR"
//   59 Merchant Name (≤ 25)                 60 Merchant City (≤ 15)
//   61 Postal Code (optional, 8 digits)     62 Additional Data: 05 txid ("***" when none)
//   63 CRC16 of everything before it, "6304" included
//
// Text is written in ASCII: accents are stripped ("São Paulo" → "Sao Paulo") because many
// bank apps mangle anything else, and EMV lengths count characters, which only equal bytes
// in ASCII. Case is kept: the manual recommends upper case but its own example is
// "Fulano de Tal", and payers' apps show the name DICT returns, not field 59.
// Over-long values are refused, not cut: a cut company name or city is a silent surprise.

import { crc16Hex } from './crc16.js';
import { normalizePixKey, type PixKeyRejectionCode } from './pix-key.js';

/** The GUI of Pix in field 26/00. Readers compare it case-insensitively. */
export const PIX_GUI = 'br.gov.bcb.pix';

export const PIX_LIMITS = {
  merchantName: 25,
  merchantCity: 15,
  txid: 25,
  /** Field 54's value: "9999999999.99" at most. */
  amount: 13,
  /** Field 26 as a whole: GUI, key and description with their IDs and lengths. */
  merchantAccountInformation: 99,
} as const;

export interface PixCodeInput {
  /** CPF, CNPJ, e-mail, +55 phone or random key (UUID); punctuation is removed. */
  key: string;
  /** Who receives; at most 25 characters once accents are stripped. */
  merchantName: string;
  /** At most 15 characters once accents are stripped. */
  merchantCity: string;
  /** BRL: a number, or a string with a dot for decimals and no thousands separator ("1234.50"). Omit it (or leave it blank) to let the payer type the amount. */
  amount?: number | string | undefined;
  /** Up to 25 letters and digits, to reconcile the payment; "***" (no identifier) when omitted. */
  txid?: string | undefined;
  /** Shown to the payer by some apps; it shares field 26's 99 characters with the key. */
  description?: string | undefined;
  /** CEP, 8 digits; punctuation is removed ("25.850-000"). */
  postalCode?: string | undefined;
  /** The GUI's spelling. The manual writes it lower case (the default); some PSPs emit upper case. */
  gui?: 'br.gov.bcb.pix' | 'BR.GOV.BCB.PIX' | undefined;
}

export type PixCodeField = Exclude<keyof PixCodeInput, 'gui'>;

/** Why an input was refused; stable, unlike the wording of `rule`. */
export type PixCodeRejectionCode = PixKeyRejectionCode | 'not_positive' | 'bad_characters';

export type PixCodeResult = { ok: true; code: string } | { ok: false; field: PixCodeField; code: PixCodeRejectionCode; rule: string };

/**
 * Builds the static Pix BR Code ("copia e cola") for a key, optionally with an amount, a
 * txid, a description and a postal code. Bad input comes back as `{ ok: false, field, code, rule }`,
 * where `rule` reads after the field name ("merchantCity: must be at most 15 characters ...").
 *
 * @example
 * buildPixCode({ key: '123e4567-e12b-12d1-a456-426655440000', merchantName: 'Fulano de Tal', merchantCity: 'BRASILIA' })
 * // { ok: true, code: '00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D' }
 */
export function buildPixCode(input: PixCodeInput): PixCodeResult {
  const key = normalizePixKey(input.key);
  if (!key.ok) return refuse('key', key.code, key.rule);

  const name = asciiText(input.merchantName, 'merchantName', PIX_LIMITS.merchantName);
  if (!name.ok) return name;
  const city = asciiText(input.merchantCity, 'merchantCity', PIX_LIMITS.merchantCity);
  if (!city.ok) return city;

  let amount: string | undefined;
  if (input.amount !== undefined && String(input.amount).trim() !== '') {
    const formatted = formatPixAmount(input.amount);
    if (!formatted.ok) return refuse('amount', formatted.code, formatted.rule);
    amount = formatted.amount;
  }

  const txid = input.txid?.trim() || '***';
  if (txid !== '***' && !/^[A-Za-z0-9]+$/.test(txid)) return refuse('txid', 'bad_characters', 'may hold only letters and digits (A-Z, a-z, 0-9)');
  if (txid.length > PIX_LIMITS.txid) return refuse('txid', 'too_long', `must be at most ${PIX_LIMITS.txid} characters; it has ${txid.length}`);

  let postalCode: string | undefined;
  if (input.postalCode !== undefined && input.postalCode.trim() !== '') {
    postalCode = input.postalCode.replace(/[\s.-]/g, '');
    if (!/^\d{8}$/.test(postalCode)) return refuse('postalCode', 'bad_format', 'must be a CEP of 8 digits (e.g. 01310-100)');
  }

  const accountParts = [tlv('00', input.gui ?? PIX_GUI), tlv('01', key.key)];
  if (input.description !== undefined && input.description.trim() !== '') {
    const description = asciiText(input.description, 'description', Number.POSITIVE_INFINITY);
    if (!description.ok) return description;
    const room = Math.max(PIX_LIMITS.merchantAccountInformation - accountParts.join('').length - 4, 0);
    if (description.text.length > room) {
      return refuse('description', 'too_long', `must be at most ${room} characters with this key (field 26 holds key and description in ${PIX_LIMITS.merchantAccountInformation}); it has ${description.text.length}`);
    }
    accountParts.push(tlv('02', description.text));
  }

  const payload = [
    tlv('00', '01'),
    tlv('26', accountParts.join('')),
    tlv('52', '0000'),
    tlv('53', '986'),
    amount === undefined ? '' : tlv('54', amount),
    tlv('58', 'BR'),
    tlv('59', name.text),
    tlv('60', city.text),
    postalCode === undefined ? '' : tlv('61', postalCode),
    tlv('62', tlv('05', txid)),
    '6304',
  ].join('');
  return { ok: true, code: payload + crc16Hex(payload) };
}

/**
 * Writes an amount as field 54 wants it: dot decimal, two places, no thousands separator.
 * Refuses zero, negatives, more than two decimal places (money is not rounded silently) and
 * amounts over 13 characters.
 *
 * @example formatPixAmount(1234.5) // { ok: true, amount: '1234.50' }
 */
export function formatPixAmount(value: number | string): { ok: true; amount: string } | { ok: false; code: PixCodeRejectionCode; rule: string } {
  if (typeof value === 'number' && !Number.isFinite(value)) return { ok: false, code: 'bad_format', rule: 'must be a finite number' };
  // A number is read as JavaScript writes it (the shortest decimal that round-trips), so
  // 1234.5 is "1234.5" and 0.1 + 0.2 is "0.30000000000000004", which is refused, not rounded.
  const text = typeof value === 'number' ? String(value) : value.trim();
  if (/^-\d/.test(text)) return { ok: false, code: 'not_positive', rule: 'must be greater than zero; omit it to let the payer type the amount' };
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return { ok: false, code: 'bad_format', rule: 'must be digits with a dot for decimals and no thousands separator (e.g. "1234.50")' };
  const [, whole = '', fraction = ''] = match;
  if (fraction.length > 2) return { ok: false, code: 'bad_format', rule: 'must have at most two decimal places (round it to cents first)' };
  const cents = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
  if (cents <= 0n) return { ok: false, code: 'not_positive', rule: 'must be greater than zero; omit it to let the payer type the amount' };
  const amount = `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
  if (amount.length > PIX_LIMITS.amount) return { ok: false, code: 'too_long', rule: `must fit in ${PIX_LIMITS.amount} characters (at most 9999999999.99)` };
  return { ok: true, amount };
}

/**
 * Text as the BR Code carries it: accents and other marks stripped, compatibility forms
 * folded ("1º" → "1o"), typographic quotes and dashes made plain, runs of spaces collapsed.
 * "Açaí do João" → "Acai do Joao". What is left outside printable ASCII is refused later.
 */
export function toPixText(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u2018\u2019\u201A\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201E\u2033]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

type TextResult = { ok: true; text: string } | { ok: false; field: PixCodeField; code: PixCodeRejectionCode; rule: string };

function asciiText(value: string, field: PixCodeField, max: number): TextResult {
  const text = toPixText(value);
  if (text === '') return refuse(field, 'required', 'is required');
  if (!/^[\x20-\x7E]+$/.test(text)) return refuse(field, 'bad_characters', 'may hold only letters, digits, spaces and common punctuation once accents are removed');
  if (text.length > max) return refuse(field, 'too_long', `must be at most ${max} characters; "${text}" has ${text.length}`);
  return { ok: true, text };
}

/** One EMV data object: ID, two-digit length, value. Values here are ASCII, so characters are bytes. */
function tlv(id: string, value: string): string {
  if (value.length > 99) throw new Error(`EMV field ${id} is ${value.length} characters long; the format allows 99`);
  return `${id}${value.length.toString().padStart(2, '0')}${value}`;
}

function refuse(field: PixCodeField, code: PixCodeRejectionCode, rule: string): { ok: false; field: PixCodeField; code: PixCodeRejectionCode; rule: string } {
  return { ok: false, field, code, rule };
}
