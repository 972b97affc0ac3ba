import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { mergeImportedContact, type ImportedContact } from './csv-import-row.js';
import { parseContactsCsv, parseContactsCsvStream, type ContactsCsvEvent, type ContactsCsvOptions } from './csv-import.js';

// The bytes in pieces of `size`, cutting through multi-byte characters and the BOM.
function chunked(bytes: Buffer, size: number): Readable {
  const pieces: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) pieces.push(bytes.subarray(start, start + size));
  return Readable.from(pieces, { objectMode: false });
}

async function collect(source: AsyncIterable<Uint8Array | string>, options?: ContactsCsvOptions) {
  const events: ContactsCsvEvent[] = [];
  for await (const event of parseContactsCsvStream(source, options)) events.push(event);
  return events;
}

// What a consumer does with the events: upsert by phone in order. Must equal the sync result.
function upsertAll(events: ContactsCsvEvent[]) {
  const byPhone = new Map<string, ImportedContact>();
  const errors = [];
  let duplicates = 0;
  for (const event of events) {
    if (event.type === 'error') {
      errors.push(event.error);
      continue;
    }
    const earlier = byPhone.get(event.contact.e164);
    if (event.duplicateOfLine !== undefined) {
      duplicates += 1;
      expect(earlier?.line).toBe(event.duplicateOfLine);
    }
    byPhone.set(event.contact.e164, earlier ? mergeImportedContact(earlier, event.contact) : event.contact);
  }
  return { rows: [...byPhone.values()], errors, duplicates };
}

/**
 * A generated export of `count` rows in mixed Brazilian formats, with a quoted two-line
 * note every 100th row, an invalid phone every 1000th and a repeat (without the ninth
 * digit) every 500th. Returns the file and what an import must find.
 */
function buildLargeExport(count: number) {
  const lines = ['\uFEFFNome;Telefone;Idioma;Tags;Observações'];
  const expected = { rows: new Map<number, { line: number; e164: string; name: string }>(), errorLines: [] as number[], duplicates: 0 };
  let line = 2;
  const mobile = (i: number) => `8${String(i).padStart(7, '0')}`; // 9 8xxx-xxxx
  for (let i = 0; i < count; i += 1) {
    const name = `João Çà 👋 nº ${i}`;
    let phone = [`(11) 9${mobile(i)}`, `+55 11 9${mobile(i)}`, `55119${mobile(i)}`][i % 3] ?? '';
    if (i % 1000 === 999) {
      phone = '123';
      expected.errorLines.push(line);
    } else if (i % 500 === 250) {
      phone = `5511${mobile(i - 1)}`; // row i-1's number, as an old wa_id
      expected.duplicates += 1;
      const first = expected.rows.get(i - 1);
      if (first) first.name = name; // the later row's name wins
    } else {
      expected.rows.set(i, { line, e164: `+55119${mobile(i)}`, name });
    }
    const note = i % 100 === 0 ? '"linha 1\r\nlinha 2; com ponto e vírgula"' : 'ok';
    lines.push(`${name};${phone};pt-BR;cliente|lote-${i % 7};${note}`);
    line += i % 100 === 0 ? 2 : 1;
  }
  return { file: Buffer.from(lines.join('\r\n') + '\r\n'), expected };
}

