import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/paths';
import type { LocalStackInfo } from '../stack';
import { runScenarios, SCENARIO_NAMES, summaryTable } from './index';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * npm run scenarios [-- name…]: against a running `npm start`, plays the detractor, opted-out
 * and capped journeys side by side and narrates them; exits 0 when each ended as expected,
 * 1 when one did not (the summary says why), 2 when it could not run.
 */
async function main(): Promise<number> {
  const only = process.argv.slice(2).filter((arg) => arg !== '--');
  const unknown = only.filter((name) => !SCENARIO_NAMES.includes(name));
  if (unknown.length > 0) {
    console.error(`Unknown scenario ${unknown.join(', ')}. Usage: npm run scenarios [-- ${SCENARIO_NAMES.join(' | ')}]`);
    return 2;
  }
  const infoPath = join(REPO_ROOT, '.posventa', 'local.json');
  let info: LocalStackInfo;
  try {
    info = JSON.parse(await readFile(infoPath, 'utf8')) as LocalStackInfo;
  } catch {
    console.error(`No ${infoPath}: start the local stack first (npm start) and wait until it is ready.`);
    return 2;
  }
  if (info.journeysTableName === undefined) {
    console.error(`${infoPath} was written by an older npm start (no table names): restart it.`);
    return 2;
  }
  const reachable = await fetch(info.kpiUrl).then((response) => response.ok, () => false);
  if (!reachable) {
    console.error(`The local stack of ${infoPath} does not answer at ${info.kpiUrl}: is npm start still running?`);
    return 2;
  }
  const results = await runScenarios(info, { only, out: (line) => console.log(line) });
  console.log('');
  for (const line of summaryTable(results)) console.log(line);
  return results.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`npm run scenarios failed: ${error.message}`);
    process.exit(2);
  },
);
