import { DAY_MS } from '../clock';
import { DOMAIN_EVENT, type DomainEvent, type RepurchaseAttributedDetail } from '../events/domain';
import type { PurchaseDetail } from '../events/purchase';
import type { ContactJourney, ContactJourneyIndex } from './contact-journeys';
import type { DeliveredMessage, DeliveryLog } from './deliveries';

/** The journey settings attribution reads (shared/journey/config.ts). */
export interface AttributionSettings {
  /** A journey message delivered this many days before a purchase gets it (last touch). */
  attributionWindowDays: number;
  /** A purchase this many days after a journey's purchase is a repurchase of that journey's cohort. */
  repurchaseWindowDays: number;
}

/** Once per purchase: the first attribution recorded for a purchase stands (DynamoDB: shared/aws/journey-store.ts). */
export interface AttributionStore {
  /** Records `attribution` unless the purchase has one; returns the one that stands. */
  recordAttribution(attribution: RepurchaseAttributedDetail): Promise<RepurchaseAttributedDetail>;
}

export interface AttributionDeps {
  deliveries: Pick<DeliveryLog, 'lastDeliveredTo'>;
  journeys: Pick<ContactJourneyIndex, 'journeysOf'>;
  attributions: AttributionStore;
  settings: AttributionSettings;
  publish(events: DomainEvent[]): Promise<void>;
}

/** What the contact's records say about a purchase, read just before it is attributed. */
export interface PurchaseFacts {
  /** The contact's last journey message delivered in the attribution window before the purchase. */
  lastDelivered?: DeliveredMessage;
  /** Every journey of the contact (the index), in any order. */
  journeys: readonly ContactJourney[];
  /** The customer's own holdout assignment (used when no earlier journey says it). */
  holdout: boolean;
}

const instant = (iso: string) => Date.parse(iso);

/**
 * The customer's latest earlier journey whose repurchase window holds the purchase: the cohort
 * the purchase counts for. Never the purchase's own journey.
 */
export function cohortJourneyOf(purchase: Pick<PurchaseDetail, 'orderId' | 'purchasedAt'>, journeys: readonly ContactJourney[], repurchaseWindowDays: number): ContactJourney | undefined {
  const at = instant(purchase.purchasedAt);
  const earliest = at - repurchaseWindowDays * DAY_MS;
  let cohort: ContactJourney | undefined;
  for (const journey of journeys) {
    const started = instant(journey.purchasedAt);
    if (journey.orderId === purchase.orderId || !(started < at) || started < earliest) continue;
    if (cohort === undefined || started > instant(cohort.purchasedAt)) cohort = journey;
  }
  return cohort;
}

/**
 * What a purchase is attributed to, or undefined when it follows no delivered message and no
 * journey. Pure: the same facts give the same attribution.
 */
export function attributionOf(purchase: PurchaseDetail, facts: PurchaseFacts, settings: AttributionSettings): RepurchaseAttributedDetail | undefined {
  const cohort = cohortJourneyOf(purchase, facts.journeys, settings.repurchaseWindowDays);
  const touch = facts.lastDelivered;
  if (touch === undefined && cohort === undefined) return undefined;
  const common = {
    eventId: `repurchase:${purchase.orderId}`,
    occurredAt: purchase.purchasedAt,
    newOrderId: purchase.orderId,
    ...(purchase.total === undefined ? {} : { revenue: { amount: purchase.total.amount, currency: purchase.total.currency } }),
    holdout: cohort === undefined ? facts.holdout : cohort.holdout === true,
    ...(cohort === undefined ? {} : { cohort: { orderId: cohort.orderId, purchasedAt: cohort.purchasedAt } }),
  };
  if (touch === undefined) return { ...common, attribution: 'journey', orderId: cohort!.orderId };
  const { orderId, milestone, template, variant, deliveredAt } = touch;
  return { ...common, attribution: 'message', orderId, milestone, template, variant, deliveredAt };
}

/** The window a delivery must fall in to get the purchase: [purchase − window, purchase], in UTC ISO. */
export function attributionWindow(purchasedAt: string, attributionWindowDays: number): { from: string; to: string } {
  const at = instant(purchasedAt);
  return { from: new Date(at - attributionWindowDays * DAY_MS).toISOString(), to: new Date(at).toISOString() };
}

/**
 * Attributes a purchase once: reads the contact's deliveries and journeys, records the
 * attribution unless the purchase already has one (a retried or concurrent handling of the same
 * purchase), and publishes the one recorded, under an id derived from the purchase. A retry
 * after a failed publish finds the record and publishes the same event again, which the KPI
 * aggregator dedupes.
 */
export async function attributePurchase(purchase: PurchaseDetail, holdout: boolean, deps: AttributionDeps): Promise<RepurchaseAttributedDetail | undefined> {
  const phone = purchase.customer.phone;
  const window = attributionWindow(purchase.purchasedAt, deps.settings.attributionWindowDays);
  const [lastDelivered, journeys] = await Promise.all([deps.deliveries.lastDeliveredTo(phone, window.from, window.to), deps.journeys.journeysOf(phone)]);
  const attribution = attributionOf(purchase, { journeys, holdout, ...(lastDelivered === undefined ? {} : { lastDelivered }) }, deps.settings);
  if (attribution === undefined) return undefined;
  const recorded = await deps.attributions.recordAttribution(attribution);
  await deps.publish([{ type: DOMAIN_EVENT.repurchaseAttributed, detail: recorded }]);
  return recorded;
}

/**
 * Day 60 is skipped for a customer who bought again since the journey's purchase: that purchase
 * was attributed (to this journey or a message) when it arrived. The later purchase, if any.
 */
export function laterPurchaseOf(purchase: Pick<PurchaseDetail, 'orderId' | 'purchasedAt'>, journeys: readonly ContactJourney[]): ContactJourney | undefined {
  const at = instant(purchase.purchasedAt);
  return journeys.find((journey) => journey.orderId !== purchase.orderId && instant(journey.purchasedAt) > at);
}
