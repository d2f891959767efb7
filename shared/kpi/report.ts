import { MILESTONE_IDS, type MilestoneId } from '../journey/milestones';
import type { CounterKey } from './aggregation';
import { COUNTERS, type Counter } from './counters';
import { messageKpis, type MessageKpis, type Totals } from './formulas';

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

export interface KpiReport {
  from: string | null;
  to: string | null;
  totals: Totals;
  kpis: MessageKpis;
  byMilestone: Record<MilestoneId, Totals>;
}

const zeroTotals = (): Totals => Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Totals;

function addInto(target: Totals, counts: Partial<Record<Counter, number>>): void {
  for (const counter of COUNTERS) target[counter] += counts[counter] ?? 0;
}

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

/** The KPI API's answer (DESIGN.md §3) from counter rows. */
export function buildKpiReport(rows: readonly CounterRow[], query: KpiQuery): KpiReport {
  const totals = zeroTotals();
  const byMilestone = Object.fromEntries(MILESTONE_IDS.map((m) => [m, zeroTotals()])) as Record<MilestoneId, Totals>;
  for (const row of rows) {
    if (!matches(row, query)) continue;
    addInto(totals, row.counts);
    addInto(byMilestone[row.key.milestone], row.counts);
  }
  return { from: query.from ?? null, to: query.to ?? null, totals, kpis: messageKpis(totals, byMilestone.day7), byMilestone };
}
