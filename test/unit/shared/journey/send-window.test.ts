import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isInsideSendWindow,
  isQuietDay,
  minutesOfDay,
  nextSendTime,
  NO_QUIET_DAYS,
  sendRulesFor,
  WEEKDAYS,
  type QuietDays,
  type SendRules,
} from '#shared/journey/send-window';
import { localDateTime } from '#shared/time-zone';

const window = { start: '09:00', end: '20:00' };
const rules = (timeZone: string, quietDays: QuietDays = NO_QUIET_DAYS, sendWindow = window): SendRules => ({ window: sendWindow, timeZone, quietDays });
const next = (iso: string, r: SendRules) => nextSendTime(new Date(iso), r).toISOString();

describe('nextSendTime in UTC', () => {
  const utc = rules('UTC');
  it.each([
    ['inside the window: unchanged, to the millisecond', '2026-03-10T12:34:56.789Z', '2026-03-10T12:34:56.789Z'],
    ['at the opening', '2026-03-10T09:00:00.000Z', '2026-03-10T09:00:00.000Z'],
    ['just before the opening: that day’s opening', '2026-03-10T08:59:59.999Z', '2026-03-10T09:00:00.000Z'],
    ['after midnight: that day’s opening', '2026-03-10T00:00:00.000Z', '2026-03-10T09:00:00.000Z'],
    ['just before closing: unchanged', '2026-03-10T19:59:59.999Z', '2026-03-10T19:59:59.999Z'],
    ['at closing: the next day’s opening', '2026-03-10T20:00:00.000Z', '2026-03-11T09:00:00.000Z'],
    ['late evening of a month’s last day: the 1st’s opening', '2026-03-31T23:30:00.000Z', '2026-04-01T09:00:00.000Z'],
    ['late evening of 31 December: 1 January’s opening', '2026-12-31T22:00:00.000Z', '2027-01-01T09:00:00.000Z'],
  ])('%s', (_, due, expected) => {
    expect(next(due, utc)).toBe(expected);
  });
});

describe('nextSendTime in the customer’s zone, across daylight-saving changes', () => {
  it.each([
    // Europe/Madrid: 2026-03-29 02:00 CET → 03:00 CEST; 2026-10-25 03:00 CEST → 02:00 CET.
    ['Madrid, evening before the spring change → 09:00 CEST', 'Europe/Madrid', window, '2026-03-28T21:00:00Z', '2026-03-29T07:00:00.000Z'],
    ['Madrid, 08:00 CET the week before → 09:00 CET', 'Europe/Madrid', window, '2026-03-25T07:00:00Z', '2026-03-25T08:00:00.000Z'],
    ['Madrid, 08:00 CEST the day after → 09:00 CEST', 'Europe/Madrid', window, '2026-03-30T06:00:00Z', '2026-03-30T07:00:00.000Z'],
    ['Madrid, evening before the autumn change → 09:00 CET', 'Europe/Madrid', window, '2026-10-24T19:00:00Z', '2026-10-25T08:00:00.000Z'],
    ['Madrid, opening skipped by the spring change → the jump', 'Europe/Madrid', { start: '02:30', end: '20:00' }, '2026-03-29T00:00:00Z', '2026-03-29T01:00:00.000Z'],
    ['Madrid, opening repeated by the autumn change → its first time', 'Europe/Madrid', { start: '02:30', end: '20:00' }, '2026-10-25T00:00:00Z', '2026-10-25T00:30:00.000Z'],
    ['Madrid, wall clock back before the opening that already happened → now', 'Europe/Madrid', { start: '02:30', end: '20:00' }, '2026-10-25T01:15:00Z', '2026-10-25T01:15:00.000Z'],
    // America/Santiago: 2026-04-05 00:00 −03 → 2026-04-04 23:00 −04; 2026-09-06 00:00 −04 → 01:00 −03.
    ['Santiago, evening before the April change → 09:00 −04', 'America/Santiago', window, '2026-04-04T23:30:00Z', '2026-04-05T13:00:00.000Z'],
    ['Santiago, in the repeated hour (23:30 −04) → next day 09:00 −04', 'America/Santiago', window, '2026-04-05T03:30:00Z', '2026-04-05T13:00:00.000Z'],
    ['Santiago, evening before the September change → 09:00 −03', 'America/Santiago', window, '2026-09-06T00:30:00Z', '2026-09-06T12:00:00.000Z'],
    ['Santiago, midnight opening skipped by the September change → 01:00 −03', 'America/Santiago', { start: '00:00', end: '20:00' }, '2026-09-06T00:30:00Z', '2026-09-06T04:00:00.000Z'],
    // America/Sao_Paulo: −03 all year since 2019 (no more DST in November).
    ['São Paulo, night of 31 Oct → 1 Nov 09:00 −03', 'America/Sao_Paulo', window, '2026-11-01T02:00:00Z', '2026-11-01T12:00:00.000Z'],
    ['São Paulo, 2018 when DST still began 4 Nov at 00:00', 'America/Sao_Paulo', { start: '00:30', end: '20:00' }, '2018-11-04T02:00:00Z', '2018-11-04T03:00:00.000Z'],
    ['São Paulo, 2018 summer time (−02) 08:00 → 09:00 −02', 'America/Sao_Paulo', window, '2018-12-10T10:00:00Z', '2018-12-10T11:00:00.000Z'],
    ['Buenos Aires, 21:00 → next day 09:00 −03', 'America/Argentina/Buenos_Aires', window, '2026-03-11T00:00:00Z', '2026-03-11T12:00:00.000Z'],
  ])('%s', (_, zone, sendWindow, due, expected) => {
    expect(next(due, rules(zone, NO_QUIET_DAYS, sendWindow))).toBe(expected);
  });

  it('accepts a window that closes at midnight ("24:00")', () => {
    const lateWindow = rules('UTC', NO_QUIET_DAYS, { start: '09:00', end: '24:00' });
    expect(next('2026-03-10T23:59:59.999Z', lateWindow)).toBe('2026-03-10T23:59:59.999Z');
    expect(next('2026-03-11T00:00:00.000Z', lateWindow)).toBe('2026-03-11T09:00:00.000Z');
  });
});

