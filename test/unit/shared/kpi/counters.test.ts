import { describe, expect, it } from 'vitest';
import { DOMAIN_EVENT } from '#shared/events/domain';
import { HELPDESK_EVENT } from '#shared/events/helpdesk';
import {
  billableCounterOf,
  COUNTER_DEFINITIONS,
  COUNTER_METRIC,
  COUNTERS,
  FAILURE_BUCKET_COUNTER,
  FAILURE_BUCKETS,
  failureBucketOf,
  FIRST_RESPONSE_BOUNDS_SECONDS,
  FIRST_RESPONSE_BUCKETS,
  firstResponseAdd,
  incrementsOf,
} from '#shared/kpi/counters';
import { KPI_EVENT_DETAIL, type KpiEvent } from '#shared/kpi/event-details';
import { parseWith } from '#shared/validation';

const base = {
  eventId: 'e-1',
  occurredAt: '2026-03-08T09:00:00.000Z',
  orderId: 'ES-2026-000123',
  milestone: 'day7',
  template: 'posventa_day7_adoption',
  variant: 'A',
} as const;

const event = (type: KpiEvent['type'], extra: Record<string, unknown> = {}): KpiEvent => ({ type, detail: { ...base, ...extra } }) as KpiEvent;
const journey = (milestone = 'day7') => `kpi:journey:${milestone}:ES-2026-000123`;

describe('counter definitions', () => {
  it('gives every counter its own CloudWatch metric name', () => {
    const names = COUNTERS.map((c) => COUNTER_METRIC[c]);
    expect(new Set(names).size).toBe(COUNTERS.length);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9]+$/);
  });

  it('names counters so they are valid DynamoDB expression placeholders', () => {
    for (const counter of COUNTERS) expect(counter).toMatch(/^[a-zA-Z][a-zA-Z0-9]*$/);
  });

  it('keeps the counters of the KPI API contract (DESIGN.md §3)', () => {
    for (const counter of ['sent', 'delivered', 'read', 'failed', 'replies', 'optOuts', 'optIns', 'npsAnswers', 'npsPromoters', 'npsPassives', 'npsDetractors', 'tickets', 'leads', 'repurchases']) {
      expect(COUNTERS).toContain(counter);
    }
  });

  it('has one histogram counter per bound plus the open bucket', () => {
    expect(FIRST_RESPONSE_BUCKETS).toHaveLength(FIRST_RESPONSE_BOUNDS_SECONDS.length + 1);
    for (const bucket of FIRST_RESPONSE_BUCKETS) expect(COUNTER_DEFINITIONS[bucket].unit).toBe('Count');
  });
});

describe('failureBucketOf', () => {
  it.each([
    [131026, 'undeliverable'],
    [131049, 'limited'],
    [131050, 'marketingOptOut'],
    [132000, 'template'],
    [132001, 'template'],
    [132015, 'template'],
    [132016, 'template'],
    [132999, 'template'],
    [130472, 'experiment'],
    [131999, 'other'],
    [133000, 'other'],
    [131047, 'other'],
    [131000, 'other'],
    [undefined, 'other'],
  ] as const)('puts %s in %s', (code, bucket) => {
    expect(failureBucketOf(code)).toBe(bucket);
  });
});

describe('billableCounterOf', () => {
  it('reads the category Meta bills, in any case', () => {
    expect(billableCounterOf(true, 'utility')).toBe('billableUtility');
    expect(billableCounterOf(undefined, 'MARKETING')).toBe('billableMarketing');
    expect(billableCounterOf(true, 'service')).toBe('billableService');
    expect(billableCounterOf(true, 'authentication')).toBe('billableAuthentication');
  });

  it('keeps an unknown category as data ("other") and counts nothing Meta does not bill', () => {
    expect(billableCounterOf(true, 'marketing_lite')).toBe('billableOther');
    expect(billableCounterOf(false, 'utility')).toBeUndefined();
    expect(billableCounterOf(true, undefined)).toBeUndefined();
  });
});

