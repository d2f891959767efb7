import { describe, expect, it } from 'vitest';
import type { CounterKey } from '#shared/kpi/aggregation';
import { messageKpis, rate, type Totals } from '#shared/kpi/formulas';
import { buildKpiReport, type CounterRow } from '#shared/kpi/report';

const totals = (t: Partial<Totals> = {}): Totals => ({ sent: 0, delivered: 0, read: 0, failed: 0, replies: 0, ...t });
const row = (key: Partial<CounterKey>, counts: CounterRow['counts']): CounterRow => ({
  key: { day: '2026-03-08', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A', ...key },
  counts,
});

describe('rate', () => {
  it('divides, and is null (not 0, not NaN) on a zero denominator', () => {
    expect(rate(8, 10)).toBe(0.8);
    expect(rate(0, 10)).toBe(0);
    expect(rate(0, 0)).toBeNull();
    expect(rate(3, 0)).toBeNull();
  });
});

describe('messageKpis', () => {
  it('computes delivery, read, failure and day-7 response rates (worked example)', () => {
    expect(messageKpis(totals({ sent: 10, delivered: 8, read: 4, failed: 1, replies: 3 }), totals({ sent: 5, delivered: 4, replies: 1 }))).toEqual({
      deliveryRate: 0.8,
      readRate: 0.5,
      failureRate: 0.1,
      day7ResponseRate: 0.25,
    });
  });

  it('is null wherever the denominator is 0', () => {
    expect(messageKpis(totals(), totals())).toEqual({ deliveryRate: null, readRate: null, failureRate: null, day7ResponseRate: null });
    expect(messageKpis(totals({ sent: 3, failed: 3 }), totals({ replies: 2 }))).toEqual({ deliveryRate: 0, readRate: null, failureRate: 1, day7ResponseRate: null });
  });

  it('takes the day-7 response rate from the day-7 counters only, not the totals', () => {
    const kpis = messageKpis(totals({ delivered: 100, replies: 50 }), totals({ delivered: 20, replies: 2 }));
    expect(kpis.day7ResponseRate).toBe(0.1);
  });
});

describe('buildKpiReport', () => {
  const rows: CounterRow[] = [
    row({ day: '2026-03-01' }, { sent: 10, delivered: 8, read: 4, replies: 2 }),
    row({ day: '2026-03-02', variant: 'B' }, { sent: 6, delivered: 6, read: 3, replies: 3, failed: 0 }),
    row({ day: '2026-03-02', milestone: 'day30', template: 'posventa_day30_nps' }, { sent: 4, delivered: 2, failed: 2, replies: 1 }),
    row({ day: '2026-03-03', milestone: 'day60', template: 'posventa_day60_offer' }, { sent: 5, delivered: 5, read: 5 }),
  ];

  it('sums every row with no filter, and reports no dates as null', () => {
    const report = buildKpiReport(rows, {});
    expect(report.from).toBeNull();
    expect(report.to).toBeNull();
    expect(report.totals).toEqual({ sent: 25, delivered: 21, read: 12, failed: 2, replies: 6 });
    expect(report.kpis).toEqual({ deliveryRate: 21 / 25, readRate: 12 / 21, failureRate: 2 / 25, day7ResponseRate: 5 / 14 });
  });

  it('splits by milestone, every milestone present, the parts summing to the totals', () => {
    const report = buildKpiReport(rows, {});
    expect(report.byMilestone).toEqual({
      day7: { sent: 16, delivered: 14, read: 7, failed: 0, replies: 5 },
      day30: { sent: 4, delivered: 2, read: 0, failed: 2, replies: 1 },
      day60: { sent: 5, delivered: 5, read: 5, failed: 0, replies: 0 },
    });
    for (const counter of ['sent', 'delivered', 'read', 'failed', 'replies'] as const) {
      expect(report.byMilestone.day7[counter] + report.byMilestone.day30[counter] + report.byMilestone.day60[counter]).toBe(report.totals[counter]);
    }
  });

  it('includes both ends of from..to (days as YYYY-MM-DD)', () => {
    const report = buildKpiReport(rows, { from: '2026-03-02', to: '2026-03-02' });
    expect(report).toMatchObject({ from: '2026-03-02', to: '2026-03-02', totals: { sent: 10, delivered: 8, failed: 2 } });
    expect(buildKpiReport(rows, { from: '2026-03-02' }).totals.sent).toBe(15);
    expect(buildKpiReport(rows, { to: '2026-03-01' }).totals.sent).toBe(10);
    expect(buildKpiReport(rows, { from: '2026-03-04' }).totals).toEqual(totals());
  });

  it('filters by milestone, template and variant', () => {
    expect(buildKpiReport(rows, { milestone: 'day30' }).totals).toEqual({ sent: 4, delivered: 2, read: 0, failed: 2, replies: 1 });
    expect(buildKpiReport(rows, { template: 'posventa_day60_offer' }).totals.sent).toBe(5);
    expect(buildKpiReport(rows, { variant: 'B' }).totals).toEqual({ sent: 6, delivered: 6, read: 3, failed: 0, replies: 3 });
    expect(buildKpiReport(rows, { milestone: 'day7', variant: 'A' }).totals.sent).toBe(10);
    expect(buildKpiReport(rows, { milestone: 'day7', template: 'posventa_day30_nps' }).totals).toEqual(totals());
  });

  it('answers nulls, not NaN, for an empty period', () => {
    const report = buildKpiReport([], { from: '2026-01-01', to: '2026-01-31' });
    expect(report.kpis).toEqual({ deliveryRate: null, readRate: null, failureRate: null, day7ResponseRate: null });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('keeps only the day-7 milestone in the day-7 response rate when filtering by another milestone', () => {
    expect(buildKpiReport(rows, { milestone: 'day30' }).kpis.day7ResponseRate).toBeNull();
  });
});
