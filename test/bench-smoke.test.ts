import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isValidWebhookSignature, SIGNATURE_HEADER } from '#shared/whatsapp/signature';
import { SCENARIOS, measureAggregation, simulateEvents } from '../bench/aggregation';
import { measureIntake } from '../bench/intake';
import { readKpiCounters } from '../bench/kpi-counters';
import { runPacedLoad } from '../bench/paced-load';
import { figure, formatTable, percentile } from '../bench/results';
import { STATUS_ARRIVAL_S, statusStreamBodies } from '../bench/webhook-bodies';

/**
 * Keeps `npm run bench` runnable: its pure parts run here at toy size (no timing is judged;
 * DESIGN.md §6 figures come from `npm run bench` only). Bundles and the HTTP run need a synth
 * and the local stack, which other tests cover.
 */
describe('bench (smoke)', () => {
  it('measures the webhook intake on every workload, and every body is taken in as expected', () => {
    // measureIntake throws if takeInWebhook rejects a body or yields the wrong number of events.
    const results = measureIntake({ warmupMs: 10, durationMs: 30 });
    for (const loop of Object.values(results)) {
      expect(loop.calls).toBeGreaterThan(0);
      expect(loop.eventsPerSecond).toBeGreaterThan(0);
      expect(loop.p99MicrosPerCall).toBeGreaterThanOrEqual(loop.p50MicrosPerCall);
    }
    expect(results.statusSingle.bodyBytes).toBeGreaterThan(500);
  });

  it('counts the writes planCounterWrites makes for a simulated stream', () => {
    const scenario = SCENARIOS[0]!;
    const events = simulateEvents(scenario, 1_000);
    const result = measureAggregation(scenario, events, 100, 4_000);
    expect(result.markersPer1000).toBe(1_000); // no redeliveries: one marker per event
    expect(result.counterUpdatesPer1000).toBeGreaterThan(0);
    expect(result.counterUpdatesPer1000).toBeLessThanOrEqual(1_000);
    expect(result.retriedItemsPer1000).toBe(0);
    expect(result.batchesPerSecond).toBe(40);

    const redelivered = measureAggregation(scenario, simulateEvents({ ...scenario, duplicateShare: 0.05 }, 1_000), 100, 4_000);
    expect(redelivered.markersPer1000).toBeLessThan(1_000);
  });

  it('posts each message\'s statuses in arrival order, seconds apart, as Meta does', () => {
    const rate = 30;
    const bodies = statusStreamBodies(300, rate, 'secret', new Date('2026-01-01T12:00:00Z'));
    expect(bodies).toHaveLength(300);
    const positions = new Map<string, Record<string, number>>();
    bodies.forEach((body, i) => {
      const status = JSON.parse(body.raw.toString()).entry[0].changes[0].value.statuses[0];
      positions.set(status.id, { ...positions.get(status.id), [status.status]: i });
    });
    const complete = [...positions.values()].filter((p) => p.sent !== undefined && p.delivered !== undefined && p.read !== undefined);
    expect(complete.length).toBeGreaterThan(30);
    // At `rate` webhooks per second, index distance / rate is the time between arrivals.
    for (const p of complete) {
      expect((p.delivered! - p.sent!) / rate).toBeGreaterThanOrEqual(STATUS_ARRIVAL_S.delivered - 0.5);
      expect((p.read! - p.delivered!) / rate).toBeGreaterThanOrEqual(STATUS_ARRIVAL_S.read - STATUS_ARRIVAL_S.delivered - 0.5);
    }
  });

  it('paces the HTTP load evenly, signs every body, and counts latency from when each request was due', async () => {
    const arrivals: number[] = [];
    let badSignatures = 0;
    const answerAfterMs = 30;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        arrivals.push(performance.now());
        if (!isValidWebhookSignature(Buffer.concat(chunks), req.headers[SIGNATURE_HEADER] as string | undefined, 'secret')) badSignatures += 1;
        setTimeout(() => res.end('ok'), answerAfterMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const result = await runPacedLoad({ url: `http://127.0.0.1:${port}/webhook`, appSecret: 'secret', rate: 200, durationS: 0.5, maxSockets: 64, at: '2026-01-01T12:00:00Z' });
      expect(result.requests).toBe(100);
      expect(result.statusCodes).toEqual({ 200: 100 });
      expect(result.errors + result.timeouts).toBe(0);
      expect(badSignatures).toBe(0);
      // Spread over the half second (a burst would land within a few ms), never all at once.
      expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(300);
      expect(result.latencyMs.p50).toBeGreaterThanOrEqual(answerAfterMs);
      expect(result.latencyMs.max).toBeGreaterThanOrEqual(result.latencyMs.p99);
    } finally {
      server.close();
    }
  });

  it('reads the KPI counters of a long run a year at a time, adds them up, and stops on an answer other than 200', async () => {
    const ranges: Array<{ from: string; to: string }> = [];
    let failWith: number | undefined;
    const server = createServer((req, res) => {
      const query = new URL(req.url ?? '/', 'http://local').searchParams;
      const range = { from: query.get('from') ?? '', to: query.get('to') ?? '' };
      ranges.push(range);
      if (failWith !== undefined) return void res.writeHead(failWith).end('{"message":"Task timed out after 10 seconds"}');
      // One `sent` per day in the range, and a rate, which must not be added up.
      const days = (Date.parse(range.to) - Date.parse(range.from)) / 86_400_000 + 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ totals: { sent: days, deliveryRate: 0.5 }, byMilestone: { day7: { sent: days } } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kpis`;
      const counters = await readKpiCounters(url, '2026-01-01', '2028-12-31');
      expect(counters.totals.sent).toBe(1_096); // 2026, 2027 and leap 2028: every day once
      expect(counters.byMilestone.day7?.sent).toBe(1_096);
      expect(ranges).toEqual([
        { from: '2026-01-01', to: '2027-01-01' },
        { from: '2027-01-02', to: '2028-01-02' },
        { from: '2028-01-03', to: '2028-12-31' },
      ]);
      failWith = 500;
      await expect(readKpiCounters(url, '2026-01-01', '2026-01-31')).rejects.toThrow(/from=2026-01-01&to=2026-01-31 answered HTTP 500: .*timed out/);
    } finally {
      server.close();
    }
  });

  it('formats figures with their verdicts', () => {
    const table = formatTable([figure('b', 'fast', 30_000, 'events/s', { op: '>=', value: 20_000 }), figure('b', 'slow', 120, 'ms', { op: '<=', value: 100 })]);
    expect(table).toContain('PASS');
    expect(table).toContain('MISS');
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  });
});
