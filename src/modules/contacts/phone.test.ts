import { describe, expect, it } from 'vitest';
import { isPhoneCountry, normalizePhone, phoneKeys, type CountryCode } from './phone.js';

describe('normalizePhone accepts', () => {
  const cases: Array<{ input: string; defaultCountry?: CountryCode; e164: string; country: string | undefined }> = [
    { input: '+55 11 98888-7777', e164: '+5511988887777', country: 'BR' },
    { input: '5511988887777', e164: '+5511988887777', country: 'BR' },
    { input: '(11) 98888-7777', defaultCountry: 'BR', e164: '+5511988887777', country: 'BR' },
    { input: '(011) 98888-7777', defaultCountry: 'BR', e164: '+5511988887777', country: 'BR' },
    { input: '0 21 11 98888-7777', defaultCountry: 'BR', e164: '+5511988887777', country: 'BR' },
    { input: '11 98888.7777', defaultCountry: 'BR', e164: '+5511988887777', country: 'BR' },
    { input: '\u00a0+55\u00a011\u00a098888-7777 ', e164: '+5511988887777', country: 'BR' },
    // A wa_id given as digits, whatever the default country says.
    { input: '5511988887777', defaultCountry: 'US', e164: '+5511988887777', country: 'BR' },
    { input: '5511988887777', defaultCountry: 'BR', e164: '+5511988887777', country: 'BR' },
    // Brazilian mobiles without the ninth digit come back with it.
    { input: '551188887777', e164: '+5511988887777', country: 'BR' },
    { input: '+55 11 8888-7777', e164: '+5511988887777', country: 'BR' },
    { input: '(44) 9876-5432', defaultCountry: 'BR', e164: '+5544998765432', country: 'BR' },
    { input: '552164180266', e164: '+5521964180266', country: 'BR' },
    // Ten-digit 7xxx-xxxx is still a valid mobile in the metadata: left as it is.
    { input: '551177776666', e164: '+551177776666', country: 'BR' },
    // Landlines (subscriber starting 2–5) are left alone.
    { input: '(11) 3333-4444', defaultCountry: 'BR', e164: '+551133334444', country: 'BR' },
    { input: '+55 21 2555-1234', e164: '+552125551234', country: 'BR' },
    { input: '+1 (201) 555-0123', e164: '+12015550123', country: 'US' },
    { input: '201-555-0123', defaultCountry: 'US', e164: '+12015550123', country: 'US' },
    { input: '07400 123456', defaultCountry: 'GB', e164: '+447400123456', country: 'GB' },
    { input: '+351 912 345 678', e164: '+351912345678', country: 'PT' },
    { input: '+800 1234 5678', e164: '+80012345678', country: undefined },
  ];

  it.each(cases)('$input (default $defaultCountry) → $e164', ({ input, defaultCountry, e164, country }) => {
    expect(normalizePhone(input, defaultCountry)).toEqual({
      ok: true,
      e164,
      waId: e164.slice(1),
      country,
      callingCode: expect.stringMatching(/^\d{1,3}$/),
    });
  });

  it('gives the calling code apart from the country', () => {
    expect(normalizePhone('+55 11 98888-7777')).toMatchObject({ callingCode: '55', country: 'BR' });
    expect(normalizePhone('+1 201 555 0123')).toMatchObject({ callingCode: '1', country: 'US' });
  });
});

