import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ListExecutionsCommand, SFNClient, type ExecutionStatus } from '@aws-sdk/client-sfn';
import { DAY_MS } from '#shared/clock';
import { PURCHASE_COMPLETED, PURCHASE_EVENT_SOURCE } from '#shared/events/purchase';
import { customerCountry } from '#shared/journey/country';
import { kpiDifferences, kpisImpliedBy, tallyAnswers, type CustomerRatesOverride, type CustomerTally, type SimulatedCustomers } from '../local/customers';
import type { MetaSimulator } from '../local/meta-simulator';
import { createUsageMeter, type Usage } from '../local/metering/usage';
import { startLocalStack, type LocalStackInfo } from '../local/stack';
import type { BilledTemplate } from './cost-model';
import { isoDay, readKpiCounters } from './kpi-counters';

/**
 * N journeys end to end on the local stack: purchases through the real EventBridge client,
 * the real ASL, handlers, DynamoDB Local, the Meta simulator and simulated customers answering
 * through signed webhooks. It ends when every execution has ended, every webhook is posted and
 * the KPI API reports exactly what the customers did (or stops changing).
 */
export interface SimulationOptions {
  journeys: number;
  /** Real ms per virtual day. */
  dayMs: number;
  /** Purchases arrive evenly over this many virtual days. */
  purchaseDays: number;
  seed: string;
  rates?: CustomerRatesOverride;
  /** Count what AWS would bill (DynamoDB calls then go through a counting proxy). @default true */
  meter?: boolean;
  /** Stops the run (and the stack) early, e.g. on Ctrl-C. */
  signal?: AbortSignal;
  /** Called about twice a second, and once at the end. */
  onProgress?: (progress: SimulationProgress) => void;
  /** Runs once the KPIs have settled, before the stack stops (e.g. a screenshot of the dashboard). */
  beforeStop?: (info: LocalStackInfo) => Promise<void>;
  log?: (line: string) => void;
}

export interface SimulationProgress {
  elapsedMs: number;
  journeys: number;
  purchasesPut: number;
  journeysEnded: number;
  messagesSent: number;
  /** Status and answer webhooks posted by the simulator. */
  webhooks: number;
  /** KPI events waiting in the aggregator's queue. */
  kpiBacklog: number;
  /** Share of the time the main thread (servers, engine, simulator) was busy since the last report. */
  mainThreadBusy: number;
  /** Resident memory of this process (main thread and the functions' worker threads), and the main thread's heap, MB. */
  memoryMb: { rss: number; mainHeap: number };
  phase: 'purchases' | 'journeys' | 'webhooks' | 'kpis' | 'done';
}

export interface SimulationResult {
  journeys: number;
  dayMs: number;
  purchaseDays: number;
  seed: string;
  /** From the first purchase to KPIs settled (the stack's start-up excluded). */
  wallMs: number;
  startupMs: number;
  journeysPerSecond: number;
  /** The virtual time the run needs at least: purchases spread, the last journey's 60 days. */
  minimumWallMs: number;
  peakRssMb: { node: number; dynamoDbLocal: number | undefined };
  /** CPU time (user + system) during the run, start-up excluded: what the machine's cores spent. */
  cpuSeconds: { node: number; dynamoDbLocal: number | undefined };
  /** Share of the run the main thread was busy: near 1 means it is the bottleneck. */
  mainThreadBusy: number;
  executions: Partial<Record<ExecutionStatus, number>>;
  messagesSent: number;
  templateSends: number;
  /** `answersDropped`: answers the webhook never acknowledged (timed out every attempt; it may still have taken them in). */
  webhooks: { posted: number; answers: number; answersDropped: number };
  tally: CustomerTally;
  /** Empty when `GET /kpis` counts exactly what the customers did. */
  kpiDifferences: string[];
  kpiTotals: Record<string, number>;
  /** Absent when the run was not metered. */
  usage: Usage | undefined;
  /** Templates delivered (what Meta bills), from the simulator's side. */
  billedTemplates: BilledTemplate[];
  warnings: string[];
  /** Error lines the functions logged, and why a route answered 500 (first 50). */
  functionErrors: string[];
}

const TIME_ZONES = [
  // Not +549110000…: that range is the scripted customers' (local/customers SCRIPTED_PHONE_PREFIX), never answered.
  { timezone: 'America/Argentina/Buenos_Aires', locale: 'es-AR', prefix: '+549115' },
  { timezone: 'America/Mexico_City', locale: 'es-MX', prefix: '+52155' },
  { timezone: 'Europe/Madrid', locale: 'es-ES', prefix: '+34611' },
  { timezone: 'America/Sao_Paulo', locale: 'pt-BR', prefix: '+55119' },
] as const;

