import { describe, expect, it } from 'vitest';
import type { AskInput } from '../document/index.js';
import type { CustomerMessage } from './types.js';
import { validateAnswer, type ValidateOptions } from './validators.js';

// 02:30 UTC on 10 March is still 9 March in São Paulo: "hoje" follows the time zone.
const NOW = new Date('2026-03-10T02:30:00.000Z');

function check(input: AskInput, text: string | CustomerMessage, options: Partial<ValidateOptions> = {}) {
  const message: CustomerMessage = typeof text === 'string' ? { kind: 'text', text } : text;
  return validateAnswer(input, message, { language: 'pt', now: NOW, ...options });
}

function accepts(input: AskInput, cases: Array<[string, unknown]>, options: Partial<ValidateOptions> = {}) {
  for (const [text, value] of cases) expect(check(input, text, options), `${input}: ${text}`).toEqual({ ok: true, value });
}

function refuses(input: AskInput, texts: string[], options: Partial<ValidateOptions> = {}) {
  for (const text of texts) expect(check(input, text, options).ok, `${input}: ${text}`).toBe(false);
}

describe('validateAnswer', () => {
  it('text: trims and bounds the length', () => {
    accepts('text', [['  Ana Maria  ', 'Ana Maria'], ['Olá', 'Olá']], { min: 3, max: 10 });
    expect(check('text', 'Al', { min: 3 })).toEqual({ ok: false, reason: 'A resposta precisa ter pelo menos 3 caracteres.' });
    expect(check('text', 'A'.repeat(11), { max: 10, language: 'en' })).toEqual({ ok: false, reason: 'The answer can have at most 10 characters.' });
    refuses('text', ['   ']);
  });

  it('number: Brazilian and international notation, bounds', () => {
    accepts('number', [
      ['1.234,56', 1234.56],
      ['1234.5', 1234.5],
      ['1234,5', 1234.5],
      ['1.234', 1234],
      ['1.234.567', 1234567],
      ['R$ 10,00', 10],
      ['-3', -3],
      ['42', 42],
      ['0,5', 0.5],
    ]);
    accepts('number', [['1,234', 1234], ['1,234.56', 1234.56], ['1.5', 1.5]], { language: 'en' });
    refuses('number', ['abc', '1,2,3', '12a', '1.23.4', '', '.']);
    expect(check('number', '5', { min: 10 })).toEqual({ ok: false, reason: 'O número precisa ser pelo menos 10.' });
    expect(check('number', '50', { max: 10, language: 'es' })).toEqual({ ok: false, reason: 'El número puede ser como máximo 10.' });
  });

  it('email: lower-cased, refuses what cannot be an address', () => {
    accepts('email', [[' Ana.Silva+bot@Example.COM.br ', 'ana.silva+bot@example.com.br']]);
    refuses('email', ['ana', 'ana@', 'ana@example', 'ana @example.com', 'a@b.c', 'ana@exa_mple.com']);
    expect(check('email', 'x', { language: 'en' })).toEqual({ ok: false, reason: "That e-mail doesn't look right. Type something like name@example.com." });
  });

  it('phone: E.164, Brazil by default, the ninth digit added', () => {
    accepts('phone', [
      ['(11) 98888-7777', '+5511988887777'],
      ['+55 11 98888-7777', '+5511988887777'],
      ['+1 415 555 2671', '+14155552671'],
    ]);
    refuses('phone', ['123', 'abc', '(11) 1234']);
  });

  it('cpf: check digits, digits only', () => {
    accepts('cpf', [['529.982.247-25', '52998224725'], ['52998224725', '52998224725']]);
    refuses('cpf', ['529.982.247-24', '111.111.111-11', '1234567890', 'abc.def.ghi-jk']);
  });

  it('cnpj: check digits, numeric and the new alphanumeric form', () => {
    accepts('cnpj', [['11.222.333/0001-81', '11222333000181'], ['12.ABC.345/01DE-35', '12ABC34501DE35']]);
    refuses('cnpj', ['11.222.333/0001-80', '00.000.000/0000-00', '1122233300018']);
  });

  it('cep: 8 digits as 01310-100', () => {
    accepts('cep', [['01310100', '01310-100'], ['01310-100', '01310-100'], ['01.310-100', '01310-100']]);
    refuses('cep', ['1310-100', '013101000', '00000-000', 'abcde-fgh']);
  });

  it('date: day first, ISO, this year, relative words in the time zone; impossible dates refused', () => {
    accepts('date', [
      ['25/12/2026', '2026-12-25'],
      ['5/1/27', '2027-01-05'],
      ['2026-02-28', '2026-02-28'],
      ['25/12', '2026-12-25'],
      ['29/02/2028', '2028-02-29'],
      ['hoje', '2026-03-09'],
      ['Amanhã', '2026-03-10'],
      ['tomorrow', '2026-03-10'],
      ['mañana', '2026-03-10'],
      ['hoy', '2026-03-09'],
    ]);
    accepts('date', [['today', '2026-03-10']], { timeZone: 'UTC' });
    refuses('date', ['31/02/2026', '29/02/2026', '32/01', '10/13/2026', 'ontem à noite', 'abc', '2026-13-01']);
    expect(check('date', '31/02')).toEqual({ ok: false, reason: 'Essa data não existe. Confira o dia e o mês.' });
  });

  it('time: 14:30, 14h, 14h30, 2pm as HH:MM', () => {
    accepts('time', [
      ['14:30', '14:30'],
      ['9:05', '09:05'],
      ['14h', '14:00'],
      ['14h30', '14:30'],
      ['14 horas', '14:00'],
      ['2pm', '14:00'],
      ['12am', '00:00'],
      ['12 PM', '12:00'],
      ['7:15 am', '07:15'],
    ]);
    refuses('time', ['25:00', '14:60', '13pm', 'meio dia', '14']);
  });

  it('yes_no: words in three languages and the buttons', () => {
    accepts('yes_no', [['Sim', true], ['s', true], ['yes', true], ['Y', true], ['sí', true], ['si', true], ['Não', false], ['nao', false], ['N', false], ['no', false]]);
    expect(check('yes_no', { kind: 'reply', id: 'yes', title: 'Sim' })).toEqual({ ok: true, value: true });
    expect(check('yes_no', { kind: 'reply', id: 'no', title: 'Não' })).toEqual({ ok: true, value: false });
    refuses('yes_no', ['talvez', 'sim e não']);
  });

  it('choice: one of the choices, accents folded, by number or button', () => {
    const choices = ['Manhã', 'Tarde', 'Noite'];
    accepts('choice', [['manha', 'Manhã'], ['NOITE', 'Noite'], ['2', 'Tarde']], { choices });
    expect(check('choice', { kind: 'reply', id: 'choice:2', title: 'Noite' }, { choices })).toEqual({ ok: true, value: 'Noite' });
    expect(check('choice', 'madrugada', { choices })).toEqual({ ok: false, reason: 'Escolha uma destas opções: Manhã, Tarde, Noite.' });
  });

  it('media: the accepted kinds', () => {
    const image: CustomerMessage = { kind: 'media', media_type: 'image', media_id: 'm1' };
    expect(check('media', image, { media_types: ['image', 'document'] })).toEqual({ ok: true, value: { media_type: 'image', media_id: 'm1', caption: null } });
    expect(check('media', { kind: 'media', media_type: 'audio', media_id: 'a1' }, { media_types: ['image'] })).toEqual({ ok: false, reason: 'Envie um arquivo do tipo: image.' });
    expect(check('media', 'uma foto')).toEqual({ ok: false, reason: 'Envie um arquivo.' });
  });

  it('location: a location message', () => {
    expect(check('location', { kind: 'location', latitude: 1.5, longitude: -2, name: 'Loja' })).toEqual({ ok: true, value: { latitude: 1.5, longitude: -2, name: 'Loja', address: null } });
    expect(check('location', 'Rua A, 10', { language: 'es' })).toEqual({ ok: false, reason: 'Envía una ubicación (clip › Ubicación).' });
  });
});