describe('normalizePhone rejects', () => {
  const cases: Array<{ input: string; defaultCountry?: CountryCode; code: string; rule?: string }> = [
    { input: '', code: 'empty' },
    { input: '   ', code: 'empty' },
    { input: 'call me', code: 'bad_characters' },
    { input: '+55 11 98888-7777 ext 12', code: 'bad_characters' },
    { input: '55+11988887777', code: 'bad_characters' },
    { input: '---', code: 'bad_characters' },
    {
      input: '(11) 98888-7777',
      code: 'needs_country_code',
      rule: 'must include the country code (e.g. +55…) or set a default country',
    },
    { input: '98888-7777', defaultCountry: 'BR', code: 'invalid', rule: 'is not a valid phone number for BR' },
    { input: '12', defaultCountry: 'BR', code: 'invalid', rule: 'is not a valid phone number for BR' },
    // Area code 20 does not exist; min metadata (length only) would let this through.
    { input: '+55 20 98888-7777', code: 'invalid', rule: 'is not a valid phone number for BR' },
    { input: '+55 11 2888-87777', code: 'invalid', rule: 'is not a valid phone number for BR' },
    { input: '+999 1234 5678', code: 'invalid' },
    { input: '+1 098 555 0123', code: 'invalid' },
  ];

  it.each(cases)('"$input" (default $defaultCountry): $code', ({ input, defaultCountry, code, rule }) => {
    const result = normalizePhone(input, defaultCountry);
    expect(result).toMatchObject({ ok: false, code });
    if (rule) expect(result).toMatchObject({ rule });
  });
});

describe('phoneKeys', () => {
  const cases: Array<{ input: string; keys: string[] }> = [
    // Both forms of a Brazilian mobile, the canonical nine-digit one first.
    { input: '+5511988887777', keys: ['5511988887777', '551188887777'] },
    { input: '5511988887777', keys: ['5511988887777', '551188887777'] },
    { input: '551188887777', keys: ['5511988887777', '551188887777'] },
    { input: '+5521964180266', keys: ['5521964180266', '552164180266'] },
    // Symmetric for the 7xxx numbers that normalizePhone keeps at eight digits.
    { input: '551177776666', keys: ['551177776666', '5511977776666'] },
    { input: '+5511977776666', keys: ['5511977776666', '551177776666'] },
    // 9 3xxx-xxxx never had an eight-digit form; 3888-7777 is someone's landline.
    { input: '+5511938887777', keys: ['5511938887777'] },
    { input: '+551133334444', keys: ['551133334444'] },
    { input: '+12015550123', keys: ['12015550123'] },
    // Not in the metadata, but WhatsApp said so: still matchable.
    { input: '99912345678', keys: ['99912345678'] },
    { input: 'not a phone', keys: [] },
    { input: '', keys: [] },
  ];

  it.each(cases)('$input → $keys', ({ input, keys }) => {
    expect(phoneKeys(input)).toEqual(keys);
  });

  it('matches a contact stored in one form by an inbound wa_id in the other', () => {
    const stored = normalizePhone('(11) 98888-7777', 'BR');
    if (!stored.ok) throw new Error('fixture should be valid');
    expect(phoneKeys('551188887777')).toContain(stored.waId);
    expect(phoneKeys(stored.e164)).toContain('551188887777');
  });
});

describe('isPhoneCountry', () => {
  it.each([
    ['BR', true],
    ['US', true],
    ['br', false],
    ['XX', false],
    ['', false],
  ] as const)('%s → %s', (value, expected) => {
    expect(isPhoneCountry(value)).toBe(expected);
  });
});

describe('normalizePhone remembers recent answers', () => {
  it('answers the same input the same way, per default country, and the answer cannot be changed', () => {
    const first = normalizePhone('(11) 98888-7777', 'BR');
    expect(normalizePhone('(11) 98888-7777', 'BR')).toEqual(first);
    // The same text without a default country is another question with another answer.
    expect(normalizePhone('(11) 98888-7777')).toMatchObject({ ok: false, code: 'needs_country_code' });
    expect(normalizePhone('(11) 98888-7777', 'BR')).toMatchObject({ ok: true, e164: '+5511988887777' });
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => Object.assign(first, { e164: '+1' })).toThrow(TypeError);
    expect(normalizePhone('(11) 98888-7777', 'BR')).toMatchObject({ e164: '+5511988887777' });
    // A long text (not a phone number) is answered and not kept: nothing anyone sends fills memory.
    const long = '1'.repeat(100_000);
    expect(normalizePhone(long)).toMatchObject({ ok: false });
    expect(Object.isFrozen(normalizePhone(long))).toBe(false);
  });
});