describe('firstResponseAdd', () => {
  it('adds the count, the seconds and exactly one bucket, bounds inclusive', () => {
    expect(firstResponseAdd(45)).toEqual({ firstResponses: 1, firstResponseSeconds: 45, firstResponseLe60: 1 });
    expect(firstResponseAdd(60)).toEqual({ firstResponses: 1, firstResponseSeconds: 60, firstResponseLe60: 1 });
    expect(firstResponseAdd(60.5)).toEqual({ firstResponses: 1, firstResponseSeconds: 60.5, firstResponseLe120: 1 });
    expect(firstResponseAdd(300)).toMatchObject({ firstResponseLe300: 1 });
    expect(firstResponseAdd(86_401)).toMatchObject({ firstResponseOver86400: 1 });
  });
});

describe('incrementsOf', () => {
  it('counts a send, and the journey reaching its milestone once per order × milestone', () => {
    expect(incrementsOf(event(DOMAIN_EVENT.messageSent))).toEqual([
      { eventId: 'e-1', add: { sent: 1 } },
      { eventId: journey(), add: { journeys: 1 } },
    ]);
    expect(incrementsOf(event(DOMAIN_EVENT.messageRead, { milestone: 'day30' }))).toEqual([
      { eventId: 'e-1', add: { read: 1 } },
      { eventId: journey('day30'), add: { journeys: 1 } },
    ]);
  });

  it('counts a delivery, and what Meta bills for the message once per message: its category and its price for the recipient country on that day', () => {
    const delivered = (extra: Record<string, unknown>) => incrementsOf(event(DOMAIN_EVENT.messageDelivered, { wamid: 'wamid.A', eventId: 'wamid.A:delivered', ...extra }));
    expect(delivered({})).toEqual([
      { eventId: 'wamid.A:delivered', add: { delivered: 1 } },
      { eventId: journey(), add: { journeys: 1 } },
    ]);
    // Spain, utility, March 2026: 0.02 USD = 20,000 micro-USD (shared/kpi/whatsapp-prices.ts).
    expect(delivered({ pricing: { billable: true, category: 'utility', model: 'PMP' }, country: 'ES' })).toEqual([
      { eventId: 'wamid.A:delivered', add: { delivered: 1 } },
      { eventId: 'kpi:billed:wamid.A', add: { billableUtility: 1, costMicroUsd: 20_000 } },
      { eventId: journey(), add: { journeys: 1 } },
    ]);
    // Without a country, Meta's "other" rate (0.0077).
    expect(delivered({ pricing: { billable: true, category: 'utility' } })[1]?.add).toMatchObject({ costMicroUsd: 7_700 });
    // A category the table has no rate for is counted as unpriced, never as free.
    expect(delivered({ pricing: { billable: true, category: 'marketing_lite' }, country: 'ES' })[1]).toEqual({ eventId: 'kpi:billed:wamid.A', add: { billableOther: 1, unpricedBillable: 1 } });
    expect(delivered({ pricing: { billable: false, category: 'utility' } }).map((i) => i.eventId)).toEqual(['wamid.A:delivered', journey()]);
  });

  it('bills a message whose pricing came on its read under the same id as on its delivery, so either order counts it once', () => {
    const pricing = { billable: true, category: 'marketing' };
    const read = incrementsOf(event(DOMAIN_EVENT.messageRead, { wamid: 'wamid.B', eventId: 'wamid.B:read', pricing, country: 'BR' }));
    const delivered = incrementsOf(event(DOMAIN_EVENT.messageDelivered, { wamid: 'wamid.B', eventId: 'wamid.B:delivered', pricing, country: 'BR' }));
    expect(read).toContainEqual({ eventId: 'kpi:billed:wamid.B', add: { billableMarketing: 1, costMicroUsd: 62_500 } });
    expect(delivered).toContainEqual({ eventId: 'kpi:billed:wamid.B', add: { billableMarketing: 1, costMicroUsd: 62_500 } });
    expect(read[0]).toEqual({ eventId: 'wamid.B:read', add: { read: 1 } });
  });

  it.each([
    [131026, 'failedUndeliverable'],
    [131049, 'failedLimited'],
    [131050, 'failedMarketingOptOut'],
    [132015, 'failedTemplate'],
    [131000, 'failedOther'],
    [undefined, 'failedOther'],
  ] as const)('counts a failure with code %s as failed + %s', (errorCode, bucket) => {
    expect(incrementsOf(event(DOMAIN_EVENT.messageFailed, errorCode === undefined ? {} : { errorCode }))[0]).toEqual({ eventId: 'e-1', add: { failed: 1, [bucket]: 1 } });
  });

  it("does not count Meta's experiment (130472) as a failure, but apart", () => {
    expect(incrementsOf(event(DOMAIN_EVENT.messageFailed, { errorCode: 130472 }))).toEqual([
      { eventId: 'e-1', add: { excludedExperiment: 1 } },
      { eventId: journey(), add: { journeys: 1 } },
    ]);
  });

  it('counts a holdout skip into the holdout cohort, any other skip into the messaged cohort', () => {
    expect(incrementsOf(event(DOMAIN_EVENT.messageSkipped, { reason: 'holdout', milestone: 'day60' }))).toEqual([
      { eventId: 'e-1', add: { skipped: 1 } },
      { eventId: journey('day60'), add: { holdoutJourneys: 1 } },
    ]);
    expect(incrementsOf(event(DOMAIN_EVENT.messageSkipped, { reason: 'already bought again', milestone: 'day60' }))).toEqual([
      { eventId: 'e-1', add: { skipped: 1 } },
      { eventId: journey('day60'), add: { journeys: 1 } },
    ]);
  });

  it('counts every reply, and the journey as a responder once', () => {
    expect(incrementsOf(event(DOMAIN_EVENT.replyReceived))).toEqual([
      { eventId: 'e-1', add: { replies: 1 } },
      { eventId: 'kpi:responded:day7:ES-2026-000123', add: { responders: 1 } },
    ]);
  });

  it.each([
    [0, 'npsDetractors'],
    [6, 'npsDetractors'],
    [7, 'npsPassives'],
    [8, 'npsPassives'],
    [9, 'npsPromoters'],
    [10, 'npsPromoters'],
  ] as const)('counts NPS %i as one answer and a %s, once per journey', (score, group) => {
    expect(incrementsOf(event(DOMAIN_EVENT.npsAnswered, { score, milestone: 'day30' }))).toEqual([
      { eventId: 'kpi:nps:day30:ES-2026-000123', add: { npsAnswers: 1, [group]: 1 } },
    ]);
  });

  it('counts an unanswered survey once per journey', () => {
    expect(incrementsOf(event(DOMAIN_EVENT.npsUnanswered, { milestone: 'day30', reminded: true }))).toEqual([
      { eventId: 'kpi:nps-unanswered:day30:ES-2026-000123', add: { npsUnanswered: 1 } },
    ]);
  });

  it('counts a ticket, and a callback when it is the NPS "call me today"', () => {
    expect(incrementsOf(event(DOMAIN_EVENT.ticketRequested, { reason: 'detractor' }))).toEqual([{ eventId: 'e-1', add: { tickets: 1 } }]);
    expect(incrementsOf(event(DOMAIN_EVENT.ticketRequested, { reason: 'urgent-callback' }))).toEqual([{ eventId: 'e-1', add: { tickets: 1, callbacks: 1 } }]);
  });

  it.each([
    [DOMAIN_EVENT.optedIn, 'optIns'],
    [DOMAIN_EVENT.optedOut, 'optOuts'],
    [DOMAIN_EVENT.chatHandoffRequested, 'chatHandoffs'],
    [DOMAIN_EVENT.bookingRequested, 'bookings'],
    [DOMAIN_EVENT.leadCreated, 'leads'],
    [DOMAIN_EVENT.fallbackRequested, 'fallbacks'],
  ] as const)('counts %s as %s', (type, counter) => {
    expect(incrementsOf(event(type))).toEqual([{ eventId: 'e-1', add: { [counter]: 1 } }]);
  });

  const cohort = { orderId: 'ES-2026-000100', purchasedAt: '2026-02-01T15:00:00-03:00' };
  const repurchase = (extra: Record<string, unknown>) => event(DOMAIN_EVENT.repurchaseAttributed, { eventId: 'repurchase:ES-2026-000200', newOrderId: 'ES-2026-000200', holdout: false, ...extra });

  it('counts a purchase attributed to a message with its revenue, the message once, and the cohort journey once (on its purchase day)', () => {
    expect(incrementsOf(repurchase({ attribution: 'message', revenue: { amount: 189999, currency: 'ARS' }, cohort }))).toEqual([
      { eventId: 'repurchase:ES-2026-000200', add: { repurchases: 1, repurchaseRevenue: 189999 } },
      { eventId: 'kpi:converted:day7:ES-2026-000123', add: { repurchasers: 1 } },
      { eventId: 'kpi:cohort-repurchaser:ES-2026-000100', add: { cohortRepurchasers: 1 }, cohortOf: cohort.purchasedAt },
    ]);
    expect(incrementsOf(repurchase({ attribution: 'message' }))).toEqual([
      { eventId: 'repurchase:ES-2026-000200', add: { repurchases: 1 } },
      { eventId: 'kpi:converted:day7:ES-2026-000123', add: { repurchasers: 1 } },
    ]);
  });

  it('counts a purchase attributed only to a journey for its cohort: the holdout for a holdout customer, no message counters', () => {
    const { milestone: _m, template: _t, variant: _v, ...noMessage } = base;
    const journeyOnly = (holdout: boolean) => ({ type: DOMAIN_EVENT.repurchaseAttributed, detail: { ...noMessage, attribution: 'journey', holdout, cohort, revenue: { amount: 10, currency: 'EUR' } } }) as KpiEvent;
    expect(incrementsOf(journeyOnly(true))).toEqual([{ eventId: 'kpi:cohort-repurchaser:ES-2026-000100', add: { holdoutRepurchasers: 1 }, cohortOf: cohort.purchasedAt }]);
    expect(incrementsOf(journeyOnly(false))).toEqual([{ eventId: 'kpi:cohort-repurchaser:ES-2026-000100', add: { cohortRepurchasers: 1 }, cohortOf: cohort.purchasedAt }]);
  });

  it('counts a started journey in its group', () => {
    const started = (holdout: boolean) => ({ type: DOMAIN_EVENT.journeyStarted, detail: { eventId: 'journey-started:ES-2026-000123', occurredAt: base.occurredAt, orderId: base.orderId, holdout } }) as KpiEvent;
    expect(incrementsOf(started(false))).toEqual([{ eventId: 'journey-started:ES-2026-000123', add: { cohortMessaged: 1 } }]);
    expect(incrementsOf(started(true))).toEqual([{ eventId: 'journey-started:ES-2026-000123', add: { cohortHoldout: 1 } }]);
  });

  it('keeps failure buckets summing to failed, whatever the codes', () => {
    const codes = [undefined, 1, 130472, 131026, 131049, 131050, 132000, 132015, 135000];
    const sums: Record<string, number> = {};
    for (const errorCode of codes) {
      for (const { add } of incrementsOf(event(DOMAIN_EVENT.messageFailed, errorCode === undefined ? {} : { errorCode }))) {
        for (const [counter, n] of Object.entries(add)) sums[counter] = (sums[counter] ?? 0) + n;
      }
    }
    expect(FAILURE_BUCKETS.reduce((n, b) => n + (sums[FAILURE_BUCKET_COUNTER[b]] ?? 0), 0)).toBe(sums.failed);
    expect(sums.failed).toBe(codes.length - 1);
  });
});

