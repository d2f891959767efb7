import { instantOfLocal, isIanaTimeZone, localDateTime, type LocalDateTime } from '../time-zone';
import { customerCountry } from './country';

/**
 * When a business message may reach a customer: inside the daily send window of their own
 * time zone, and never on a quiet day (weekly rest days, listed holidays) of their country.
 * Pure and deterministic: the same due time and rules always give the same answer.
 */

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Local opening and closing times, "HH:MM" (closing may be "24:00"); open ≤ t < close. */
export interface SendWindow {
  readonly start: string;
  readonly end: string;
}

export interface QuietDays {
  readonly weekdays: readonly Weekday[];
  /** "YYYY-MM-DD" for one date, "MM-DD" for the same date every year. */
  readonly dates: readonly string[];
}

export const NO_QUIET_DAYS: QuietDays = { weekdays: [], dates: [] };

/** Everything that decides when one customer may be messaged. */
export interface SendRules {
  readonly window: SendWindow;
  /** IANA zone the window and the quiet days are read in. */
  readonly timeZone: string;
  readonly quietDays: QuietDays;
}

/** Key of `quietDays` that applies to customers whose country has no entry of its own. */
export const ANY_COUNTRY = '*';

/** The journey settings the rules come from (see shared/journey/config.ts). */
export interface SendWindowSettings {
  readonly sendWindow: SendWindow;
  readonly defaultTimeZone: string;
  /** By ISO 3166-1 alpha-2 country code, or `*`. */
  readonly quietDays: Readonly<Record<string, QuietDays>>;
}

/**
 * The rules for one customer: their own zone (or `defaultTimeZone` if theirs is unknown to
 * this runtime), and their country's quiet days (country from the phone number, see
 * ./country.ts), else the `*` entry, else none. A country's entry replaces `*`, it does not
 * add to it.
 */
export function sendRulesFor(
  customer: { readonly timezone: string; readonly phone: string; readonly locale: string },
  settings: SendWindowSettings,
): SendRules {
  const country = customerCountry(customer);
  const quietDays = (country === undefined ? undefined : settings.quietDays[country]) ?? settings.quietDays[ANY_COUNTRY] ?? NO_QUIET_DAYS;
  return {
    window: settings.sendWindow,
    timeZone: isIanaTimeZone(customer.timezone) ? customer.timezone : settings.defaultTimeZone,
    quietDays,
  };
}

const MINUTE_MS = 60_000;
/** Past this, a rule set leaves no day to send on (the config schema prevents it; this stops a loop). */
const MAX_DAYS_AHEAD = 400;

/** Minutes after local midnight of "HH:MM". */
export function minutesOfDay(time: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  if (match === null) throw new Error(`A send window time must look like "09:00", got "${time}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

type LocalDate = Pick<LocalDateTime, 'year' | 'month' | 'day'>;

function isoDate({ year, month, day }: LocalDate): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function weekdayOf({ year, month, day }: LocalDate): Weekday {
  return WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()]!;
}

function nextDate({ year, month, day }: LocalDate): LocalDate {
  const next = new Date(Date.UTC(year, month - 1, day + 1));
  return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
}

/** True when nothing may be sent on this local date. */
export function isQuietDay(date: LocalDate, quietDays: QuietDays): boolean {
  if (quietDays.weekdays.includes(weekdayOf(date))) return true;
  const iso = isoDate(date);
  return quietDays.dates.includes(iso) || quietDays.dates.includes(iso.slice(5));
}

/**
 * The earliest instant at or after `due` when the rules allow a send: `due` itself when it
 * falls inside the window on a day that is not quiet; that day's opening when it is before
 * the window; otherwise the opening of the next day that is not quiet. The window is local
 * wall-clock time, so it follows daylight-saving changes: an opening the clocks skip that
 * day is the moment they jump past it, one that happens twice is the first.
 */
export function nextSendTime(due: Date, rules: SendRules): Date {
  const open = minutesOfDay(rules.window.start);
  const close = minutesOfDay(rules.window.end);
  const local = localDateTime(due, rules.timeZone);
  const sinceMidnightMs = ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + local.millisecond;
  let date: LocalDate = local;

  const quiet = isQuietDay(date, rules.quietDays);
  if (!quiet && sinceMidnightMs >= open * MINUTE_MS && sinceMidnightMs < close * MINUTE_MS) return due;
  if (quiet || sinceMidnightMs >= close * MINUTE_MS) {
    let days = 0;
    do {
      date = nextDate(date);
      if (++days > MAX_DAYS_AHEAD) throw new Error(`No day to send on within ${MAX_DAYS_AHEAD} days of ${due.toISOString()}: every day is quiet`);
    } while (isQuietDay(date, rules.quietDays));
  }
  const opening = instantOfLocal({ year: date.year, month: date.month, day: date.day, hour: Math.floor(open / 60), minute: open % 60 }, rules.timeZone);
  // Clocks turned back inside the window's first hour: the wall clock is before the opening
  // again, but the opening has already happened.
  return opening.getTime() < due.getTime() ? due : opening;
}

/** True when a message may go out at `instant` under `rules`. */
export function isInsideSendWindow(instant: Date, rules: SendRules): boolean {
  return nextSendTime(instant, rules).getTime() === instant.getTime();
}
