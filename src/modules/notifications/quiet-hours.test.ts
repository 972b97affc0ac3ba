import { describe, expect, it } from 'vitest';
import { isTimeZone, parseQuietHours, quietHoursEnd } from './quiet-hours.js';

const NIGHT = { start: '21:00', end: '08:00' };
const at = (iso: string) => Date.parse(iso);
const end = (iso: string, timeZone: string, quiet = NIGHT) => {
  const result = quietHoursEnd(at(iso), quiet, timeZone);
  return result === undefined ? undefined : new Date(result).toISOString();
};

describe('quietHoursEnd', () => {
  it('postpones to 08:00 the next morning in São Paulo when it is 23:00 there', () => {
    expect(end('2026-11-26T02:00:00Z', 'America/Sao_Paulo')).toBe('2026-11-26T11:00:00.000Z');
    expect(end('2026-11-26T00:30:00Z', 'America/Sao_Paulo')).toBe('2026-11-26T11:00:00.000Z'); // 21:30 local
  });

  it('postpones to 08:00 the same morning after midnight', () => {
    expect(end('2026-11-26T10:59:00Z', 'America/Sao_Paulo')).toBe('2026-11-26T11:00:00.000Z'); // 07:59 local
  });

  it('is not quiet at the edges: 08:00 sharp and 20:59 go at once; 21:00 sharp is quiet', () => {
    expect(end('2026-11-26T11:00:00Z', 'America/Sao_Paulo')).toBeUndefined();
    expect(end('2026-11-26T23:59:00Z', 'America/Sao_Paulo')).toBeUndefined();
    expect(end('2026-11-27T00:00:00Z', 'America/Sao_Paulo')).toBe('2026-11-27T11:00:00.000Z');
  });

  it('reads the contact time zone: the same instant is daytime in Tokyo', () => {
    expect(end('2026-11-26T02:00:00Z', 'Asia/Tokyo')).toBeUndefined(); // 11:00 in Tokyo
    expect(end('2026-11-26T13:00:00Z', 'Asia/Tokyo')).toBe('2026-11-26T23:00:00.000Z'); // 22:00 → 08:00 JST
    expect(end('2026-11-26T17:00:00Z', 'Asia/Kolkata')).toBe('2026-11-27T02:30:00.000Z'); // 22:30 IST → 08:00 IST
  });

  it('follows daylight saving: a night that starts in EST ends at 08:00 EDT', () => {
    // 2026-03-08 02:00 New York clocks jump to 03:00.
    expect(end('2026-03-08T03:00:00Z', 'America/New_York')).toBe('2026-03-08T12:00:00.000Z'); // 22:00 EST → 08:00 EDT
    expect(end('2026-11-01T03:00:00Z', 'America/New_York')).toBe('2026-11-01T13:00:00.000Z'); // 23:00 EDT → 08:00 EST
  });

  it('handles windows inside one day and empty windows', () => {
    const lunch = { start: '12:00', end: '14:00' };
    expect(end('2026-11-26T16:00:00Z', 'America/Sao_Paulo', lunch)).toBe('2026-11-26T17:00:00.000Z'); // 13:00 local
    expect(end('2026-11-26T18:00:00Z', 'America/Sao_Paulo', lunch)).toBeUndefined();
    expect(end('2026-11-26T02:00:00Z', 'America/Sao_Paulo', { start: '08:00', end: '08:00' })).toBeUndefined();
  });
});

describe('parseQuietHours and isTimeZone', () => {
  it('parses HH:MM-HH:MM and refuses the rest', () => {
    expect(parseQuietHours('21:00-08:00')).toEqual({ start: '21:00', end: '08:00' });
    expect(parseQuietHours(' 22:30-07:15 ')).toEqual({ start: '22:30', end: '07:15' });
    for (const bad of ['21-08', '24:00-08:00', '21:00', '9:00-10:00', '21:00-08:60']) expect(parseQuietHours(bad), bad).toBeUndefined();
  });

  it('knows IANA names', () => {
    expect(isTimeZone('America/Sao_Paulo')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
