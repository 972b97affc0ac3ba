/** A daily quiet period in local wall-clock time, `HH:MM` each; `start > end` wraps past midnight. */
export interface QuietHours {
  start: string;
  end: string;
}

/** The time zone of contacts that have none recorded. */
export const DEFAULT_TIME_ZONE = 'America/Sao_Paulo';

/**
 * When the instant `at` falls inside the quiet hours in `timeZone`, the instant they end (the
 * next local `end` wall-clock time); otherwise undefined. An empty window (`start === end`)
 * is never quiet. Pure and Intl-only: daylight saving moves are read from the time zone data.
 *
 * @example
 * // 23:00 in São Paulo (UTC-3) on 2026-11-25: quiet until 08:00 local the next morning.
 * quietHoursEnd(Date.parse('2026-11-26T02:00:00Z'), { start: '21:00', end: '08:00' }, 'America/Sao_Paulo');
 * // Date.parse('2026-11-26T11:00:00Z')
 */
export function quietHoursEnd(at: number, quiet: QuietHours, timeZone: string): number | undefined {
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return undefined;
  const local = wallClock(at, timeZone);
  const minute = local.hour * 60 + local.minute;
  const wraps = start > end;
  const inside = wraps ? minute >= start || minute < end : minute >= start && minute < end;
  if (!inside) return undefined;
  // Before midnight in a window that wraps, the quiet period ends tomorrow.
  const day = new Date(Date.UTC(local.year, local.month - 1, local.day + (wraps && minute >= start ? 1 : 0)));
  return instantOf({ year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), hour: Math.floor(end / 60), minute: end % 60 }, timeZone);
}

/** Parses `HH:MM-HH:MM` (24 h clock); undefined when it is not one. */
export function parseQuietHours(text: string): QuietHours | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!match) return undefined;
  return { start: `${match[1]}:${match[2]}`, end: `${match[3]}:${match[4]}` };
}

/** Whether Intl knows the IANA time zone name. */
export function isTimeZone(name: string): boolean {
  try {
    formatterFor(name);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function minutesOf(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallClock(at: number, timeZone: string): WallClock & { second: number } {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return { year: parts.year ?? 0, month: parts.month ?? 1, day: parts.day ?? 1, hour: parts.hour ?? 0, minute: parts.minute ?? 0, second: parts.second ?? 0 };
}

/** The zone's offset from UTC at an instant, in ms (São Paulo: -3 h). */
function offsetAt(at: number, timeZone: string): number {
  const wall = wallClock(at, timeZone);
  const whole = at - (((at % 1000) + 1000) % 1000);
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - whole;
}

/**
 * The instant a local wall-clock time happens in a zone. Two passes settle a daylight-saving
 * change between the guess and the answer; a wall time skipped by a change maps just after it.
 */
function instantOf(wall: WallClock, timeZone: string): number {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const first = asUtc - offsetAt(asUtc, timeZone);
  const second = asUtc - offsetAt(first, timeZone);
  return second;
}
