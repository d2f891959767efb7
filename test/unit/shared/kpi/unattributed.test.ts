import { describe, expect, it } from 'vitest';
import { DOMAIN_EVENT, consentEventDetailSchema } from '#shared/events/domain';
import { UNATTRIBUTED } from '#shared/kpi/aggregation';
import { readQueuedEvents } from '#shared/kpi/batch';
import { buildKpiReport, type CounterRow } from '#shared/kpi/report';

/** A STOP before the first journey message: no order, milestone, template or variant. */
const optOutBeforeAnyMessage = {
  eventId: 'wamid.STOP1:opted-out',
  occurredAt: '2026-03-02T14:00:00.000Z',
  source: 'keyword',
  scopes: ['utility', 'marketing'],
};

const envelope = (detail: object) =>
  JSON.stringify({ version: '0', id: 'e-1', 'detail-type': DOMAIN_EVENT.optedOut, source: 'posventa', time: '2026-03-02T14:00:00Z', detail });

describe('consent changes no journey message explains', () => {
  it('are valid Opted Out events', () => {
    expect(consentEventDetailSchema.safeParse(optOutBeforeAnyMessage).success).toBe(true);
  });

  it('are counted under the unattributed key, not sent to the DLQ', () => {
    const batch = readQueuedEvents([{ messageId: 'm-1', body: envelope(optOutBeforeAnyMessage) }], 'UTC');
    expect(batch.unreadable).toEqual([]);
    expect(batch.counted).toHaveLength(1);
    expect(batch.counted[0]!.event.key).toEqual({ day: '2026-03-02', milestone: UNATTRIBUTED, template: UNATTRIBUTED, variant: UNATTRIBUTED });
    expect(batch.counted[0]!.event.add).toMatchObject({ optOuts: 1 });
  });

  it('count in the totals and the day, but in no milestone, template or variant', () => {
    const rows: CounterRow[] = [
      { key: { day: '2026-03-02', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A' }, counts: { delivered: 10, optOuts: 1 } },
      { key: { day: '2026-03-02', milestone: UNATTRIBUTED, template: UNATTRIBUTED, variant: UNATTRIBUTED }, counts: { optOuts: 2 } },
    ];
    const report = buildKpiReport(rows, {});
    expect(report.totals.optOuts).toBe(3);
    expect(report.byMilestone.day7.optOuts).toBe(1);
    expect(Object.keys(report.byTemplate)).toEqual(['posventa_day7_adoption']);
    expect(report.byDay[0]!.totals.optOuts).toBe(3);
    expect(report.kpis.optOutRate).toBeCloseTo(3 / 10);
  });
});
