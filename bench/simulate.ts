// `npm run simulate`: N journeys end to end on the local stack, with simulated customers; then
// wall time, journeys/s, peak memory, the KPI totals and the cost model. Options:
//   --journeys=10000  --day-ms=1000  --purchase-days=30 (or --rate=purchases per second)  --seed=posventa  --json=path
//   --screenshot=path (a PNG of the local dashboard once the KPIs have settled; needs /usr/bin/chromium)
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { awsCostOf, perJourney, whatsappSpendUsd } from './cost-model';
import { screenshotDashboard } from './dashboard-screenshot';
import type { Usage } from '../local/metering/usage';
import { runSimulation, type SimulationProgress, type SimulationResult } from './simulation';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const args = new Map(
  process.argv.slice(2).map((arg) => {
    const [name, value = ''] = arg.replace(/^--/, '').split('=');
    return [name!, value];
  }),
);
const numberArg = (name: string, fallback: number) => {
  const value = args.has(name) ? Number(args.get(name)) : fallback;
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`--${name} must be a positive number, got ${args.get(name)}`);
  return value;
};

const journeys = Math.round(numberArg('journeys', 10_000));
const dayMs = numberArg('day-ms', 1000);
const options = {
  journeys,
  dayMs,
  // --rate=N (purchases per real second) is the same as the matching --purchase-days.
  purchaseDays: args.has('rate') ? journeys / numberArg('rate', 1) / (dayMs / 1000) : numberArg('purchase-days', 30),
  seed: args.get('seed') || 'posventa',
  meter: !args.has('no-meter'),
};

