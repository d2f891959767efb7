import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { virtualClock } from '#shared/clock';
import { SCRIPTED_PHONE_PREFIX } from '../customers';
import type { LocalStackInfo } from '../stack';
import { createScenarioContext, ScenarioFailure } from './context';
import { createNarrator } from './narrator';
import { SCENARIOS, type Scenario } from './scenarios';
import { connectToStack, type StackReader } from './stack-reader';

/**
 * Plays the watchable journeys side by side against a running local stack, narrating each
 * step from what the system recorded, and says whether each ended as it should.
 */

export { SCENARIOS } from './scenarios';
export const SCENARIO_NAMES: readonly string[] = SCENARIOS.map((s) => s.name);

export interface ScenarioResult {
  name: string;
  ok: boolean;
  /** What happened (ok), or why the scenario did not end as expected. */
  summary: string;
  expected: string;
}

export interface RunScenariosOptions {
  /** Names of the scenarios to play; @default all of them */
  only?: readonly string[];
  /** Receives every narrated line and the summary. */
  out: (line: string) => void;
}

/** How long (real ms) the KPI check waits for the aggregator to count the scenarios' events. */
const KPI_SETTLE_MS = 15_000;

export async function runScenarios(info: LocalStackInfo, options: RunScenariosOptions): Promise<ScenarioResult[]> {
  const unknown = (options.only ?? []).filter((name) => !SCENARIO_NAMES.includes(name));
  if (unknown.length > 0) throw new Error(`Unknown scenario ${unknown.join(', ')}: choose among ${SCENARIO_NAMES.join(', ')}`);
  const chosen = SCENARIOS.filter((s) => options.only === undefined || options.only.length === 0 || options.only.includes(s.name));
  const reader = await connectToStack(info);
  try {
    const clock = virtualClock(info.clockEpochMs, info.dayMs);
    const phones = await freshScriptedPhones(reader, chosen.length);
    const tag = Date.now().toString(36).toUpperCase();
    const kpisBefore = await reader.kpiTotals();
    const startedAt = clock.now();
    const nameWidth = Math.max(...chosen.map((s) => s.name.length));
    options.out(`Playing ${chosen.length === 1 ? 'one journey' : `${chosen.length} journeys side by side`} on the local stack (1 virtual day = ${info.dayMs} ms; phones masked):`);
    for (const scenario of chosen) options.out(`  ${scenario.name.padEnd(nameWidth)}  expected: ${scenario.expected}`);

    // Held two seconds (two virtual days by default), so lines noticed late still print in time order.
    const narrator = createNarrator({ clock, holdMs: Math.max(2000, info.dayMs), out: options.out });
    const results = await Promise.all(
      chosen.map(async (scenario, index): Promise<ScenarioResult> => {
        const ctx = createScenarioContext({ name: scenario.name, info, reader, clock, startedAt, narrator, nameWidth });
        try {
          const summary = await scenario.play(ctx, { tag, phone: phones[index]! });
          await ctx.flush();
          return { name: scenario.name, ok: true, summary, expected: scenario.expected };
        } catch (error) {
          await ctx.flush().catch(() => undefined);
          const reason = error instanceof ScenarioFailure ? error.message : `stopped by an error: ${(error as Error).message}`;
          ctx.say(`NOT AS EXPECTED: ${reason}`);
          return { name: scenario.name, ok: false, summary: reason, expected: scenario.expected };
        }
      }),
    );
    narrator.close();
    return await checkKpis(results, chosen, kpisBefore, reader, options.out);
  } finally {
    reader.close();
  }
}

/**
 * The counters each scenario must have raised, as GET /kpis reports them. Other traffic on the
 * stack (simulated customers) counts too, so this is a floor, not an equality.
 */
async function checkKpis(results: ScenarioResult[], chosen: readonly Scenario[], before: Record<string, number>, reader: StackReader, out: (line: string) => void): Promise<ScenarioResult[]> {
  const wanted: Record<string, number> = {};
  for (const scenario of chosen) for (const [counter, count] of Object.entries(scenario.kpis)) wanted[counter] = (wanted[counter] ?? 0) + count;
  const deadline = Date.now() + KPI_SETTLE_MS;
  let after = await reader.kpiTotals();
  const short = () => Object.entries(wanted).filter(([counter, count]) => (after[counter] ?? 0) - (before[counter] ?? 0) < count);
  // The aggregator counts in batches off a queue: wait until the totals hold still for a second.
  for (let previous = ''; Date.now() < deadline; ) {
    const current = JSON.stringify(after);
    if (short().length === 0 && current === previous) break;
    previous = current;
    await sleep(1000);
    after = await reader.kpiTotals();
  }
  const moved = Object.keys(after)
    .filter((counter) => (after[counter] ?? 0) !== (before[counter] ?? 0))
    .map((counter) => `${counter} +${(after[counter] ?? 0) - (before[counter] ?? 0)}`);
  out(`GET /kpis totals since the start: ${moved.length === 0 ? 'unchanged' : moved.join(', ')}`);
  const missing = short().map(([counter, count]) => `${counter} rose by ${(after[counter] ?? 0) - (before[counter] ?? 0)}, expected at least ${count}`);
  if (missing.length === 0) return results;
  // Counters are not per scenario: a shortfall is laid on each scenario that expects that counter.
  return results.map((result) => {
    const scenario = chosen.find((s) => s.name === result.name)!;
    const own = missing.filter((line) => Object.keys(scenario.kpis).some((counter) => line.startsWith(`${counter} `)));
    return own.length === 0 || !result.ok ? result : { ...result, ok: false, summary: `GET /kpis: ${own.join('; ')}` };
  });
}

/** Phones of the scripted range no earlier run used (no consent recorded), so caps and opt-outs start clean. */
async function freshScriptedPhones(reader: StackReader, count: number): Promise<string[]> {
  const phones: string[] = [];
  for (let attempt = 0; phones.length < count; attempt++) {
    if (attempt > 200) throw new Error(`No free phone left in the scripted range ${SCRIPTED_PHONE_PREFIX}…`);
    const phone = `${SCRIPTED_PHONE_PREFIX}${String(randomInt(10_000)).padStart(4, '0')}`;
    if (!phones.includes(phone) && (await reader.consentState(phone)) === undefined) phones.push(phone);
  }
  return phones;
}

/** The summary table: one row per scenario, what was expected and how it ended. */
export function summaryTable(results: readonly ScenarioResult[]): string[] {
  const rows = results.map((r) => [r.name, r.ok ? 'as expected' : 'NOT AS EXPECTED', r.summary]);
  const header = ['scenario', 'result', 'what happened'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
