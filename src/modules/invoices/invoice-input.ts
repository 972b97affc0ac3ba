// Checks an invoice as a company system sends it and computes its totals. Nothing the caller
// says about money is trusted: line totals, subtotal and total are ours, and a `total` sent
// along must agree with ours to the cent (a mismatch is the caller's bug, better caught here
// than printed on a customer's invoice).

import { normalizePhone } from '../contacts/index.js';
import { isValidCnpj, isValidCpf } from '../payments/index.js';
import { MAX_CENTS, centsToDecimal, lineCents, parseCents, parseQuantityMilli } from './money.js';

/** The invoice as the API receives it (snake_case, amounts as numbers or "1234.50"). */
export interface InvoiceInput {
  number?: unknown;
  issue_date?: unknown;
  due_date?: unknown;
  seller?: { name?: unknown; document?: unknown; address?: unknown; email?: unknown; phone?: unknown };
  customer?: { name?: unknown; document?: unknown; phone?: unknown; address?: unknown; email?: unknown };
  items?: unknown;
  discount?: unknown;
  shipping?: unknown;
  total?: unknown;
  notes?: unknown;
  pix?: { key?: unknown; merchant_name?: unknown; merchant_city?: unknown; txid?: unknown; description?: unknown };
}

export interface Party {
  name: string;
  /** Digits (CPF) or the 14 characters of a CNPJ; absent when not given. */
  document?: { type: 'CPF' | 'CNPJ'; value: string };
  address?: string;
  email?: string;
  /** E.164. */
  phone?: string;
}

export interface InvoiceLine {
  description: string;
  quantityMilli: bigint;
  unitCents: bigint;
  totalCents: bigint;
}

/** A checked invoice with the totals we computed. */
export interface InvoiceData {
  number: string;
  issueDate: string;
  dueDate: string;
  seller: Party;
  customer: Party;
  lines: InvoiceLine[];
  subtotalCents: bigint;
  discountCents: bigint;
  shippingCents: bigint;
  totalCents: bigint;
  notes?: string;
  pix?: { key: string; merchantName: string; merchantCity: string; txid: string; description?: string };
}

/** Why an invoice was refused; stable, unlike the wording of `rule`. */
export type InvoiceRejectionCode = 'required' | 'bad_format' | 'too_long' | 'out_of_range' | 'bad_document' | 'bad_phone' | 'total_mismatch';

export type InvoiceCheck = { ok: true; invoice: InvoiceData } | { ok: false; field: string; code: InvoiceRejectionCode; rule: string };

export const INVOICE_LIMITS = { items: 100, description: 200, name: 100, address: 200, notes: 1000, number: 40 } as const;

/**
 * Checks an invoice field by field and computes line totals (quantity × unit price, half up
 * to the cent), subtotal and total (subtotal − discount + shipping). `today` (YYYY-MM-DD) is
 * the issue date when none is given. Refusals name the field as a dotted path
 * (`items.2.unit_price`, `seller.document`) and the rule.
 *
 * @example
 * checkInvoice({ number: 'A-1', due_date: '2026-12-10', seller: {...}, customer: { name: 'João' },
 *   items: [{ description: 'Pão de queijo', quantity: 3, unit_price: '4.50' }] }, '2026-11-26')
 * // { ok: true, invoice: { totalCents: 1350n, ... } }
 */
