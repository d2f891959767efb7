import { DAY_MS } from '#shared/clock';

export type KpiCounters = { totals: Record<string, number>; byMilestone: Record<string, Record<string, number>> };

export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** Days per GET /kpis: a year of day partitions reads well inside the KPI API's timeout. */
const REPORT_DAYS = 366;

/**
 * The KPI API's counters over [firstDay, lastDay], asked a year at a time and added up (counters
 * add; rates would not, and are not compared). A run compresses time: 10,000 journeys at 4 a
 * second and 500 ms days span 5,000 virtual days, and one report reading every day partition
 * outlasts the function's 10 s timeout on this machine; real deployments ask for weeks or months.
 */
export async function readKpiCounters(kpiUrl: string, firstDay: string, lastDay: string): Promise<KpiCounters> {
  const sum: KpiCounters = { totals: {}, byMilestone: {} };
  const addInto = (into: Record<string, number>, from: Record<string, unknown>) => {
    for (const [counter, value] of Object.entries(from)) if (typeof value === 'number') into[counter] = (into[counter] ?? 0) + value;
  };
  for (let from = Date.parse(firstDay); from <= Date.parse(lastDay); from += REPORT_DAYS * DAY_MS) {
    const range = `from=${isoDay(from)}&to=${isoDay(Math.min(from + (REPORT_DAYS - 1) * DAY_MS, Date.parse(lastDay)))}`;
    const response = await fetch(`${kpiUrl}?${range}`);
    const body = await response.text();
    if (!response.ok) throw new Error(`GET /kpis?${range} answered HTTP ${response.status}: ${body.slice(0, 300)}`);
    const report = JSON.parse(body) as KpiCounters;
    addInto(sum.totals, report.totals);
    for (const [milestone, counters] of Object.entries(report.byMilestone)) addInto((sum.byMilestone[milestone] ??= {}), counters);
  }
  return sum;
}
