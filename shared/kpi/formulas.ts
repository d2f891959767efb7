import type { Counter } from './counters';

export type Totals = Record<Counter, number>;

/** A rate as a fraction 0–1, or null when there is nothing to divide by (DESIGN.md §3). */
export function rate(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

export interface MessageKpis {
  deliveryRate: number | null;
  readRate: number | null;
  failureRate: number | null;
  day7ResponseRate: number | null;
}

/** Message KPIs of DESIGN.md §4. `day7` are the day-7 milestone's own counters. */
export function messageKpis(totals: Totals, day7: Totals): MessageKpis {
  return {
    deliveryRate: rate(totals.delivered, totals.sent),
    readRate: rate(totals.read, totals.delivered),
    failureRate: rate(totals.failed, totals.sent),
    day7ResponseRate: rate(day7.replies, day7.delivered),
  };
}
