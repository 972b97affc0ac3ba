import { describe, expect, it } from 'vitest';
import { extractLeadFields } from './extract.js';
import { fieldsFromForm, fieldsGiven, mergeFields, type LeadField } from './lead-fields.js';

const pick = (text: string, keywords?: string[]) => extractLeadFields(text, keywords ? { keywords } : {}).map(({ field, value, confidence }) => [field, value, confidence]);

describe('extractLeadFields', () => {
  it('finds an e-mail and a CPF with valid check digits, both certain and normalised', () => {
    expect(pick('meu email é Ana.Souza@Example.com e meu cpf 529.982.247-25')).toEqual([
      ['email', 'ana.souza@example.com', 'certain'],
      ['cpf', '52998224725', 'certain'],
    ]);
  });

  it('drops a CPF or CNPJ whose check digits do not match (never a guess)', () => {
    expect(pick('meu cpf é 123.456.789-00')).toEqual([]);
    expect(pick('cnpj 11.222.333/0001-00')).toEqual([]);
    expect(pick('CNPJ 11.222.333/0001-81')).toEqual([['cnpj', '11222333000181', 'certain']]);
  });

  it('reads Brazilian phone numbers as E.164 and a CEP as possible (nothing can check one exists)', () => {
    expect(pick('me liga no (11) 98888-7777, cep 01310-100')).toEqual([
      ['phone', '+5511988887777', 'certain'],
      ['cep', '01310-100', 'possible'],
    ]);
    expect(pick('whats +55 21 99876-5432')).toEqual([['phone', '+5521998765432', 'certain']]);
    expect(pick('cep 01310100')).toEqual([['cep', '01310-100', 'possible']]);
  });

  it('takes names after "meu nome é", "me chamo" and "sou o/a" (capitalised), always as possible', () => {
    expect(pick('Oi! meu nome é ana maria da silva e quero um orçamento')).toEqual([['name', 'Ana Maria da Silva', 'possible']]);
    expect(pick('me chamo João e moro em SP')).toEqual([['name', 'João', 'possible']]);
    expect(pick('Boa tarde, sou o Pedro Alves, da padaria')).toEqual([['name', 'Pedro Alves', 'possible']]);
    expect(pick('sou o dono da loja')).toEqual([]);
    expect(pick('sou a favor')).toEqual([]);
  });

  it('finds interest keywords as whole words, whatever the accents and case', () => {
    expect(pick('Quero saber o PRECO do plano premium', ['preço', 'plano premium', 'plano'])).toEqual([['interest', ['preço', 'plano premium', 'plano'], 'certain']]);
    expect(pick('planos e precos', ['plano', 'preço'])).toEqual([]);
    expect(pick('nada a ver', [])).toEqual([]);
  });

  it('keeps the longest match where patterns overlap (a CNPJ is not also a phone)', () => {
    expect(pick('11222333000181')).toEqual([['cnpj', '11222333000181', 'certain']]);
    // Eleven digits that are a valid CPF and a valid mobile number: kept as a possible CPF only.
    const ambiguous = extractLeadFields('11987654300');
    expect(ambiguous.every((found) => found.confidence === 'possible' || found.field !== 'cpf')).toBe(true);
  });

  it('stays cheap on long or hostile text (only the first 2,048 characters are read)', () => {
    const started = performance.now();
    const found = extractLeadFields(`${'1.'.repeat(50_000)} ana@example.com`);
    expect(found).toEqual([]);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('lead fields', () => {
  const at = '2026-03-01T10:00:00.000Z';

  it('maps a form\'s known fields, checked: a valid value is certain, a failing one possible', () => {
    const fields = fieldsFromForm({ Nome: 'Ana', 'E-mail': 'ANA@example.com', cpf: '123.456.789-00', quantidade: 3 }, at);
    expect(fields.name).toMatchObject({ value: 'Ana', from: 'form', rule: null, confidence: 'certain' });
    expect(fields.email).toMatchObject({ value: 'ana@example.com', rule: 'email', confidence: 'certain' });
    expect(fields.cpf).toMatchObject({ value: '123.456.789-00', rule: 'cpf', confidence: 'possible' });
    expect(fields.quantidade).toMatchObject({ value: 3, confidence: 'certain' });
  });

  it('refuses a given known field that fails its check, naming it', () => {
    expect(fieldsGiven({ email: 'ana@' }, 'api', at)).toMatchObject({ ok: false, field: 'fields.email' });
    expect(fieldsGiven({ cpf: '529.982.247-26' }, 'agent', at)).toMatchObject({ ok: false, field: 'fields.cpf' });
    expect(fieldsGiven({ obs: '' }, 'agent', at)).toMatchObject({ ok: false, field: 'fields.obs' });
    expect(fieldsGiven({ cpf: '529.982.247-25', plano: 'premium' }, 'agent', at)).toMatchObject({ ok: true, fields: { cpf: { value: '52998224725', from: 'agent', confidence: 'certain' }, plano: { value: 'premium' } } });
  });

  it('merges: a guess never replaces a checked value, the same value keeps its provenance, keywords accumulate', () => {
    const field = (value: unknown, confidence: LeadField['confidence'], from: LeadField['from'] = 'message', messageId: string | null = 'msg_1'): LeadField => ({ value, from, message_id: messageId, rule: null, confidence, at });
    const current = { email: field('a@example.com', 'certain', 'form', null), interest: field(['plano'], 'certain'), name: field('Ana', 'possible') };
    const merged = mergeFields(current, ['email', 'interest', 'name'], {
      email: field('a@example.com', 'certain', 'message', 'msg_2'),
      interest: field(['plano', 'preço'], 'certain', 'message', 'msg_2'),
      name: field('Ana Souza', 'possible', 'message', 'msg_2'),
      cep: field('01310-100', 'possible', 'message', 'msg_2'),
    });
    expect(merged.changed).toEqual(['interest', 'name', 'cep']);
    expect(merged.names).toEqual(['email', 'interest', 'name', 'cep']);
    expect(merged.fields.email).toEqual(current.email);
    expect(merged.fields.interest?.value).toEqual(['plano', 'preço']);
    expect(mergeFields(merged.fields, merged.names, { email: field('b@example.com', 'possible') }).changed).toEqual([]);
    expect(mergeFields(merged.fields, merged.names, { email: field('b@example.com', 'certain', 'agent', null) }).fields.email?.value).toBe('b@example.com');
  });
});