describe('quiet days', () => {
  // 2026-03-08 is a Sunday; Buenos Aires is −03 all year.
  const sundays: QuietDays = { weekdays: ['sunday'], dates: [] };
  const ba = (quietDays: QuietDays) => rules('America/Argentina/Buenos_Aires', quietDays);

  it('moves a Saturday-evening due time past Sunday to Monday’s opening', () => {
    expect(next('2026-03-08T00:00:00Z', ba(sundays))).toBe('2026-03-09T12:00:00.000Z');
  });

  it('moves a due time inside Sunday’s window to Monday’s opening', () => {
    expect(next('2026-03-08T15:00:00Z', ba(sundays))).toBe('2026-03-09T12:00:00.000Z');
  });

  it('moves a Sunday early-morning due time to Monday, not to Sunday’s opening', () => {
    expect(next('2026-03-08T05:00:00Z', ba(sundays))).toBe('2026-03-09T12:00:00.000Z');
  });

  it('skips a run of quiet days: Sunday, then a dated holiday, then a yearly one', () => {
    const quiet = { weekdays: ['sunday'], dates: ['2026-03-09', '03-10'] } satisfies QuietDays;
    expect(next('2026-03-08T00:00:00Z', ba(quiet))).toBe('2026-03-11T12:00:00.000Z');
    // Yearly dates apply every year, dated ones only that year.
    expect(next('2027-03-09T15:00:00Z', ba(quiet))).toBe('2027-03-09T15:00:00.000Z');
    expect(next('2027-03-10T15:00:00Z', ba(quiet))).toBe('2027-03-11T12:00:00.000Z');
  });

  it('reads quiet days on the customer’s own calendar, not UTC’s', () => {
    // 2026-12-25T02:00Z is still 24 December, 23:00, in Buenos Aires: the next opening is 26 December.
    expect(next('2026-12-25T02:00:00Z', ba({ weekdays: [], dates: ['12-25'] }))).toBe('2026-12-26T12:00:00.000Z');
  });

  it('isQuietDay matches weekdays, full dates and yearly dates', () => {
    const quiet: QuietDays = { weekdays: ['saturday'], dates: ['2026-05-25', '07-09'] };
    expect(isQuietDay({ year: 2026, month: 3, day: 7 }, quiet)).toBe(true);
    expect(isQuietDay({ year: 2026, month: 3, day: 6 }, quiet)).toBe(false);
    expect(isQuietDay({ year: 2026, month: 5, day: 25 }, quiet)).toBe(true);
    expect(isQuietDay({ year: 2027, month: 5, day: 25 }, quiet)).toBe(false);
    expect(isQuietDay({ year: 2031, month: 7, day: 9 }, quiet)).toBe(true);
  });
});

