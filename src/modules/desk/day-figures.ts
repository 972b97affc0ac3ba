/**
 * Pure helpers of the supervisor's board: the bounds of "today" in a time zone, and the
 * median and 90th percentile of durations.
 */

/** The calendar day holding `now` in `timeZone` (IANA), as UTC instants [start, end). */
export function dayBounds(now: Date, timeZone: string): { date: string; start: Date; end: Date } {
  const local = partsIn(now, timeZone);
  const date = `${local.year}-${pad(local.month)}-${pad(local.day)}`;
  const start = midnight(local.year, local.month, local.day, timeZone);
  const end = midnight(local.year, local.month, local.day + 1, timeZone);
  return { date, start, end };
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The value under which `p` (0–1) of `values` fall, by the nearest-rank method (p = 0.5 of an
 * even count: the mean of the two middle values); null for none.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  if (p === 0.5) {
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  }
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1] as number;
}

// Local midnight of a (possibly overflowing) Y-M-D in a zone: guess UTC midnight, correct by the
// zone's offset there, and once more for a day on which the offset changes (DST).
function midnight(year: number, month: number, day: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day);
  let at = guess - offsetAt(new Date(guess), timeZone);
  at = guess - offsetAt(new Date(at), timeZone);
  return new Date(at);
}

/** Local time minus UTC at an instant, in ms. */
function offsetAt(instant: Date, timeZone: string): number {
  const p = partsIn(instant, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(instant.getTime() / 1000) * 1000;
}

function partsIn(instant: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second) };
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
