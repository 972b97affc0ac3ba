import { describe, expect, it } from 'vitest';
import { crc16CcittFalse, crc16Hex } from './crc16.js';
import { parsePixCode, type PixCodeFields } from './parse-pix-code.js';
import { buildPixCode, formatPixAmount, type PixCodeInput } from './pix.js';

// Codes published by others, copied character for character. None was produced by this module.
const PUBLISHED = {
  /** Banco Central, "Manual de Padrões para Iniciação do Pix": the static QR example (random key, no amount). */
  bcbStatic:
    '00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D',
  /** Banco Central, same manual: the dynamic QR example (payload URL in 26/25, point of initiation 12). */
  bcbDynamic:
    '00020101021226700014br.gov.bcb.pix2548pix.example.com/8b3da2f39a4140d1a91abd93113bd4415204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***630464E4',
  /** Banco Central, "Manual do BR Code": Pix next to another scheme (27, 80), with amount, CEP and a txid. */
  bcbBrCodeManual:
    '00020104141234567890123426580014BR.GOV.BCB.PIX0136123e4567-e12b-12d1-a456-42665544000027300012BR.COM.OUTRO011001234567895204000053039865406123.455802BR5917NOME DO RECEBEDOR6008BRASILIA61087007490062190515RP12345678-201980390012BR.COM.OUTRO01190123.ABCD.3456.WXYZ6304AD38',
  /**
   * github.com/guilhermeasn/php-class-pix-payload, readme.md: e-mail key, R$ 100, CEP, txid, made from
   * new PIX('guilhermeasn@yahoo.com.br', 'Guilherme Neves', 'Paraíba do Sul', '25.850-000', 'test001', 100).
   */
  phpClassPixPayload:
    '00020126470014BR.GOV.BCB.PIX0125guilhermeasn@yahoo.com.br5204000053039865406100.005802BR5915Guilherme Neves6014Paraiba do Sul61082585000062110507TEST00163041DC8',
  /** github.com/alexandresanlim/pix-payload-generator.net, README: a 19-character city and a hyphenated txid. */
  pixPayloadGeneratorNet:
    '00020126580014br.gov.bcb.pix0136bee05743-4291-4f3c-9259-595df1307ba1520400005303986540510.005802BR5914Alexandre Lima6019Presidente Prudente62180514Um-Id-Qualquer6304D475',
} as const;

const FULANO: PixCodeInput = { key: '123e4567-e12b-12d1-a456-426655440000', merchantName: 'Fulano de Tal', merchantCity: 'BRASILIA' };

/** buildPixCode's input from a parsed code, field for field. */
function inputFrom(fields: PixCodeFields): PixCodeInput {
  return {
    key: fields.key ?? '',
    merchantName: fields.merchantName,
    merchantCity: fields.merchantCity,
    amount: fields.amount,
    txid: fields.txid,
    description: fields.description,
    postalCode: fields.postalCode,
    gui: fields.gui === 'BR.GOV.BCB.PIX' ? 'BR.GOV.BCB.PIX' : 'br.gov.bcb.pix',
  };
}

function parsed(code: string): PixCodeFields {
  const result = parsePixCode(code);
  if (!result.ok) throw new Error(`expected ${code} to parse: ${result.rule}`);
  return result.fields;
}

function built(input: PixCodeInput): string {
  const result = buildPixCode(input);
  if (!result.ok) throw new Error(`expected a code: ${result.field}: ${result.rule}`);
  return result.code;
}

/** Replaces field 63 so a hand-made payload has a right checksum. */
function withCrc(body: string): string {
  return `${body}6304${crc16Hex(`${body}6304`)}`;
}

