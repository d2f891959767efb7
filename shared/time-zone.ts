/** True for names the runtime knows as IANA time zones ("America/Argentina/Buenos_Aires", "UTC"). */
export function isIanaTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A wall-clock date and time in some time zone (month 1–12). */
export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

const HOUR_MS = 3_600_000;

// Creating a DateTimeFormat costs far more than formatting with one: one per zone, kept.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall clock in `zone` at `instant`. */
export function localDateTime(instant: Date, zone: string): LocalDateTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const ms = instant.getTime();
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
    millisecond: ((ms % 1000) + 1000) % 1000,
  };
}

/** How far `zone`'s wall clock is ahead of UTC at `epochMs` (negative west of Greenwich). */
function offsetAt(epochMs: number, zone: string): number {
  const local = localDateTime(new Date(epochMs), zone);
  return wallMs(local) - epochMs;
}

function wallMs(local: Pick<LocalDateTime, 'year' | 'month' | 'day'> & Partial<LocalDateTime>): number {
  return Date.UTC(local.year, local.month - 1, local.day, local.hour ?? 0, local.minute ?? 0, local.second ?? 0, local.millisecond ?? 0);
}

/**
 * The first instant at which `zone`'s wall clock shows `local` or later. Around a
 * daylight-saving change: a time that happens twice (clocks turned back) is its first
 * occurrence; a time that never happens (clocks turned forward over it) is the moment of
 * the change, when the clock jumps past it (00:30 in a 00:00→01:00 gap is 01:00).
 */
export function instantOfLocal(local: Pick<LocalDateTime, 'year' | 'month' | 'day'> & Partial<LocalDateTime>, zone: string): Date {
  const wall = wallMs(local);
  // Offsets a day either side bracket any transition near `wall` (zones change at most once a day).
  const before = offsetAt(wall - 24 * HOUR_MS, zone);
  const after = offsetAt(wall + 24 * HOUR_MS, zone);
  const valid = [...new Set([before, after])].map((offset) => wall - offset).filter((epochMs) => offsetAt(epochMs, zone) === wall - epochMs);
  if (valid.length > 0) return new Date(Math.min(...valid));
  // In a gap: the clock shows less than `local` until `wall - after` and more from `wall - before`
  // (the offset grew); the change is the first instant with the new offset.
  let [low, high] = [wall - after, wall - before];
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetAt(middle, zone) === after) high = middle;
    else low = middle;
  }
  return new Date(high);
}
