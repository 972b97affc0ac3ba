// Renders an invoice as an A4 PDF with PDFKit and its standard fonts (Helvetica, Courier).
// Standard fonts carry no font file, so the PDF stays small (a few KB), and their WinAnsi
// encoding covers Portuguese (ã, ç, é, º, €, “ ”, —). Characters outside WinAnsi lose their
// accents or become "?" rather than turning into garbage.

import PDFDocument from 'pdfkit';
import type { InvoiceData, Party } from './invoice-input.js';
import { formatBrl, formatDatePtBr, formatQuantity } from './money.js';
import { realClock } from '../../clock/index.js';

export interface InvoicePdfOptions {
  /** The Pix code printed under its QR (both appear only when given). */
  pix?: { code: string; qrPng: Buffer; paymentLink?: string | undefined };
  /** Written into the PDF's metadata; default now. Fixed in tests for byte-identical output. */
  createdAt?: Date;
}

const PAGE = { width: 595.28, height: 841.89, margin: 50 } as const;
const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
const GREY = '#555555';
const RULE = '#bbbbbb';
/** Table columns: description, quantity, unit price, line total (x offsets and widths). */
const COLUMNS = [
  { x: 0, width: 255, align: 'left' },
  { x: 260, width: 55, align: 'right' },
  { x: 320, width: 85, align: 'right' },
  { x: 410, width: 85, align: 'right' },
] as const;

/**
 * Renders an invoice: seller and customer, number and dates, the items with their totals,
 * discount, shipping and total in BRL (pt-BR format), notes, and an optional Pix QR with its
 * "copia e cola" code. Answers the PDF's bytes.
 *
 * @example const pdf = await renderInvoicePdf(checked.invoice) // Buffer starting with %PDF-
 */
export async function renderInvoicePdf(invoice: InvoiceData, options: InvoicePdfOptions = {}): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    bufferPages: false,
    info: {
      Title: winAnsi(`Fatura ${invoice.number}`),
      Author: winAnsi(invoice.seller.name),
      Subject: winAnsi(`Fatura ${invoice.number} para ${invoice.customer.name}`),
      Producer: 'Conversa',
      Creator: 'Conversa',
      CreationDate: options.createdAt ?? realClock.now(),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  drawHeading(doc, invoice);
  drawParties(doc, invoice);
  drawItems(doc, invoice);
  drawTotals(doc, invoice);
  if (invoice.notes) drawNotes(doc, invoice.notes);
  if (options.pix) drawPix(doc, options.pix, invoice);

  doc.end();
  return finished;
}

type Doc = PDFKit.PDFDocument;

function drawHeading(doc: Doc, invoice: InvoiceData): void {
  const top = PAGE.margin;
  doc.font('Helvetica-Bold').fontSize(22).fillColor('black').text('FATURA', PAGE.margin, top);
  doc.font('Helvetica').fontSize(10).fillColor(GREY).text(winAnsi(`Nº ${invoice.number}`), PAGE.margin, top + 28);
  const right = { width: 200, align: 'right' as const };
  const x = PAGE.width - PAGE.margin - right.width;
  doc.font('Helvetica').fontSize(10).fillColor(GREY).text('Emissão', x, top, right);
  doc.font('Helvetica-Bold').fillColor('black').text(formatDatePtBr(invoice.issueDate), x, top + 12, right);
  doc.font('Helvetica').fillColor(GREY).text('Vencimento', x, top + 28, right);
  doc.font('Helvetica-Bold').fillColor('black').text(formatDatePtBr(invoice.dueDate), x, top + 40, right);
  doc.y = top + 66;
  rule(doc);
}

function drawParties(doc: Doc, invoice: InvoiceData): void {
  const top = doc.y + 10;
  const width = CONTENT_WIDTH / 2 - 10;
  const left = drawParty(doc, 'Emitente', invoice.seller, PAGE.margin, top, width);
  const right = drawParty(doc, 'Cliente', invoice.customer, PAGE.margin + CONTENT_WIDTH / 2 + 10, top, width);
  doc.y = Math.max(left, right) + 10;
  rule(doc);
}

/** Draws one party block; answers the y below it. */
function drawParty(doc: Doc, title: string, party: Party, x: number, y: number, width: number): number {
  doc.font('Helvetica').fontSize(9).fillColor(GREY).text(title.toUpperCase(), x, y, { width });
  doc.font('Helvetica-Bold').fontSize(11).fillColor('black').text(winAnsi(party.name), x, doc.y + 2, { width });
  doc.font('Helvetica').fontSize(10);
  const lines = [
    party.document ? `${party.document.type} ${formatDocument(party.document)}` : undefined,
    party.address,
    party.phone ? `Telefone ${party.phone}` : undefined,
    party.email,
  ].filter((line): line is string => line !== undefined);
  for (const line of lines) doc.text(winAnsi(line), x, doc.y + 1, { width });
  return doc.y;
}

function drawItems(doc: Doc, invoice: InvoiceData): void {
  const header = ['Descrição', 'Qtd.', 'Valor unit.', 'Total'];
  const drawHeader = () => {
    const y = doc.y + 8;
    doc.font('Helvetica-Bold').fontSize(9).fillColor(GREY);
    for (const [i, column] of COLUMNS.entries()) doc.text(header[i] ?? '', PAGE.margin + column.x, y, { width: column.width, align: column.align });
    doc.y = y + 14;
    rule(doc, 0.5);
  };
  drawHeader();
  for (const line of invoice.lines) {
    const description = winAnsi(line.description);
    doc.font('Helvetica').fontSize(10).fillColor('black');
    const height = doc.heightOfString(description, { width: COLUMNS[0].width });
    if (doc.y + height + 8 > PAGE.height - PAGE.margin) {
      doc.addPage();
      drawHeader();
    }
    const y = doc.y + 5;
    const cells = [description, formatQuantity(line.quantityMilli), formatBrl(line.unitCents), formatBrl(line.totalCents)];
    for (const [i, column] of COLUMNS.entries()) doc.text(cells[i] ?? '', PAGE.margin + column.x, y, { width: column.width, align: column.align });
    doc.y = y + height + 3;
  }
  rule(doc, 0.5);
}

