import { describe, expect, it } from 'vitest';
import { detectCsvDelimiter, parseContactsCsv, type ContactsCsvOptions } from './csv-import.js';

// One CSV text from rows of fields; quotes a field only when it must.
function csvOf(rows: string[][], delimiter = ',', newline = '\n'): string {
  const quote = (field: string): string =>
    /["\r\n]/.test(field) || field.includes(delimiter) ? `"${field.replace(/"/g, '""')}"` : field;
  return rows.map((row) => row.map(quote).join(delimiter)).join(newline) + newline;
}

function parseRows(rows: string[][], options: ContactsCsvOptions = {}) {
  return parseContactsCsv(csvOf(rows), options);
}

describe('parseContactsCsv: a Brazilian Excel export', () => {
  // BOM, ; delimiter, CRLF, accents and emoji, national numbers, a quoted value with line breaks.
  const file = Buffer.from(
    '\uFEFF' +
      csvOf(
        [
          ['Nome', 'Telefone', 'Idioma', 'Cidade', 'Tags', 'marketing_opt_in', 'consent_text'],
          ['João Çà 👋', '(11) 98888-7777', 'pt-BR', 'São Paulo', 'vip|lead', 'sim', 'Aceito receber\nofertas'],
          ['Márcia Ñúñez', '(21) 2555-1234', 'pt_br', 'Rio de Janeiro, RJ', '', 'não', ''],
          ['Zoë 🇧🇷', '+55 31 99999-0000', 'es', 'Belo Horizonte', '', '', ''],
        ],
        ';',
        '\r\n',
      ),
  );
  const result = parseContactsCsv(file, { defaultCountry: 'BR' });

  it('reads every row, with line numbers as in the file', () => {
    expect(result.errors).toEqual([]);
    expect(result.rows.map((row) => [row.line, row.e164, row.name])).toEqual([
      [2, '+5511988887777', 'João Çà 👋'],
      // Line 2's quoted value spans lines 2 and 3.
      [4, '+552125551234', 'Márcia Ñúñez'],
      [5, '+5531999990000', 'Zoë 🇧🇷'],
    ]);
  });

  it('normalises fields and keeps the rest as attributes', () => {
    expect(result.rows[0]).toEqual({
      line: 2,
      e164: '+5511988887777',
      waId: '5511988887777',
      name: 'João Çà 👋',
      language: 'pt_BR',
      tags: ['vip', 'lead'],
      attributes: { cidade: 'São Paulo' },
      marketingOptIn: { value: true, text: 'Aceito receber\nofertas' },
    });
    expect(result.rows[1]).toMatchObject({
      language: 'pt_BR',
      attributes: { cidade: 'Rio de Janeiro, RJ' },
      marketingOptIn: { value: false },
    });
    expect(result.rows[2]?.marketingOptIn).toBeUndefined();
  });
});

describe('parseContactsCsv: columns', () => {
  it.each(['phone', 'Phone', 'TELEFONE', ' Telefone ', 'whatsapp', 'WhatsApp', 'number', 'celular'])(
    'reads the phone from a column headed %j',
    (header) => {
      const { rows, errors } = parseRows([[header, 'nome'], ['+5511988887777', 'Ana']]);
      expect(errors).toEqual([]);
      expect(rows).toMatchObject([{ e164: '+5511988887777', name: 'Ana', attributes: {} }]);
    },
  );

  it('prefers celular to telefone and keeps the other as an attribute', () => {
    const { rows } = parseRows([['Telefone', 'Celular'], ['(11) 3333-4444', '(11) 98888-7777']], { defaultCountry: 'BR' });
    expect(rows).toMatchObject([{ e164: '+5511988887777', attributes: { telefone: '(11) 3333-4444' } }]);
  });

  it('reads aliases of the other fields, ignoring case, accents and spacing', () => {
    const { rows } = parseRows([
      ['Phone', 'NOME', 'Idioma', 'Time Zone', 'TAGS', 'Data de Nascimento', 'Código-Cliente'],
      ['+5511988887777', 'Ana', 'en-us', 'america/sao_paulo', 'a;b', '1990-01-01', 'C-7'],
    ]);
    expect(rows[0]).toMatchObject({
      name: 'Ana',
      language: 'en_US',
      timeZone: 'America/Sao_Paulo',
      tags: ['a', 'b'],
      attributes: { data_de_nascimento: '1990-01-01', 'código_cliente': 'C-7' },
    });
  });

  it('reports a missing phone column once, naming it, and imports nothing', () => {
    const result = parseRows([['nome', 'cidade'], ['Ana', 'Recife'], ['Bia', 'Natal']]);
    expect(result.rows).toEqual([]);
    expect(result.duplicates).toBe(0);
    expect(result.errors).toEqual([{ line: 1, field: 'phone', reason: expect.stringContaining('telefone') }]);
  });

  it('reports a repeated column and reads the first', () => {
    const { rows, errors } = parseRows([['phone', 'cidade', 'Cidade'], ['+5511988887777', 'Recife', 'Natal']]);
    expect(errors).toEqual([{ line: 1, field: 'Cidade', reason: expect.stringContaining('repeated') }]);
    expect(rows[0]?.attributes).toEqual({ cidade: 'Recife' });
  });
});

describe('parseContactsCsv: field rules', () => {
  const rowWith = (header: string, value: string) =>
    parseRows([['phone', header], ['+5511988887777', value]], { defaultCountry: 'BR' });

  it.each([
    ['pt-BR', 'pt_BR'],
    ['pt_BR', 'pt_BR'],
    ['PT-br', 'pt_BR'],
    ['en', 'en'],
    ['es-419', 'es_419'],
    ['fil', 'fil'],
  ])('language %j → %j', (value, language) => {
    expect(rowWith('language', value).rows[0]?.language).toBe(language);
  });

  it.each([
    ['America/Sao_Paulo', 'America/Sao_Paulo'],
    ['america/sao_paulo', 'America/Sao_Paulo'],
    ['Europe/Lisbon', 'Europe/Lisbon'],
    ['UTC', 'UTC'],
  ])('time_zone %j → %j', (value, timeZone) => {
    expect(rowWith('time_zone', value).rows[0]?.timeZone).toBe(timeZone);
  });

  it.each([
    ['true', true], ['TRUE', true], ['yes', true], ['Sim', true], ['1', true],
    ['false', false], ['no', false], ['não', false], ['NÃO', false], ['nao', false], ['0', false],
  ])('marketing_opt_in %j → %s', (value, expected) => {
    expect(rowWith('marketing_opt_in', value).rows[0]?.marketingOptIn).toEqual({ value: expected });
  });

  it.each([
    ['language', 'português', 'language'],
    ['language', 'zh-Hant-TW', 'language'],
    ['time_zone', 'Mars/Olympus', 'time_zone'],
    ['time_zone', '+03:00', 'time_zone'],
    ['time_zone', 'GMT-3', 'time_zone'],
    ['marketing_opt_in', 'talvez', 'marketing_opt_in'],
    ['consent_text', 'Aceito', 'marketing_opt_in'],
  ])('rejects the row when %s is %j', (header, value, field) => {
    const { rows, errors } = rowWith(header, value);
    expect(rows).toEqual([]);
    expect(errors).toEqual([{ line: 2, field, reason: expect.any(String) }]);
  });

  it('keeps consent text and source with the opt-in', () => {
    const { rows } = parseRows([
      ['phone', 'marketing_opt_in', 'consent_text', 'consent_source'],
      ['+5511988887777', 'yes', 'Quero receber ofertas', 'landing page 2024-05'],
    ]);
    expect(rows[0]?.marketingOptIn).toEqual({ value: true, text: 'Quero receber ofertas', source: 'landing page 2024-05' });
  });

  it('splits tags on ; and |, trims them and drops empty and repeated ones', () => {
    expect(rowWith('tags', ' vip ; lead|| vip |cliente ').rows[0]?.tags).toEqual(['vip', 'lead', 'cliente']);
  });

  it('leaves out empty attributes and writes accented names in composed form', () => {
    const decomposed = 'Joa\u0303o'; // macOS writes ã as a + combining tilde
    const { rows } = parseRows([['phone', 'name', 'cidade'], ['+5511988887777', decomposed, '  ']]);
    expect(rows[0]?.name).toBe('João');
    expect(rows[0]?.attributes).toEqual({});
  });
});

describe('parseContactsCsv: bad rows', () => {
  it('reports every bad row with its line and reason, and imports the good ones', () => {
    const result = parseRows(
      [
        ['telefone', 'nome', 'idioma'],
        ['(11) 98888-7777', 'Ana', ''],
        ['', 'Sem Telefone', ''],
        ['12345', 'Curto', ''],
        ['+5511977776666', 'Bia', 'klingon!'],
        ['(21) 99999-0000', 'Caio', 'pt'],
      ],
      { defaultCountry: 'BR' },
    );
    expect(result.rows.map((row) => row.name)).toEqual(['Ana', 'Caio']);
    expect(result.errors).toEqual([
      { line: 3, field: 'telefone', reason: 'is required' },
      { line: 4, field: 'telefone', reason: '"12345" is not a valid phone number for BR' },
      { line: 5, field: 'idioma', reason: expect.stringContaining('klingon!') },
    ]);
  });

  it('says the country code is missing when no default country is set', () => {
    const { errors } = parseRows([['phone'], ['(11) 98888-7777']]);
    expect(errors).toEqual([
      { line: 2, field: 'phone', reason: '"(11) 98888-7777" must include the country code (e.g. +55…) or set a default country' },
    ]);
  });

  it('rejects a row with more fields than the header, and reads short rows', () => {
    const { rows, errors } = parseContactsCsv('phone,name\n+5511988887777,Rua A, 123\n+5511977776666\n');
    expect(errors).toEqual([{ line: 2, field: '', reason: expect.stringContaining('3 fields') }]);
    expect(rows).toMatchObject([{ line: 3, e164: '+5511977776666' }]);
  });

  it('keeps the rows before an unclosed quote and reports where it opened', () => {
    const { rows, errors } = parseContactsCsv('phone,name\n+5511988887777,Ana\n+5511977776666,"Bia\n+5521999990000,Caio\n');
    expect(rows.map((row) => row.name)).toEqual(['Ana']);
    expect(errors).toEqual([{ line: 3, field: '', reason: expect.stringContaining('never closed') }]);
  });

  it('takes quotes inside an unquoted value literally', () => {
    const { rows } = parseContactsCsv('phone,name\n+5511988887777,Ana "Aninha" Souza\n');
    expect(rows[0]?.name).toBe('Ana "Aninha" Souza');
  });
});

describe('parseContactsCsv: duplicates', () => {
  it('merges rows with the same phone after normalisation; later non-empty fields win', () => {
    const result = parseRows(
      [
        ['phone', 'name', 'language', 'tags', 'cidade', 'plano', 'marketing_opt_in'],
        ['+55 11 98888-7777', 'Ana', 'pt_BR', 'lead', 'Recife', 'free', 'yes'],
        ['+5521999990000', 'Bia', '', '', '', '', ''],
        ['551188887777', 'Ana Souza', '', 'vip', '', 'pro', ''],
        ['(11) 98888-7777', '', 'en', 'lead', 'Olinda', '', 'no'],
      ],
      { defaultCountry: 'BR' },
    );
    expect(result.duplicates).toBe(2);
    expect(result.errors).toEqual([]);
    expect(result.rows).toEqual([
      {
        line: 2,
        e164: '+5511988887777',
        waId: '5511988887777',
        name: 'Ana Souza',
        language: 'en',
        tags: ['lead', 'vip'],
        attributes: { cidade: 'Olinda', plano: 'pro' },
        marketingOptIn: { value: false },
      },
      { line: 3, e164: '+5521999990000', waId: '5521999990000', name: 'Bia', tags: [], attributes: {} },
    ]);
  });
});

describe('parseContactsCsv: file shapes', () => {
  it.each([
    ['an empty string', ''],
    ['only a BOM', '\uFEFF'],
    ['only blank lines', '\n\r\n  \n'],
  ])('reports %s as an empty file', (_, text) => {
    expect(parseContactsCsv(text)).toEqual({
      rows: [],
      errors: [{ line: 1, field: '', reason: expect.stringContaining('empty') }],
      duplicates: 0,
    });
  });

  it('accepts a header with no rows', () => {
    expect(parseContactsCsv('phone,name\n')).toEqual({ rows: [], errors: [], duplicates: 0 });
  });

  it('skips blank lines and delimiter-only lines but counts them', () => {
    const { rows } = parseContactsCsv('phone;name\r\n\r\n;;\r\n+5511988887777;Ana\r\n\r\n+5521999990000;Bia');
    expect(rows.map((row) => row.line)).toEqual([4, 6]);
  });

  it('counts line breaks inside quoted values, CRLF or LF', () => {
    const text = 'phone,notes\r\n+5511988887777,"one\r\ntwo\r\nthree"\r\n+5521999990000,"a\nb"\n+5531999990000,x\n';
    expect(parseContactsCsv(text).rows.map((row) => row.line)).toEqual([2, 5, 7]);
  });

  it('reads windows-1252 bytes (older Excel) when they are not UTF-8', () => {
    const bytes = Buffer.from('telefone;nome\n+5511988887777;Jo\xe3o Gon\xe7alves\n', 'latin1');
    expect(parseContactsCsv(bytes).rows[0]?.name).toBe('João Gonçalves');
    expect(parseContactsCsv(bytes, { encoding: 'utf-8' })).toEqual({
      rows: [],
      errors: [{ line: 1, field: '', reason: expect.stringContaining('UTF-8') }],
      duplicates: 0,
    });
  });

  it('obeys an explicit delimiter', () => {
    // One , and one ; in the header: detection picks ',', the option says ';'.
    const text = 'phone,name;x\n+5511988887777,Ana;1\n';
    expect(parseContactsCsv(text).rows).toMatchObject([{ attributes: { 'name;x': 'Ana;1' } }]);
    expect(parseContactsCsv(text, { delimiter: ';' }).errors).toEqual([
      { line: 1, field: 'phone', reason: expect.stringContaining('no phone column') },
    ]);
    const semicolons = parseContactsCsv('phone;name\n+5511988887777;Souza, Ana\n', { delimiter: ';' });
    expect(semicolons.rows[0]?.name).toBe('Souza, Ana');
  });
});

describe('detectCsvDelimiter', () => {
  it.each([
    ['phone,name,city\n1;2;3;4;5', ','],
    ['telefone;nome;cidade\n1,2,3,4', ';'],
    ['phone\tname\n', '\t'],
    ['"a;b;c",d\n', ','],
    ['\uFEFFnome;telefone\r\n', ';'],
    ['phone\n', ','],
    ['', ','],
  ])('%j → %j', (text, delimiter) => {
    expect(detectCsvDelimiter(text)).toBe(delimiter);
  });
});