export function checkInvoice(input: InvoiceInput, today: string): InvoiceCheck {
  const number = text(input.number, 'number', INVOICE_LIMITS.number);
  if (!number.ok) return number;
  if (!/^[A-Za-z0-9][A-Za-z0-9./_-]*$/.test(number.value)) return refuse('number', 'bad_format', 'may hold letters, digits and . / _ - (e.g. "2026-0042")');

  const issueDate = input.issue_date === undefined ? { ok: true as const, value: today } : date(input.issue_date, 'issue_date');
  if (!issueDate.ok) return issueDate;
  const dueDate = date(input.due_date, 'due_date');
  if (!dueDate.ok) return dueDate;
  if (dueDate.value < issueDate.value) return refuse('due_date', 'out_of_range', `must not be before issue_date (${issueDate.value})`);

  const seller = party(input.seller, 'seller', true);
  if (!seller.ok) return seller;
  const customer = party(input.customer, 'customer', false);
  if (!customer.ok) return customer;

  if (!Array.isArray(input.items) || input.items.length === 0) return refuse('items', 'required', 'must list at least one item');
  if (input.items.length > INVOICE_LIMITS.items) return refuse('items', 'out_of_range', `must list at most ${INVOICE_LIMITS.items} items; it has ${input.items.length}`);
  const lines: InvoiceLine[] = [];
  for (const [index, item] of (input.items as unknown[]).entries()) {
    const at = `items.${index}`;
    if (item === null || typeof item !== 'object') return refuse(at, 'bad_format', 'must be an object with description, quantity and unit_price');
    const fields = item as { description?: unknown; quantity?: unknown; unit_price?: unknown };
    const description = text(fields.description, `${at}.description`, INVOICE_LIMITS.description);
    if (!description.ok) return description;
    const quantity = parseQuantityMilli(fields.quantity ?? 1);
    if (!quantity.ok) return refuse(`${at}.quantity`, 'bad_format', quantity.rule);
    const unit = fields.unit_price === undefined ? { ok: false as const, rule: 'is required' } : parseCents(fields.unit_price);
    if (!unit.ok) return refuse(`${at}.unit_price`, fields.unit_price === undefined ? 'required' : 'bad_format', unit.rule);
    lines.push({ description: description.value, quantityMilli: quantity.value, unitCents: unit.value, totalCents: lineCents(quantity.value, unit.value) });
  }
  const subtotalCents = lines.reduce((sum, line) => sum + line.totalCents, 0n);
  const discount = optionalCents(input.discount, 'discount');
  if (!discount.ok) return discount;
  if (discount.value > subtotalCents) return refuse('discount', 'out_of_range', `must not be more than the subtotal (${centsToDecimal(subtotalCents)})`);
  const shipping = optionalCents(input.shipping, 'shipping');
  if (!shipping.ok) return shipping;
  const totalCents = subtotalCents - discount.value + shipping.value;
  if (totalCents > MAX_CENTS) return refuse('items', 'out_of_range', 'make a total over 9999999999.99');
  if (input.total !== undefined) {
    const claimed = parseCents(input.total);
    if (!claimed.ok) return refuse('total', 'bad_format', claimed.rule);
    if (claimed.value !== totalCents) {
      return refuse('total', 'total_mismatch', `is ${centsToDecimal(claimed.value)} but the items, discount and shipping add up to ${centsToDecimal(totalCents)}; omit total to let Conversa compute it`);
    }
  }

  const invoice: InvoiceData = {
    number: number.value,
    issueDate: issueDate.value,
    dueDate: dueDate.value,
    seller: seller.value,
    customer: customer.value,
    lines,
    subtotalCents,
    discountCents: discount.value,
    shippingCents: shipping.value,
    totalCents,
  };
  if (input.notes !== undefined && input.notes !== null && input.notes !== '') {
    const notes = text(input.notes, 'notes', INVOICE_LIMITS.notes);
    if (!notes.ok) return notes;
    invoice.notes = notes.value;
  }
  if (input.pix !== undefined && input.pix !== null) {
    const pix = pixSettings(input.pix, invoice);
    if (!pix.ok) return pix;
    invoice.pix = pix.value;
  }
  return { ok: true, invoice };
}

type Step<T> = { ok: true; value: T } | { ok: false; field: string; code: InvoiceRejectionCode; rule: string };

function pixSettings(input: NonNullable<InvoiceInput['pix']>, invoice: InvoiceData): Step<NonNullable<InvoiceData['pix']>> {
  if (typeof input !== 'object') return refuse('pix', 'bad_format', 'must be an object with key and merchant_city');
  if (invoice.totalCents <= 0n) return refuse('pix', 'out_of_range', 'needs a total greater than zero');
  const key = text(input.key, 'pix.key', 100);
  if (!key.ok) return key;
  const city = text(input.merchant_city, 'pix.merchant_city', 100);
  if (!city.ok) return city;
  const name = input.merchant_name === undefined ? { ok: true as const, value: invoice.seller.name } : text(input.merchant_name, 'pix.merchant_name', 100);
  if (!name.ok) return name;
  // The invoice number makes a good txid once its punctuation is dropped (the txid takes letters and digits only).
  const txid = input.txid === undefined ? { ok: true as const, value: invoice.number.replace(/[^A-Za-z0-9]/g, '').slice(0, 25) || '***' } : text(input.txid, 'pix.txid', 100);
  if (!txid.ok) return txid;
  const settings: NonNullable<InvoiceData['pix']> = { key: key.value, merchantName: name.value, merchantCity: city.value, txid: txid.value };
  if (input.description !== undefined) {
    const description = text(input.description, 'pix.description', 100);
    if (!description.ok) return description;
    settings.description = description.value;
  }
  return { ok: true, value: settings };
}