describe('sendRulesFor', () => {
  const settings = {
    sendWindow: window,
    defaultTimeZone: 'America/Bogota',
    quietDays: { '*': { weekdays: ['sunday'], dates: [] }, AR: { weekdays: [], dates: ['12-25'] } } satisfies Record<string, QuietDays>,
  };

  it('uses the customer’s zone and their country’s quiet days (country from the phone)', () => {
    expect(sendRulesFor({ timezone: 'America/Argentina/Cordoba', phone: '+5493515550000', locale: 'es-AR' }, settings)).toEqual({
      window,
      timeZone: 'America/Argentina/Cordoba',
      quietDays: { weekdays: [], dates: ['12-25'] },
    });
  });

  it('falls back to "*" for a country without an entry (a country entry replaces it)', () => {
    expect(sendRulesFor({ timezone: 'Europe/Madrid', phone: '+34612345678', locale: 'es-ES' }, settings).quietDays).toEqual({ weekdays: ['sunday'], dates: [] });
  });

  it('falls back to no quiet days without a "*" entry, and to the default zone for a zone this runtime does not know', () => {
    const { quietDays, timeZone } = sendRulesFor({ timezone: 'Mars/Olympus_Mons', phone: '+34612345678', locale: 'es' }, { ...settings, quietDays: {} });
    expect(quietDays).toEqual(NO_QUIET_DAYS);
    expect(timeZone).toBe('America/Bogota');
  });
});

describe('minutesOfDay', () => {
  it('reads HH:MM and refuses anything else', () => {
    expect(minutesOfDay('09:30')).toBe(570);
    expect(minutesOfDay('24:00')).toBe(1440);
    expect(() => minutesOfDay('9:30')).toThrow('"9:30"');
  });
});

describe('nextSendTime properties', () => {
  const zones = ['UTC', 'Europe/Madrid', 'America/Santiago', 'America/Sao_Paulo', 'America/Mexico_City', 'Australia/Lord_Howe', 'Pacific/Chatham'];
  const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  const arbitraryRules = fc
    .record({
      zone: fc.constantFrom(...zones),
      bounds: fc.uniqueArray(fc.integer({ min: 0, max: 24 * 4 }), { minLength: 2, maxLength: 2 }).map((pair) => pair.sort((a, b) => a - b).map((q) => q * 15)),
      weekdays: fc.subarray([...WEEKDAYS], { maxLength: 6 }),
      dates: fc.array(fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true }), { maxLength: 20 }),
    })
    .map(({ zone, bounds, weekdays, dates }): SendRules => ({
      timeZone: zone,
      window: { start: hhmm(bounds[0]!), end: hhmm(bounds[1]!) },
      quietDays: { weekdays, dates: dates.map((d) => d.toISOString().slice(0, 10)) },
    }));
  const dueTimes = fc.date({ min: new Date('2025-12-01T00:00:00Z'), max: new Date('2027-01-31T00:00:00Z'), noInvalidDate: true });

  it('gives the earliest allowed instant at or after the due time, and is stable', () => {
    fc.assert(
      fc.property(arbitraryRules, dueTimes, (r, due) => {
        const sendAt = nextSendTime(due, r);
        expect(sendAt.getTime()).toBeGreaterThanOrEqual(due.getTime());
        expect(isInsideSendWindow(sendAt, r)).toBe(true);
        expect(isQuietDay(localDateTime(sendAt, r.timeZone), r.quietDays)).toBe(false);
        // Earliest: the instant just before was not allowed (or was before the due time).
        const before = new Date(sendAt.getTime() - 1);
        if (before.getTime() >= due.getTime()) expect(isInsideSendWindow(before, r)).toBe(false);
        // Deterministic.
        expect(nextSendTime(due, r).getTime()).toBe(sendAt.getTime());
      }),
      { numRuns: 3000 },
    );
  });

  it('never moves a later due time before an earlier one (milestones keep their order)', () => {
    fc.assert(
      fc.property(arbitraryRules, dueTimes, dueTimes, (r, a, b) => {
        const [early, late] = a <= b ? [a, b] : [b, a];
        expect(nextSendTime(late, r).getTime()).toBeGreaterThanOrEqual(nextSendTime(early, r).getTime());
      }),
      { numRuns: 1000 },
    );
  });
});
