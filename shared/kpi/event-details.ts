import * as z from 'zod/mini';
import { DOMAIN_EVENT } from '../events/domain';
import { HELPDESK_DETAIL_SCHEMA, HELPDESK_EVENT_TYPES, type HelpdeskEventType } from '../events/helpdesk';
import { MILESTONE_IDS } from '../journey/milestones';

/**
 * What the KPI counters read from each domain event's `detail`: the minimum, as loose objects,
 * so the full contracts of shared/events/ may carry more. A detail that fails these shapes
 * cannot be counted exactly, so it goes to the KPI queue's DLQ with the reason.
 */
const nonEmpty = () => z.string().check(z.minLength(1));

/** Fields every counted event carries: the dedupe id and the counter key (DESIGN.md §3). */
const keyFields = {
  eventId: nonEmpty(),
  occurredAt: z.iso.datetime({ offset: true }),
  orderId: z.optional(nonEmpty()),
  milestone: z.enum(MILESTONE_IDS),
  template: nonEmpty(),
  variant: nonEmpty(),
};

/**
 * Consent changes may come before any journey message (STOP before day 7): without a journey
 * they are counted under the unattributed key (shared/kpi/aggregation.ts), not refused.
 */
const attributableFields = {
  ...keyFields,
  milestone: z.optional(keyFields.milestone),
  template: z.optional(keyFields.template),
  variant: z.optional(keyFields.variant),
};

/** Events whose counters are kept once per journey (order × milestone) need the order id. */
const journeyFields = { ...keyFields, orderId: nonEmpty() };

/**
 * Meta's `statuses[].pricing` as the webhook carries it (shared/events/domain.ts): billable,
 * category. Meta puts it on one of `delivered` / `read`, so both may bring it.
 */
const billedFields = {
  ...journeyFields,
  wamid: z.optional(nonEmpty()),
  pricing: z.optional(z.looseObject({ billable: z.optional(z.boolean()), category: z.optional(z.string()) })),
  /** The recipient's country (ISO 3166-1 alpha-2): the price table's key. */
  country: z.optional(z.string()),
};

/** NPS scale 0–10 (a 99, "call me today", is a `Ticket Requested` with reason `urgent-callback`). */
const npsScore = z.int().check(z.minimum(0), z.maximum(10));

/** The reason of a `Ticket Requested` for the NPS "call me today" (99). */
export const CALLBACK_TICKET_REASON = 'urgent-callback';

/** The reason of a `Message Skipped` for a holdout customer: enrolled, never messaged. */
export const HOLDOUT_SKIP_REASON = 'holdout';

export const KPI_EVENT_DETAIL = {
  [DOMAIN_EVENT.messageSent]: z.looseObject(journeyFields),
  [DOMAIN_EVENT.messageDelivered]: z.looseObject(billedFields),
  [DOMAIN_EVENT.messageRead]: z.looseObject(billedFields),
  [DOMAIN_EVENT.messageFailed]: z.looseObject({ ...journeyFields, errorCode: z.optional(z.number()) }),
  [DOMAIN_EVENT.messageSkipped]: z.looseObject({ ...journeyFields, reason: z.optional(z.string()) }),
  [DOMAIN_EVENT.replyReceived]: z.looseObject(journeyFields),
  [DOMAIN_EVENT.npsAnswered]: z.looseObject({ ...journeyFields, score: npsScore }),
  [DOMAIN_EVENT.npsUnanswered]: z.looseObject(journeyFields),
  [DOMAIN_EVENT.optedIn]: z.looseObject(attributableFields),
  [DOMAIN_EVENT.optedOut]: z.looseObject(attributableFields),
  [DOMAIN_EVENT.ticketRequested]: z.looseObject({ ...keyFields, reason: z.optional(z.string()) }),
  [DOMAIN_EVENT.chatHandoffRequested]: z.looseObject(keyFields),
  [DOMAIN_EVENT.bookingRequested]: z.looseObject(keyFields),
  [DOMAIN_EVENT.leadCreated]: z.looseObject(keyFields),
  [DOMAIN_EVENT.fallbackRequested]: z.looseObject(keyFields),
  [DOMAIN_EVENT.journeyStarted]: z.looseObject({ ...attributableFields, orderId: nonEmpty(), holdout: z.boolean() }),
  // Message-level fields are there when `attribution` is "message" (shared/events/domain.ts).
  [DOMAIN_EVENT.repurchaseAttributed]: z.looseObject({
    ...attributableFields,
    orderId: nonEmpty(),
    attribution: z.enum(['message', 'journey']),
    /** The new purchase's total, in the store's currency (as `Purchase Completed` `total`). */
    revenue: z.optional(z.looseObject({ amount: z.number(), currency: z.optional(z.string()) })),
    /** True when the customer is in the holdout (never messaged): counts for the control group. */
    holdout: z.boolean(),
    /** The journey whose repurchase window holds the purchase: counted in its cohort. */
    cohort: z.optional(z.looseObject({ orderId: nonEmpty(), purchasedAt: z.iso.datetime({ offset: true }) })),
  }),
  // The store's helpdesk (shared/events/helpdesk.ts): their contracts are already what the counters read.
  ...HELPDESK_DETAIL_SCHEMA,
} as const;

/** Events that move a counter: domain events and helpdesk events. Template status and quality are states, not counts. */
export type KpiEventType = keyof typeof KPI_EVENT_DETAIL;

export type KpiEvent = { [T in KpiEventType]: { type: T; detail: z.infer<(typeof KPI_EVENT_DETAIL)[T]> } }[KpiEventType];

export type KpiEventDetail = KpiEvent['detail'];

export type HelpdeskKpiEvent = Extract<KpiEvent, { type: HelpdeskEventType }>;

export function isHelpdeskKpiEvent(event: KpiEvent): event is HelpdeskKpiEvent {
  return (HELPDESK_EVENT_TYPES as readonly string[]).includes(event.type);
}

export function isKpiEventType(type: string): type is KpiEventType {
  return Object.hasOwn(KPI_EVENT_DETAIL, type);
}
