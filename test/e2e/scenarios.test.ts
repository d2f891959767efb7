import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRIPTED_PHONE_PREFIX } from '../../local/customers';
import { runScenarios, SCENARIO_NAMES, summaryTable } from '../../local/scenarios';
import { startTestStack, type TestStack } from '../support/local-stack';

/**
 * `npm run scenarios` against a whole local stack with a short day: the detractor, opted-out
 * and capped journeys play side by side and each ends as expected, read back from what the
 * system recorded. Simulated customers are on, as with `npm start`, and opt out at every other
 * message they get: only the scripted phone range keeps them out of the scenarios.
 */
const DAY_MS = 200;

let running: TestStack;

beforeAll(async () => {
  running = await startTestStack({ dayMs: DAY_MS, customers: { seed: 'scenarios-e2e', rates: { optOut: 0.5 } } });
}, 180_000);

afterAll(async () => {
  await running?.stop();
});

describe('npm run scenarios on the local stack', () => {
  it('plays the three journeys side by side; each ends as expected, narrated with masked phones', async () => {
    const lines: string[] = [];
    const results = await runScenarios(running.stack.info, { out: (line) => lines.push(line) });
    const output = [...lines, ...summaryTable(results)].join('\n');

    expect(results.map((r) => [r.name, r.ok, r.ok ? '' : r.summary]), output).toEqual(SCENARIO_NAMES.map((name) => [name, true, '']));
    // Narrated from the records and the execution histories, not from the script's own intentions.
    expect(output).toMatch(/detractor .*day60 skipped, reason detractor/);
    expect(output).toMatch(/opted-out .*consent ledger: opted out of utility \+ marketing, source keyword, text "BAJA"/);
    expect(output).toMatch(/opted-out .*execution ABORTED by Posventa\.OptedOut/);
    expect(output).toMatch(/capped .*day60 deferred by frequency-cap until day 6\d\.\d/);
    expect(output).toMatch(/GET \/kpis totals since the start: .*npsDetractors \+1.*optOuts \+1.*tickets \+1/);
    // Every narrated line has its virtual day; no phone of the scripted range in clear.
    expect(lines.filter((line) => line.startsWith('[')).every((line) => /^\[ *day \d+\.\d\] /.test(line))).toBe(true);
    expect(output).not.toContain(SCRIPTED_PHONE_PREFIX.slice(1));
  }, 120_000);
});
