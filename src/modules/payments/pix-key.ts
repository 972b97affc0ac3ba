// Pix keys ("chaves") as DICT registers them, so the key in a BR Code is the one the payer's
// bank looks up:
//   - CPF: 11 digits, no punctuation;  CNPJ: 14 characters, no punctuation (the alphanumeric
//     CNPJ that the Receita Federal issues from July 2026 is accepted: 12 letters or digits,
//     then two check digits);
//   - e-mail: lower case, at most 77 characters;
//   - phone: `+55`, the area code (DDD) and the number, digits only;
//   - random key (EVP): a UUID, lower case.
// A bare run of 11 digits is read as a CPF, never as a phone: phone keys must start with `+`.

export type PixKeyType = 'cpf' | 'cnpj' | 'email' | 'phone' | 'evp';

/** Why a key was refused; stable, unlike the wording of `rule`. */
export type PixKeyRejectionCode = 'required' | 'unsupported_key' | 'bad_check_digits' | 'bad_format' | 'too_long';

export type PixKeyNormalization =
  | { ok: true; key: string; type: PixKeyType }
  | { ok: false; code: PixKeyRejectionCode; rule: string };

/** DICT's limit for e-mail keys; it also keeps field 26 within 99 characters. */
export const MAX_EMAIL_KEY_LENGTH = 77;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[a-z0-9.!#$&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const DOCUMENT_PUNCTUATION = /[\s./-]/g;
const PHONE_PUNCTUATION = /[\s().-]/g;

/**
 * Recognises a Pix key as people write it (`529.982.247-25`, `+55 (11) 98888-7777`,
 * `Fulano@Example.com`) and returns it in the form DICT registers, with its type.
 * Rejections are values whose `rule` reads after the field name ("key: ...").
 *
 * @example normalizePixKey('529.982.247-25') // { ok: true, key: '52998224725', type: 'cpf' }
 */
export function normalizePixKey(input: string): PixKeyNormalization {
  const text = input.trim();
  if (text === '') return reject('required', 'is required');

  if (text.includes('@')) {
    const email = text.toLowerCase();
    if (email.length > MAX_EMAIL_KEY_LENGTH) return reject('too_long', `must be at most ${MAX_EMAIL_KEY_LENGTH} characters for an e-mail key`);
    if (!EMAIL.test(email)) return reject('bad_format', 'is not a valid e-mail address');
    return { ok: true, key: email, type: 'email' };
  }

  if (text.startsWith('+')) {
    const phone = text.replace(PHONE_PUNCTUATION, '');
    if (!phone.startsWith('+55')) return reject('bad_format', 'must be a Brazilian phone number starting with +55');
    if (!/^\+55[1-9]{2}\d{8,9}$/.test(phone)) return reject('bad_format', 'must be +55, a two-digit area code (DDD) and an 8- or 9-digit number');
    return { ok: true, key: phone, type: 'phone' };
  }

  if (UUID.test(text)) return { ok: true, key: text.toLowerCase(), type: 'evp' };

  const document = text.replace(DOCUMENT_PUNCTUATION, '').toUpperCase();
  if (/^\d{11}$/.test(document)) {
    return isValidCpf(document) ? { ok: true, key: document, type: 'cpf' } : reject('bad_check_digits', 'is not a valid CPF (its check digits do not match); a phone key must be written with +55');
  }
  if (/^[A-Z0-9]{14}$/.test(document)) {
    if (!/^[A-Z0-9]{12}\d{2}$/.test(document)) return reject('bad_format', 'is not a valid CNPJ (the last two characters must be digits)');
    return isValidCnpj(document) ? { ok: true, key: document, type: 'cnpj' } : reject('bad_check_digits', 'is not a valid CNPJ (its check digits do not match)');
  }
  return reject('unsupported_key', 'must be a CPF, a CNPJ, an e-mail address, a +55 phone number or a random key (UUID)');
}

/**
 * Whether 11 digits form a valid CPF: both check digits match (mod 11) and the digits are
 * not all the same (`111.111.111-11` passes the arithmetic but is not issued).
 */
export function isValidCpf(digits: string): boolean {
  if (!/^\d{11}$/.test(digits) || /^(\d)\1{10}$/.test(digits)) return false;
  const values = [...digits].map(Number);
  return checkDigit(values.slice(0, 9), [10, 9, 8, 7, 6, 5, 4, 3, 2]) === values[9] && checkDigit(values.slice(0, 10), [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]) === values[10];
}

/**
 * Whether 14 characters form a valid CNPJ: numeric, or the alphanumeric form (12 upper-case
 * letters or digits, then two check digits). Each character counts as its char code minus 48,
 * which gives digits their value and is how the Receita Federal defines the alphanumeric form.
 */
export function isValidCnpj(value: string): boolean {
  if (!/^[A-Z0-9]{12}\d{2}$/.test(value) || /^(\d)\1{13}$/.test(value)) return false;
  const values = [...value].map((char) => char.charCodeAt(0) - 48);
  return checkDigit(values.slice(0, 12), [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]) === values[12] && checkDigit(values.slice(0, 13), [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]) === values[13];
}

/** The mod-11 check digit used by both CPF and CNPJ: a remainder below 2 gives 0. */
function checkDigit(values: number[], weights: number[]): number {
  const sum = values.reduce((total, value, index) => total + value * (weights[index] ?? 0), 0);
  const remainder = sum % 11;
  return remainder < 2 ? 0 : 11 - remainder;
}

function reject(code: PixKeyRejectionCode, rule: string): PixKeyNormalization {
  return { ok: false, code, rule };
}
