import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { writeXlsx } from './export-xlsx.js';
import type { ExportRow } from './form-submissions.js';

const rows = (page: number, size: number): ExportRow[] =>
  Array.from({ length: size }, (_, i) => ({ id: `fsub_${page}_${i}`, form: 'f', flow: 'vendas', flow_version: 1, contact_wa_id: '5511999990001', contact_name: 'Zé', fields: { n: page * size + i, texto: 'x'.repeat(200) }, submitted_at: '2026-03-01T10:00:00.000Z' }));

describe('the streaming XLSX writer', () => {
  it('writes every page of a sheet in order', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    const rowsOf = async function* () {
      for (let page = 0; page < 3; page += 1) yield rows(page, 500);
    };
    await writeXlsx([{ form: 'f', fields: ['n', 'texto'] }], rowsOf, out, { created: new Date('2026-03-01T00:00:00Z') });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('f') as ExcelJS.Worksheet;
    expect(sheet.rowCount).toBe(1501);
    expect(sheet.getRow(1501).getCell(6).value).toBe(1499);
  });

  it('stops reading rows when the client goes away, and settles', async () => {
    const out = new PassThrough({ highWaterMark: 1024 });
    let pagesRead = 0;
    const rowsOf = async function* () {
      for (let page = 0; page < 200; page += 1) {
        pagesRead += 1;
        yield rows(page, 500);
      }
    };
    // Nobody reads: the stream fills up, then the client "disconnects".
    const writing = writeXlsx([{ form: 'f', fields: ['n', 'texto'] }], rowsOf, out, { created: new Date('2026-03-01T00:00:00Z') });
    await new Promise((resolve) => setTimeout(resolve, 200));
    out.destroy();
    await writing;
    expect(pagesRead).toBeLessThan(5);
  });
});