describe('incrementsOf, helpdesk events', () => {
  const ticket = { ticketId: 'ZD-48213', occurredAt: '2026-04-07T12:15:32.000Z' };
  const helpdesk = (type: string, extra: Record<string, unknown> = {}) => incrementsOf({ type, detail: { ...ticket, ...extra } } as KpiEvent);

  it('counts each ticket once per kind of event, whatever its delivery', () => {
    expect(helpdesk(HELPDESK_EVENT.ticketOpened)).toEqual([{ eventId: 'kpi:ticket-opened:ZD-48213', add: { ticketsOpened: 1 } }]);
    expect(helpdesk(HELPDESK_EVENT.ticketReopened)).toEqual([{ eventId: 'kpi:ticket-reopened:ZD-48213', add: { ticketsReopened: 1 } }]);
    // A second reopening of the same ticket has the same id, so the rate counts tickets.
    expect(helpdesk(HELPDESK_EVENT.ticketReopened, { occurredAt: '2026-04-09T08:00:00.000Z' })).toEqual(helpdesk(HELPDESK_EVENT.ticketReopened));
    expect(helpdesk(HELPDESK_EVENT.ticketClosed)).toEqual([{ eventId: 'kpi:ticket-closed:ZD-48213', add: { ticketsClosed: 1 } }]);
  });

  it('measures the first response from the customer message the reply answers (5 min 32 s → the 5–10 min bucket)', () => {
    const at = Date.parse('2026-04-07T12:10:00.000Z');
    expect(helpdesk(HELPDESK_EVENT.agentReplied, { customerMessageAt: '2026-04-07T12:10:00.000Z' })).toEqual([
      { eventId: `kpi:first-response:${at}:ZD-48213`, add: { firstResponses: 1, firstResponseSeconds: 332, firstResponseLe600: 1 } },
    ]);
    // A later reply claiming the same customer message measures nothing new: same id.
    const later = helpdesk(HELPDESK_EVENT.agentReplied, { customerMessageAt: '2026-04-07T14:10:00+02:00', occurredAt: '2026-04-07T12:40:00.000Z' });
    expect(later[0]?.eventId).toBe(`kpi:first-response:${at}:ZD-48213`);
  });

  it('measures nothing for a follow-up reply (no customerMessageAt)', () => {
    expect(helpdesk(HELPDESK_EVENT.agentReplied)).toEqual([]);
  });
});