describe('crc16CcittFalse', () => {
  it('matches the CRC-16/CCITT-FALSE check values', () => {
    expect(crc16CcittFalse('123456789')).toBe(0x29b1);
    expect(crc16CcittFalse('')).toBe(0xffff);
    expect(crc16CcittFalse('A')).toBe(0xb915);
  });

  it('gives the checksum the Banco Central example carries, in four upper-case hex digits', () => {
    expect(crc16Hex(PUBLISHED.bcbStatic.slice(0, -4))).toBe('1D3D');
    expect(crc16Hex(PUBLISHED.bcbBrCodeManual.slice(0, -4))).toBe('AD38');
    expect(crc16Hex('0002')).toMatch(/^[0-9A-F]{4}$/);
  });

  it('checksums the UTF-8 bytes of a string', () => {
    expect(crc16CcittFalse('São')).toBe(crc16CcittFalse(new TextEncoder().encode('São')));
    expect(crc16CcittFalse('São')).not.toBe(crc16CcittFalse('Sao'));
  });
});

describe('parsePixCode on published codes', () => {
  it("decodes Banco Central's static example", () => {
    const result = parsePixCode(PUBLISHED.bcbStatic);
    expect(result).toEqual({
      ok: true,
      fields: {
        payloadFormatIndicator: '01',
        gui: 'br.gov.bcb.pix',
        key: '123e4567-e12b-12d1-a456-426655440000',
        merchantCategoryCode: '0000',
        currency: '986',
        countryCode: 'BR',
        merchantName: 'Fulano de Tal',
        merchantCity: 'BRASILIA',
        txid: '***',
        crc: '1D3D',
      },
      objects: [
        { id: '00', value: '01' },
        {
          id: '26',
          value: '0014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000',
          children: [
            { id: '00', value: 'br.gov.bcb.pix' },
            { id: '01', value: '123e4567-e12b-12d1-a456-426655440000' },
          ],
        },
        { id: '52', value: '0000' },
        { id: '53', value: '986' },
        { id: '58', value: 'BR' },
        { id: '59', value: 'Fulano de Tal' },
        { id: '60', value: 'BRASILIA' },
        { id: '62', value: '0503***', children: [{ id: '05', value: '***' }] },
        { id: '63', value: '1D3D' },
      ],
    });
  });

  it("decodes the BR Code manual's example with another scheme's templates around Pix", () => {
    const result = parsePixCode(PUBLISHED.bcbBrCodeManual);
    expect(result.ok && result.fields).toEqual({
      payloadFormatIndicator: '01',
      gui: 'BR.GOV.BCB.PIX',
      key: '123e4567-e12b-12d1-a456-426655440000',
      merchantCategoryCode: '0000',
      currency: '986',
      amount: '123.45',
      countryCode: 'BR',
      merchantName: 'NOME DO RECEBEDOR',
      merchantCity: 'BRASILIA',
      postalCode: '70074900',
      txid: 'RP12345678-2019',
      crc: 'AD38',
    });
    const objects = result.ok ? result.objects : [];
    expect(objects.find((object) => object.id === '27')?.children).toEqual([
      { id: '00', value: 'BR.COM.OUTRO' },
      { id: '01', value: '0123456789' },
    ]);
    expect(objects.find((object) => object.id === '80')?.children).toEqual([
      { id: '00', value: 'BR.COM.OUTRO' },
      { id: '01', value: '0123.ABCD.3456.WXYZ' },
    ]);
  });

  it("decodes Banco Central's dynamic example: a payload URL instead of a key", () => {
    expect(parsed(PUBLISHED.bcbDynamic)).toMatchObject({ pointOfInitiationMethod: '12', url: 'pix.example.com/8b3da2f39a4140d1a91abd93113bd441', crc: '64E4' });
    expect(parsed(PUBLISHED.bcbDynamic)).not.toHaveProperty('key');
  });

  it('decodes the community examples, including one this module would not write', () => {
    expect(parsed(PUBLISHED.phpClassPixPayload)).toMatchObject({ key: 'guilhermeasn@yahoo.com.br', amount: '100.00', merchantCity: 'Paraiba do Sul', postalCode: '25850000', txid: 'TEST001' });
    expect(parsed(PUBLISHED.pixPayloadGeneratorNet)).toMatchObject({ merchantCity: 'Presidente Prudente', amount: '10.00', txid: 'Um-Id-Qualquer' });
  });
});

