import { describe, expect, it } from 'vitest';
import { DOMAIN_EVENT } from '#shared/events/domain';
import { MILESTONE_IDS } from '#shared/journey/milestones';
import { addOf, countedEvents, counterKeyId, planCounterWrites, reportingDay, type CountedEvent, type CounterKey } from '#shared/kpi/aggregation';
import { COUNTERS, type Counter } from '#shared/kpi/counters';
import type { KpiEvent } from '#shared/kpi/event-details';

const key = (overrides: Partial<CounterKey> = {}): CounterKey => ({ day: '2026-03-08', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A', ...overrides });
const event = (eventId: string, counter: Counter = 'sent', k: CounterKey = key()): CountedEvent => ({ eventId, counter, key: k });

/** Items one plan puts in a DynamoDB transaction: one marker per event, one update per key. */
const itemsOf = (plan: { events: unknown[]; increments: unknown[] }) => plan.events.length + plan.increments.length;

/** mulberry32: seeded, so a failing case reproduces. */
function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('reportingDay', () => {
  const instant = new Date('2026-03-02T02:30:00Z'); // 23:30 on 1 March in Buenos Aires (UTC−3)

  it('is the day in the reporting time zone, not in UTC', () => {
    expect(reportingDay(instant, 'UTC')).toBe('2026-03-02');
    expect(reportingDay(instant, 'America/Argentina/Buenos_Aires')).toBe('2026-03-01');
    expect(reportingDay(instant, 'Europe/Madrid')).toBe('2026-03-02');
  });

  it('moves to the next day exactly at local midnight', () => {
    expect(reportingDay(new Date('2026-03-02T02:59:59.999Z'), 'America/Argentina/Buenos_Aires')).toBe('2026-03-01');
    expect(reportingDay(new Date('2026-03-02T03:00:00.000Z'), 'America/Argentina/Buenos_Aires')).toBe('2026-03-02');
  });

  it('handles zones ahead of UTC and year ends', () => {
    expect(reportingDay(new Date('2025-12-31T23:30:00Z'), 'Europe/Madrid')).toBe('2026-01-01');
    expect(reportingDay(new Date('2026-01-01T01:00:00Z'), 'America/Sao_Paulo')).toBe('2025-12-31');
  });

  it('formats as YYYY-MM-DD', () => {
    expect(reportingDay(new Date('2026-07-04T12:00:00Z'), 'UTC')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('countedEvents', () => {
  const detail = {
    eventId: 'wamid.X:delivered',
    occurredAt: '2026-03-02T02:30:00.000Z',
    orderId: 'ES-2026-000123',
    milestone: 'day30',
    template: 'posventa_day30_nps',
    variant: 'B',
  } as const;
  const delivered: KpiEvent = { type: DOMAIN_EVENT.messageDelivered, detail };

  it('keys every increment of the event by reporting day × milestone × template × variant', () => {
    const k = { day: '2026-03-01', milestone: 'day30', template: 'posventa_day30_nps', variant: 'B' };
    expect(countedEvents(delivered, 'America/Argentina/Buenos_Aires')).toEqual([
      { eventId: 'wamid.X:delivered', key: k, add: { delivered: 1 } },
      { eventId: 'kpi:journey:day30:ES-2026-000123', key: k, add: { journeys: 1 } },
    ]);
  });

  it('reads an offset occurredAt as the instant it names', () => {
    expect(countedEvents({ type: DOMAIN_EVENT.messageSent, detail: { ...detail, occurredAt: '2026-03-01T23:30:00-03:00' } }, 'UTC')[0]?.key.day).toBe('2026-03-02');
  });

  it('keys a repurchase’s message counters by its own day and message, and its cohort counter by the cohort journey’s purchase day with no milestone', () => {
    const repurchase: KpiEvent = {
      type: DOMAIN_EVENT.repurchaseAttributed,
      detail: {
        ...detail,
        eventId: 'repurchase:ES-2026-000200',
        occurredAt: '2026-03-20T12:00:00.000Z',
        attribution: 'message',
        holdout: false,
        revenue: { amount: 89.9, currency: 'EUR' },
        cohort: { orderId: 'ES-2026-000123', purchasedAt: '2026-03-01T02:00:00.000Z' },
      },
    };
    const message = { day: '2026-03-20', milestone: 'day30', template: 'posventa_day30_nps', variant: 'B' };
    const none = 'unattributed';
    expect(countedEvents(repurchase, 'America/Argentina/Buenos_Aires')).toEqual([
      { eventId: 'repurchase:ES-2026-000200', key: message, add: { repurchases: 1, repurchaseRevenue: 89.9 } },
      { eventId: 'kpi:converted:day30:ES-2026-000123', key: message, add: { repurchasers: 1 } },
      // 02:00 UTC on 1 March is still 28 February in Buenos Aires.
      { eventId: 'kpi:cohort-repurchaser:ES-2026-000123', key: { day: '2026-02-28', milestone: none, template: none, variant: none }, add: { cohortRepurchasers: 1 } },
    ]);
  });

  it('turns an NPS answer into several counters of one event', () => {
    expect(countedEvents({ type: DOMAIN_EVENT.npsAnswered, detail: { ...detail, score: 3 } }, 'UTC').map((e) => e.add)).toEqual([{ npsAnswers: 1, npsDetractors: 1 }]);
  });
});

describe('addOf', () => {
  it('reads both forms: `add`, and `counter` as a shorthand for one', () => {
    expect(addOf({ eventId: 'a', key: key(), counter: 'read' })).toEqual({ read: 1 });
    expect(addOf({ eventId: 'a', key: key(), add: { npsAnswers: 1, npsPromoters: 1 } })).toEqual({ npsAnswers: 1, npsPromoters: 1 });
  });
});

describe('planCounterWrites', () => {
  it('plans nothing for no events', () => {
    expect(planCounterWrites([])).toEqual([]);
  });

  it('writes each distinct key once, with the counts summed per counter', () => {
    const other = key({ milestone: 'day30', template: 'posventa_day30_nps' });
    const plans = planCounterWrites([
      event('w1:sent', 'sent'),
      event('w2:sent', 'sent'),
      event('w1:delivered', 'delivered'),
      event('w3:sent', 'sent', other),
      event('w2:delivered', 'delivered'),
      event('w1:read', 'read'),
      event('w3:failed', 'failed', other),
    ]);
    expect(plans).toHaveLength(1);
    expect(plans[0]!.increments).toEqual([
      { key: key(), add: { sent: 2, delivered: 2, read: 1 } },
      { key: other, add: { sent: 1, failed: 1 } },
    ]);
    expect(plans[0]!.events.map((e) => e.eventId)).toEqual(['w1:sent', 'w2:sent', 'w1:delivered', 'w3:sent', 'w2:delivered', 'w1:read', 'w3:failed']);
  });

  it('counts a duplicated event id once (a replayed webhook inside one batch)', () => {
    const plans = planCounterWrites([event('w1:delivered', 'delivered'), event('w1:delivered', 'delivered'), event('w1:delivered', 'delivered')]);
    expect(plans).toEqual([{ events: [event('w1:delivered', 'delivered')], increments: [{ key: key(), add: { delivered: 1 } }] }]);
  });

  it('sums several counters and amounts of one event (an NPS answer, a repurchase with revenue)', () => {
    const plans = planCounterWrites([
      { eventId: 'nps-1', key: key(), add: { npsAnswers: 1, npsPromoters: 1 } },
      { eventId: 'nps-2', key: key(), add: { npsAnswers: 1, npsDetractors: 1 } },
      { eventId: 'buy-1', key: key(), add: { repurchases: 1, repurchaseRevenue: 1500.5 } },
      { eventId: 'buy-2', key: key(), add: { repurchases: 1, repurchaseRevenue: 99.5 } },
      event('w1:sent', 'sent'),
    ]);
    expect(plans).toHaveLength(1);
    expect(plans[0]!.increments).toEqual([{ key: key(), add: { npsAnswers: 2, npsPromoters: 1, npsDetractors: 1, repurchases: 2, repurchaseRevenue: 1600, sent: 1 } }]);
  });

  it('counts each id once, so the increments of one event deduplicate apart (second reply of a journey)', () => {
    const plans = planCounterWrites([
      { eventId: 'in-1:reply', key: key(), add: { replies: 1 } },
      { eventId: 'kpi:responded:day7:ORD-1', key: key(), add: { responders: 1 } },
      { eventId: 'in-2:reply', key: key(), add: { replies: 1 } },
      { eventId: 'kpi:responded:day7:ORD-1', key: key(), add: { responders: 1 } },
    ]);
    expect(plans[0]!.increments).toEqual([{ key: key(), add: { replies: 2, responders: 1 } }]);
  });

  it('keeps keys that differ only by variant or day apart', () => {
    const plans = planCounterWrites([event('a', 'sent', key({ variant: 'A' })), event('b', 'sent', key({ variant: 'B' })), event('c', 'sent', key({ day: '2026-03-09' }))]);
    expect(plans[0]!.increments).toHaveLength(3);
  });

  it('splits at exactly maxItems: 99 events on one key fit 100 items, the 100th event starts a new plan', () => {
    const events = Array.from({ length: 100 }, (_, i) => event(`w${i}:sent`));
    const plans = planCounterWrites(events);
    expect(plans.map((p) => [p.events.length, p.increments.length])).toEqual([
      [99, 1],
      [1, 1],
    ]);
    expect(plans.map(itemsOf)).toEqual([100, 2]);
    expect(plans.map((p) => p.increments[0]!.add.sent)).toEqual([99, 1]);
  });

  it('never plans more than maxItems items, and plans every distinct event exactly once (random batches)', () => {
    const random = seededRandom(20260308);
    const counters = COUNTERS;
    for (let round = 0; round < 300; round++) {
      const maxItems = 2 + Math.floor(random() * 120);
      const size = Math.floor(random() * 400);
      const keys = Array.from({ length: 1 + Math.floor(random() * 30) }, (_, i) =>
        key({ day: `2026-03-${String(1 + (i % 28)).padStart(2, '0')}`, milestone: MILESTONE_IDS[i % 3]!, variant: i % 2 === 0 ? 'A' : 'B' }),
      );
      const events = Array.from({ length: size }, (): CountedEvent => {
        const id = `e${Math.floor(random() * size * 0.8)}`;
        const k = keys[Math.floor(random() * keys.length)]!;
        const pick = () => counters[Math.floor(random() * counters.length)]!;
        // Some events touch one counter (shorthand), some several with amounts (NPS, revenue).
        return random() < 0.5 ? event(id, pick(), k) : { eventId: id, key: k, add: { [pick()]: 1, [pick()]: 1 + Math.floor(random() * 5) } };
      });

      const plans = planCounterWrites(events, maxItems);
      const context = `round ${round}: ${size} events, maxItems ${maxItems}`;

      for (const plan of plans) {
        expect(itemsOf(plan), context).toBeLessThanOrEqual(maxItems);
        expect(plan.events.length, context).toBeGreaterThan(0);
        // One update per key inside a plan (DynamoDB refuses two operations on one item).
        expect(new Set(plan.increments.map((i) => counterKeyId(i.key))).size, context).toBe(plan.increments.length);
        // The increments are exactly the sums of the plan's events.
        const expected = new Map<string, Record<string, number>>();
        for (const e of plan.events) {
          const sums = expected.get(counterKeyId(e.key)) ?? {};
          for (const [counter, n] of Object.entries(addOf(e))) sums[counter] = (sums[counter] ?? 0) + n;
          expected.set(counterKeyId(e.key), sums);
        }
        expect(new Map(plan.increments.map((i) => [counterKeyId(i.key), i.add])), context).toEqual(expected);
      }

      // Every distinct event id planned exactly once, the first occurrence kept.
      const plannedIds = plans.flatMap((p) => p.events.map((e) => e.eventId));
      const firstOf = new Map<string, CountedEvent>();
      for (const e of events) if (!firstOf.has(e.eventId)) firstOf.set(e.eventId, e);
      expect(plannedIds, context).toEqual([...firstOf.keys()]);
      expect(plans.flatMap((p) => p.events), context).toEqual([...firstOf.values()]);

      // A batch of N events costs at most one counter write per distinct key per plan.
      const distinctKeys = new Set([...firstOf.values()].map((e) => counterKeyId(e.key))).size;
      const counterWrites = plans.reduce((n, p) => n + p.increments.length, 0);
      expect(counterWrites, context).toBeLessThanOrEqual(distinctKeys * Math.max(1, plans.length));
      if (plans.length === 1) expect(counterWrites, context).toBe(distinctKeys);
    }
  });

  it('packs a large single-key batch into few plans with one counter write each (≥ 20× fewer than one per event)', () => {
    const events = Array.from({ length: 2_000 }, (_, i) => event(`w${i}:delivered`, 'delivered'));
    const plans = planCounterWrites(events);
    const counterWrites = plans.reduce((n, p) => n + p.increments.length, 0);
    expect(plans.every((p) => p.increments.length === 1)).toBe(true);
    expect(counterWrites * 20).toBeLessThanOrEqual(events.length);
    expect(plans.reduce((n, p) => n + (p.increments[0]!.add.delivered ?? 0), 0)).toBe(2_000);
  });
});