describe('KPI_EVENT_DETAIL (what the counters read)', () => {
  it('accepts the message-status detail the webhook emits, with pricing flattened', () => {
    const detail = { ...base, wamid: 'wamid.X', pricing: { billable: true, model: 'PMP', category: 'utility', type: 'regular' }, inferredFrom: 'read' };
    expect(parseWith(KPI_EVENT_DETAIL[DOMAIN_EVENT.messageDelivered], detail).ok).toBe(true);
  });

  it('refuses an NPS score outside 0–10, naming the field', () => {
    for (const score of [-1, 11, 99, 7.5, '9']) {
      const parsed = parseWith(KPI_EVENT_DETAIL[DOMAIN_EVENT.npsAnswered], { ...base, score });
      expect(parsed.ok, String(score)).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toContain('score');
    }
    expect(parseWith(KPI_EVENT_DETAIL[DOMAIN_EVENT.npsAnswered], { ...base, score: 10, npsCategory: 'promoter', inboundWamid: 'w', matchedBy: 'context', messageType: 'text' }).ok).toBe(true);
  });

  it('needs the order id where counts are kept per journey, not for opt-ins and opt-outs', () => {
    const { orderId: _, ...withoutOrder } = base;
    expect(parseWith(KPI_EVENT_DETAIL[DOMAIN_EVENT.replyReceived], withoutOrder).ok).toBe(false);
    expect(parseWith(KPI_EVENT_DETAIL[DOMAIN_EVENT.repurchaseAttributed], withoutOrder).ok).toBe(false);
    expect(parseWith(KPI_EVENT_DETAIL[DOMAIN_EVENT.optedOut], withoutOrder).ok).toBe(true);
  });

  it('refuses a negative revenue', () => {
    expect(parseWith(KPI_EVENT_DETAIL[DOMAIN_EVENT.repurchaseAttributed], { ...base, revenue: { amount: -5 } }).ok).toBe(false);
  });

  it('reads every helpdesk event with its own contract', () => {
    for (const type of Object.values(HELPDESK_EVENT)) expect(Object.hasOwn(KPI_EVENT_DETAIL, type), type).toBe(true);
    expect(parseWith(KPI_EVENT_DETAIL[HELPDESK_EVENT.agentReplied], { ticketId: 'T', occurredAt: '2026-04-07T12:00:00Z', customerMessageAt: '2026-04-07T12:01:00Z' }).ok).toBe(false);
  });

  it('tracks every domain event except template status and quality (states, not counts)', () => {
    const untracked = Object.values(DOMAIN_EVENT).filter((type) => !Object.hasOwn(KPI_EVENT_DETAIL, type));
    expect(untracked.sort()).toEqual([DOMAIN_EVENT.templateQualityChanged, DOMAIN_EVENT.templateStatusChanged].sort());
  });
});
