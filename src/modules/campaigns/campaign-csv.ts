// A campaign audience from a CSV: one phone column and, as further columns, the values of the
// template's parameters per row (`{{pedido}}` reads the column headed "Pedido"). The file is
// read as a stream, record by record, so a million rows never sit in memory; lines are counted
// as the contacts import counts them (header = line 1, line breaks inside quotes add lines).

import { parse as parseCsv, CsvError, type Parser } from 'csv-parse';
import { normalizePhone, type PhoneNormalization } from '../contacts/index.js';

export type CampaignCsvEvent =
  | { type: 'header'; variables: string[]; phoneHeader: string }
  | { type: 'row'; line: number; phoneText: string; phone: PhoneNormalization; vars: Record<string, string> }
  | { type: 'error'; line: number; field: string; reason: string };

const PHONE_HEADERS = ['phone', 'whatsapp', 'celular', 'telefone', 'number', 'wa_id'];

/**
 * Reads a campaign CSV: the delimiter (`,` `;` or tab) is taken from the header line; the phone
 * column is the first of phone, whatsapp, celular, telefone, number, wa_id (any case or accents);
 * every other column is a variable keyed by its header in snake_case. A row with a phone that is
 * not a valid number still comes out as a `row` (its `phone.ok` is false), so the campaign can
 * count it as an invalid number; a malformed row comes out as an `error` with its line.
 */
export async function* readCampaignCsv(source: AsyncIterable<Uint8Array | string>, options: { defaultCountry?: string | undefined } = {}): AsyncGenerator<CampaignCsvEvent> {
  const records: string[][] = [];
  let parser: Parser | undefined;
  let head = '';
  let line = 1;
  let columns: { phone: number; phoneHeader: string; vars: Array<{ index: number; key: string }>; width: number } | undefined;
  let failure: unknown;
  const decoder = new TextDecoder('utf-8');

  const open = (delimiter: string): Parser => {
    const created = parseCsv({
      bom: true,
      delimiter,
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: false,
      relax_column_count: true,
      relax_quotes: true,
      max_record_size: 64 * 1024,
      on_record: (record: string[]) => {
        records.push(record);
        return null;
      },
    });
    created.on('error', () => {});
    return created;
  };

  function* drain(): Generator<CampaignCsvEvent> {
    for (const record of records.splice(0)) {
      const at = line;
      line += 1 + record.reduce((n, field) => n + (field.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
      if (record.every((field) => field.trim() === '')) continue;
      if (!columns) {
        const keys = record.map((header) => toKey(header));
        const phone = PHONE_HEADERS.map((name) => keys.indexOf(name)).find((index) => index >= 0);
        if (phone === undefined) {
          yield { type: 'error', line: at, field: 'phone', reason: `no phone column: name one of ${PHONE_HEADERS.join(', ')}` };
          columns = { phone: -1, phoneHeader: '', vars: [], width: 0 };
          continue;
        }
        const vars = keys.flatMap((key, index) => (index === phone || key === '' ? [] : [{ index, key }]));
        columns = { phone, phoneHeader: (record[phone] ?? '').trim(), vars, width: record.length };
        yield { type: 'header', variables: vars.map((v) => v.key), phoneHeader: columns.phoneHeader };
        continue;
      }
      if (columns.phone < 0) continue;
      if (record.length > columns.width) {
        yield { type: 'error', line: at, field: '', reason: `has ${record.length} fields but the header has ${columns.width}; quote values that contain the delimiter` };
        continue;
      }
      const phoneText = (record[columns.phone] ?? '').trim();
      const vars: Record<string, string> = {};
      for (const column of columns.vars) vars[column.key] = (record[column.index] ?? '').trim().normalize('NFC');
      const phone = normalizePhone(phoneText, options.defaultCountry as Parameters<typeof normalizePhone>[1]);
      yield { type: 'row', line: at, phoneText, phone, vars };
    }
  }

  try {
    for await (const chunk of source) {
      let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      if (!parser) {
        head += text;
        if (!/[\r\n]/.test(head) && head.length < 64 * 1024) continue;
        parser = open(detectDelimiter(head));
        text = head;
      }
      await new Promise<void>((resolve, reject) => parser?.write(text, (error) => (error ? reject(error) : resolve())));
      yield* drain();
    }
    let rest = decoder.decode();
    if (!parser) {
      // The source ended inside the header line: nothing was written yet.
      rest = head + rest;
      parser = open(detectDelimiter(rest));
    }
    if (rest !== '') await new Promise<void>((resolve, reject) => parser?.write(rest, (error) => (error ? reject(error) : resolve())));
    await new Promise<void>((resolve, reject) => {
      parser?.once('error', reject);
      parser?.once('finish', resolve);
      parser?.end();
    });
  } catch (error) {
    failure = error;
  } finally {
    parser?.destroy();
  }
  yield* drain();
  if (failure !== undefined) {
    if (!(failure instanceof CsvError)) throw failure;
    yield { type: 'error', line, field: '', reason: `the file is not valid CSV here (${failure.message}); the rest of the file was not read` };
  } else if (!columns) {
    yield { type: 'error', line: 1, field: '', reason: 'the file is empty; expected a header row with a phone column' };
  }
}

function toKey(header: string): string {
  return header
    .trim()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/^\uFEFF/, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function detectDelimiter(text: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const char of text.replace(/^\uFEFF/, '')) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && char in counts) counts[char] = (counts[char] ?? 0) + 1;
  }
  let best = ',';
  for (const candidate of [';', '\t']) if ((counts[candidate] ?? 0) > (counts[best] ?? 0)) best = candidate;
  return best;
}
