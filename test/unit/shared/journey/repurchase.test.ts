import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DomainEvent, RepurchaseAttributedDetail } from '#shared/events/domain';
import type { PurchaseDetail } from '#shared/events/purchase';
import type { ContactJourney } from '#shared/journey/contact-journeys';
import type { DeliveredMessage } from '#shared/journey/deliveries';
import { attributePurchase, attributionOf, attributionWindow, cohortJourneyOf, laterPurchaseOf, type AttributionDeps } from '#shared/journey/repurchase';

const fixture = JSON.parse(readFileSync(new URL('../../../fixtures/events/purchase-completed.json', import.meta.url), 'utf8')) as { detail: PurchaseDetail };
/** The second purchase: 2026-03-20 12:00 Madrid (11:00 UTC), 89.9 EUR. */
const purchase = (over: Partial<PurchaseDetail> = {}): PurchaseDetail => ({
  ...fixture.detail,
  orderId: 'ES-2026-000200',
  purchasedAt: '2026-03-20T12:00:00+01:00',
  total: { amount: 89.9, currency: 'EUR' },
  ...over,
});
const journey = (orderId: string, purchasedAt: string, holdout?: boolean): ContactJourney => ({
  orderId,
  purchasedAt,
  executionArn: `arn:aws:states:eu-south-2:123456789012:execution:journey:${orderId}`,
  locale: 'es-ES',
  ...(holdout === undefined ? {} : { holdout }),
});
const first = journey('ES-2026-000123', '2026-03-01T10:00:00+01:00');
const day7: DeliveredMessage = { orderId: 'ES-2026-000123', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'B', deliveredAt: '2026-03-16T09:00:02.000Z' };
const settings = { attributionWindowDays: 5, repurchaseWindowDays: 60 };

describe('attributionOf', () => {
  it('attributes a purchase 4 days after a delivered day-7 message to that message (last touch), with its revenue, and to the journey’s cohort', () => {
    expect(attributionOf(purchase(), { lastDelivered: day7, journeys: [first], holdout: false }, settings)).toEqual({
      eventId: 'repurchase:ES-2026-000200',
      occurredAt: '2026-03-20T12:00:00+01:00',
      attribution: 'message',
      orderId: 'ES-2026-000123',
      milestone: 'day7',
      template: 'posventa_day7_adoption',
      variant: 'B',
      deliveredAt: '2026-03-16T09:00:02.000Z',
      newOrderId: 'ES-2026-000200',
      revenue: { amount: 89.9, currency: 'EUR' },
      holdout: false,
      cohort: { orderId: 'ES-2026-000123', purchasedAt: '2026-03-01T10:00:00+01:00' },
    });
  });

  it('without a delivered message in the window, attributes to the journey only (the holdout case), marked holdout from the journey', () => {
    const attribution = attributionOf(purchase({ total: undefined }), { journeys: [journey('ES-2026-000123', '2026-03-01T10:00:00+01:00', true)], holdout: false }, settings);
    expect(attribution).toEqual({
      eventId: 'repurchase:ES-2026-000200',
      occurredAt: '2026-03-20T12:00:00+01:00',
      attribution: 'journey',
      orderId: 'ES-2026-000123',
      newOrderId: 'ES-2026-000200',
      holdout: true,
      cohort: { orderId: 'ES-2026-000123', purchasedAt: '2026-03-01T10:00:00+01:00' },
    });
  });

  it('attributes nothing to a first purchase', () => {
    expect(attributionOf(purchase({ orderId: 'ES-2026-000123', purchasedAt: first.purchasedAt }), { journeys: [first], holdout: false }, settings)).toBeUndefined();
  });
});

