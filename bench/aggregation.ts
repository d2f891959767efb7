import { planCounterWrites, counterKeyId, type CountedEvent, type CounterKey } from '#shared/kpi/aggregation';
import type { Counter } from '#shared/kpi/counters';
import { MILESTONE_IDS, type MilestoneId } from '#shared/journey/milestones';

/**
 * The model behind the KPI-aggregation figures, stated once:
 *
 * - Events: status events (sent / delivered / read in 1 : 0.97 : 0.75, as a journey's funnel
 *   produces them) on counter keys day × milestone × template × variant drawn from a scenario's
 *   distribution. A share of them are redeliveries of an earlier event id (Meta retries, SQS
 *   at-least-once), placed up to `DUPLICATE_REACH` events later.
 * - Batching: the queue hands the aggregator consecutive runs of `batchSize` events. At 4,000
 *   events/s a batch of 100 fills in 25 ms, far inside the 2 s batching window, so batches are
 *   full and there are 4,000 / 100 = 40 batches/s, however many pollers share them.
 * - Writes: each batch runs through the real `planCounterWrites`; each plan is one
 *   TransactWriteItems with one Update per distinct counter key and one conditional Put
 *   (dedupe marker) per new event id (shared/aws/kpi-store.ts). A duplicate inside a batch is
 *   dropped by the plan; one whose id was counted by an earlier batch cancels its transaction,
 *   which is then re-sent without it (its items counted again as retried writes).
 * - Baseline: one UpdateItem per event (no dedupe), as DESIGN.md §6 compares with.
 * - Cost: a transactional write of an item ≤ 1 KB costs 2 WCU, a plain one 1 WCU.
 * - A key's write rate = batches/s × (plans per batch that touch the key), averaged over
 *   the stream; the hottest key is reported.
 */
export const STATUS_WEIGHTS: ReadonlyArray<readonly [Counter, number]> = [
  ['sent', 1],
  ['delivered', 0.97],
  ['read', 0.75],
];
const DUPLICATE_REACH = 150;

export interface Scenario {
  name: string;
  description: string;
  /** Reporting days and their share of events. */
  days: ReadonlyArray<readonly [string, number]>;
  milestones: ReadonlyArray<readonly [MilestoneId, number]>;
  templatesPerMilestone: number;
  variants: readonly string[];
  duplicateShare: number;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'catalogue',
    description: "today's statuses (3 % still on yesterday's date), 3 milestones × 1 template each (the catalogue) × 2 variants = 12 keys",
    days: [
      ['2026-03-10', 0.97],
      ['2026-03-09', 0.03],
    ],
    milestones: [
      ['day7', 0.4],
      ['day30', 0.35],
      ['day60', 0.25],
    ],
    templatesPerMilestone: 1,
    variants: ['A', 'B'],
    duplicateShare: 0,
  },
  {
    name: 'grid',
    description: '3 days × 3 milestones × 3 templates × 2 variants = 54 keys, uniform (pessimistic)',
    days: [
      ['2026-03-10', 1],
      ['2026-03-09', 1],
      ['2026-03-08', 1],
    ],
    milestones: MILESTONE_IDS.map((m) => [m, 1] as const),
    templatesPerMilestone: 3,
    variants: ['A', 'B'],
    duplicateShare: 0,
  },
  {
    name: 'wide',
    description: 'stress: 30 days × 54 = 1,620 keys, uniform (a replay of a month at once)',
    days: Array.from({ length: 30 }, (_, i) => [`2026-02-${String(i + 1).padStart(2, '0')}`, 1] as const),
    milestones: MILESTONE_IDS.map((m) => [m, 1] as const),
    templatesPerMilestone: 3,
    variants: ['A', 'B'],
    duplicateShare: 0,
  },
];

