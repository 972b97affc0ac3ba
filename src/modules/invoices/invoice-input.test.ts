import { describe, expect, it } from 'vitest';
import { checkInvoice, type InvoiceInput } from './invoice-input.js';
import { winAnsi } from './invoice-pdf.js';

const BASE: InvoiceInput = {
  number: 'A-1',
  due_date: '2026-12-10',
  seller: { name: 'Padaria Pão Quente', document: '11222333000181' },
  customer: { name: 'Maria' },
  items: [{ description: 'Pão de queijo', quantity: 3, unit_price: '4.50' }],
};

describe('checkInvoice', () => {
  it('computes the totals and defaults the issue date to today', () => {
    const checked = checkInvoice({ ...BASE, discount: '1.50', shipping: '5' }, '2026-11-26');
    expect(checked).toMatchObject({ ok: true, invoice: { issueDate: '2026-11-26', subtotalCents: 1350n, discountCents: 150n, shippingCents: 500n, totalCents: 1700n } });
  });

  it('accepts the new alphanumeric CNPJ and a CPF with punctuation', () => {
    expect(checkInvoice({ ...BASE, seller: { name: 'X', document: '12.ABC.345/01DE-35' } }, '2026-11-26')).toMatchObject({ ok: true, invoice: { seller: { document: { type: 'CNPJ', value: '12ABC34501DE35' } } } });
    expect(checkInvoice({ ...BASE, seller: { name: 'X', document: '529.982.247-25' } }, '2026-11-26')).toMatchObject({ ok: true, invoice: { seller: { document: { type: 'CPF' } } } });
  });

  it('derives the Pix txid from the invoice number and the merchant name from the seller', () => {
    const checked = checkInvoice({ ...BASE, number: '2026/0042-B', pix: { key: 'a@b.com', merchant_city: 'Recife' } }, '2026-11-26');
    expect(checked).toMatchObject({ ok: true, invoice: { pix: { txid: '20260042B', merchantName: 'Padaria Pão Quente', merchantCity: 'Recife' } } });
  });

  it.each([
    [{ number: undefined }, 'number', 'required'],
    [{ issue_date: '26/11/2026' }, 'issue_date', 'bad_format'],
    [{ seller: { name: '  ' } }, 'seller.name', 'required'],
    [{ items: [{ description: 'x' }] }, 'items.0.unit_price', 'required'],
    [{ items: Array.from({ length: 101 }, () => ({ description: 'x', unit_price: 1 })) }, 'items', 'out_of_range'],
    [{ total: '13.00' }, 'total', 'total_mismatch'],
    [{ items: [{ description: 'x', unit_price: 0 }], pix: { key: 'a@b.com', merchant_city: 'Recife' } }, 'pix', 'out_of_range'],
  ] as Array<[Partial<InvoiceInput>, string, string]>)('refuses a bad invoice (%#) at its field', (overrides, field, code) => {
    expect(checkInvoice({ ...BASE, ...overrides }, '2026-11-26')).toMatchObject({ ok: false, field, code });
  });
});

describe('winAnsi', () => {
  it('keeps Portuguese and WinAnsi punctuation, folds or replaces the rest', () => {
    expect(winAnsi('Ação — “ótimo” € ç')).toBe('Ação — “ótimo” € ç');
    expect(winAnsi('Łódź 😀 ő')).toBe('?ódz ? o');
    expect(winAnsi('a\tb')).toBe('a b');
  });
});
