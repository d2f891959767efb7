import { createHmac } from 'node:crypto';
import { takeInWebhook } from '#shared/whatsapp/webhook-intake';
import { percentile } from './results';
import { inboundReplyBodies, singleStatusBodies, statusBatchBodies, type SignedBody } from './webhook-bodies';

const APP_SECRET = 'bench-app-secret-0123456789abcdef';
/** Distinct bodies cycled through, so no two consecutive calls see the same bytes. */
const POOL_SIZE = 512;

export interface IntakeOptions {
  warmupMs: number;
  durationMs: number;
}

export interface LoopResult {
  workload: string;
  /** Mean body size, bytes. */
  bodyBytes: number;
  eventsPerBody: number;
  callsPerSecond: number;
  /** Domain events per second (statuses); for inbound replies, webhook items per second. */
  eventsPerSecond: number;
  p50MicrosPerCall: number;
  p99MicrosPerCall: number;
  p50MicrosPerEvent: number;
  p99MicrosPerEvent: number;
  calls: number;
}

/**
 * Runs `work` over the pool in a tight single-thread loop: warm-up first (JIT, inline caches),
 * then a timed run that records each call's duration. Returns what it consumed so the
 * optimiser cannot drop the work.
 */
function loop(workload: string, bodies: readonly SignedBody[], itemsPerBody: number, work: (body: SignedBody) => number, options: IntakeOptions): LoopResult {
  let sink = 0;
  let i = 0;
  const warmupEnd = performance.now() + options.warmupMs;
  while (performance.now() < warmupEnd) {
    for (let k = 0; k < 64; k += 1) sink += work(bodies[i++ % bodies.length]!);
  }
  // Room for 400 calls/ms, well above the fastest loop here (~250/ms for the floor).
  const samples = new Float64Array(Math.ceil(options.durationMs * 400) + 1_000);
  let calls = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(options.durationMs * 1e6));
  let before = start;
  while (before < end && calls < samples.length) {
    sink += work(bodies[i++ % bodies.length]!);
    const after = process.hrtime.bigint();
    samples[calls++] = Number(after - before);
    before = after;
  }
  const elapsedNs = Number(before - start);
  if (sink === Number.MIN_SAFE_INTEGER) console.log('unreachable');
  const sorted = samples.subarray(0, calls).sort();
  const perEvent = Math.max(1, itemsPerBody);
  return {
    workload,
    bodyBytes: Math.round(bodies.reduce((n, b) => n + b.raw.length, 0) / bodies.length),
    eventsPerBody: itemsPerBody,
    callsPerSecond: calls / (elapsedNs / 1e9),
    eventsPerSecond: (calls * itemsPerBody) / (elapsedNs / 1e9),
    p50MicrosPerCall: percentile(sorted, 50) / 1e3,
    p99MicrosPerCall: percentile(sorted, 99) / 1e3,
    p50MicrosPerEvent: percentile(sorted, 50) / 1e3 / perEvent,
    p99MicrosPerEvent: percentile(sorted, 99) / 1e3 / perEvent,
    calls,
  };
}

/** The real hot path: verify the signature, parse the envelope, map statuses to domain events. */
function intake(body: SignedBody): number {
  const result = takeInWebhook(body.raw, body.signature, APP_SECRET);
  if (!result.accepted || result.events.length !== body.events) throw new Error(`takeInWebhook did not take in a bench body as expected: ${JSON.stringify(result)}`);
  return result.events.length + result.ignored.length;
}

/** The floor DESIGN.md §6 names: one HMAC-SHA256 of the raw body and one JSON.parse of it. */
function floor(body: SignedBody): number {
  const mac = createHmac('sha256', APP_SECRET).update(body.raw).digest();
  const json = JSON.parse(body.raw.toString('utf8')) as { entry: unknown[] };
  return mac[0]! + json.entry.length;
}

export interface IntakeResults {
  statusSingle: LoopResult;
  statusSingleFloor: LoopResult;
  statusPair: LoopResult;
  statusPairFloor: LoopResult;
  inboundReply: LoopResult;
  inboundReplyFloor: LoopResult;
}

export function measureIntake(options: IntakeOptions): IntakeResults {
  const single = singleStatusBodies(POOL_SIZE, APP_SECRET);
  const pair = statusBatchBodies(POOL_SIZE, 2, APP_SECRET);
  const replies = inboundReplyBodies(POOL_SIZE, APP_SECRET);
  return {
    statusSingle: loop('status, 1 per POST', single, 1, intake, options),
    statusSingleFloor: loop('status, 1 per POST: floor', single, 1, floor, options),
    statusPair: loop('status batch, 2 per POST', pair, 2, intake, options),
    statusPairFloor: loop('status batch, 2 per POST: floor', pair, 2, floor, options),
    // An inbound reply is one webhook item; it yields no domain event yet (see webhook-bodies.ts).
    inboundReply: loop('inbound reply (not classified yet)', replies, 1, intake, options),
    inboundReplyFloor: loop('inbound reply (not classified yet): floor', replies, 1, floor, options),
  };
}
