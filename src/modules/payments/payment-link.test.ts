import { describe, expect, it } from 'vitest';
import { buildPaymentLink, paymentLinkPlaceholders } from './payment-link.js';

const PATTERN = 'https://pay.example.com/checkout/{order_id}?amount={amount}';

describe('buildPaymentLink', () => {
  it('fills every placeholder', () => {
    expect(buildPaymentLink(PATTERN, { order_id: 'A123', amount: '10.50' })).toEqual({ ok: true, url: 'https://pay.example.com/checkout/A123?amount=10.50' });
    expect(buildPaymentLink(PATTERN, { order_id: 42, amount: 10.5, unused: 'x' })).toEqual({ ok: true, url: 'https://pay.example.com/checkout/42?amount=10.5' });
  });

  it('URL-encodes values, so a value cannot add a path, a query parameter, a fragment or another host', () => {
    const result = buildPaymentLink(PATTERN, { order_id: 'A 12/3?admin=1#x', amount: '10&amount=0' });
    expect(result).toEqual({ ok: true, url: 'https://pay.example.com/checkout/A%2012%2F3%3Fadmin%3D1%23x?amount=10%26amount%3D0' });
    const url = new URL(result.ok ? result.url : '');
    expect(url.searchParams.getAll('amount')).toEqual(['10&amount=0']);
    expect(url.hash).toBe('');
    const hijack = buildPaymentLink('https://pay.example.com/{order_id}', { order_id: '@evil.example/' });
    expect(hijack.ok && new URL(hijack.url).host).toBe('pay.example.com');
    expect(buildPaymentLink('https://pay.example.com/p/{name}', { name: 'João & Maria' })).toEqual({ ok: true, url: 'https://pay.example.com/p/Jo%C3%A3o%20%26%20Maria' });
  });

  it('names the placeholder that has no value', () => {
    expect(buildPaymentLink(PATTERN, { order_id: 'A123' })).toMatchObject({ ok: false, field: 'values.amount', code: 'missing_value', rule: expect.stringMatching(/\{amount\}/) });
    expect(buildPaymentLink(PATTERN, { order_id: ' ', amount: 1 })).toMatchObject({ ok: false, field: 'values.order_id', code: 'bad_value' });
    expect(buildPaymentLink(PATTERN, { order_id: 'A', amount: Number.NaN })).toMatchObject({ ok: false, field: 'values.amount', code: 'bad_value' });
    expect(buildPaymentLink('https://pay.example.com/{constructor}', {})).toMatchObject({ ok: false, field: 'values.constructor', code: 'missing_value' });
  });

  it('makes only https links, and http to localhost for development', () => {
    expect(buildPaymentLink('http://pay.example.com/{id}', { id: 1 })).toMatchObject({ ok: false, field: 'pattern', code: 'not_https' });
    expect(buildPaymentLink('javascript:alert({id})', { id: 1 })).toMatchObject({ ok: false, field: 'pattern', code: 'not_https' });
    expect(buildPaymentLink('ftp://pay.example.com/{id}', { id: 1 })).toMatchObject({ ok: false, field: 'pattern', code: 'not_https' });
    expect(buildPaymentLink('http://localhost:3000/pay/{id}', { id: 1 })).toEqual({ ok: true, url: 'http://localhost:3000/pay/1' });
    expect(buildPaymentLink('http://127.0.0.1:3000/pay/{id}', { id: 1 }).ok).toBe(true);
  });

  it('refuses patterns that cannot make a link', () => {
    expect(buildPaymentLink('/checkout/{id}', { id: 1 })).toMatchObject({ ok: false, field: 'pattern', code: 'bad_pattern' });
    expect(buildPaymentLink('https://pay.example.com/{order id}', { 'order id': 1 })).toMatchObject({ ok: false, field: 'pattern', code: 'bad_pattern' });
    expect(buildPaymentLink('https://pay.example.com/{id', { id: 1 })).toMatchObject({ ok: false, field: 'pattern', code: 'bad_pattern' });
    expect(buildPaymentLink('https://user:secret@pay.example.com/{id}', { id: 1 })).toMatchObject({ ok: false, field: 'pattern', code: 'bad_pattern' });
    expect(buildPaymentLink('', {})).toMatchObject({ ok: false, field: 'pattern', code: 'bad_pattern' });
  });
});

describe('paymentLinkPlaceholders', () => {
  it('lists the placeholders once each, in order, for validating a pattern when it is configured', () => {
    expect(paymentLinkPlaceholders('https://pay.example.com/{shop}/{order_id}?ref={order_id}&v={amount}')).toEqual({ ok: true, placeholders: ['shop', 'order_id', 'amount'] });
    expect(paymentLinkPlaceholders('https://pay.example.com/fixed')).toEqual({ ok: true, placeholders: [] });
    expect(paymentLinkPlaceholders('http://pay.example.com/{id}')).toMatchObject({ ok: false, code: 'not_https' });
  });
});
