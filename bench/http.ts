import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../local/stack';
import { isoDay, readKpiCounters } from './kpi-counters';
import type { LoadOptions, LoadResult } from './paced-load';

export interface HttpResult {
  rate: number;
  durationS: number;
  /** Most requests in flight at once. */
  maxSockets: number;
  requestsPerSecond: number;
  requests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Responses by HTTP status code, measured run. */
  statusCodes: Record<string, number>;
  /** Requests answered 2xx in the measured run. */
  acknowledged: number;
  /** Status events of the measured run the KPI API counted afterwards, of those acknowledged (waited for at most `countWaitMs`). */
  eventsCounted: number;
  countWaitMs: number;
  startupMs: number;
}

function runLoad(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'http-load.ts'), JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load generator exited ${code}: ${err.trim()}`))));
  });
}

// Each run's statuses carry a day of their own (warm-ups too), so the KPI API counts each apart.
const dayOfRun = (run: number) => isoDay(Date.UTC(2020, 0, 1 + run));

async function countedStatuses(kpiUrl: string, day: string): Promise<number> {
  const { totals } = await readKpiCounters(kpiUrl, day, day);
  return (totals.sent ?? 0) + (totals.delivered ?? 0) + (totals.read ?? 0);
}

/**
 * Starts the whole local stack in this process (ephemeral ports on 127.0.0.1), fires signed
 * one-status webhooks at its webhook URL at each fixed rate in turn (lowest first, each after its
 * own warm-up) from a separate process, then checks that the KPI pipeline counted them. Latency is
 * the HTTP ack: signature, parse, the webhook's DynamoDB writes, PutEvents to the local bus, 200.
 */
export async function measureHttp(rates: readonly number[], durationS: number, warmupS: number, log: (line: string) => void): Promise<HttpResult[]> {
  const stateDir = await mkdtemp(join(tmpdir(), 'posventa-bench-http-'));
  const appSecret = 'bench-http-app-secret';
  const started = performance.now();
  const stack = await startLocalStack({
    port: 0,
    dayMs: 1000,
    metaAppSecret: appSecret,
    metaVerifyToken: 'bench-verify-token',
    metaAccessToken: 'bench-access-token',
    stateDir,
    functionLogLevel: 'ERROR',
    log: () => undefined,
  });
  const startupMs = performance.now() - started;
  try {
    log(`local stack up in ${(startupMs / 1000).toFixed(1)} s; webhooks at ${stack.info.webhookUrl}`);
    const results: HttpResult[] = [];
    for (const [index, rate] of [...rates].sort((a, b) => a - b).entries()) {
      log(`${rate} req/s: ${warmupS} s of warm-up, then ${durationS} s measured`);
      const measured = await measureRate(stack.info, { rate, durationS, warmupS, appSecret, warmupDay: dayOfRun(2 * index), measuredDay: dayOfRun(2 * index + 1) });
      results.push({ ...measured, startupMs });
    }
    return results;
  } finally {
    await stack.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

interface RateRun {
  rate: number;
  durationS: number;
  warmupS: number;
  appSecret: string;
  /** The KPI days the warm-up's and the measured run's statuses carry. */
  warmupDay: string;
  measuredDay: string;
}

async function measureRate(stack: { webhookUrl: string; kpiUrl: string }, run: RateRun): Promise<Omit<HttpResult, 'startupMs'>> {
  const { rate, durationS, warmupS, appSecret, warmupDay, measuredDay } = run;
  // Enough sockets that 500 req/s holds even at 500 ms latency; a request beyond them waits, and its wait counts.
  const maxSockets = 256;
  // Warm-up, not measured: JIT, first connections, DynamoDB Local's first writes (Lambda would be warm too).
  await runLoad({ url: stack.webhookUrl, appSecret, rate, durationS: warmupS, maxSockets, at: `${warmupDay}T12:00:00Z` });
  const result = await runLoad({ url: stack.webhookUrl, appSecret, rate, durationS, maxSockets, at: `${measuredDay}T12:00:00Z` });
  const acknowledged = Object.entries(result.statusCodes).reduce((sum, [code, count]) => (code.startsWith('2') ? sum + count : sum), 0);
  const waitStarted = performance.now();
  let counted = await countedStatuses(stack.kpiUrl, measuredDay);
  while (counted < acknowledged && performance.now() - waitStarted < 30_000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    counted = await countedStatuses(stack.kpiUrl, measuredDay);
  }
  return {
    rate,
    durationS,
    maxSockets,
    // Answered within the run: a stack that falls behind finishes later than the last request was due.
    requestsPerSecond: acknowledged / result.durationS,
    requests: result.requests,
    p50Ms: result.latencyMs.p50,
    p90Ms: result.latencyMs.p90,
    p99Ms: result.latencyMs.p99,
    maxMs: result.latencyMs.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.requests - acknowledged - result.errors - result.timeouts,
    statusCodes: result.statusCodes,
    acknowledged,
    eventsCounted: counted,
    countWaitMs: performance.now() - waitStarted,
  };
}