/** A purchase of customer `i`: unique phone, a few countries and time zones, opted in at checkout. */
export function simulatedPurchase(i: number, at: Date): Record<string, unknown> {
  const place = TIME_ZONES[i % TIME_ZONES.length]!;
  return {
    orderId: `SIM-${String(i).padStart(6, '0')}`,
    purchasedAt: at.toISOString(),
    customer: {
      id: `SIM-CUST-${i}`,
      phone: `${place.prefix}${String(i).padStart(7, '0')}`,
      name: 'Cliente',
      locale: place.locale,
      timezone: place.timezone,
      optIn: { source: 'checkout-checkbox', at: at.toISOString() },
    },
    items: [{ sku: 'CAF-DLX', name: 'Cafetera Deluxe', category: 'kitchen' }],
    total: { amount: 189999, currency: 'ARS' },
  };
}

const PUT_EVENTS_MAX = 10;
const credentials = { accessKeyId: 'store', secretAccessKey: 'store' };

export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const log = options.log ?? (() => undefined);
  const warnings: string[] = [];
  const functionErrors: string[] = [];
  const stateDir = await mkdtemp(join(tmpdir(), 'posventa-simulation-'));
  const meter = options.meter === false ? undefined : createUsageMeter();
  const startedAt = Date.now();
  const stack = await startLocalStack({
    port: 0,
    dayMs: options.dayMs,
    metaAppSecret: 'simulation-app-secret',
    metaVerifyToken: 'simulation-verify-token',
    metaAccessToken: 'simulation-access-token',
    stateDir,
    functionLogLevel: 'ERROR',
    functionOutput: (line) => {
      if (functionErrors.length < 50) functionErrors.push(line);
    },
    customers: { seed: options.seed, ...(options.rates === undefined ? {} : { rates: options.rates }) },
    // Thousands of journeys' histories would take hundreds of MB; nothing here reads them.
    executionHistory: false,
    ...(meter === undefined ? {} : { meter }),
    log: (line) => {
      // The stack logs every execution start and end and every accepted send; keep only trouble.
      if (line.startsWith('http-api:') && functionErrors.length < 50) functionErrors.push(line);
      else if (/fail|error|dropped|gave up|retry|warning/i.test(line) && warnings.length < 50) warnings.push(line);
    },
  });
  const startupMs = Date.now() - startedAt;
  const { info, clock, simulator, customers, queues } = stack;
  const eventBridge = new EventBridgeClient({ endpoint: info.eventBridgeEndpoint, region: info.region, credentials });
  const stepFunctions = new SFNClient({ endpoint: info.stepFunctionsEndpoint, region: info.region, credentials });
  const kpiQueue = [...queues.values()].find((q) => /kpi/i.test(q.name) && !/dlq|dead|failure/i.test(q.name));

  let peakRss = process.memoryUsage().rss;
  let peakJavaKb: number | undefined;
  const sampleMemory = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const javaKb = peakResidentKb(stack.dynamoDbPid);
    if (javaKb !== undefined) peakJavaKb = Math.max(peakJavaKb ?? 0, javaKb);
  };

  const t0 = Date.now();
  const firstDay = isoDay(clock.now().getTime() - DAY_MS);
  const cpuAtStart = process.cpuUsage();
  const eluAtStart = performance.eventLoopUtilization();
  let eluLast = eluAtStart;
  const javaCpuAtStart = cpuSecondsOf(stack.dynamoDbPid);
  let purchasesPut = 0;
  let journeysEnded = 0;
  let phase: SimulationProgress['phase'] = 'purchases';
  const progress = (): SimulationProgress => ({
    elapsedMs: Date.now() - t0,
    journeys: options.journeys,
    purchasesPut,
    journeysEnded,
    messagesSent: simulator!.sends.length,
    webhooks: simulator!.webhooksPosted,
    kpiBacklog: kpiQueue?.depth() ?? 0,
    mainThreadBusy: (() => {
      const now = performance.eventLoopUtilization();
      const busy = performance.eventLoopUtilization(now, eluLast).utilization;
      eluLast = now;
      return busy;
    })(),
    memoryMb: (({ rss, heapUsed }) => ({ rss: rss / 2 ** 20, mainHeap: heapUsed / 2 ** 20 }))(process.memoryUsage()),
    phase,
  });
  const ticker = setInterval(() => {
    sampleMemory();
    options.onProgress?.(progress());
  }, 500);

  let watcher: NodeJS.Timeout | undefined;
  try {
    const countEnded = async (): Promise<Partial<Record<ExecutionStatus, number>>> => {
      const counts: Partial<Record<ExecutionStatus, number>> = {};
      let nextToken: string | undefined;
      do {
        const page = await stepFunctions.send(new ListExecutionsCommand({ stateMachineArn: info.stateMachineArn, maxResults: 1000, ...(nextToken === undefined ? {} : { nextToken }) }));
        for (const e of page.executions ?? []) counts[e.status!] = (counts[e.status!] ?? 0) + 1;
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
      return counts;
    };
    watcher = setInterval(() => {
      void countEnded()
        .then((counts) => (journeysEnded = Object.entries(counts).reduce((n, [status, count]) => (status === 'RUNNING' ? n : n + (count ?? 0)), 0)))
        .catch(() => undefined);
    }, 5000);

    // Purchases evenly over `purchaseDays` virtual days, ten per PutEvents, as a store would batch them.
    const spreadMs = options.purchaseDays * options.dayMs;
    for (let first = 0; first < options.journeys; first += PUT_EVENTS_MAX) {
      const dueMs = t0 + (first / options.journeys) * spreadMs;
      if (dueMs > Date.now()) await new Promise((resolve) => setTimeout(resolve, dueMs - Date.now()));
      options.signal?.throwIfAborted();
      const count = Math.min(PUT_EVENTS_MAX, options.journeys - first);
      const entries = Array.from({ length: count }, (_, k) => ({
        EventBusName: info.eventBusName,
        Source: PURCHASE_EVENT_SOURCE,
        DetailType: PURCHASE_COMPLETED,
        Detail: JSON.stringify(simulatedPurchase(first + k, clock.now())),
      }));
      const result = await eventBridge.send(new PutEventsCommand({ Entries: entries }));
      if ((result.FailedEntryCount ?? 0) > 0) throw new Error(`PutEvents refused ${result.FailedEntryCount} purchases`);
      purchasesPut += count;
    }

    phase = 'journeys';
    let executions = await countEnded();
    while ((executions.RUNNING ?? 0) > 0 || Object.values(executions).reduce((n, c) => n + (c ?? 0), 0) < options.journeys) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      options.signal?.throwIfAborted();
      executions = await countEnded();
    }
    clearInterval(watcher);
    journeysEnded = options.journeys;

    phase = 'webhooks';
    await Promise.race([simulator!.idle(), aborted(options.signal)]);

    phase = 'kpis';
    const tally = tallyAnswers(customers!.answers);
    const implied = kpisImpliedBy(tally);
    const readReport = () => readKpiCounters(info.kpiUrl, firstDay, isoDay(clock.now().getTime() + DAY_MS));
    let report = await readReport();
    let differences = kpiDifferences(report, implied);
    // Settled when equal; given up on when nothing has changed for 30 s and the queue is empty.
    let lastChange = Date.now();
    while (differences.length > 0 && (Date.now() - lastChange < 30_000 || (kpiQueue?.depth() ?? 0) > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      options.signal?.throwIfAborted();
      const next = await readReport();
      if (JSON.stringify(next.totals) !== JSON.stringify(report.totals)) lastChange = Date.now();
      report = next;
      differences = kpiDifferences(report, implied);
    }
    const wallMs = Date.now() - t0;
    const cpu = process.cpuUsage(cpuAtStart);
    const mainThreadBusy = performance.eventLoopUtilization(eluAtStart).utilization;
    const javaCpu = cpuSecondsOf(stack.dynamoDbPid);
    phase = 'done';
    sampleMemory();
    options.onProgress?.(progress());
    await options.beforeStop?.(stack.info);

    const lastPurchaseMs = ((options.journeys - 1) / options.journeys) * spreadMs;
    return {
      journeys: options.journeys,
      dayMs: options.dayMs,
      purchaseDays: options.purchaseDays,
      seed: options.seed,
      wallMs,
      startupMs,
      journeysPerSecond: options.journeys / (wallMs / 1000),
      // The last purchase's day-60 send comes at least 60 days later (later if outside its send window).
      minimumWallMs: lastPurchaseMs + (60 * DAY_MS * options.dayMs) / DAY_MS,
      peakRssMb: { node: peakRss / 2 ** 20, dynamoDbLocal: peakJavaKb === undefined ? undefined : peakJavaKb / 1024 },
      cpuSeconds: {
        node: (cpu.user + cpu.system) / 1e6,
        dynamoDbLocal: javaCpu === undefined || javaCpuAtStart === undefined ? undefined : javaCpu - javaCpuAtStart,
      },
      mainThreadBusy,
      executions,
      messagesSent: simulator!.sends.length,
      templateSends: simulator!.sends.filter((s) => s.request.type === 'template').length,
      webhooks: {
        posted: simulator!.webhooksPosted,
        answers: simulator!.inbound.length,
        answersDropped: simulator!.inbound.filter((m) => !m.acknowledged).length,
      },
      tally,
      kpiDifferences: differences,
      kpiTotals: report.totals,
      usage: meter?.usage,
      billedTemplates: billedTemplates(simulator!.sends, customers!.answers),
      warnings,
      functionErrors,
    };
  } finally {
    clearInterval(ticker);
    clearInterval(watcher);
    log('stopping the local stack');
    await stack.stop();
    eventBridge.destroy();
    stepFunctions.destroy();
    await rm(stateDir, { recursive: true, force: true });
  }
}

function aborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
}

function billedTemplates(sends: MetaSimulator['sends'], answers: SimulatedCustomers['answers']): BilledTemplate[] {
  const undelivered = new Set(answers.filter((a) => a.answer.kind === 'undeliverable').map((a) => a.wamid));
  return sends
    .filter((s) => s.request.type === 'template' && !undelivered.has(s.wamid) && s.pricingCategory !== 'service')
    .map((s) => ({ country: customerCountry({ phone: s.waId, locale: '' }), category: s.pricingCategory as BilledTemplate['category'], at: s.acceptedAt }));
}

/** CPU seconds (user + system) another process has used, from /proc/<pid>/stat. */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Peak resident set (VmHWM) of another process, in KB, where /proc has it. */
function peakResidentKb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}
