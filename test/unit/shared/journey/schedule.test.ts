import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '#shared/clock';
import type { PurchaseDetail } from '#shared/events/purchase';
import { DEFAULT_JOURNEY_CONFIG, journeyConfigSchema } from '#shared/journey/config';
import { DEFAULT_MILESTONES } from '#shared/journey/milestones';
import { scheduleMilestones } from '#shared/journey/schedule';
import { NO_QUIET_DAYS } from '#shared/journey/send-window';
import { journeyExecution } from '#shared/journey/start';

const purchase = (JSON.parse(readFileSync(new URL('../../../fixtures/events/purchase-completed.json', import.meta.url), 'utf8')) as { detail: PurchaseDetail }).detail;

describe('scheduleMilestones', () => {
  it('puts day 7, 30 and 60 exactly N × 24 h after an offset purchase time, in UTC', () => {
    const purchasedAt = new Date('2026-03-01T10:00:00-03:00'); // 13:00 UTC
    expect(scheduleMilestones(purchasedAt, DEFAULT_MILESTONES)).toEqual([
      { milestone: 'day7', dueAt: '2026-03-08T13:00:00.000Z' },
      { milestone: 'day30', dueAt: '2026-03-31T13:00:00.000Z' },
      { milestone: 'day60', dueAt: '2026-04-30T13:00:00.000Z' },
    ]);
  });

  it('adds whole days in milliseconds, keeping sub-second precision', () => {
    const purchasedAt = new Date('2026-02-27T23:59:59.987Z');
    const schedule = scheduleMilestones(purchasedAt, DEFAULT_MILESTONES);
    expect(schedule.map((s) => Date.parse(s.dueAt) - purchasedAt.getTime())).toEqual([7 * DAY_MS, 30 * DAY_MS, 60 * DAY_MS]);
    expect(schedule[0]!.dueAt).toBe('2026-03-06T23:59:59.987Z');
  });

  it('is not moved by a daylight-saving change in between (Europe/Madrid springs forward on 2026-03-29)', () => {
    const schedule = scheduleMilestones(new Date('2026-03-25T09:00:00+01:00'), DEFAULT_MILESTONES);
    expect(schedule[0]).toEqual({ milestone: 'day7', dueAt: '2026-04-01T08:00:00.000Z' });
  });

  it('follows the milestones it is given, in their order', () => {
    const schedule = scheduleMilestones(new Date('2026-03-01T00:00:00Z'), [{ id: 'day30', day: 1, category: 'utility' }]);
    expect(schedule).toEqual([{ milestone: 'day30', dueAt: '2026-03-02T00:00:00.000Z' }]);
  });

  it('moves each due time into the send window of the customer’s zone, past quiet days', () => {
    // 21:30 in Madrid on Saturday 7 March: +7 d is Saturday 14 March at 21:30, after closing; Sunday is quiet.
    const rules = { window: { start: '09:00', end: '20:00' }, timeZone: 'Europe/Madrid', quietDays: { weekdays: ['sunday'] as const, dates: ['2026-04-06'] } };
    const schedule = scheduleMilestones(new Date('2026-03-07T21:30:00+01:00'), DEFAULT_MILESTONES, { rules });
    expect(schedule).toEqual([
      { milestone: 'day7', dueAt: '2026-03-16T08:00:00.000Z' }, // Monday 09:00 CET
      { milestone: 'day30', dueAt: '2026-04-07T07:00:00.000Z' }, // Mon 6 Apr is a holiday → Tue 09:00 CEST
      { milestone: 'day60', dueAt: '2026-05-07T07:00:00.000Z' }, // Wed 6 May 21:30 → Thu 09:00 CEST
    ]);
  });

  it('never schedules before notBefore (a purchase that reaches us late), then applies the window', () => {
    const rules = { window: { start: '09:00', end: '20:00' }, timeZone: 'UTC', quietDays: NO_QUIET_DAYS };
    const schedule = scheduleMilestones(new Date('2026-01-01T12:00:00Z'), DEFAULT_MILESTONES, { rules, notBefore: new Date('2026-02-05T22:00:00Z') });
    expect(schedule.map((s) => s.dueAt)).toEqual(['2026-02-06T09:00:00.000Z', '2026-02-06T09:00:00.000Z', '2026-03-02T12:00:00.000Z']);
  });
});