describe('buildPixCode re-encodes published codes from their fields', () => {
  it.each([
    ['Banco Central static example', PUBLISHED.bcbStatic],
    ['php-class-pix-payload example', PUBLISHED.phpClassPixPayload],
  ])('%s, character for character', (_name, code) => {
    expect(built(inputFrom(parsed(code)))).toBe(code);
  });

  it('reproduces the php-class-pix-payload code from what its author typed: accents, CEP punctuation and a number amount', () => {
    const code = built({ key: 'guilhermeasn@yahoo.com.br', merchantName: 'Guilherme Neves', merchantCity: 'Paraíba do Sul', postalCode: '25.850-000', txid: 'TEST001', amount: 100, gui: 'BR.GOV.BCB.PIX' });
    expect(code).toBe(PUBLISHED.phpClassPixPayload);
  });

  it('writes the manual example with the lower-case GUI by default', () => {
    expect(built(FULANO)).toBe(PUBLISHED.bcbStatic);
  });

  it('refuses to write what the lenient reader accepted: a 19-character city, then a hyphenated txid', () => {
    const input = inputFrom(parsed(PUBLISHED.pixPayloadGeneratorNet));
    expect(buildPixCode(input)).toMatchObject({ ok: false, field: 'merchantCity', code: 'too_long' });
    expect(buildPixCode({ ...input, merchantCity: 'Pres Prudente' })).toMatchObject({ ok: false, field: 'txid', code: 'bad_characters' });
    const fixed = built({ ...input, merchantCity: 'Pres Prudente', txid: 'UmIdQualquer' });
    expect(parsed(fixed)).toMatchObject({ merchantCity: 'Pres Prudente', txid: 'UmIdQualquer', amount: '10.00' });
  });
});

