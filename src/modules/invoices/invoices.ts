import type { Kysely, Selectable } from 'kysely';
import { newId, type InvoicesTable, type Schema } from '../../db/index.js';
import type { PixRequests } from '../payments/index.js';
import { checkInvoice, type InvoiceData, type InvoiceInput, type InvoiceRejectionCode, type InvoiceLine } from './invoice-input.js';
import { renderInvoicePdf } from './invoice-pdf.js';
import { centsToDecimal, formatBrl } from './money.js';
import { realClock } from '../../clock/index.js';

/** The media library as invoices use it: store the PDF, read it back. */
export interface InvoiceMediaStore {
  upload(workspaceId: string, input: { data: Buffer; declaredType?: string | undefined; filename?: string | undefined }): Promise<{ ok: true; media: { id: string } } | { ok: false; error: { message: string } }>;
  content(workspaceId: string, id: string): Promise<{ ok: true; data: Buffer } | { ok: false; reason: string }>;
}

/** An invoice as the API shows it; amounts are decimal strings ("1234.50") with their pt-BR form beside. */
export interface InvoiceView {
  id: string;
  number: string;
  issue_date: string;
  due_date: string;
  currency: 'BRL';
  seller: PartyView;
  customer: PartyView;
  items: Array<{ description: string; quantity: string; unit_price: string; total: string }>;
  subtotal: string;
  discount: string;
  shipping: string;
  total: string;
  /** "R$ 1.234,56", as printed. */
  total_formatted: string;
  notes?: string;
  /** The PDF in the media library: send it as `{"type":"document","document":{"id": media_id}}`. */
  media_id: string;
  filename: string;
  /** Its Pix code and QR image (media), when the invoice asked for Pix. */
  pix?: { code: string; qr_media_id: string };
  /** The configured payment link pattern filled for this invoice (`{invoice_number}`, `{txid}`, `{amount}`...). */
  payment_link?: string;
  created_at: string;
}

interface PartyView {
  name: string;
  document?: { type: 'CPF' | 'CNPJ'; value: string };
  address?: string;
  email?: string;
  phone?: string;
}

export type CreateInvoiceResult =
  | { ok: true; invoice: InvoiceView }
  | { ok: false; reason: 'invalid'; field: string; code: InvoiceRejectionCode | string; rule: string }
  | { ok: false; reason: 'duplicate'; field: 'number'; existingId: string };

/**
 * Invoices: checks the structured data and computes the totals, builds the Pix code and QR
 * when asked, renders the PDF, stores it as outbound media (so messages can name it by id) and
 * keeps the invoice. Numbers are unique per workspace.
 */
