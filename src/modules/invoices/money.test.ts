import { describe, expect, it } from 'vitest';
import { centsToDecimal, formatBrl, formatDatePtBr, formatQuantity, lineCents, parseCents, parseQuantityMilli } from './money.js';

describe('money', () => {
  it.each([
    [0n, 'R$ 0,00'],
    [5n, 'R$ 0,05'],
    [123456n, 'R$ 1.234,56'],
    [100000000n, 'R$ 1.000.000,00'],
    [-1000n, '-R$ 10,00'],
  ])('formatBrl(%s) = %s', (cents, text) => expect(formatBrl(cents)).toBe(text));

  it('reads amounts exactly and refuses what would be rounded or misread', () => {
    expect(parseCents('1234.5')).toEqual({ ok: true, value: 123450n });
    expect(parseCents(54.5)).toEqual({ ok: true, value: 5450n });
    expect(parseCents(0)).toEqual({ ok: true, value: 0n });
    expect(parseCents('9999999999.99')).toEqual({ ok: true, value: 999999999999n });
    expect(parseCents('10000000000.00')).toMatchObject({ ok: false, rule: expect.stringMatching(/at most/) });
    expect(parseCents('1,50')).toMatchObject({ ok: false, rule: expect.stringMatching(/dot for decimals/) });
    expect(parseCents('1.999')).toMatchObject({ ok: false, rule: expect.stringMatching(/2 decimal places/) });
    expect(parseCents(0.1 + 0.2)).toMatchObject({ ok: false });
    expect(parseCents(-1)).toMatchObject({ ok: false, rule: 'must not be negative' });
    expect(parseCents(Number.NaN)).toMatchObject({ ok: false });
    expect(parseCents(null)).toMatchObject({ ok: false });
  });

  it('reads quantities to the thousandth, greater than zero', () => {
    expect(parseQuantityMilli(2)).toEqual({ ok: true, value: 2000n });
    expect(parseQuantityMilli('0.250')).toEqual({ ok: true, value: 250n });
    expect(parseQuantityMilli(0)).toMatchObject({ ok: false, rule: 'must be greater than zero' });
    expect(parseQuantityMilli('1.0001')).toMatchObject({ ok: false });
  });

  it('rounds a line half up to the cent', () => {
    expect(lineCents(1500n, 99n)).toBe(149n); // 1.485 → 1.49
    expect(lineCents(1500n, 3990n)).toBe(5985n);
    expect(lineCents(333n, 100n)).toBe(33n); // 0.333 → 0.33
  });

  it('writes quantities, decimals and dates the Brazilian way', () => {
    expect(formatQuantity(1500n)).toBe('1,5');
    expect(formatQuantity(2000n)).toBe('2');
    expect(formatQuantity(1250000n)).toBe('1.250');
    expect(centsToDecimal(119385n)).toBe('1193.85');
    expect(centsToDecimal(5n)).toBe('0.05');
    expect(formatDatePtBr('2026-12-10')).toBe('10/12/2026');
  });
});