describe('journeyExecution', () => {
  const now = new Date('2026-03-01T13:00:05Z');

  it('names the execution after the order and schedules from purchasedAt (with offset), in the window', () => {
    const offsetPurchase = { ...purchase, purchasedAt: '2026-03-01T10:00:00-03:00' };
    // 13:00 UTC is 14:00 (CET) or 15:00 (CEST) in Madrid, the customer's zone: inside the window.
    expect(journeyExecution(offsetPurchase, DEFAULT_JOURNEY_CONFIG, now)).toEqual({
      name: 'ES-2026-000123',
      input: {
        orderId: 'ES-2026-000123',
        purchase: offsetPurchase,
        holdout: false,
        schedule: [
          { milestone: 'day7', dueAt: '2026-03-08T13:00:00.000Z' },
          { milestone: 'day30', dueAt: '2026-03-31T13:00:00.000Z' },
          { milestone: 'day60', dueAt: '2026-04-30T13:00:00.000Z' },
        ],
      },
    });
  });

  it('schedules the fixture purchase (+01:00) in UTC', () => {
    const { input } = journeyExecution(purchase, DEFAULT_JOURNEY_CONFIG, now);
    expect(input.schedule.map((s) => s.dueAt)).toEqual(['2026-03-08T09:00:00.000Z', '2026-03-31T09:00:00.000Z', '2026-04-30T09:00:00.000Z']);
  });

  it('takes days, window and quiet days from the config, by the customer’s zone and country', () => {
    const config = journeyConfigSchema.parse({
      milestones: [{ id: 'day7', day: 3 }, { id: 'day60', day: 45 }],
      sendWindow: { start: '10:00', end: '18:00' },
      quietDays: { ES: { weekdays: ['wednesday'] }, '*': { weekdays: ['sunday'] } },
    });
    // Purchase Sunday 1 March 10:00 CET: +3 d is Wednesday (quiet in ES) → Thursday 10:00 CET;
    // +45 d is Wednesday 15 April 11:00 CEST (quiet) → Thursday 16 April 10:00 CEST.
    expect(journeyExecution(purchase, config, now).input.schedule).toEqual([
      { milestone: 'day7', dueAt: '2026-03-05T09:00:00.000Z' },
      { milestone: 'day60', dueAt: '2026-04-16T08:00:00.000Z' },
    ]);
  });

  it('marks a customer in the holdout, and the same customer again on another order', () => {
    const everyone = journeyConfigSchema.parse({ holdoutShare: 0.999999 });
    const first = journeyExecution(purchase, everyone, now).input;
    const second = journeyExecution({ ...purchase, orderId: 'ES-2026-000999' }, everyone, now).input;
    expect([first.holdout, second.holdout]).toEqual([true, true]);
    // Still scheduled: held-out journeys run and are tracked, only the send step stays silent.
    expect(first.schedule).toHaveLength(3);
  });

  it('schedules a late purchase from now, inside the window', () => {
    const late = journeyExecution(purchase, DEFAULT_JOURNEY_CONFIG, new Date('2026-03-20T21:00:00Z')).input.schedule;
    // Day 7 (8 March) has passed: 21:00 UTC is 22:00 in Madrid, after closing → 21 March 09:00 CET.
    expect(late[0]).toEqual({ milestone: 'day7', dueAt: '2026-03-21T08:00:00.000Z' });
    expect(late[1]).toEqual({ milestone: 'day30', dueAt: '2026-03-31T09:00:00.000Z' });
  });

  it('uses a valid execution name for an order id Step Functions would refuse, and keeps the order id in the input', () => {
    const { name, input } = journeyExecution({ ...purchase, orderId: 'PED #2026/123' }, DEFAULT_JOURNEY_CONFIG, now);
    expect(name).toMatch(/^PED__2026_123-[0-9a-f]{12}$/);
    expect(input.orderId).toBe('PED #2026/123');
  });
});
