// Phone numbers in, canonical E.164 out.
//
// Metadata: `libphonenumber-js/max`. The default (`min`) metadata only checks a number's
// length, so `+55 11 2888-87777`-style typos and area codes that do not exist pass as
// "valid"; `max` checks each country's number patterns and tells a mobile from a landline,
// which the Brazilian ninth-digit rule below needs. It costs ~150 kB more, which does not
// matter on a server.
//
// Brazil's ninth digit: since 2016 every Brazilian mobile has nine digits after the area
// code (DDD), `9XXXX-XXXX`. WhatsApp accounts registered before the change kept their
// old eight-digit identity, so a webhook's `wa_id` may be `551188887777` for the person
// whose number is `+55 11 98888-7777`, and it may be either form for a given person.
// Our choice:
//   - `normalizePhone` always returns the nine-digit form, the number a person dials
//     today, so one person gets one E.164 however the number was written;
//   - `phoneKeys` returns both forms, so a contact stored with one is found by the other;
//   - the `wa_id` that WhatsApp reports (webhook `contacts[].wa_id`, send response
//     `contacts[].wa_id`) is the account's identity: store it as reported; do not
//     replace it with `normalizePhone(...).waId`.
// Only numbers whose eight-digit form was a mobile (starting 6–9) get the second key:
// `+55 11 93888-7777` never had an eight-digit form, and `+55 11 3888-7777` is a landline.
// The metadata still calls ten-digit `+55 DD 7xxx-xxxx` a valid mobile (once radio-trunk
// lines), so `normalizePhone` leaves those as they are; `phoneKeys` pairs them with the
// nine-digit form all the same.

import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/max';

export type { CountryCode };

/** Why a phone number was rejected; stable, unlike the wording of `rule`. */
export type PhoneRejectionCode = 'empty' | 'bad_characters' | 'needs_country_code' | 'invalid';

export type PhoneNormalization =
  | { ok: true; e164: string; waId: string; country: string | undefined; callingCode: string }
  | { ok: false; code: PhoneRejectionCode; rule: string };

/**
 * Turns a phone number as people write it into E.164 and a WhatsApp id (E.164 digits
 * without `+`).
 *
 * - `+55 11 98888-7777`: international.
 * - `5511988887777` (a wa_id, or digits without `+`): international when valid that way.
 * - `(11) 98888-7777` with `defaultCountry` `'BR'`: national. With a default country,
 *   the national reading is tried first, then the international one.
 * - Brazilian mobiles written without the ninth digit (`551188887777`) come back with it.
 *
 * Rejections are values: `{ ok: false, code, rule }`, where `rule` reads after the field
 * name ("phone: is not a valid phone number for BR").
 *
 * @example normalizePhone('(11) 98888-7777', 'BR')
 * // { ok: true, e164: '+5511988887777', waId: '5511988887777', country: 'BR', callingCode: '55' }
 */
export function normalizePhone(input: string, defaultCountry?: CountryCode): PhoneNormalization {
  // Parsing with the full metadata costs tens of microseconds, and the same numbers come back
  // on every message to a contact: answers are kept for the last 10,000 inputs (frozen, shared).
  // Only inputs a phone number could be: a long text is answered, never kept.
  if (input.length > RECENT_INPUT_MAX) return normalizeUncached(input, defaultCountry);
  const key = `${defaultCountry ?? ''}|${input}`;
  const known = recent.get(key);
  if (known) return known;
  const answer = Object.freeze(normalizeUncached(input, defaultCountry));
  if (recent.size >= RECENT_LIMIT) recent.delete(recent.keys().next().value as string);
  recent.set(key, answer);
  return answer;
}

const RECENT_LIMIT = 10_000;
const RECENT_INPUT_MAX = 40;
const recent = new Map<string, PhoneNormalization>();

function normalizeUncached(input: string, defaultCountry: CountryCode | undefined): PhoneNormalization {
  const text = input.trim();
  if (text === '') return reject('empty', 'is required');
  if (!ALLOWED_CHARACTERS.test(text) || !/\d/.test(text) || text.lastIndexOf('+') > 0) {
    return reject('bad_characters', 'may contain only digits, spaces, a leading + and - ( ) . /');
  }
  const digits = text.replace(/\D/g, '');
  const international = `+${digits}`;

  if (text.startsWith('+')) {
    const phone = parseValid(international);
    if (phone) return accept(phone);
    return reject('invalid', invalidRule(parsePhoneNumberFromString(international)));
  }
  if (defaultCountry) {
    const phone = parseValid(digits, defaultCountry) ?? parseValid(international);
    if (phone) return accept(phone);
    return reject('invalid', `is not a valid phone number for ${defaultCountry}`);
  }
  const phone = parseValid(international);
  if (phone) return accept(phone);
  return reject(
    'needs_country_code',
    'must include the country code (e.g. +55…) or set a default country',
  );
}