describe('buildPixCode', () => {
  it('writes every optional field where the manual puts it, and the independent reader gets them back', () => {
    const code = built({ ...FULANO, key: '+55 (11) 98888-7777', amount: '1500.5', txid: 'PEDIDO1234', description: 'Pedido 1234', postalCode: '70074-900' });
    expect(code).toContain('26510014br.gov.bcb.pix0114+5511988887777' + '0211Pedido 1234');
    expect(code).toContain('54071500.50' + '5802BR');
    expect(code).toContain('610870074900' + '62140510PEDIDO1234' + '6304');
    expect(parsed(code)).toEqual({
      payloadFormatIndicator: '01',
      gui: 'br.gov.bcb.pix',
      key: '+5511988887777',
      description: 'Pedido 1234',
      merchantCategoryCode: '0000',
      currency: '986',
      amount: '1500.50',
      countryCode: 'BR',
      merchantName: 'Fulano de Tal',
      merchantCity: 'BRASILIA',
      postalCode: '70074900',
      txid: 'PEDIDO1234',
      crc: code.slice(-4),
    });
  });

  it('writes the key in the form DICT registers it', () => {
    expect(parsed(built({ ...FULANO, key: '529.982.247-25' })).key).toBe('52998224725');
    expect(parsed(built({ ...FULANO, key: '11.222.333/0001-81' })).key).toBe('11222333000181');
    expect(parsed(built({ ...FULANO, key: 'Vendas@Padaria.COM.br' })).key).toBe('vendas@padaria.com.br');
    expect(parsed(built({ ...FULANO, key: '123E4567-E12B-12D1-A456-426655440000' })).key).toBe('123e4567-e12b-12d1-a456-426655440000');
  });

  it('strips accents from the name, the city and the description', () => {
    const fields = parsed(built({ ...FULANO, merchantName: 'Açaí do João', merchantCity: 'São Paulo', description: 'Pão de queijo (1º pedido)' }));
    expect(fields).toMatchObject({ merchantName: 'Acai do Joao', merchantCity: 'Sao Paulo', description: 'Pao de queijo (1o pedido)' });
    expect(parsed(built({ ...FULANO, merchantName: '  Padaria   “Pão Quente” ', merchantCity: 'Florianópolis' }))).toMatchObject({ merchantName: 'Padaria "Pao Quente"', merchantCity: 'Florianopolis' });
  });

  it('counts the limits after accents are stripped: 25 for the name, 15 for the city, 25 for the txid', () => {
    expect(buildPixCode({ ...FULANO, merchantName: 'Ç'.repeat(25) }).ok).toBe(true);
    expect(buildPixCode({ ...FULANO, merchantName: 'Padaria e Confeitaria Pão' })).toMatchObject({ ok: true });
    expect(buildPixCode({ ...FULANO, merchantName: 'Padaria e Confeitaria Pães' })).toMatchObject({ ok: false, field: 'merchantName', code: 'too_long', rule: expect.stringMatching(/25/) });
    expect(buildPixCode({ ...FULANO, merchantCity: 'São José dos Campos' })).toMatchObject({ ok: false, field: 'merchantCity', code: 'too_long', rule: expect.stringMatching(/15/) });
    expect(buildPixCode({ ...FULANO, merchantCity: 'Ribeirão Branco' }).ok).toBe(true);
    expect(buildPixCode({ ...FULANO, txid: 'A'.repeat(25) }).ok).toBe(true);
    expect(buildPixCode({ ...FULANO, txid: 'A'.repeat(26) })).toMatchObject({ ok: false, field: 'txid', code: 'too_long' });
  });

  it('lets the description use only what field 26 has left after the key (99 in all)', () => {
    // GUI (18) + random key (40) + description ID and length (4) leave 37 characters.
    expect(buildPixCode({ ...FULANO, description: 'D'.repeat(37) }).ok).toBe(true);
    expect(buildPixCode({ ...FULANO, description: 'D'.repeat(38) })).toMatchObject({ ok: false, field: 'description', code: 'too_long', rule: expect.stringMatching(/at most 37/) });
    const longestEmail = `${'a'.repeat(64)}@exemplo.com`; // 76 characters
    expect(buildPixCode({ ...FULANO, key: longestEmail }).ok).toBe(true);
    expect(buildPixCode({ ...FULANO, key: longestEmail, description: 'Pedido' })).toMatchObject({ ok: false, field: 'description', code: 'too_long', rule: expect.stringMatching(/at most 0/) });
  });

  it('names the field and the rule for each refusal', () => {
    expect(buildPixCode({ ...FULANO, key: '529.982.247-26' })).toMatchObject({ ok: false, field: 'key', code: 'bad_check_digits' });
    expect(buildPixCode({ ...FULANO, key: 'minha chave' })).toMatchObject({ ok: false, field: 'key', code: 'unsupported_key' });
    expect(buildPixCode({ ...FULANO, merchantName: '   ' })).toMatchObject({ ok: false, field: 'merchantName', code: 'required' });
    expect(buildPixCode({ ...FULANO, merchantName: 'Loja 🛒' })).toMatchObject({ ok: false, field: 'merchantName', code: 'bad_characters' });
    expect(buildPixCode({ ...FULANO, amount: '10,50' })).toMatchObject({ ok: false, field: 'amount', code: 'bad_format' });
    expect(buildPixCode({ ...FULANO, amount: 0 })).toMatchObject({ ok: false, field: 'amount', code: 'not_positive' });
    expect(buildPixCode({ ...FULANO, txid: 'PED-1' })).toMatchObject({ ok: false, field: 'txid', code: 'bad_characters' });
    expect(buildPixCode({ ...FULANO, postalCode: '7007-490' })).toMatchObject({ ok: false, field: 'postalCode', code: 'bad_format' });
  });

  it('treats blank optional fields as absent', () => {
    expect(built({ ...FULANO, amount: ' ', txid: ' ', description: '', postalCode: '' })).toBe(built(FULANO));
  });

  it('writes "***" when there is no txid', () => {
    expect(parsed(built({ ...FULANO, txid: '' })).txid).toBe('***');
    expect(parsed(built({ ...FULANO, txid: '***' })).txid).toBe('***');
  });

  it('produces codes whose checksum fails as soon as one character changes', () => {
    const code = built({ ...FULANO, amount: 10 });
    const tampered = code.replace('540510.00', '540590.00');
    expect(parsePixCode(tampered)).toMatchObject({ ok: false, code: 'bad_checksum', id: '63' });
  });
});

