import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantOfLocal, localDateTime } from '#shared/time-zone';

const at = (iso: string) => new Date(iso);

describe('localDateTime', () => {
  it.each([
    ['2026-03-29T00:59:59.250Z', 'Europe/Madrid', { year: 2026, month: 3, day: 29, hour: 1, minute: 59, second: 59, millisecond: 250 }],
    ['2026-03-29T01:00:00.000Z', 'Europe/Madrid', { year: 2026, month: 3, day: 29, hour: 3, minute: 0, second: 0, millisecond: 0 }],
    ['2026-09-06T03:59:00.000Z', 'America/Santiago', { year: 2026, month: 9, day: 5, hour: 23, minute: 59, second: 0, millisecond: 0 }],
    ['2026-09-06T04:00:00.000Z', 'America/Santiago', { year: 2026, month: 9, day: 6, hour: 1, minute: 0, second: 0, millisecond: 0 }],
    ['2026-01-01T02:59:00.000Z', 'America/Sao_Paulo', { year: 2025, month: 12, day: 31, hour: 23, minute: 59, second: 0, millisecond: 0 }],
    ['2026-07-01T00:00:00.000Z', 'UTC', { year: 2026, month: 7, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 }],
  ])('%s in %s', (iso, zone, expected) => {
    expect(localDateTime(at(iso), zone)).toEqual(expected);
  });
});

describe('instantOfLocal', () => {
  it.each([
    // Plain days.
    [{ year: 2026, month: 7, day: 1, hour: 9, minute: 0 }, 'Europe/Madrid', '2026-07-01T07:00:00.000Z'],
    [{ year: 2026, month: 1, day: 15, hour: 9, minute: 0 }, 'Europe/Madrid', '2026-01-15T08:00:00.000Z'],
    [{ year: 2026, month: 11, day: 1, hour: 9, minute: 0 }, 'America/Sao_Paulo', '2026-11-01T12:00:00.000Z'],
    // Clocks forward: a skipped time is the moment of the jump.
    [{ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Madrid', '2026-03-29T01:00:00.000Z'],
    [{ year: 2026, month: 9, day: 6, hour: 0, minute: 0 }, 'America/Santiago', '2026-09-06T04:00:00.000Z'],
    [{ year: 2026, month: 9, day: 6, hour: 0, minute: 30 }, 'America/Santiago', '2026-09-06T04:00:00.000Z'],
    [{ year: 2018, month: 11, day: 4, hour: 0, minute: 30 }, 'America/Sao_Paulo', '2018-11-04T03:00:00.000Z'],
    // Clocks back: a repeated time is its first occurrence.
    [{ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Madrid', '2026-10-25T00:30:00.000Z'],
    [{ year: 2026, month: 4, day: 4, hour: 23, minute: 30 }, 'America/Santiago', '2026-04-05T02:30:00.000Z'],
  ])('%j in %s is %s', (local, zone, iso) => {
    expect(instantOfLocal(local, zone).toISOString()).toBe(iso);
  });

  it('is the first instant whose wall clock reaches the given time, in every zone, any day', () => {
    const zones = ['UTC', 'Europe/Madrid', 'America/Santiago', 'America/Sao_Paulo', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.date({ min: at('2015-01-01T00:00:00Z'), max: at('2035-01-01T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 24 * 60 - 1 }),
        (zone, day, minuteOfDay) => {
          const { year, month, day: dayOfMonth } = localDateTime(day, zone);
          const local = { year, month, day: dayOfMonth, hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60 };
          const wall = (d: Date) => {
            const l = localDateTime(d, zone);
            return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second, l.millisecond);
          };
          const target = Date.UTC(year, month - 1, dayOfMonth, local.hour, local.minute);
          const instant = instantOfLocal(local, zone);
          expect(wall(instant)).toBeGreaterThanOrEqual(target);
          expect(wall(new Date(instant.getTime() - 1))).toBeLessThan(target);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