/**
 * The WhatsApp ids (E.164 digits, no `+`) under which one person may be known; the
 * canonical one first. Brazilian mobiles give two: with and without the ninth digit.
 * Match a contact with `wa_id IN (...phoneKeys(x))`.
 *
 * Takes an E.164 number or a wa_id. It never validates: a wa_id that the metadata does
 * not know (a range opened after this library's release) comes back as its own only key,
 * so an inbound message can still be matched; text with no plausible number gives `[]`.
 *
 * @example phoneKeys('+5511988887777') // ['5511988887777', '551188887777']
 * @example phoneKeys('551188887777')   // ['5511988887777', '551188887777']
 */
export function phoneKeys(e164OrWaId: string): string[] {
  const normalized = normalizePhone(e164OrWaId);
  if (!normalized.ok) {
    const digits = e164OrWaId.replace(/\D/g, '');
    const plausible =
      ALLOWED_CHARACTERS.test(e164OrWaId.trim()) && digits.length >= 7 && digits.length <= 15;
    return plausible ? [digits] : [];
  }
  const other = otherBrazilianMobileKey(normalized.waId);
  return other ? [normalized.waId, other] : [normalized.waId];
}

/** Whether `value` is an ISO 3166-1 alpha-2 code that the phone metadata knows. */
export function isPhoneCountry(value: string): value is CountryCode {
  return isSupportedCountry(value);
}

// Digits and the separators people type; \s includes the no-break space that spreadsheets
// like to insert.
const ALLOWED_CHARACTERS = /^\+?[\d\s\-()./]+$/;

const BRAZIL_CALLING_CODE = '55';

function parseValid(text: string, defaultCountry?: CountryCode): PhoneNumber | undefined {
  const phone = parsePhoneNumberFromString(text, defaultCountry);
  if (!phone) return undefined;
  if (phone.isValid()) return phone;
  return addBrazilianNinthDigit(phone);
}

// `+55 DD 8888-7777` (ten national digits, subscriber starting 6–9) is a mobile from
// before the ninth digit; today it is `+55 DD 98888-7777`. Landlines start 2–5 and stay.
function addBrazilianNinthDigit(phone: PhoneNumber): PhoneNumber | undefined {
  if (phone.countryCallingCode !== BRAZIL_CALLING_CODE) return undefined;
  const national = phone.nationalNumber;
  if (!/^\d{2}[6-9]\d{7}$/.test(national)) return undefined;
  const upgraded = parsePhoneNumberFromString(
    `+${BRAZIL_CALLING_CODE}${national.slice(0, 2)}9${national.slice(2)}`,
  );
  return upgraded?.isValid() && upgraded.getType() === 'MOBILE' ? upgraded : undefined;
}

// The other form of a Brazilian mobile: the eight-digit wa_id of a nine-digit number
// whose eight-digit form existed, or the nine-digit form of an eight-digit mobile that
// the metadata still calls valid (`7xxx-xxxx`, once radio-trunk lines), so that the keys
// of either form contain the other.
function otherBrazilianMobileKey(waId: string): string | undefined {
  const nine = /^55(\d{2})9([6-9]\d{7})$/.exec(waId);
  if (nine) return `55${nine[1]}${nine[2]}`;
  const eight = /^55(\d{2})([6-9]\d{7})$/.exec(waId);
  if (!eight) return undefined;
  const upgraded = parsePhoneNumberFromString(`+55${eight[1]}9${eight[2]}`);
  return upgraded?.isValid() && upgraded.getType() === 'MOBILE' ? upgraded.number.slice(1) : undefined;
}

function accept(phone: PhoneNumber): PhoneNormalization {
  return {
    ok: true,
    e164: phone.number,
    waId: phone.number.slice(1),
    country: phone.country,
    callingCode: phone.countryCallingCode,
  };
}

function reject(code: PhoneRejectionCode, rule: string): PhoneNormalization {
  return { ok: false, code, rule };
}

function invalidRule(phone: PhoneNumber | undefined): string {
  if (!phone) return 'has no known country code after the +';
  return `is not a valid phone number for ${phone.country ?? `+${phone.countryCallingCode}`}`;
}
