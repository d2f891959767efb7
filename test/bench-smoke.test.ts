import { describe, expect, it } from 'vitest';
import { SCENARIOS, measureAggregation, simulateEvents } from '../bench/aggregation';
import { measureIntake } from '../bench/intake';
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

  it('formats figures with their verdicts', () => {
    const table = formatTable([figure('b', 'fast', 30_000, 'events/s', { op: '>=', value: 20_000 }), figure('b', 'slow', 120, 'ms', { op: '<=', value: 100 })]);
    expect(table).toContain('PASS');
    expect(table).toContain('MISS');
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  });
});
