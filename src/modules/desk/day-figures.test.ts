import { describe, expect, it } from 'vitest';
import { dayBounds, percentile } from './day-figures.js';

describe('dayBounds', () => {
  it('answers the local calendar day as UTC instants', () => {
    expect(dayBounds(new Date('2026-03-10T02:00:00Z'), 'UTC')).toEqual({ date: '2026-03-10', start: new Date('2026-03-10T00:00:00Z'), end: new Date('2026-03-11T00:00:00Z') });
    // 02:00 UTC is still the 9th in São Paulo (UTC−3).
    expect(dayBounds(new Date('2026-03-10T02:00:00Z'), 'America/Sao_Paulo')).toEqual({ date: '2026-03-09', start: new Date('2026-03-09T03:00:00Z'), end: new Date('2026-03-10T03:00:00Z') });
  });

  it('has 23 hours on the day clocks spring forward', () => {
    const day = dayBounds(new Date('2026-03-29T12:00:00Z'), 'Europe/Lisbon');
    expect(day.start.toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(day.end.getTime() - day.start.getTime()).toBe(23 * 3600 * 1000);
  });
});

describe('percentile', () => {
  it('takes the median and the 90th percentile by nearest rank', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([30, 10, 20], 0.5)).toBe(20);
    expect(percentile([10, 20, 30, 40], 0.5)).toBe(25);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([5], 0.9)).toBe(5);
  });
});
