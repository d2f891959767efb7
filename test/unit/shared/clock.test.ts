import { afterEach, describe, expect, it, vi } from 'vitest';
import { clockFromEnv, DAY_MS, systemClock, VIRTUAL_CLOCK_ENV, virtualClock } from '#shared/clock';

const EPOCH = Date.parse('2026-03-01T12:00:00.000Z');

afterEach(() => {
  vi.useRealTimers();
});

describe('virtualClock', () => {
  it('shows the real time at its epoch, then runs DAY_MS / dayMs times faster', () => {
    vi.useFakeTimers({ now: EPOCH });
    const clock = virtualClock(EPOCH, 1000); // 1 virtual day per real second
    expect(clock.now().toISOString()).toBe('2026-03-01T12:00:00.000Z');
    vi.setSystemTime(EPOCH + 1000);
    expect(clock.now().toISOString()).toBe('2026-03-02T12:00:00.000Z');
    vi.setSystemTime(EPOCH + 60_000);
    expect(clock.now().getTime()).toBe(EPOCH + 60 * DAY_MS);
    vi.setSystemTime(EPOCH + 250);
    expect(clock.now().toISOString()).toBe('2026-03-01T18:00:00.000Z');
  });

  it('runs at real speed when a day lasts a day', () => {
    vi.useFakeTimers({ now: EPOCH + 5_000 });
    expect(virtualClock(EPOCH, DAY_MS).now().getTime()).toBe(EPOCH + 5_000);
  });

  it('keeps its settings readable', () => {
    expect(virtualClock(EPOCH, 20)).toMatchObject({ epochMs: EPOCH, dayMs: 20 });
  });

  it('answers the real delay until a virtual instant, and 0 once it is past', () => {
    vi.useFakeTimers({ now: EPOCH });
    const clock = virtualClock(EPOCH, 1000);
    const day7 = new Date(EPOCH + 7 * DAY_MS);
    expect(clock.realDelayUntil(day7)).toBe(7000);
    vi.setSystemTime(EPOCH + 6_500);
    expect(clock.realDelayUntil(day7)).toBe(500);
    vi.setSystemTime(EPOCH + 7_000);
    expect(clock.realDelayUntil(day7)).toBe(0);
    vi.setSystemTime(EPOCH + 9_000);
    expect(clock.realDelayUntil(day7)).toBe(0);
  });

  it('waits a real delay that lands on the virtual target', () => {
    vi.useFakeTimers({ now: EPOCH + 1_234 });
    const clock = virtualClock(EPOCH, 50);
    const target = new Date(EPOCH + 60 * DAY_MS);
    vi.setSystemTime(Date.now() + clock.realDelayUntil(target));
    expect(Math.abs(clock.now().getTime() - target.getTime())).toBeLessThanOrEqual(1);
  });

  it.each([0, -1, Number.NaN])('refuses dayMs %s with a message naming it', (dayMs) => {
    expect(() => virtualClock(EPOCH, dayMs)).toThrow(/dayMs must be a positive number/);
  });
});

describe('clockFromEnv', () => {
  it('is the system clock without the local stack’s variables', () => {
    expect(clockFromEnv({})).toBe(systemClock);
    expect(clockFromEnv({ [VIRTUAL_CLOCK_ENV.dayMs]: '1000' })).toBe(systemClock);
    expect(clockFromEnv({ [VIRTUAL_CLOCK_ENV.epochMs]: String(EPOCH) })).toBe(systemClock);
  });

  it('is a virtual clock with both variables set', () => {
    vi.useFakeTimers({ now: EPOCH + 2_000 });
    const clock = clockFromEnv({ [VIRTUAL_CLOCK_ENV.epochMs]: String(EPOCH), [VIRTUAL_CLOCK_ENV.dayMs]: '1000' });
    expect(clock).toMatchObject({ epochMs: EPOCH, dayMs: 1000 });
    expect(clock.now().toISOString()).toBe('2026-03-03T12:00:00.000Z');
  });

  it('uses the names the local stack sets', () => {
    expect(VIRTUAL_CLOCK_ENV).toEqual({ epochMs: 'POSVENTA_CLOCK_EPOCH_MS', dayMs: 'POSVENTA_DAY_MS' });
  });

  it('refuses a day length that is not a number', () => {
    expect(() => clockFromEnv({ [VIRTUAL_CLOCK_ENV.epochMs]: String(EPOCH), [VIRTUAL_CLOCK_ENV.dayMs]: 'fast' })).toThrow(/dayMs/);
  });
});

describe('systemClock', () => {
  it('reads the real time', () => {
    vi.useFakeTimers({ now: EPOCH });
    expect(systemClock.now().getTime()).toBe(EPOCH);
  });
});
