import { describe, expect, it } from 'vitest';
import type { CounterKey } from '#shared/kpi/aggregation';
import { COUNTERS } from '#shared/kpi/counters';
import type { Totals } from '#shared/kpi/formulas';
import { buildKpiReport, type CounterRow } from '#shared/kpi/report';

const totals = (t: Partial<Totals> = {}): Totals => ({ ...(Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Totals), ...t });
const row = (key: Partial<CounterKey>, counts: CounterRow['counts']): CounterRow => ({
  key: { day: '2026-03-08', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A', ...key },
  counts,
});

const rows: CounterRow[] = [
  row({ day: '2026-03-01' }, { sent: 10, delivered: 8, read: 4, replies: 3, responders: 2 }),
  row({ day: '2026-03-02', variant: 'B' }, { sent: 6, delivered: 6, read: 3, replies: 3, responders: 3, failed: 0 }),
  row({ day: '2026-03-02', milestone: 'day30', template: 'posventa_day30_nps' }, { sent: 4, delivered: 2, failed: 2, failedUndeliverable: 2, npsAnswers: 2, npsPromoters: 1, npsDetractors: 1 }),
  row({ day: '2026-03-03', milestone: 'day60', template: 'posventa_day60_offer' }, { sent: 5, delivered: 5, read: 5, journeys: 5, repurchasers: 1 }),
  // Cohorts: journeys started on 2026-03-01, counted under no milestone.
  row({ day: '2026-03-01', milestone: 'unattributed', template: 'unattributed', variant: 'unattributed' }, { cohortMessaged: 5, cohortRepurchasers: 1 }),
];

describe('buildKpiReport', () => {
  it('reports the WhatsApp cost: total, per journey started, per purchase attributed to a message (hand-computed)', () => {
    // 10 Brazilian marketing deliveries (0.0625) + 20 Spanish utility (0.02) = 1.025 USD, 1 unpriced.
    const costRows: CounterRow[] = [
      row({ milestone: 'day60', template: 'posventa_day60_offer' }, { delivered: 10, billableMarketing: 10, costMicroUsd: 625_000, repurchases: 4 }),
      row({ milestone: 'day7' }, { delivered: 21, billableUtility: 20, billableOther: 1, costMicroUsd: 400_000, unpricedBillable: 1, repurchases: 1 }),
      row({ milestone: 'unattributed', template: 'unattributed', variant: 'unattributed' }, { cohortMessaged: 25, cohortHoldout: 2 }),
    ];
    const report = buildKpiReport(costRows, {});
    expect(report.cost).toMatchObject({ currency: 'USD', total: 1.025, unpricedMessages: 1 });
    expect(report.cost.perJourney).toBeCloseTo(0.041, 12); // 1.025 / 25
    expect(report.cost.perAttributedRepurchase).toBeCloseTo(0.205, 12); // 1.025 / 5
    expect(report.kpis).toMatchObject({ costUsd: report.cost.total, costPerJourneyUsd: report.cost.perJourney, costPerRepurchaseUsd: report.cost.perAttributedRepurchase });
    // Per template: its own spend over its own attributed purchases; journeys are not per template.
    expect(report.byTemplate.posventa_day60_offer?.kpis).toMatchObject({ costUsd: 0.625, costPerRepurchaseUsd: 0.15625, costPerJourneyUsd: null });
  });

  it('answers the DESIGN.md §3 shape: from, to, totals, kpis, byMilestone, plus breakdowns', () => {
    const report = buildKpiReport(rows, {});
    expect(Object.keys(report)).toEqual(['from', 'to', 'totals', 'kpis', 'byMilestone', 'byTemplate', 'byVariant', 'byDay', 'cost']);
    for (const counter of ['sent', 'delivered', 'read', 'failed', 'replies', 'optOuts', 'optIns', 'npsAnswers', 'npsPromoters', 'npsPassives', 'npsDetractors', 'tickets', 'leads', 'repurchases']) {
      expect(report.totals, counter).toHaveProperty(counter);
      expect(report.byMilestone.day7, counter).toHaveProperty(counter);
    }
    for (const kpi of ['day7ResponseRate', 'nps', 'repurchaseRate', 'deliveryRate', 'readRate', 'optOutRate', 'failureRate']) expect(report.kpis, kpi).toHaveProperty(kpi);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('sums every row with no filter, and reports no dates as null', () => {
    const report = buildKpiReport(rows, {});
    expect(report.from).toBeNull();
    expect(report.to).toBeNull();
    expect(report.totals).toEqual(
      totals({
        sent: 25,
        delivered: 21,
        read: 12,
        failed: 2,
        failedUndeliverable: 2,
        replies: 6,
        responders: 5,
        npsAnswers: 2,
        npsPromoters: 1,
        npsDetractors: 1,
        journeys: 5,
        repurchasers: 1,
        cohortMessaged: 5,
        cohortRepurchasers: 1,
      }),
    );
    expect(report.kpis).toMatchObject({
      deliveryRate: 21 / 25,
      readRate: 12 / 21,
      failureRate: 2 / 25,
      day7ResponseRate: 5 / 14,
      nps: 0,
      npsResponseRate: 1,
      repurchaseRate: 0.2,
      optOutRate: 0,
      failureRateByBucket: { undeliverable: 2 / 25, limited: 0 },
    });
  });

  it('splits by milestone, every milestone present, the parts summing to the totals of the rows with a milestone', () => {
    const report = buildKpiReport(rows, {});
    const attributed = buildKpiReport(
      rows.filter((r) => r.key.milestone !== 'unattributed'),
      {},
    );
    expect(report.byMilestone.day7).toEqual(totals({ sent: 16, delivered: 14, read: 7, replies: 6, responders: 5 }));
    expect(report.byMilestone.day60).toEqual(totals({ sent: 5, delivered: 5, read: 5, journeys: 5, repurchasers: 1 }));
    for (const counter of COUNTERS) {
      expect(report.byMilestone.day7[counter] + report.byMilestone.day30[counter] + report.byMilestone.day60[counter]).toBe(attributed.totals[counter]);
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
    expect(buildKpiReport(rows, { milestone: 'day30' }).totals).toMatchObject({ sent: 4, delivered: 2, read: 0, failed: 2 });
    expect(buildKpiReport(rows, { template: 'posventa_day60_offer' }).totals.sent).toBe(5);
    expect(buildKpiReport(rows, { variant: 'B' }).totals).toMatchObject({ sent: 6, delivered: 6, read: 3, failed: 0, replies: 3 });
    expect(buildKpiReport(rows, { milestone: 'day7', variant: 'A' }).totals.sent).toBe(10);
    expect(buildKpiReport(rows, { milestone: 'day7', template: 'posventa_day30_nps' }).totals).toEqual(totals());
  });

  it('answers nulls, not NaN, for an empty period, with empty breakdowns', () => {
    const report = buildKpiReport([], { from: '2026-01-01', to: '2026-01-31' });
    expect(report.kpis).toMatchObject({ deliveryRate: null, readRate: null, failureRate: null, day7ResponseRate: null, nps: null, repurchaseRate: null, optOutRate: null });
    expect(report.byTemplate).toEqual({});
    expect(report.byDay).toEqual([]);
    for (const test of Object.values(report.byVariant)) expect(test).toMatchObject({ variants: {}, verdict: { decision: 'keep-mix' } });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('keeps only the day-7 milestone in the day-7 response rate when filtering by another milestone', () => {
    expect(buildKpiReport(rows, { milestone: 'day30' }).kpis.day7ResponseRate).toBeNull();
  });

  it('breaks down by template, with each template’s KPIs', () => {
    const { byTemplate } = buildKpiReport(rows, {});
    expect(Object.keys(byTemplate)).toEqual(['posventa_day7_adoption', 'posventa_day30_nps', 'posventa_day60_offer']);
    expect(byTemplate.posventa_day7_adoption!.totals).toMatchObject({ sent: 16, delivered: 14 });
    expect(byTemplate.posventa_day30_nps!.kpis).toMatchObject({ failureRate: 0.5, nps: 0 });
  });

  it('breaks down by day, oldest first, for the trend', () => {
    const { byDay } = buildKpiReport([...rows].reverse(), {});
    expect(byDay.map((d) => [d.day, d.totals.sent])).toEqual([
      ['2026-03-01', 10],
      ['2026-03-02', 10],
      ['2026-03-03', 5],
    ]);
    expect(byDay[0]!.kpis.deliveryRate).toBe(0.8);
  });

  it("compares each milestone's variants (each its own template at Meta) on the milestone's rate, and gives the A/B verdict", () => {
    const abRows: CounterRow[] = [
      row({ variant: 'A', day: '2026-03-01' }, { delivered: 300, responders: 60 }),
      row({ variant: 'A', day: '2026-03-02' }, { delivered: 300, responders: 70 }),
      row({ template: 'posventa_day7_adoption_b', variant: 'B' }, { delivered: 600, responders: 160 }),
      row({ milestone: 'day30', template: 'posventa_day30_nps', variant: 'A' }, { delivered: 100, npsAnswers: 30 }),
      // The reminder goes out under the customer's variant: its answers count for A, its deliveries are not trials.
      row({ milestone: 'day30', template: 'posventa_day30_nps_reminder', variant: 'A' }, { delivered: 60, npsAnswers: 12 }),
      row({ milestone: 'day60', template: 'posventa_day60_offer', variant: 'A' }, { delivered: 50, repurchasers: 5 }),
      // Promoters' referral is no arm of the day-60 test.
      row({ milestone: 'day60', template: 'posventa_day60_referral', variant: 'P' }, { delivered: 10, repurchasers: 4 }),
    ];
    const { byVariant } = buildKpiReport(abRows, {});
    const day7 = byVariant.day7;
    expect(day7.metric).toBe('day7ResponseRate');
    expect(day7.variants.A).toMatchObject({ successes: 130, trials: 600, rate: 130 / 600, templates: ['posventa_day7_adoption'], totals: { delivered: 600, responders: 130 } });
    expect(day7.variants.B).toMatchObject({ successes: 160, trials: 600, templates: ['posventa_day7_adoption_b'] });
    expect(day7.verdict).toMatchObject({ decision: 'winner', winner: 'B' });

    const day30 = byVariant.day30;
    expect(day30.metric).toBe('npsResponseRate');
    expect(day30.variants.A).toMatchObject({ successes: 42, trials: 100, templates: ['posventa_day30_nps', 'posventa_day30_nps_reminder'] });
    expect(day30.verdict).toMatchObject({ decision: 'keep-mix' });

    expect(Object.keys(byVariant.day60.variants)).toEqual(['A']);
    expect(byVariant.day60.variants.A).toMatchObject({ successes: 5, trials: 50 });

    // Under a rule asking for 1,000 recipients per variant, 600 each are too few.
    expect(buildKpiReport(abRows, {}, { winnerRule: { minRecipients: 1_000 } }).byVariant.day7.verdict).toMatchObject({ decision: 'keep-mix' });
  });

  it('reports the repurchase lift of messaged over holdout customers, for the cohorts started in the days asked', () => {
    const cohort = (day: string, counts: CounterRow['counts']) => row({ day, milestone: 'unattributed', template: 'unattributed', variant: 'unattributed' }, counts);
    const liftRows: CounterRow[] = [
      cohort('2026-03-08', { cohortMessaged: 600, cohortHoldout: 30, cohortRepurchasers: 55, holdoutRepurchasers: 2 }),
      cohort('2026-03-09', { cohortMessaged: 350, cohortHoldout: 20, cohortRepurchasers: 40, holdoutRepurchasers: 1 }),
      // A later cohort, outside the days asked.
      cohort('2026-04-01', { cohortMessaged: 100, cohortHoldout: 5, cohortRepurchasers: 90, holdoutRepurchasers: 5 }),
      // Message-level counters do not move the cohort rates.
      row({ milestone: 'day60', template: 'posventa_day60_offer' }, { repurchases: 70, repurchasers: 60, journeys: 950 }),
    ];
    const { kpis } = buildKpiReport(liftRows, { from: '2026-03-01', to: '2026-03-31' });
    expect(kpis.repurchaseRate).toBe(0.1); // 95 / 950
    expect(kpis.holdoutRepurchaseRate).toBe(0.06); // 3 / 50
    expect(kpis.repurchaseLift).toMatchObject({ confidence: 0.95, method: 'newcombe-wilson' });
    expect(kpis.repurchaseLift!.difference).toBeCloseTo(0.04, 12);
    expect(kpis.repurchaseLift!.low).toBeLessThan(0);
  });
});