function drawTotals(doc: Doc, invoice: InvoiceData): void {
  const rows: Array<[string, string, boolean]> = [['Subtotal', formatBrl(invoice.subtotalCents), false]];
  if (invoice.discountCents > 0n) rows.push(['Desconto', formatBrl(-invoice.discountCents), false]);
  if (invoice.shippingCents > 0n) rows.push(['Frete', formatBrl(invoice.shippingCents), false]);
  rows.push(['Total', formatBrl(invoice.totalCents), true]);
  ensureRoom(doc, rows.length * 18 + 10);
  let y = doc.y + 6;
  const label = COLUMNS[2];
  const value = COLUMNS[3];
  for (const [name, amount, strong] of rows) {
    doc.font(strong ? 'Helvetica-Bold' : 'Helvetica').fontSize(strong ? 12 : 10).fillColor('black');
    doc.text(name, PAGE.margin + label.x - 60, y, { width: label.width + 60, align: 'right' });
    doc.text(amount, PAGE.margin + value.x - 20, y, { width: value.width + 20, align: 'right' });
    y += strong ? 20 : 15;
  }
  doc.y = y + 4;
}

function drawNotes(doc: Doc, notes: string): void {
  ensureRoom(doc, 50);
  doc.font('Helvetica').fontSize(9).fillColor(GREY).text('OBSERVAÇÕES', PAGE.margin, doc.y + 8, { width: CONTENT_WIDTH });
  doc.font('Helvetica').fontSize(10).fillColor('black').text(winAnsi(notes), PAGE.margin, doc.y + 2, { width: CONTENT_WIDTH });
}

function drawPix(doc: Doc, pix: NonNullable<InvoicePdfOptions['pix']>, invoice: InvoiceData): void {
  const qrSize = 130;
  ensureRoom(doc, qrSize + 40);
  const top = doc.y + 16;
  rule(doc, 0.5, top - 8);
  doc.image(pix.qrPng, PAGE.margin, top, { width: qrSize, height: qrSize });
  const x = PAGE.margin + qrSize + 16;
  const width = CONTENT_WIDTH - qrSize - 16;
  doc.font('Helvetica-Bold').fontSize(12).fillColor('black').text(winAnsi(`Pague com Pix: ${formatBrl(invoice.totalCents)}`), x, top + 4, { width });
  doc.font('Helvetica').fontSize(9).fillColor(GREY).text('Aponte a câmera do app do seu banco para o QR ou use o Pix copia e cola:', x, doc.y + 4, { width });
  // The code has no spaces, so it is cut by hand into lines that fit; joined they are the code.
  const perLine = Math.floor(width / (8 * 0.6));
  doc.font('Courier').fontSize(8).fillColor('black');
  let y = doc.y + 4;
  for (let at = 0; at < pix.code.length; at += perLine) {
    doc.text(pix.code.slice(at, at + perLine), x, y, { width, lineBreak: false });
    y += 10;
  }
  doc.y = y;
  if (pix.paymentLink) {
    doc.font('Helvetica').fontSize(9).fillColor(GREY).text('Ou pague pelo link:', x, doc.y + 4, { width });
    doc.fillColor('black').text(pix.paymentLink, x, doc.y + 1, { width, link: pix.paymentLink, underline: true });
  }
  doc.y = Math.max(doc.y, top + qrSize);
}

function rule(doc: Doc, weight = 1, y = doc.y + 4): void {
  doc.save().lineWidth(weight).strokeColor(RULE).moveTo(PAGE.margin, y).lineTo(PAGE.width - PAGE.margin, y).stroke().restore();
  doc.y = y;
}

function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > PAGE.height - PAGE.margin) {
    doc.addPage();
    doc.y = PAGE.margin;
  }
}

function formatDocument(document: NonNullable<Party['document']>): string {
  const v = document.value;
  return document.type === 'CPF' ? `${v.slice(0, 3)}.${v.slice(3, 6)}.${v.slice(6, 9)}-${v.slice(9)}` : `${v.slice(0, 2)}.${v.slice(2, 5)}.${v.slice(5, 8)}/${v.slice(8, 12)}-${v.slice(12)}`;
}

/** Windows-1252's characters in 0x80..0x9F (the rest of WinAnsi is Latin-1). */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/**
 * Text the standard fonts can draw: WinAnsi characters are kept (all of Portuguese); others
 * lose their accents when that makes them WinAnsi ("ő" → "o"), and what is left becomes "?".
 * Control characters become spaces.
 */
export function winAnsi(text: string): string {
  let out = '';
  for (const char of text.normalize('NFC')) {
    if (fitsWinAnsi(char)) {
      out += /[\u0000-\u001f\u007f]/.test(char) ? ' ' : char;
      continue;
    }
    const bare = char.normalize('NFKD').replace(/\p{M}/gu, '');
    out += bare !== '' && [...bare].every(fitsWinAnsi) ? bare : '?';
  }
  return out;
}

function fitsWinAnsi(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code <= 0x7f || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(char);
}
