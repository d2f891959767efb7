import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Result } from 'autocannon';
import { startLocalStack } from '../local/stack';
import type { LoadOptions } from './http-load';

export interface HttpResult {
  rate: number;
  durationS: number;
  connections: number;
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

function runLoad(options: LoadOptions): Promise<Result> {
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
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Result) : reject(new Error(`load generator exited ${code}: ${err.trim()}`))));
  });
}

// The warm-up's and the measured run's statuses carry different days, so the KPI API counts each apart.
const WARMUP_DAY = '2020-01-01';
const MEASURED_DAY = '2020-01-02';

async function countedStatuses(kpiUrl: string, day: string): Promise<number> {
  const response = await fetch(`${kpiUrl}?from=${day}&to=${day}`);
  const report = (await response.json()) as { totals?: { sent?: number; delivered?: number; read?: number } };
  return (report.totals?.sent ?? 0) + (report.totals?.delivered ?? 0) + (report.totals?.read ?? 0);
}

/**
 * Starts the whole local stack in this process (ephemeral ports on 127.0.0.1), fires signed
 * one-status webhooks at its webhook URL at a fixed rate from a separate process, then checks
 * that the KPI pipeline counted them. Latency is the HTTP ack: signature, parse, PutEvents to
 * the local bus, 200.
 */
export async function measureHttp(rate: number, durationS: number, warmupS: number, log: (line: string) => void): Promise<HttpResult> {
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
    log(`local stack up in ${(startupMs / 1000).toFixed(1)} s; ${rate} req/s for ${durationS} s at ${stack.info.webhookUrl}`);
    // Enough connections that 500 req/s holds even at 200 ms latency (autocannon keeps one request in flight per connection).
    const connections = 100;
    // Warm-up, not measured: JIT, first connections, DynamoDB Local's first writes (Lambda would be warm too).
    await runLoad({ url: stack.info.webhookUrl, appSecret, rate, durationS: warmupS, connections, at: `${WARMUP_DAY}T12:00:00Z` });
    const result = await runLoad({ url: stack.info.webhookUrl, appSecret, rate, durationS, connections, at: `${MEASURED_DAY}T12:00:00Z` });
    const acknowledged = result['2xx'];
    const waitStarted = performance.now();
    let counted = await countedStatuses(stack.info.kpiUrl, MEASURED_DAY);
    while (counted < acknowledged && performance.now() - waitStarted < 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      counted = await countedStatuses(stack.info.kpiUrl, MEASURED_DAY);
    }
    return {
      rate,
      durationS,
      connections,
      requestsPerSecond: result.requests.total / result.duration,
      requests: result.requests.total,
      p50Ms: result.latency.p50,
      p90Ms: result.latency.p90,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count])),
      acknowledged,
      eventsCounted: counted,
      countWaitMs: performance.now() - waitStarted,
      startupMs,
    };
  } finally {
    await stack.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}
