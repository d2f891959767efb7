import type { MilestoneId } from '../journey/milestones';
import { FAILURE_BUCKETS, FAILURE_BUCKET_COUNTER, FIRST_RESPONSE_BOUNDS_SECONDS, FIRST_RESPONSE_BUCKETS, type Counter, type FailureBucket } from './counters';
import { MICRO_USD_PER_USD } from './whatsapp-prices';

/** Every counter, summed over some rows. */
export type Totals = Record<Counter, number>;

/** A rate as a fraction 0–1, or null when there is nothing to divide by (DESIGN.md §3). */
export function rate(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** NPS: (promoters − detractors) / answers × 100, from −100 to 100; null without answers. */
export function netPromoterScore(promoters: number, detractors: number, answers: number): number | null {
  return answers === 0 ? null : ((promoters - detractors) / answers) * 100;
}

/** z for a two-sided 95 % interval. */
export const Z_95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/** Wilson score interval of a proportion x / n; null when n = 0. */
export function wilsonInterval(successes: number, trials: number, z = Z_95): Interval | null {
  if (trials === 0) return null;
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export interface Proportion {
  successes: number;
  trials: number;
}

export interface Difference extends Interval {
  /** p₁ − p₂. */
  difference: number;
  /** Two-sided confidence level of [low, high]. */
  confidence: number;
  method: 'newcombe-wilson';
}

/**
 * p₁ − p₂ with Newcombe's hybrid score interval (1998, method 10), built from the two Wilson
 * intervals. Chosen over the Wald interval because repurchase rates are small (≈ 10 %) and a
 * 5 % holdout is a small group: there Wald undercovers, collapses to zero width at 0 or 1
 * successes and can leave [−1, 1]; Newcombe's keeps near-nominal coverage and stays inside.
 * Null when either group is empty.
 */
export function proportionDifference(first: Proportion, second: Proportion, z = Z_95, confidence = 0.95): Difference | null {
  const a = wilsonInterval(first.successes, first.trials, z);
  const b = wilsonInterval(second.successes, second.trials, z);
  if (a === null || b === null) return null;
  const p1 = first.successes / first.trials;
  const p2 = second.successes / second.trials;
  const difference = p1 - p2;
  return {
    difference,
    low: difference - Math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2),
    high: difference + Math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2),
    confidence,
    method: 'newcombe-wilson',
  };
}

/**
 * The q-quantile (0 < q ≤ 1) of values counted in histogram buckets: `counts[i]` values fell in
 * (bounds[i − 1], bounds[i]] (the first from 0), and `counts[bounds.length]` above the last bound.
 * Linear inside the bucket, as Prometheus' histogram_quantile; when the quantile falls in the
 * open bucket the answer is the last bound (the quantile is at least that). Null without values.
 */
export function histogramQuantile(counts: readonly number[], bounds: readonly number[], q: number): number | null {
  const total = counts.reduce((sum, c) => sum + c, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < bounds.length; i++) {
    const count = counts[i] ?? 0;
    if (count > 0 && below + count >= rank) {
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      return lower + (bounds[i]! - lower) * ((rank - below) / count);
    }
    below += count;
  }
  return bounds[bounds.length - 1] ?? null;
}

export interface Kpis {
  /** Day-7 journeys that replied / day-7 messages delivered. */
  day7ResponseRate: number | null;
  /** (promoters − detractors) / answers × 100. */
  nps: number | null;
  /** NPS answers / day-30 messages delivered. */
  npsResponseRate: number | null;
  /**
   * 60-day repurchase: messaged-group journeys followed by a purchase of the same customer
   * within the repurchase window / journeys started in the messaged group (by purchase day).
   */
  repurchaseRate: number | null;
  /** The same for the holdout (control group). */
  holdoutRepurchaseRate: number | null;
  /** repurchaseRate − holdoutRepurchaseRate with its 95 % interval. */
  repurchaseLift: Difference | null;
  /** WhatsApp spend: billable deliveries × the price table (shared/kpi/whatsapp-prices.ts), USD. */
  costUsd: number;
  /** costUsd / journeys started in the messaged group. */
  costPerJourneyUsd: number | null;
  /** costUsd / purchases attributed to a delivered message. */
  costPerRepurchaseUsd: number | null;
  deliveryRate: number | null;
  readRate: number | null;
  /** Opt-outs / delivered. */
  optOutRate: number | null;
  /** Failed (130472 excluded) / sent. */
  failureRate: number | null;
  /** Each bucket's failures / sent; they sum to failureRate. */
  failureRateByBucket: Record<FailureBucket, number | null>;
  /** Helpdesk tickets reopened at least once / helpdesk tickets opened. */
  reopenedRate: number | null;
  /** Mean seconds from a customer's message to the first human reply (helpdesk). */
  firstResponseMeanSeconds: number | null;
  /** 90th percentile of the same, estimated from the histogram (linear inside a bucket). */
  firstResponseP90Seconds: number | null;
}

/**
 * The KPIs of DESIGN.md §4 that counters can give. `totals` are all the rows; `byMilestone` the
 * same rows split by milestone, for the KPIs defined on one milestone's messages.
 */
export function kpisOf(totals: Totals, byMilestone: Readonly<Record<MilestoneId, Totals>>): Kpis {
  const { day7, day30 } = byMilestone;
  const messaged = { successes: totals.cohortRepurchasers, trials: totals.cohortMessaged };
  const holdout = { successes: totals.holdoutRepurchasers, trials: totals.cohortHoldout };
  const costUsd = totals.costMicroUsd / MICRO_USD_PER_USD;
  return {
    day7ResponseRate: rate(day7.responders, day7.delivered),
    nps: netPromoterScore(totals.npsPromoters, totals.npsDetractors, totals.npsAnswers),
    npsResponseRate: rate(day30.npsAnswers, day30.delivered),
    repurchaseRate: rate(messaged.successes, messaged.trials),
    holdoutRepurchaseRate: rate(holdout.successes, holdout.trials),
    repurchaseLift: proportionDifference(messaged, holdout),
    costUsd,
    costPerJourneyUsd: rate(costUsd, totals.cohortMessaged),
    costPerRepurchaseUsd: rate(costUsd, totals.repurchases),
    deliveryRate: rate(totals.delivered, totals.sent),
    readRate: rate(totals.read, totals.delivered),
    optOutRate: rate(totals.optOuts, totals.delivered),
    failureRate: rate(totals.failed, totals.sent),
    failureRateByBucket: Object.fromEntries(FAILURE_BUCKETS.map((b) => [b, rate(totals[FAILURE_BUCKET_COUNTER[b]], totals.sent)])) as Record<FailureBucket, number | null>,
    reopenedRate: rate(totals.ticketsReopened, totals.ticketsOpened),
    firstResponseMeanSeconds: rate(totals.firstResponseSeconds, totals.firstResponses),
    firstResponseP90Seconds: histogramQuantile(
      FIRST_RESPONSE_BUCKETS.map((c) => totals[c]),
      FIRST_RESPONSE_BOUNDS_SECONDS,
      0.9,
    ),
  };
}
