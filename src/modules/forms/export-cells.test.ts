import { describe, expect, it } from 'vitest';
import { calendarDate, fieldHeader, fieldValue } from './export-columns.js';
import { csvChunks, csvField, neutraliseFormula } from './export-csv.js';
import type { ExportRow } from './form-submissions.js';
import { sheetNames, xlsxCell } from './xlsx-cells.js';

const row = (fields: Record<string, unknown>, extra: Partial<ExportRow> = {}): ExportRow => ({ id: 'fsub_1', form: 'f', flow: 'vendas', flow_version: 2, contact_wa_id: '5511999990001', contact_name: 'Zé', fields, submitted_at: '2026-03-01T10:00:00.000Z', ...extra });

describe('export cells', () => {
  it('CSV: RFC 4180 quoting, formulas neutralised, numbers and booleans as written', () => {
    expect(csvField('a,b', ',')).toBe('"a,b"');
    expect(csvField('diz "oi"', ',')).toBe('"diz ""oi"""');
    expect(csvField('linha 1\r\nlinha 2', ',')).toBe('"linha 1\r\nlinha 2"');
    expect(csvField('a;b', ',')).toBe('a;b');
    expect(csvField('a;b', ';')).toBe('"a;b"');
    for (const text of ['=1+2', '+55 11', '-cmd', '@SUM(A1)', '\t=x', '\r=x']) expect(neutraliseFormula(text)).toBe(`'${text}`);
    expect(csvField('=HYPERLINK("http://x","y")', ',')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvField(-5, ',')).toBe('-5');
    expect(csvField(true, ',')).toBe('true');
    expect(csvField(null, ',')).toBe('');
    expect(csvField({ rua: 'Av. Paulista', n: 1 }, ',')).toBe('"{""rua"":""Av. Paulista"",""n"":1}"');
  });

  it('CSV: BOM, a header with a form column, the union of the fields, CRLF', async () => {
    const pages: Record<string, ExportRow[][]> = { a: [[row({ x: 1 }, { form: 'a' })]], b: [[row({ y: 'ç', flow: 'campo' }, { form: 'b' })]] };
    const rowsOf = async function* (form: string) {
      yield* pages[form] ?? [];
    };
    const chunks: Buffer[] = [];
    for await (const chunk of csvChunks([{ form: 'a', fields: ['x'] }, { form: 'b', fields: ['y', 'flow'] }], rowsOf)) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toBe(
      '\uFEFFsubmitted_at,form,contact_wa_id,contact_name,flow,flow_version,x,y,fields.flow\r\n' +
        '2026-03-01T10:00:00.000Z,a,5511999990001,Zé,vendas,2,1,,\r\n' +
        '2026-03-01T10:00:00.000Z,b,5511999990001,Zé,vendas,2,,ç,campo\r\n',
    );
  });

  it('XLSX: typed cells, dates only for real calendar days, objects as JSON text', () => {
    expect(xlsxCell(3)).toEqual({ value: 3 });
    expect(xlsxCell(false)).toEqual({ value: false });
    expect(xlsxCell('2026-03-15')).toEqual({ value: new Date(Date.UTC(2026, 2, 15)), numFmt: 'yyyy-mm-dd' });
    expect(xlsxCell('2026-02-30')).toEqual({ value: '2026-02-30' });
    expect(xlsxCell('=1+2')).toEqual({ value: '=1+2' });
    expect(xlsxCell({ formula: 'HYPERLINK("http://x")' })).toEqual({ value: '{"formula":"HYPERLINK(\\"http://x\\")"}' });
    expect(xlsxCell('a\u0001b\ud800c')).toEqual({ value: 'ab\ufffdc' });
    expect(calendarDate('1899-12-31')).toBeUndefined();
  });

  it('XLSX sheet names: Excel-safe, at most 31 characters, unique regardless of case', () => {
    const long = 'Cadastro: clientes/VIP [2026] com um nome muito longo';
    const names = sheetNames([long, long.toLowerCase(), 'History', "'aspas'", '', '😀'.repeat(20)]);
    expect(names).toEqual(['Cadastro_ clientes_VIP _2026_ c', 'cadastro_ clientes_vip _202 (2)', 'History_', 'aspas', 'form', '😀'.repeat(15)]);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(31);
  });

  it('fields: own keys only, and a field named like a fixed column gets its own header', () => {
    expect(fieldValue(row({}), 'constructor')).toBeUndefined();
    expect(fieldValue(row({ constructor: 'x' }), 'constructor')).toBe('x');
    // A "__proto__" key from JSON is a field like any other, never the prototype.
    const parsed = JSON.parse('{"__proto__": {"admin": true}, "a": 1}') as Record<string, unknown>;
    expect(fieldValue(row(parsed), '__proto__')).toEqual({ admin: true });
    expect(fieldValue(row(parsed), 'admin')).toBeUndefined();
    expect(csvField(fieldValue(row(parsed), '__proto__'), ',')).toBe('"{""admin"":true}"');
    expect(fieldHeader('flow')).toBe('fields.flow');
    expect(fieldHeader('nome')).toBe('nome');
  });
});
