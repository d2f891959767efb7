import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MilestoneId } from '#shared/journey/milestones';
import { COUNTERS } from '#shared/kpi/counters';
import { histogramQuantile, kpisOf, netPromoterScore, proportionDifference, rate, wilsonInterval, type Totals } from '#shared/kpi/formulas';

const totals = (t: Partial<Totals> = {}): Totals => ({ ...(Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Totals), ...t });
const milestones = (m: Partial<Record<MilestoneId, Partial<Totals>>> = {}): Record<MilestoneId, Totals> => ({
  day7: totals(m.day7),
  day30: totals(m.day30),
  day60: totals(m.day60),
});

describe('rate', () => {
  it('divides, and is null (not 0, not NaN) on a zero denominator', () => {
    expect(rate(8, 10)).toBe(0.8);
    expect(rate(0, 10)).toBe(0);
    expect(rate(0, 0)).toBeNull();
    expect(rate(3, 0)).toBeNull();
  });
});

describe('netPromoterScore', () => {
  it('is (promoters − detractors) / answers × 100 (worked example: 50 promoters, 30 passives, 20 detractors → 30)', () => {
    expect(netPromoterScore(50, 20, 100)).toBe(30);
  });

  it('spans −100…100 and is null without answers', () => {
    expect(netPromoterScore(10, 0, 10)).toBe(100);
    expect(netPromoterScore(0, 10, 10)).toBe(-100);
    expect(netPromoterScore(0, 0, 5)).toBe(0);
    expect(netPromoterScore(0, 0, 0)).toBeNull();
  });
});