/** Deterministic PRNG (mulberry32), so every run simulates the same stream. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(rand: () => number, weighted: ReadonlyArray<readonly [T, number]>): T {
  const total = weighted.reduce((n, [, w]) => n + w, 0);
  let r = rand() * total;
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r < 0) return value;
  }
  return weighted.at(-1)![0];
}

export function simulateEvents(scenario: Scenario, count: number, seed = 7): CountedEvent[] {
  const rand = random(seed);
  const templates = Array.from({ length: scenario.templatesPerMilestone }, (_, i) => [i, 1] as const);
  const variants = scenario.variants.map((v) => [v, 1] as const);
  const events: CountedEvent[] = [];
  const pendingDuplicates: Array<{ at: number; event: CountedEvent }> = [];
  let n = 0;
  while (events.length < count) {
    const due = pendingDuplicates.findIndex((d) => d.at <= events.length);
    if (due >= 0) {
      events.push(pendingDuplicates.splice(due, 1)[0]!.event);
      continue;
    }
    const milestone = pick(rand, scenario.milestones);
    const key: CounterKey = {
      day: pick(rand, scenario.days),
      milestone,
      template: `posventa_${milestone}_t${pick(rand, templates)}`,
      variant: pick(rand, variants),
    };
    const counter = pick(rand, STATUS_WEIGHTS);
    const event: CountedEvent = { eventId: `wamid.${(n += 1)}:${counter}`, key, counter };
    events.push(event);
    if (rand() < scenario.duplicateShare) pendingDuplicates.push({ at: events.length + 1 + Math.floor(rand() * DUPLICATE_REACH), event });
  }
  return events;
}

export interface AggregationResult {
  scenario: string;
  description: string;
  events: number;
  batchSize: number;
  distinctKeys: number;
  /** Per 1,000 events. */
  counterUpdatesPer1000: number;
  markersPer1000: number;
  retriedItemsPer1000: number;
  writesPer1000: number;
  transactionsPer1000: number;
  /** One write per event ÷ counter updates. */
  reductionCountersOnly: number;
  /** One write per event ÷ (counter updates + markers + retried items). */
  reductionWithMarkers: number;
  /** WCU per 1,000 events: transactional items at 2 WCU vs the baseline's 1 WCU per event. */
  wcuPer1000: number;
  baselineWcuPer1000: number;
  /** At `ratePerSecond` events/s with full batches: the hottest counter key's writes/s. */
  hotKey: string;
  hotKeyWritesPerSecond: number;
  ratePerSecond: number;
  batchesPerSecond: number;
}

/** Runs a simulated stream through `planCounterWrites` batch by batch and counts the writes. */
export function measureAggregation(scenario: Scenario, events: readonly CountedEvent[], batchSize: number, ratePerSecond: number): AggregationResult {
  let counterUpdates = 0;
  let markers = 0;
  let retried = 0;
  let transactions = 0;
  const counted = new Set<string>();
  const keyWrites = new Map<string, number>();
  let batches = 0;
  for (let start = 0; start < events.length; start += batchSize) {
    batches += 1;
    for (const plan of planCounterWrites(events.slice(start, start + batchSize))) {
      transactions += 1;
      counterUpdates += plan.increments.length;
      markers += plan.events.length;
      for (const { key } of plan.increments) keyWrites.set(counterKeyId(key), (keyWrites.get(counterKeyId(key)) ?? 0) + 1);
      const fresh = plan.events.filter((e) => !counted.has(e.eventId));
      if (fresh.length < plan.events.length) {
        // The transaction is cancelled on the first counted marker and re-sent without it.
        const [replan] = planCounterWrites(fresh);
        if (replan !== undefined) {
          transactions += 1;
          retried += replan.events.length + replan.increments.length;
          for (const { key } of replan.increments) keyWrites.set(counterKeyId(key), (keyWrites.get(counterKeyId(key)) ?? 0) + 1);
        }
      }
      for (const e of fresh) counted.add(e.eventId);
    }
  }
  const per1000 = (n: number) => (n / events.length) * 1000;
  const [hotKey, hotWrites] = [...keyWrites.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  const batchesPerSecond = ratePerSecond / batchSize;
  const writes = counterUpdates + markers + retried;
  return {
    scenario: scenario.name,
    description: scenario.description,
    events: events.length,
    batchSize,
    distinctKeys: new Set(events.map((e) => counterKeyId(e.key))).size,
    counterUpdatesPer1000: per1000(counterUpdates),
    markersPer1000: per1000(markers),
    retriedItemsPer1000: per1000(retried),
    writesPer1000: per1000(writes),
    transactionsPer1000: per1000(transactions),
    reductionCountersOnly: events.length / counterUpdates,
    reductionWithMarkers: events.length / writes,
    wcuPer1000: per1000(2 * writes),
    baselineWcuPer1000: 1000,
    hotKey,
    hotKeyWritesPerSecond: batchesPerSecond * (hotWrites / batches),
    ratePerSecond,
    batchesPerSecond,
  };
}