describe('parseContactsCsvStream', () => {
  const small = Buffer.from(
    '\uFEFFtelefone;nome;tags\r\n' +
      '(11) 98888-7777;"João Çà 👋";vip\r\n' +
      '12;Curto;\r\n' +
      '551188887777;"Ana\r\nSouza";lead\r\n' +
      '+55 21 99999-0000;Zoë 🇧🇷;\r\n',
  );

  it.each([1, 3, 7, 64, 10_000])('gives the same result as the sync parser in %i-byte chunks', async (size) => {
    const events = await collect(chunked(small, size), { defaultCountry: 'BR' });
    expect(upsertAll(events)).toEqual(parseContactsCsv(small, { defaultCountry: 'BR' }));
  });

  it('yields events in file order and marks repeats with the first line', async () => {
    const events = await collect(chunked(small, 5), { defaultCountry: 'BR' });
    expect(events.map((event) => (event.type === 'error' ? `error ${event.error.line}` : `contact ${event.contact.line}`))).toEqual([
      'contact 2',
      'error 3',
      'contact 4',
      'contact 6',
    ]);
    expect(events[2]).toMatchObject({ type: 'contact', duplicateOfLine: 2, contact: { e164: '+5511988887777' } });
  });

  it('reads string chunks', async () => {
    const events = await collect(Readable.from(['phone,na', 'me\n+5511988887777,Ana\n']));
    expect(events).toMatchObject([{ type: 'contact', contact: { name: 'Ana' } }]);
  });

  it('reports an empty stream as an empty file', async () => {
    expect(await collect(Readable.from([]))).toEqual([
      { type: 'error', error: { line: 1, field: '', reason: expect.stringContaining('empty') } },
    ]);
  });

  it('stops at a missing phone column and closes the source', async () => {
    const source = chunked(Buffer.from('nome,cidade\n' + 'Ana,Recife\n'.repeat(50_000)), 1024);
    const events = await collect(source);
    expect(events).toEqual([{ type: 'error', error: { line: 1, field: 'phone', reason: expect.any(String) } }]);
    await vi.waitFor(() => expect(source.destroyed).toBe(true));
  });

  it('closes the source when the caller stops early', async () => {
    const source = chunked(buildLargeExport(2_000).file, 512);
    for await (const event of parseContactsCsvStream(source, { defaultCountry: 'BR' })) {
      expect(event.type).toBe('contact');
      break;
    }
    await vi.waitFor(() => expect(source.destroyed).toBe(true));
  });

  it('keeps the rows before an unclosed quote', async () => {
    const events = await collect(chunked(Buffer.from('phone,name\n+5511988887777,Ana\n+5521999990000,"Bia\n'), 4));
    expect(events).toMatchObject([
      { type: 'contact', contact: { name: 'Ana' } },
      { type: 'error', error: { line: 3, reason: expect.stringContaining('never closed') } },
    ]);
  });

  it('reports bytes that are not UTF-8, after the rows before them', async () => {
    const bytes = Buffer.concat([
      Buffer.from('phone,name\n+5511988887777,Ana\n'),
      Buffer.from('+5521999990000,Jo\xe3o\n', 'latin1'),
    ]);
    const events = await collect(chunked(bytes, 16));
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { line: 3, reason: expect.stringContaining('UTF-8') } });
    expect(events.filter((event) => event.type === 'contact')).toHaveLength(1);
  });

  it('reads windows-1252 when asked', async () => {
    const bytes = Buffer.from('telefone;nome\n+5511988887777;Jo\xe3o\n', 'latin1');
    const events = await collect(chunked(bytes, 3), { encoding: 'windows-1252' });
    expect(events).toMatchObject([{ type: 'contact', contact: { name: 'João' } }]);
  });

  it('lets an I/O failure of the source through as an exception', async () => {
    const failing = async function* () {
      yield Buffer.from('phone\n+5511988887777\n');
      throw new Error('disk on fire');
    };
    await expect(collect(failing())).rejects.toThrow('disk on fire');
  });
});

describe('a 10,000-row export', () => {
  const { file, expected } = buildLargeExport(10_000);

  it('is parsed whole: every valid row, every bad line, every repeat', () => {
    const result = parseContactsCsv(file, { defaultCountry: 'BR' });
    expect(result.errors.map((error) => error.line)).toEqual(expected.errorLines);
    expect(result.errors.every((error) => error.field === 'Telefone')).toBe(true);
    expect(result.duplicates).toBe(expected.duplicates);
    expect(result.rows).toHaveLength(expected.rows.size);
    expect(result.rows.map(({ line, e164, name }) => ({ line, e164, name }))).toEqual([...expected.rows.values()]);
    // A repeated row merged its tag into the first row of that phone.
    const merged = result.rows.find((row) => row.e164 === '+5511980000249');
    expect(merged?.tags).toEqual(['cliente', `lote-${249 % 7}`, `lote-${250 % 7}`]);
    expect(result.rows[100]?.attributes).toEqual({ observações: 'linha 1\nlinha 2; com ponto e vírgula' });
  });

  it('streams to the same result', async () => {
    const events = await collect(chunked(file, 4096), { defaultCountry: 'BR' });
    expect(upsertAll(events)).toEqual(parseContactsCsv(file, { defaultCountry: 'BR' }));
  });
});