export class Invoices {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly media: InvoiceMediaStore,
    private readonly pix: PixRequests,
    private readonly now: () => Date = () => realClock.now(),
  ) {}

  /** Creates an invoice and its PDF; refusals name the field (`items.0.unit_price`, `pix.merchant_city`). */
  async create(workspaceId: string, input: InvoiceInput): Promise<CreateInvoiceResult> {
    const at = this.now();
    const checked = checkInvoice(input, at.toISOString().slice(0, 10));
    if (!checked.ok) return { ok: false, reason: 'invalid', field: checked.field, code: checked.code, rule: checked.rule };
    const invoice = checked.invoice;
    const existing = await this.#idOfNumber(workspaceId, invoice.number);
    if (existing) return { ok: false, reason: 'duplicate', field: 'number', existingId: existing };

    const id = newId('inv');
    const linkValues = { invoice_number: invoice.number, invoice_id: id, amount: centsToDecimal(invoice.totalCents) };
    let pix: { code: string; qrMediaId: string; qrPng: Buffer; paymentLink?: string } | undefined;
    if (invoice.pix) {
      const made = await this.pix.create(
        workspaceId,
        { key: invoice.pix.key, merchantName: invoice.pix.merchantName, merchantCity: invoice.pix.merchantCity, amount: centsToDecimal(invoice.totalCents), txid: invoice.pix.txid, description: invoice.pix.description },
        linkValues,
      );
      if (!made.ok) return { ok: false, reason: 'invalid', field: `pix.${PIX_FIELDS[made.field] ?? made.field}`, code: made.code, rule: made.rule };
      pix = made.request;
    }
    const paymentLink = pix?.paymentLink ?? this.pix.paymentLink(linkValues);

    const pdf = await renderInvoicePdf(invoice, { createdAt: at, ...(pix ? { pix: { code: pix.code, qrPng: pix.qrPng, paymentLink } } : {}) });
    const filename = `fatura-${invoice.number.replace(/[^A-Za-z0-9_-]+/g, '-')}.pdf`;
    const stored = await this.media.upload(workspaceId, { data: pdf, declaredType: 'application/pdf', filename });
    if (!stored.ok) throw new Error(`storing invoice ${invoice.number}'s PDF failed: ${stored.error.message}`);

    const row: InvoicesTable = {
      id,
      workspace_id: workspaceId,
      number: invoice.number,
      issue_date: invoice.issueDate,
      due_date: invoice.dueDate,
      customer_name: invoice.customer.name,
      currency: 'BRL',
      total_cents: invoice.totalCents.toString(),
      data: JSON.stringify(toStored(invoice)),
      media_id: stored.media.id,
      filename,
      pix_code: pix?.code ?? null,
      pix_qr_media_id: pix?.qrMediaId ?? null,
      payment_link: paymentLink ?? null,
      created_at: at.toISOString(),
    };
    try {
      await this.db.insertInto('invoices').values(row).execute();
    } catch (error) {
      // Two creations of one number at once: the unique constraint decides, the loser is told.
      const winner = await this.#idOfNumber(workspaceId, invoice.number);
      if (winner) return { ok: false, reason: 'duplicate', field: 'number', existingId: winner };
      throw error;
    }
    return { ok: true, invoice: toView(row) };
  }

  async get(workspaceId: string, id: string): Promise<InvoiceView | undefined> {
    const row = await this.db.selectFrom('invoices').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row ? toView(row) : undefined;
  }

  /** The invoice's PDF bytes. */
  async pdf(workspaceId: string, id: string): Promise<{ invoice: InvoiceView; data: Buffer } | undefined> {
    const invoice = await this.get(workspaceId, id);
    if (!invoice) return undefined;
    const content = await this.media.content(workspaceId, invoice.media_id);
    if (!content.ok) throw new Error(`invoice ${id}: its PDF ${invoice.media_id} is ${content.reason}`);
    return { invoice, data: content.data };
  }

  /**
   * Erasure of a person (issue 13), in `trx`: deletes the invoices made out to them (the
   * customer's phone is one of their numbers) or sent to them (a message of theirs named the
   * invoice's PDF). Answers the deleted invoices' media (the PDF and the Pix QR), for the media
   * module to erase after the commit.
   */
  async forgetCustomer(trx: Kysely<Schema>, workspaceId: string, person: { waIds: readonly string[]; mediaIds: readonly string[] }): Promise<{ deleted: number; mediaIds: string[] }> {
    const numbers = person.waIds.filter((waId) => /^\d{6,}$/.test(waId));
    if (numbers.length === 0 && person.mediaIds.length === 0) return { deleted: 0, mediaIds: [] };
    const rows = await trx
      .selectFrom('invoices')
      .select(['id', 'data', 'media_id', 'pix_qr_media_id'])
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb.or([...numbers.map((waId) => eb('data', 'like', `%${waId}%`)), ...(person.mediaIds.length > 0 ? [eb('media_id', 'in', [...person.mediaIds])] : [])]))
      .execute();
    // The LIKE is a coarse filter: keep only invoices whose customer's phone is one of the numbers.
    const digits = new Set(person.waIds);
    const theirs = rows.filter((row) => person.mediaIds.includes(row.media_id) || digits.has(((JSON.parse(row.data) as StoredInvoice).customer.phone ?? '').replace(/\D/g, '')));
    if (theirs.length === 0) return { deleted: 0, mediaIds: [] };
    await trx.deleteFrom('invoices').where('workspace_id', '=', workspaceId).where('id', 'in', theirs.map((row) => row.id)).execute();
    return { deleted: theirs.length, mediaIds: theirs.flatMap((row) => [row.media_id, ...(row.pix_qr_media_id ? [row.pix_qr_media_id] : [])]) };
  }

  async #idOfNumber(workspaceId: string, number: string): Promise<string | undefined> {
    return (await this.db.selectFrom('invoices').select('id').where('workspace_id', '=', workspaceId).where('number', '=', number).executeTakeFirst())?.id;
  }
}

/** buildPixCode's field names as the invoice API spells them. */
const PIX_FIELDS: Record<string, string> = { key: 'key', merchantName: 'merchant_name', merchantCity: 'merchant_city', txid: 'txid', description: 'description', amount: 'amount' };

type StoredInvoice = Omit<InvoiceView, 'id' | 'media_id' | 'filename' | 'pix' | 'payment_link' | 'created_at' | 'total_formatted'>;

function toStored(invoice: InvoiceData): StoredInvoice {
  return {
    number: invoice.number,
    issue_date: invoice.issueDate,
    due_date: invoice.dueDate,
    currency: 'BRL',
    seller: invoice.seller,
    customer: invoice.customer,
    items: invoice.lines.map(lineView),
    subtotal: centsToDecimal(invoice.subtotalCents),
    discount: centsToDecimal(invoice.discountCents),
    shipping: centsToDecimal(invoice.shippingCents),
    total: centsToDecimal(invoice.totalCents),
    ...(invoice.notes ? { notes: invoice.notes } : {}),
  };
}

function lineView(line: InvoiceLine): InvoiceView['items'][number] {
  const quantity = `${line.quantityMilli / 1000n}.${(line.quantityMilli % 1000n).toString().padStart(3, '0')}`.replace(/\.?0+$/, '');
  return { description: line.description, quantity, unit_price: centsToDecimal(line.unitCents), total: centsToDecimal(line.totalCents) };
}

function toView(row: Selectable<InvoicesTable>): InvoiceView {
  const stored = JSON.parse(row.data) as StoredInvoice;
  return {
    id: row.id,
    ...stored,
    total_formatted: formatBrl(BigInt(row.total_cents)),
    media_id: row.media_id,
    filename: row.filename,
    ...(row.pix_code && row.pix_qr_media_id ? { pix: { code: row.pix_code, qr_media_id: row.pix_qr_media_id } } : {}),
    ...(row.payment_link ? { payment_link: row.payment_link } : {}),
    created_at: row.created_at,
  };
}