function party(input: InvoiceInput['seller'] | InvoiceInput['customer'], at: 'seller' | 'customer', documentRequired: boolean): Step<Party> {
  if (input === undefined || input === null || typeof input !== 'object') return refuse(at, 'required', 'is required (an object with at least a name)');
  const name = text(input.name, `${at}.name`, INVOICE_LIMITS.name);
  if (!name.ok) return name;
  const result: Party = { name: name.value };
  if (input.document !== undefined || documentRequired) {
    const document = taxDocument(input.document, `${at}.document`);
    if (!document.ok) return document;
    result.document = document.value;
  }
  for (const [key, max] of [['address', INVOICE_LIMITS.address], ['email', 200]] as const) {
    const value = input[key];
    if (value === undefined || value === null || value === '') continue;
    const checked = text(value, `${at}.${key}`, max);
    if (!checked.ok) return checked;
    result[key] = checked.value;
  }
  if (input.phone !== undefined && input.phone !== null && input.phone !== '') {
    if (typeof input.phone !== 'string') return refuse(`${at}.phone`, 'bad_format', 'must be a string such as +5511988887777');
    const phone = normalizePhone(input.phone, 'BR');
    if (!phone.ok) return refuse(`${at}.phone`, 'bad_phone', phone.rule);
    result.phone = phone.e164;
  }
  return { ok: true, value: result };
}

/** A CPF (11 digits) or CNPJ (14 characters, digits or the new alphanumeric form), punctuation ignored, check digits verified. */
function taxDocument(value: unknown, field: string): Step<NonNullable<Party['document']>> {
  if (typeof value !== 'string' || value.trim() === '') return refuse(field, 'required', 'is required: a CPF or CNPJ');
  const compact = value.replace(/[\s./-]/g, '').toUpperCase();
  if (/^\d{11}$/.test(compact)) {
    return isValidCpf(compact) ? { ok: true, value: { type: 'CPF', value: compact } } : refuse(field, 'bad_document', `is not a valid CPF ("${value}": the check digits do not match)`);
  }
  if (/^[A-Z0-9]{12}\d{2}$/.test(compact)) {
    return isValidCnpj(compact) ? { ok: true, value: { type: 'CNPJ', value: compact } } : refuse(field, 'bad_document', `is not a valid CNPJ ("${value}": the check digits do not match)`);
  }
  return refuse(field, 'bad_document', 'must be a CPF (11 digits, e.g. 123.456.789-09) or a CNPJ (14 characters, e.g. 12.345.678/0001-95)');
}

function optionalCents(value: unknown, field: string): Step<bigint> {
  if (value === undefined || value === null) return { ok: true, value: 0n };
  const parsed = parseCents(value);
  return parsed.ok ? parsed : refuse(field, 'bad_format', parsed.rule);
}

function date(value: unknown, field: string): Step<string> {
  if (value === undefined || value === null || value === '') return refuse(field, 'required', 'is required (YYYY-MM-DD)');
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return refuse(field, 'bad_format', 'must be a date as YYYY-MM-DD');
  const parsed = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) return refuse(field, 'bad_format', `is not a calendar date ("${value}")`);
  return { ok: true, value };
}

function text(value: unknown, field: string, max: number): Step<string> {
  if (value === undefined || value === null) return refuse(field, 'required', 'is required');
  if (typeof value !== 'string') return refuse(field, 'bad_format', 'must be a string');
  const trimmed = value.replace(/\s+/g, ' ').trim();
  if (trimmed === '') return refuse(field, 'required', 'must not be empty');
  if ([...trimmed].length > max) return refuse(field, 'too_long', `must be at most ${max} characters; it has ${[...trimmed].length}`);
  return { ok: true, value: trimmed };
}

function refuse(field: string, code: InvoiceRejectionCode, rule: string): { ok: false; field: string; code: InvoiceRejectionCode; rule: string } {
  return { ok: false, field, code, rule };
}
