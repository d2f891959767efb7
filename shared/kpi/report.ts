import { isMilestoneId, MILESTONE_IDS, type MilestoneId } from '../journey/milestones';
import { templatesForMilestone } from '../templates/catalogue';
import { abVerdict, type AbVerdict, type VariantOutcome, type WinnerRule } from './ab-test';
import type { CounterKey } from './aggregation';
import { COUNTERS, type Counter } from './counters';
import { kpisOf, rate, type Kpis, type Totals } from './formulas';
import { PRICE_CURRENCY } from './whatsapp-prices';

export interface CounterRow {
  key: CounterKey;
  counts: Partial<Record<Counter, number>>;
}

export interface KpiQuery {
  from?: string;
  to?: string;
  milestone?: MilestoneId;
  template?: string;
  variant?: string;
}

/** Counters and the KPIs they give, for one slice of the rows. */
export interface Breakdown {
  totals: Totals;
  kpis: Kpis;
}

/** The rate each milestone's A/B test compares (DESIGN.md §1: the winner rule). */
export const AB_METRIC = {
  day7: { name: 'day7ResponseRate', successes: 'responders', trials: 'delivered' },
  day30: { name: 'npsResponseRate', successes: 'npsAnswers', trials: 'delivered' },
  day60: { name: 'day60Conversion', successes: 'repurchasers', trials: 'delivered' },
} as const satisfies Record<MilestoneId, { name: string; successes: Counter; trials: Counter }>;

/**
 * A milestone's A/B test. Its arms are the catalogue's variants of the milestone's message,
 * each its own template at Meta (posventa_day7_adoption is A, posventa_day7_adoption_b is B).
 * Trials are the deliveries of an arm's message; successes count everything sent under that
 * variant in the milestone, so an NPS answer to the survey's reminder (which goes out under the
 * customer's variant) counts for that variant. Messages outside the test (the promoters'
 * referral) are left out.
 */
export interface VariantTest {
  /** The rate compared: successes / trials of each variant's own counters. */
  metric: (typeof AB_METRIC)[MilestoneId]['name'];
  variants: Record<string, Breakdown & { successes: number; trials: number; rate: number | null; templates: string[] }>;
  verdict: AbVerdict;
}

export interface KpiReport {
  from: string | null;
  to: string | null;
  totals: Totals;
  kpis: Kpis;
  /** Each milestone's counters (the same keys as `totals`). */
  byMilestone: Record<MilestoneId, Totals>;
  byTemplate: Record<string, Breakdown>;
  /** Each milestone's A/B test: its variants and the verdict. */
  byVariant: Record<MilestoneId, VariantTest>;
  /** One entry per day with counts, oldest first: the dashboards' trend. */
  byDay: Array<Breakdown & { day: string }>;
  /** WhatsApp spend (the same figures as `kpis`), for the dashboards' cost table. */
  cost: CostSummary;
}

export interface CostSummary {
  currency: typeof PRICE_CURRENCY;
  total: number;
  perJourney: number | null;
  perAttributedRepurchase: number | null;
  /** Billable messages the price table has no rate for: the total leaves them out. */
  unpricedMessages: number;
}

function costSummary({ totals, kpis }: Breakdown): CostSummary {
  return { currency: PRICE_CURRENCY, total: kpis.costUsd, perJourney: kpis.costPerJourneyUsd, perAttributedRepurchase: kpis.costPerRepurchaseUsd, unpricedMessages: totals.unpricedBillable };
}

export interface ReportOptions {
  winnerRule?: Partial<WinnerRule>;
}

const zeroTotals = (): Totals => Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Totals;

function addInto(target: Totals, counts: Partial<Record<Counter, number>>): void {
  for (const counter of COUNTERS) target[counter] += counts[counter] ?? 0;
}

/** Sums rows overall and per milestone: what `kpisOf` needs. */
class Slice {
  readonly totals = zeroTotals();
  readonly byMilestone = Object.fromEntries(MILESTONE_IDS.map((m) => [m, zeroTotals()])) as Record<MilestoneId, Totals>;