describe('cohortJourneyOf', () => {
  const journeys = [
    first,
    journey('ES-2026-000150', '2026-03-10T08:00:00Z'),
    journey('ES-2026-000090', '2026-01-19T10:59:59Z'), // 60 days + 1 s before the purchase (11:00 UTC)
    journey('ES-2026-000300', '2026-03-25T08:00:00Z'), // after it
    journey('ES-2026-000200', '2026-03-20T11:00:00Z'), // the purchase's own journey
  ];

  it('is the latest earlier journey within the repurchase window, never the purchase’s own or a later one', () => {
    expect(cohortJourneyOf(purchase(), journeys, 60)?.orderId).toBe('ES-2026-000150');
    expect(cohortJourneyOf(purchase(), [first, journeys[2]!, journeys[3]!, journeys[4]!], 60)?.orderId).toBe('ES-2026-000123');
  });

  it('compares instants, not strings: an offset does not reorder journeys', () => {
    // 09:30 UTC is later than 10:00+01:00 (09:00 UTC), though it sorts first as text.
    expect(cohortJourneyOf(purchase(), [first, journey('ES-2026-000124', '2026-03-01T09:30:00Z')], 60)?.orderId).toBe('ES-2026-000124');
  });

  it('leaves out a journey one second older than the window', () => {
    expect(cohortJourneyOf(purchase(), [journeys[2]!], 60)).toBeUndefined();
    expect(cohortJourneyOf(purchase(), [journey('ES-2026-000091', '2026-01-19T11:00:00Z')], 60)?.orderId).toBe('ES-2026-000091');
  });
});

describe('attributionWindow', () => {
  it('is the 5 days before the purchase, in UTC', () => {
    expect(attributionWindow('2026-03-20T12:00:00+01:00', 5)).toEqual({ from: '2026-03-15T11:00:00.000Z', to: '2026-03-20T11:00:00.000Z' });
  });
});

describe('laterPurchaseOf', () => {
  it('finds a purchase after the journey’s, not the journey itself nor an earlier one', () => {
    const journeys = [journey('ES-2026-000200', '2026-03-20T11:00:00Z'), first, journey('ES-2026-000050', '2026-02-01T10:00:00Z')];
    expect(laterPurchaseOf(fixture.detail, journeys)?.orderId).toBe('ES-2026-000200');
    expect(laterPurchaseOf(fixture.detail, [first, journeys[2]!])).toBeUndefined();
  });
});

describe('attributePurchase', () => {
  function harness(lastDelivered?: DeliveredMessage) {
    const published: DomainEvent[] = [];
    const windows: Array<{ from: string; to: string }> = [];
    let stored: RepurchaseAttributedDetail | undefined;
    const deps: AttributionDeps = {
      deliveries: { lastDeliveredTo: async (_phone, from, to) => (windows.push({ from, to }), lastDelivered) },
      journeys: { journeysOf: async () => [first, journey('ES-2026-000200', '2026-03-20T11:00:00Z')] },
      attributions: { recordAttribution: async (attribution) => (stored ??= attribution) },
      settings,
      publish: async (events) => void published.push(...events),
    };
    return { deps, published, windows, stored: () => stored };
  }

  it('asks for deliveries in the window, records the attribution and publishes it', async () => {
    const { deps, published, windows, stored } = harness(day7);
    const attribution = await attributePurchase(purchase(), false, deps);
    expect(windows).toEqual([{ from: '2026-03-15T11:00:00.000Z', to: '2026-03-20T11:00:00.000Z' }]);
    expect(attribution).toMatchObject({ attribution: 'message', orderId: 'ES-2026-000123', milestone: 'day7' });
    expect(stored()).toEqual(attribution);
    expect(published).toEqual([{ type: 'Repurchase Attributed', detail: attribution }]);
  });

  it('publishes the attribution recorded first when the purchase is handled again, even if the facts changed', async () => {
    const { deps, published } = harness(day7);
    const before = await attributePurchase(purchase(), false, deps);
    const later = await attributePurchase(purchase(), false, { ...deps, deliveries: { lastDeliveredTo: async () => undefined } });
    expect(later).toEqual(before);
    expect(published.map((e) => e.detail)).toEqual([before, before]);
  });

  it('publishes nothing for a purchase that follows no message and no journey', async () => {
    const { deps, published } = harness();
    expect(await attributePurchase(purchase({ orderId: 'ES-2026-000123', purchasedAt: first.purchasedAt }), false, deps)).toBeUndefined();
    expect(published).toEqual([]);
  });
});
