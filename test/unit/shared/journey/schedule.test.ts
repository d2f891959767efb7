import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '#shared/clock';
import type { PurchaseDetail } from '#shared/events/purchase';
import { DEFAULT_MILESTONES } from '#shared/journey/milestones';
import { scheduleMilestones } from '#shared/journey/schedule';
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
});

describe('journeyExecution', () => {
  it('names the execution after the order and schedules from purchasedAt (with offset)', () => {
    const offsetPurchase = { ...purchase, purchasedAt: '2026-03-01T10:00:00-03:00' };
    expect(journeyExecution(offsetPurchase, DEFAULT_MILESTONES)).toEqual({
      name: 'ES-2026-000123',
      input: {
        orderId: 'ES-2026-000123',
        purchase: offsetPurchase,
        schedule: [
          { milestone: 'day7', dueAt: '2026-03-08T13:00:00.000Z' },
          { milestone: 'day30', dueAt: '2026-03-31T13:00:00.000Z' },
          { milestone: 'day60', dueAt: '2026-04-30T13:00:00.000Z' },
        ],
      },
    });
  });

  it('schedules the fixture purchase (+01:00) in UTC', () => {
    const { input } = journeyExecution(purchase, DEFAULT_MILESTONES);
    expect(input.schedule.map((s) => s.dueAt)).toEqual(['2026-03-08T09:00:00.000Z', '2026-03-31T09:00:00.000Z', '2026-04-30T09:00:00.000Z']);
  });

  it('uses a valid execution name for an order id Step Functions would refuse, and keeps the order id in the input', () => {
    const { name, input } = journeyExecution({ ...purchase, orderId: 'PED #2026/123' }, DEFAULT_MILESTONES);
    expect(name).toMatch(/^PED__2026_123-[0-9a-f]{12}$/);
    expect(input.orderId).toBe('PED #2026/123');
  });
});