const interactive = process.stderr.isTTY === true;
let lastLine = 0;
function showProgress(p: SimulationProgress): void {
  const done = p.phase === 'done';
  // Not a terminal (CI, a log file): one line every 10 s instead of a redrawn bar.
  if (!interactive && !done && p.elapsedMs - lastLine < 10_000) return;
  lastLine = p.elapsedMs;
  const width = 30;
  const filled = Math.round((p.journeysEnded / p.journeys) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const line =
    `${bar} journeys ${p.journeysEnded}/${p.journeys} done (${p.purchasesPut} bought) | ` +
    `messages ${p.messagesSent} | webhooks ${p.webhooks} | KPI queue ${p.kpiBacklog} | main thread ${Math.round(p.mainThreadBusy * 100)} % | RSS ${(p.memoryMb.rss / 1024).toFixed(1)} GB (main heap ${(p.memoryMb.mainHeap / 1024).toFixed(1)} GB) | ${p.phase} | ${(p.elapsedMs / 1000).toFixed(0)} s`;
  process.stderr.write(interactive ? `\r${line.padEnd(140)}${done ? '\n' : ''}` : `${line}\n`);
}

function report(r: SimulationResult): string {
  const t = r.kpiTotals;
  const lines = [
    '',
    `Posventa simulation — ${new Date().toISOString()} — node ${process.version}, ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)} at the end`,
    '',
    `Journeys              ${r.journeys} (virtual day ${r.dayMs} ms, purchases over ${r.purchaseDays.toFixed(0)} days, seed ${r.seed})`,
    `Wall time             ${(r.wallMs / 1000).toFixed(1)} s from the first purchase to settled KPIs (stack start-up ${(r.startupMs / 1000).toFixed(1)} s not included; virtual time alone needs ${(r.minimumWallMs / 1000).toFixed(0)} s)`,
    `Throughput            ${r.journeysPerSecond.toFixed(1)} journeys/s`,
    `Peak memory (RSS)     node ${r.peakRssMb.node.toFixed(0)} MB (stack, functions, simulator), DynamoDB Local ${r.peakRssMb.dynamoDbLocal?.toFixed(0) ?? '?'} MB`,
    `CPU time              node ${r.cpuSeconds.node.toFixed(1)} s, DynamoDB Local ${r.cpuSeconds.dynamoDbLocal?.toFixed(1) ?? '?'} s: ${((r.cpuSeconds.node + (r.cpuSeconds.dynamoDbLocal ?? 0)) / r.journeys * 1000).toFixed(0)} ms per journey`,
    `Main thread busy      ${Math.round(r.mainThreadBusy * 100)} % of the run (servers, state machines, simulator, customers)`,
    `Executions            ${JSON.stringify(r.executions)}`,
    `Messages to Meta      ${r.messagesSent} (${r.templateSends} templates); webhooks posted ${r.webhooks.posted} (${r.webhooks.answers} customer answers, ${r.webhooks.answersDropped} not acknowledged in time)`,
    `KPIs vs customers     ${r.kpiDifferences.length === 0 ? 'equal: GET /kpis counts exactly what the simulated customers did' : `DIFFERENT:\n  ${r.kpiDifferences.join('\n  ')}`}`,
    '',
    `KPI totals            sent ${t.sent}, delivered ${t.delivered}, read ${t.read}, failed ${t.failed}, skipped ${t.skipped}`,
    `                      replies ${t.replies}, NPS answers ${t.npsAnswers} (promoters ${t.npsPromoters}, passives ${t.npsPassives}, detractors ${t.npsDetractors})`,
    `                      chat handoffs ${t.chatHandoffs}, bookings ${t.bookings}, tickets ${t.tickets} (callbacks ${t.callbacks}), leads ${t.leads}, opt-outs ${t.optOuts}`,
    `                      billable utility ${t.billableUtility}, marketing ${t.billableMarketing}`,
    ...(r.usage === undefined ? ['', 'Not metered (--no-meter): no cost model.'] : costReport(r, r.usage)),
    ...(r.warnings.length > 0 ? ['', `Warnings from the stack (first ${r.warnings.length}):`, ...r.warnings.slice(0, 10).map((w) => `  ${w}`)] : []),
    ...(r.functionErrors.length > 0 ? ['', `Errors the functions logged (first ${r.functionErrors.length}):`, ...r.functionErrors.slice(0, 10).map((e) => `  ${e}`)] : []),
  ];
  return lines.join('\n');
}

function costReport(r: SimulationResult, usage: Usage): string[] {
  const usd = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`;
  const per1000 = (n: number) => (n / r.journeys) * 1000;
  const aws = awsCostOf(usage);
  const whatsapp = whatsappSpendUsd(r.billedTemplates);
  const share = aws.usd / whatsapp.usd;
  return [
    '',
    'Cost per 1,000 journeys (AWS list prices, us-east-1, arm64; bench/aws-prices.ts):',
    ...aws.lines.map((l) => `  ${l.service.padEnd(24)} ${per1000(l.quantity).toFixed(1).padStart(10)} ${l.unit.padEnd(34)} ${usd(per1000(l.usd)).padStart(9)}`),
    `  ${'AWS total'.padEnd(24)} ${''.padStart(10)} ${''.padEnd(34)} ${usd(per1000(aws.usd)).padStart(9)}`,
    `  ${'WhatsApp templates'.padEnd(24)} ${per1000(r.billedTemplates.length).toFixed(1).padStart(10)} ${'delivered (shared/kpi price table)'.padEnd(34)} ${usd(per1000(whatsapp.usd)).padStart(9)}${whatsapp.unpriced > 0 ? ` (${whatsapp.unpriced} unpriced)` : ''}`,
    `  AWS / WhatsApp          ${(share * 100).toFixed(2)} %  (target < 1 %: ${share < 0.01 ? 'PASS' : 'MISS'})`,
    `  Lambda GB-s use the template's memory × handler durations measured here (${(aws.lambdaGbSeconds / r.journeys).toFixed(4)} GB-s per journey);`,
    '  on a loaded machine durations include waiting for CPU, so this line errs high.',
    '',
    `Per journey: ${Object.entries(perJourney(usage, r.journeys))
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ')}`,
  ];
}

async function main(): Promise<void> {
  process.stderr.write(`Starting the local stack for ${options.journeys} journeys…\n`);
  // Ctrl-C stops the run and the stack (DynamoDB Local is a process of its own).
  const stopping = new AbortController();
  process.once('SIGINT', () => stopping.abort(new Error('interrupted')));
  process.once('SIGTERM', () => stopping.abort(new Error('terminated')));
  const screenshot = args.get('screenshot');
  const result = await runSimulation({
    ...options,
    signal: stopping.signal,
    onProgress: showProgress,
    log: (line) => process.stderr.write(`${line}\n`),
    ...(screenshot ? { beforeStop: (info) => screenshotDashboard(info.dashboardUrl, screenshot).then(() => void process.stderr.write(`dashboard screenshot: ${screenshot}\n`)) } : {}),
  });
  console.log(report(result));
  const json = args.get('json');
  if (json) {
    const { billedTemplates, ...rest } = result;
    const aws = result.usage === undefined ? undefined : awsCostOf(result.usage);
    writeFileSync(json, `${JSON.stringify({ date: new Date().toISOString(), ...rest, billedTemplates: billedTemplates.length, aws, whatsapp: whatsappSpendUsd(billedTemplates) }, null, 2)}\n`);
  }
  if (result.kpiDifferences.length > 0) process.exitCode = 1;
}

await main();