describe('wilsonInterval', () => {
  it("matches Newcombe's (1998) worked example: 81/263 → 0.2553–0.3662", () => {
    const interval = wilsonInterval(81, 263)!;
    expect(interval.low).toBeCloseTo(0.2553, 4);
    expect(interval.high).toBeCloseTo(0.3662, 4);
  });

  it('has width at 0 successes (unlike Wald) and is null for no trials', () => {
    const zero = wilsonInterval(0, 10)!;
    expect(zero.low).toBe(0);
    expect(zero.high).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('proportionDifference (Newcombe hybrid score interval)', () => {
  it("matches Newcombe's (1998) worked example: 56/70 − 48/80 = 0.2, 95 % CI 0.0524–0.3339", () => {
    const lift = proportionDifference({ successes: 56, trials: 70 }, { successes: 48, trials: 80 })!;
    expect(lift.difference).toBeCloseTo(0.2, 12);
    expect(lift.low).toBeCloseTo(0.0524, 4);
    expect(lift.high).toBeCloseTo(0.3339, 4);
    expect(lift).toMatchObject({ confidence: 0.95, method: 'newcombe-wilson' });
  });

  it('repurchase lift worked example: messaged 100/1000 vs holdout 3/50', () => {
    const lift = proportionDifference({ successes: 100, trials: 1000 }, { successes: 3, trials: 50 })!;
    expect(lift.difference).toBeCloseTo(0.04, 12);
    // A 50-customer holdout is too small to tell a 4-point lift from none.
    expect(lift.low).toBeLessThan(0);
    expect(lift.high).toBeGreaterThan(0.04);
  });

  it('is null when either group is empty', () => {
    expect(proportionDifference({ successes: 3, trials: 10 }, { successes: 0, trials: 0 })).toBeNull();
    expect(proportionDifference({ successes: 0, trials: 0 }, { successes: 3, trials: 10 })).toBeNull();
  });

  it('always holds the difference and stays inside [−1, 1]', () => {
    const group = fc.integer({ min: 1, max: 5000 }).chain((n) => fc.record({ trials: fc.constant(n), successes: fc.integer({ min: 0, max: n }) }));
    fc.assert(
      fc.property(group, group, (a, b) => {
        const d = proportionDifference(a, b)!;
        expect(d.low).toBeLessThanOrEqual(d.difference + 1e-12);
        expect(d.high).toBeGreaterThanOrEqual(d.difference - 1e-12);
        expect(d.low).toBeGreaterThanOrEqual(-1 - 1e-12);
        expect(d.high).toBeLessThanOrEqual(1 + 1e-12);
      }),
    );
  });
});

describe('histogramQuantile', () => {
  const bounds = [60, 120, 300, 600];

  it('interpolates inside the bucket the rank falls in (worked example: p90 of 5 / 3 / 2 / 0 / 0 → 210 s)', () => {
    // 10 values, rank 9: 8 below 120 s, the 2 in (120, 300] → halfway, 210 s.
    expect(histogramQuantile([5, 3, 2, 0, 0], bounds, 0.9)).toBe(210);
    expect(histogramQuantile([10, 0, 0, 0, 0], bounds, 0.9)).toBe(54);
    expect(histogramQuantile([0, 0, 0, 4, 0], bounds, 0.5)).toBe(450);
  });

  it('skips empty buckets and answers the last bound when the quantile is in the open bucket', () => {
    expect(histogramQuantile([1, 0, 0, 0, 9], bounds, 0.9)).toBe(600);
    expect(histogramQuantile([0, 0, 0, 0, 3], bounds, 0.5)).toBe(600);
  });

  it('is null with no values', () => {
    expect(histogramQuantile([0, 0, 0, 0, 0], bounds, 0.9)).toBeNull();
  });
});

describe('kpisOf', () => {
  it('computes every rate from counters (worked example)', () => {
    const all = totals({
      sent: 200,
      delivered: 180,
      read: 90,
      failed: 12,
      failedUndeliverable: 4,
      failedLimited: 3,
      failedMarketingOptOut: 2,
      failedTemplate: 2,
      failedOther: 1,
      excludedExperiment: 8,
      optOuts: 9,
      npsAnswers: 40,
      npsPromoters: 20,
      npsPassives: 12,
      npsDetractors: 8,
      cohortMessaged: 100,
      cohortRepurchasers: 12,
      cohortHoldout: 10,
      holdoutRepurchasers: 1,
      repurchases: 8,
      repurchasers: 7,
      costMicroUsd: 4_600_000,
      tickets: 7,
      ticketsOpened: 20,
      ticketsReopened: 2,
      firstResponses: 10,
      firstResponseSeconds: 1500,
      firstResponseLe60: 5,
      firstResponseLe120: 3,
      firstResponseLe300: 2,
    });
    const kpis = kpisOf(
      all,
      milestones({
        day7: { delivered: 80, replies: 30, responders: 24 },
        day30: { delivered: 50, npsAnswers: 40 },
        day60: { delivered: 50 },
      }),
    );
    expect(kpis).toMatchObject({
      day7ResponseRate: 0.3, // 24 journeys replied / 80 delivered (30 replies: some replied twice)
      nps: 30, // (20 − 8) / 40 × 100
      npsResponseRate: 0.8, // 40 / 50
      repurchaseRate: 0.12, // 12 of the 100 journeys started in the messaged group bought again
      holdoutRepurchaseRate: 0.1, // 1 of the 10 holdout journeys
      costUsd: 4.6, // 4,600,000 micro-USD
      costPerJourneyUsd: 0.046, // 4.6 USD / 100 messaged journeys
      costPerRepurchaseUsd: 0.575, // 4.6 USD / 8 purchases attributed to a message
      deliveryRate: 0.9,
      readRate: 0.5,
      optOutRate: 0.05,
      failureRate: 0.06, // 12 / 200; the 8 of Meta's experiment are not failures
      failureRateByBucket: { undeliverable: 0.02, limited: 0.015, marketingOptOut: 0.01, template: 0.01, other: 0.005 },
      reopenedRate: 0.1, // 2 reopened / 20 helpdesk tickets opened (the 7 Posventa requested are not the denominator)
      firstResponseMeanSeconds: 150, // 1500 s / 10
      firstResponseP90Seconds: 210, // rank 9 of 10: 8 are ≤ 120 s, so halfway through the 2 in (120, 300]
    });
    expect(kpis.repurchaseLift?.difference).toBeCloseTo(0.02, 12);
  });

  it('is null wherever the denominator is 0', () => {
    const kpis = kpisOf(totals(), milestones());
    expect(kpis).toEqual({
      day7ResponseRate: null,
      nps: null,
      npsResponseRate: null,
      repurchaseRate: null,
      holdoutRepurchaseRate: null,
      repurchaseLift: null,
      costUsd: 0,
      costPerJourneyUsd: null,
      costPerRepurchaseUsd: null,
      deliveryRate: null,
      readRate: null,
      optOutRate: null,
      failureRate: null,
      failureRateByBucket: { undeliverable: null, limited: null, marketingOptOut: null, template: null, other: null },
      reopenedRate: null,
      firstResponseMeanSeconds: null,
      firstResponseP90Seconds: null,
    });
  });

  it('takes the day-7 response rate from the day-7 counters only', () => {
    const kpis = kpisOf(totals({ delivered: 100, responders: 50 }), milestones({ day7: { delivered: 20, responders: 2 }, day30: { delivered: 80, responders: 48 } }));
    expect(kpis.day7ResponseRate).toBe(0.1);
  });

  it('has no lift without a holdout (the default 0 % share)', () => {
    const kpis = kpisOf(totals({ cohortRepurchasers: 10, cohortMessaged: 100 }), milestones());
    expect(kpis.repurchaseRate).toBe(0.1);
    expect(kpis.holdoutRepurchaseRate).toBeNull();
    expect(kpis.repurchaseLift).toBeNull();
  });
});
