// Open-loop, evenly paced HTTP load of signed status webhooks (the HTTP benchmark's generator).
// Request i is due at start + i / rate, whatever the answers to earlier ones, and its latency
// counts from when it was due, so a generator or socket pool that falls behind counts against the
// stack (no coordinated omission). autocannon, used before, limits the rate per connection and
// second: each connection sends its share as fast as it can at the top of every second, then
// idles, so "500 req/s" arrived as bursts of 100 concurrent requests and measured the queue
// behind each burst (at 25 req/s its median was 213 ms, against 16-30 ms for one request alone).
import { Agent, request } from 'node:http';
import { SIGNATURE_HEADER } from '#shared/whatsapp/signature';
import { percentile } from './results';
import { statusStreamBodies, type SignedBody } from './webhook-bodies';

export interface LoadOptions {
  url: string;
  appSecret: string;
  rate: number;
  durationS: number;
  /** Most requests in flight at once (sockets kept alive); beyond them a request waits, and its wait counts. */
  maxSockets: number;
  /** ISO instant the statuses carry: it sets their KPI day, which tells runs apart. */
  at: string;
}

export interface LoadResult {
  /** Requests sent (all due ones), and the seconds from the first due time to the last answer. */
  requests: number;
  durationS: number;
  /** Latency from each request's due time to its whole answer, ms, over answered requests. */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** By HTTP status code. */
  statusCodes: Record<string, number>;
  /** Failed without an answer (connection refused or reset). */
  errors: number;
  /** No answer within the timeout. */
  timeouts: number;
}

const TIMEOUT_MS = 10_000;

function post(url: URL, agent: Agent, body: SignedBody): Promise<number | 'error' | 'timeout'> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', agent, timeout: TIMEOUT_MS, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: body.signature } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve('error'));
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve('timeout');
    });
    req.on('error', () => resolve('error'));
    req.end(body.raw);
  });
}

export async function runPacedLoad(options: LoadOptions): Promise<LoadResult> {
  const total = Math.round(options.rate * options.durationS);
  // Fresh messages, each with its sent, delivered and read seconds apart as Meta posts them:
  // distinct event ids, as real traffic has (no dedupe shortcut), and no two webhooks of one
  // message racing each other (which Meta does not do, and which the webhook answers with a retry).
  const bodies = statusStreamBodies(total, options.rate, options.appSecret, new Date(options.at));
  const url = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets });
  const intervalMs = 1000 / options.rate;
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  const answers: Array<Promise<void>> = [];
  const start = performance.now();

  for (let i = 0; i < total; ) {
    const now = performance.now();
    // Everything due by now goes out, so a late timer sends a small batch rather than drifting.
    for (; i < total && start + i * intervalMs <= now; i += 1) {
      const dueAt = start + i * intervalMs;
      answers.push(
        post(url, agent, bodies[i]!).then((outcome) => {
          if (outcome === 'error') errors += 1;
          else if (outcome === 'timeout') timeouts += 1;
          else {
            statusCodes[outcome] = (statusCodes[outcome] ?? 0) + 1;
            latencies.push(performance.now() - dueAt);
          }
        }),
      );
    }
    if (i < total) await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + i * intervalMs - performance.now())));
  }
  await Promise.all(answers);
  const durationS = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: total,
    durationS,
    latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies.at(-1) ?? Number.NaN },
    statusCodes,
    errors,
    timeouts,
  };
}
