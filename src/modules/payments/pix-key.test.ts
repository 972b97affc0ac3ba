import { describe, expect, it } from 'vitest';
import { isValidCnpj, isValidCpf, normalizePixKey } from './pix-key.js';

describe('isValidCpf', () => {
  it('accepts CPFs whose two check digits match', () => {
    for (const cpf of ['52998224725', '11144477735', '39053344705']) expect(isValidCpf(cpf), cpf).toBe(true);
  });

  it('refuses a wrong check digit, repeated digits and wrong lengths', () => {
    for (const cpf of ['52998224726', '52998224715', '11111111111', '00000000000', '5299822472', '529982247250']) expect(isValidCpf(cpf), cpf).toBe(false);
  });
});

describe('isValidCnpj', () => {
  it('accepts numeric CNPJs whose two check digits match', () => {
    for (const cnpj of ['11222333000181', '00038166000105']) expect(isValidCnpj(cnpj), cnpj).toBe(true);
  });

  it("accepts the Receita Federal's alphanumeric example, 12.ABC.345/01DE-35", () => {
    expect(isValidCnpj('12ABC34501DE35')).toBe(true);
    expect(isValidCnpj('12ABC34501DE36')).toBe(false);
  });

  it('refuses a wrong check digit, repeated digits, letters in the check digits', () => {
    for (const cnpj of ['11222333000182', '11222333000191', '00000000000000', '1122233300018A', '1122233300018']) expect(isValidCnpj(cnpj), cnpj).toBe(false);
  });
});

describe('normalizePixKey', () => {
  it.each([
    ['529.982.247-25', '52998224725', 'cpf'],
    [' 52998224725 ', '52998224725', 'cpf'],
    ['11.222.333/0001-81', '11222333000181', 'cnpj'],
    ['12.abc.345/01de-35', '12ABC34501DE35', 'cnpj'],
    ['Fulano.Tal@Example.COM.br', 'fulano.tal@example.com.br', 'email'],
    ['+55 (11) 98888-7777', '+5511988887777', 'phone'],
    ['+55 61 3333-4444', '+556133334444', 'phone'],
    ['123E4567-E12B-12D1-A456-426655440000', '123e4567-e12b-12d1-a456-426655440000', 'evp'],
  ])('reads %j as the %s key %s', (input, key, type) => {
    expect(normalizePixKey(input)).toEqual({ ok: true, key, type });
  });

  it.each([
    ['', 'required'],
    ['529.982.247-26', 'bad_check_digits'],
    ['111.111.111-11', 'bad_check_digits'],
    ['11.222.333/0001-82', 'bad_check_digits'],
    ['fulano@', 'bad_format'],
    ['fulano tal@example.com', 'bad_format'],
    [`${'a'.repeat(70)}@example.com`, 'too_long'],
    ['+1 415 555 0100', 'bad_format'],
    ['+55 11 8888', 'bad_format'],
    ['123e4567-e12b-12d1-a456', 'unsupported_key'],
    ['chave-pix', 'unsupported_key'],
  ])('refuses %j (%s)', (input, code) => {
    expect(normalizePixKey(input)).toMatchObject({ ok: false, code });
  });

  it('reads 11 bare digits as a CPF, and says how to write a phone key', () => {
    expect(normalizePixKey('11988887777')).toMatchObject({ ok: false, code: 'bad_check_digits', rule: expect.stringMatching(/\+55/) });
  });
});