  add(row: CounterRow): void {
    addInto(this.totals, row.counts);
    if (isMilestoneId(row.key.milestone)) addInto(this.byMilestone[row.key.milestone], row.counts);
  }

  breakdown(): Breakdown {
    return { totals: this.totals, kpis: kpisOf(this.totals, this.byMilestone) };
  }
}

const sliceOf = <K>(slices: Map<K, Slice>, key: K): Slice => {
  let slice = slices.get(key);
  if (slice === undefined) slices.set(key, (slice = new Slice()));
  return slice;
};

function matches(row: CounterRow, query: KpiQuery): boolean {
  const { key } = row;
  return (
    (query.from === undefined || key.day >= query.from) &&
    (query.to === undefined || key.day <= query.to) &&
    (query.milestone === undefined || key.milestone === query.milestone) &&
    (query.template === undefined || key.template === query.template) &&
    (query.variant === undefined || key.variant === query.variant)
  );
}

/** One arm of a milestone's test: all it sent, and its own message's deliveries. */
interface Arm {
  all: Slice;
  message: Slice;
  templates: Set<string>;
}

function variantTest(milestone: MilestoneId, arms: Map<string, Arm>, rule: Partial<WinnerRule> | undefined): VariantTest {
  const metric = AB_METRIC[milestone];
  const entries = [...arms.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const outcomes: VariantOutcome[] = entries.map(([variant, arm]) => ({
    variant,
    successes: arm.all.byMilestone[milestone][metric.successes],
    trials: arm.message.byMilestone[milestone][metric.trials],
  }));
  return {
    metric: metric.name,
    variants: Object.fromEntries(
      entries.map(([variant, arm], i) => {
        const { successes, trials } = outcomes[i]!;
        return [variant, { successes, trials, rate: rate(successes, trials), templates: [...arm.templates].sort(), ...arm.all.breakdown() }];
      }),
    ),
    verdict: abVerdict(outcomes, rule),
  };
}

/** Each milestone's arms: the variants of its message in the catalogue, and which template is each. */
const TEST_ARMS = new Map(MILESTONE_IDS.map((m) => [m, new Map(templatesForMilestone(m).map((t) => [t.variant, t.name]))]));

/** The KPI API's answer (DESIGN.md §3) from counter rows. */
export function buildKpiReport(rows: readonly CounterRow[], query: KpiQuery, options: ReportOptions = {}): KpiReport {
  const all = new Slice();
  const byTemplate = new Map<string, Slice>();
  const byDay = new Map<string, Slice>();
  const byVariant = new Map<MilestoneId, Map<string, Arm>>(MILESTONE_IDS.map((m) => [m, new Map()]));
  for (const row of rows) {
    if (!matches(row, query)) continue;
    const { day, milestone, template, variant } = row.key;
    all.add(row);
    sliceOf(byDay, day).add(row);
    // Unattributed counts (an opt-out before any message) belong to no template or variant.
    if (!isMilestoneId(milestone)) continue;
    sliceOf(byTemplate, template).add(row);
    const armMessage = TEST_ARMS.get(milestone)!.get(variant);
    if (armMessage === undefined) continue;
    const arms = byVariant.get(milestone)!;
    let arm = arms.get(variant);
    if (arm === undefined) arms.set(variant, (arm = { all: new Slice(), message: new Slice(), templates: new Set() }));
    arm.all.add(row);
    arm.templates.add(template);
    if (template === armMessage) arm.message.add(row);
  }
  const overall = all.breakdown();
  return {
    from: query.from ?? null,
    to: query.to ?? null,
    ...overall,
    byMilestone: all.byMilestone,
    byTemplate: Object.fromEntries([...byTemplate].map(([template, slice]) => [template, slice.breakdown()])),
    byVariant: Object.fromEntries(MILESTONE_IDS.map((m) => [m, variantTest(m, byVariant.get(m)!, options.winnerRule)])) as Record<MilestoneId, VariantTest>,
    byDay: [...byDay]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([day, slice]) => ({ day, ...slice.breakdown() })),
    cost: costSummary(overall),
  };
}