describe('formatPixAmount', () => {
  it.each([
    ['10', '10.00'],
    [10, '10.00'],
    [1234.5, '1234.50'],
    ['1234.5', '1234.50'],
    ['0.5', '0.50'],
    [0.01, '0.01'],
    ['007.10', '7.10'],
    ['9999999999.99', '9999999999.99'],
  ])('writes %j as %s', (value, amount) => {
    expect(formatPixAmount(value)).toEqual({ ok: true, amount });
  });

  it.each([
    ['1.234,50', 'bad_format'],
    ['10,50', 'bad_format'],
    ['R$ 10', 'bad_format'],
    [10.005, 'bad_format'],
    [0.1 + 0.2, 'bad_format'],
    [Number.NaN, 'bad_format'],
    [0, 'not_positive'],
    ['0.00', 'not_positive'],
    [-5, 'not_positive'],
    ['10000000000', 'too_long'],
  ])('refuses %j (%s)', (value, code) => {
    expect(formatPixAmount(value)).toMatchObject({ ok: false, code });
  });
});

describe('parsePixCode refusals', () => {
  const body = '00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***';

  it('reads a pasted code with surrounding whitespace', () => {
    expect(parsePixCode(`  ${PUBLISHED.bcbStatic}\n`).ok).toBe(true);
  });

  it('refuses a wrong checksum, naming both values', () => {
    expect(parsePixCode(PUBLISHED.bcbStatic.replace(/1D3D$/, '1D3E'))).toMatchObject({ ok: false, code: 'bad_checksum', id: '63', rule: expect.stringMatching(/1D3E.*1D3D/) });
  });

  it('refuses a cut or garbled code', () => {
    expect(parsePixCode(PUBLISHED.bcbStatic.slice(0, 60))).toMatchObject({ ok: false, code: 'malformed' });
    expect(parsePixCode('hello world')).toMatchObject({ ok: false, code: 'malformed' });
    expect(parsePixCode('')).toMatchObject({ ok: false, code: 'required' });
    expect(parsePixCode(body)).toMatchObject({ ok: false, code: 'malformed', id: '63' });
  });

  it('refuses a valid EMV code of another scheme', () => {
    const other = withCrc('00020126300012BR.COM.OUTRO01100123456789' + '5204000053039865802BR5913Fulano de Tal6008BRASILIA');
    expect(parsePixCode(other)).toMatchObject({ ok: false, code: 'not_pix', id: '26' });
  });

  it('refuses a Pix code without the mandatory fields or in another currency', () => {
    expect(parsePixCode(withCrc(body.replace('5913Fulano de Tal', '')))).toMatchObject({ ok: false, code: 'missing_field', id: '59' });
    expect(parsePixCode(withCrc(body.replace('5303986', '5303840')))).toMatchObject({ ok: false, code: 'bad_value', id: '53' });
    expect(parsePixCode(withCrc(body.replace('0136123e4567-e12b-12d1-a456-426655440000', '0203abc').replace('2658', '2625')))).toMatchObject({ ok: false, code: 'missing_field', id: '26.01' });
  });
});
