import * as z from 'zod/mini';
import { MILESTONE_IDS } from '../journey/milestones';

/** Source of every event Posventa itself puts on the bus. */
export const DOMAIN_EVENT_SOURCE = 'posventa';

/** Detail types of the domain events. Other systems subscribe to these names. */
export const DOMAIN_EVENT = {
  messageSent: 'Message Sent',
  messageDelivered: 'Message Delivered',
  messageRead: 'Message Read',
  messageFailed: 'Message Failed',
  messageSkipped: 'Message Skipped',
  replyReceived: 'Reply Received',
  npsAnswered: 'NPS Answered',
  npsUnanswered: 'NPS Unanswered',
  optedIn: 'Opted In',
  optedOut: 'Opted Out',
  ticketRequested: 'Ticket Requested',
  chatHandoffRequested: 'Chat Handoff Requested',
  bookingRequested: 'Booking Requested',
  leadCreated: 'Lead Created',
  fallbackRequested: 'Fallback Requested',
  repurchaseAttributed: 'Repurchase Attributed',
  journeyStarted: 'Journey Started',
  templateStatusChanged: 'Template Status Changed',
  templateQualityChanged: 'Template Quality Changed',
} as const;

export type DomainEventType = (typeof DOMAIN_EVENT)[keyof typeof DOMAIN_EVENT];

/**
 * Detail of every message event. `eventId` is deterministic (wamid + status, or order +
 * milestone), so a replayed webhook or a retried step produces the same id and counts once.
 * No phone number: these events leave the system.
 */
export const messageEventDetailSchema = z.looseObject({
  eventId: z.string().check(z.minLength(1)),
  occurredAt: z.iso.datetime({ offset: true }),
  orderId: z.string().check(z.minLength(1)),
  milestone: z.enum(MILESTONE_IDS),
  template: z.string().check(z.minLength(1)),
  variant: z.string().check(z.minLength(1)),
  wamid: z.optional(z.string()),
  errorCode: z.optional(z.number()),
});

export type MessageEventDetail = z.infer<typeof messageEventDetailSchema>;

/**
 * Status events (sent / delivered / read / failed from Meta's webhooks) may add what Meta says
 * the message costs: read from `statuses[].pricing`, kept as data (Meta changes the values).
 */
export const statusEventDetailSchema = z.extend(messageEventDetailSchema, {
  pricing: z.optional(
    z.looseObject({
      billable: z.optional(z.boolean()),
      /** `PMP` (per message) since July 2025, `CBP` before. */
      model: z.optional(z.string()),
      /** marketing, utility, authentication, service… */
      category: z.optional(z.string()),
      /** regular, free_customer_service, free_entry_point… */
      type: z.optional(z.string()),
    }),
  ),
  /**
   * The recipient's country (ISO 3166-1 alpha-2) from the phone's calling code: Meta prices a
   * message by it (shared/kpi/whatsapp-prices.ts). A country, never the number.
   */
  country: z.optional(z.string().check(z.regex(/^[A-Z]{2}$/))),
  /** Set on a `Message Delivered` that Posventa inferred from a `read` that came first. */
  inferredFrom: z.optional(z.literal('read')),
});

/**
 * Why the send step did not message a customer for a milestone: `Message Skipped` `reason`.
 * The KPI aggregator counts a `holdout` skip as a control-group journey (shared/kpi/).
 */
export const SKIP_REASON = {
  /** In the control group: enrolled, never messaged. */
  holdout: 'holdout',
  noOptIn: 'no-opt-in',
  optedOut: 'opted-out',
  /** Promotions paused after an NPS detractor answer. */
  detractor: 'detractor',
  /** An NPS survey went to this contact within the NPS cap (another order). */
  npsRecentlyAsked: 'nps-recently-asked',
  /** The marketing frequency cap kept the message waiting more times than allowed. */
  frequencyCap: 'frequency-cap',
  /** No variant of the milestone can be sent now (paused, disabled… at Meta, or weighted 0). */
  templateUnavailable: 'template-unavailable',
  /** Day 60: the customer bought again since the journey's purchase (that purchase is attributed instead). */
  boughtAgain: 'bought-again',
} as const;

export type SkipReason = (typeof SKIP_REASON)[keyof typeof SKIP_REASON];

/**
 * `Message Skipped`: the journey reached a milestone and deliberately sent nothing. Its id is
 * `skip:<orderId>:<milestone>`. `reason` is one of SKIP_REASON, typed as a string so a new
 * reason stays compatible for consumers; `detail` says more, for people.
 */
export const messageSkippedDetailSchema = z.extend(messageEventDetailSchema, {
  reason: z.string().check(z.minLength(1)),
  detail: z.optional(z.string()),
});

export type MessageSkippedDetail = z.infer<typeof messageSkippedDetailSchema>;

/**
 * `Fallback Requested`: WhatsApp could not carry this message for good (permanent send
 * failure); another channel should reach the customer. Its id is `fallback:<orderId>:<milestone>`.
 */
export const fallbackRequestedDetailSchema = z.extend(messageEventDetailSchema, {
  /** The channel to try, e.g. `email`; a hint, the target decides. */
  channelHint: z.string().check(z.minLength(1)),
  /** Why WhatsApp failed, as Meta said it. */
  reason: z.string().check(z.minLength(1)),
});

export type FallbackRequestedDetail = z.infer<typeof fallbackRequestedDetailSchema>;

/**
 * Detail of every event that stands for a customer's reply (Reply Received, NPS Answered,
 * Ticket Requested, Chat Handoff Requested, Booking Requested, Lead Created). The base fields
 * name the journey message answered (`wamid` is ours); the id is `<inboundWamid>:<what>`.
 * No phone number and no message text (a customer may type a phone number).
 */
export const replyEventDetailSchema = z.extend(messageEventDetailSchema, {
  inboundWamid: z.string().check(z.minLength(1)),
  /** How the reply was tied to the journey message: Meta's `context.id`, or the last message we sent that contact. */
  matchedBy: z.enum(['context', 'last-message']),
  /** Meta's message type: text, button, interactive, reaction, image… */
  messageType: z.string().check(z.minLength(1)),
});

export type ReplyEventDetail = z.infer<typeof replyEventDetailSchema>;

export const NPS_CATEGORIES = ['promoter', 'passive', 'detractor'] as const;
export type NpsCategory = (typeof NPS_CATEGORIES)[number];

export const npsAnsweredDetailSchema = z.extend(replyEventDetailSchema, {
  score: z.int().check(z.gte(0), z.lte(10)),
  npsCategory: z.enum(NPS_CATEGORIES),
});

/**
 * `NPS Unanswered`: the survey got no reply, neither before its reminder nor after it (or the
 * reminder could not go). Names the survey message; its id is `nps-unanswered:<orderId>:<milestone>`.
 */
export const npsUnansweredDetailSchema = z.extend(messageEventDetailSchema, {
  /** Whether the reminder went out; when it did not, `reminderSkipped` says why. */
  reminded: z.boolean(),
  reminderSkipped: z.optional(z.string()),
});

export type NpsUnansweredDetail = z.infer<typeof npsUnansweredDetailSchema>;

export const TICKET_REASONS = ['urgent-callback', 'detractor'] as const;
export type TicketReason = (typeof TICKET_REASONS)[number];

export const ticketRequestedDetailSchema = z.extend(replyEventDetailSchema, { reason: z.enum(TICKET_REASONS) });

export const HANDOFF_REASONS = ['customer-asked', 'unrecognised-reply'] as const;
export type HandoffReason = (typeof HANDOFF_REASONS)[number];

export const chatHandoffRequestedDetailSchema = z.extend(replyEventDetailSchema, { reason: z.enum(HANDOFF_REASONS) });

/** A template's status or quality changed at Meta (not tied to an order). */
const templateEventBase = {
  eventId: z.string().check(z.minLength(1)),
  occurredAt: z.iso.datetime({ offset: true }),
  template: z.string().check(z.minLength(1)),
  language: z.string().check(z.minLength(1)),
  templateId: z.string().check(z.minLength(1)),
};

export const templateStatusChangedDetailSchema = z.looseObject({
  ...templateEventBase,
  /** Meta's event: APPROVED, PAUSED, DISABLED, REJECTED… (kept as data: Meta adds values). */
  status: z.string().check(z.minLength(1)),
  reason: z.optional(z.string()),
});

export type TemplateStatusChangedDetail = z.infer<typeof templateStatusChangedDetailSchema>;

export const templateQualityChangedDetailSchema = z.looseObject({
  ...templateEventBase,
  /** GREEN, YELLOW, RED or UNKNOWN. */
  quality: z.string().check(z.minLength(1)),
  previousQuality: z.optional(z.string()),
});

export type TemplateQualityChangedDetail = z.infer<typeof templateQualityChangedDetailSchema>;

/**
 * `Opted In` / `Opted Out`: a scope of the contact's consent moved. Attributed to the journey
 * message the customer answered (or their last one) when there is one; a STOP before any
 * message has no order, milestone, template or variant. No phone and no text.
 */
export const consentEventDetailSchema = z.looseObject({
  eventId: z.string().check(z.minLength(1)),
  occurredAt: z.iso.datetime({ offset: true }),
  orderId: z.optional(z.string().check(z.minLength(1))),
  milestone: z.optional(z.enum(MILESTONE_IDS)),
  template: z.optional(z.string().check(z.minLength(1))),
  variant: z.optional(z.string().check(z.minLength(1))),
  wamid: z.optional(z.string()),
  /** Where the change came from: keyword, quick-reply, meta-user-preferences, send-error-131050… */
  source: z.string().check(z.minLength(1)),
  scopes: z.array(z.enum(['utility', 'marketing'])).check(z.minLength(1)),
});

export type ConsentEventDetail = z.infer<typeof consentEventDetailSchema>;

/**
 * `Journey Started`: a purchase entered its journey, as a member of the messaged group or of the
 * holdout (control group): the cohorts the 60-day repurchase rate divides by. Its id is
 * `journey-started:<orderId>`; `occurredAt` is the purchase's time, so the journey is counted on
 * its purchase day. No phone.
 */
export const journeyStartedDetailSchema = z.looseObject({
  eventId: z.string().check(z.minLength(1)),
  occurredAt: z.iso.datetime({ offset: true }),
  orderId: z.string().check(z.minLength(1)),
  /** True for the holdout: enrolled, tracked, never messaged. */
  holdout: z.boolean(),
});

export type JourneyStartedDetail = z.infer<typeof journeyStartedDetailSchema>;

/** How a repurchase was attributed: to a delivered journey message (last touch), or only to a journey. */
export const ATTRIBUTION_KINDS = ['message', 'journey'] as const;
export type AttributionKind = (typeof ATTRIBUTION_KINDS)[number];

/**
 * `Repurchase Attributed`: a customer's new purchase, attributed once (its id is
 * `repurchase:<newOrderId>`, whatever the retries). `attribution: "message"`: a journey message
 * was delivered to the customer within the attribution window (default 5 days) before the
 * purchase; the last one delivered gets it, and `orderId`, `milestone`, `template`, `variant`
 * name it. `attribution: "journey"`: no message in the window (always so in the holdout), but
 * the purchase falls within the repurchase window (default 60 days) of one of the customer's
 * journeys; `orderId` names that journey. `cohort` is the customer's latest journey whose
 * repurchase window holds the purchase (what the 60-day repurchase rate counts); it may differ
 * from the message's journey. `occurredAt` is the new purchase's time. No phone.
 */
export const repurchaseAttributedDetailSchema = z.looseObject({
  eventId: z.string().check(z.minLength(1)),
  occurredAt: z.iso.datetime({ offset: true }),
  attribution: z.enum(ATTRIBUTION_KINDS),
  /** The attributed journey's order. */
  orderId: z.string().check(z.minLength(1)),
  milestone: z.optional(z.enum(MILESTONE_IDS)),
  template: z.optional(z.string().check(z.minLength(1))),
  variant: z.optional(z.string().check(z.minLength(1))),
  /** When the attributed message was delivered (attribution "message"). */
  deliveredAt: z.optional(z.iso.datetime({ offset: true })),
  /** The purchase being attributed. */
  newOrderId: z.string().check(z.minLength(1)),
  /** Its `total`, as the purchase event gave it. */
  revenue: z.optional(z.looseObject({ amount: z.number(), currency: z.string().check(z.length(3)) })),
  /** True when the customer is in the holdout. */
  holdout: z.boolean(),
  cohort: z.optional(z.looseObject({ orderId: z.string().check(z.minLength(1)), purchasedAt: z.iso.datetime({ offset: true }) })),
});

export type RepurchaseAttributedDetail = z.infer<typeof repurchaseAttributedDetailSchema>;

type TemplateEventType = typeof DOMAIN_EVENT.templateStatusChanged | typeof DOMAIN_EVENT.templateQualityChanged;
type ConsentEventType = typeof DOMAIN_EVENT.optedIn | typeof DOMAIN_EVENT.optedOut;
type PurchaseEventType = typeof DOMAIN_EVENT.journeyStarted | typeof DOMAIN_EVENT.repurchaseAttributed;

/** Events about one journey message (order × milestone × template × variant). */
export type MessageEventType = Exclude<DomainEventType, TemplateEventType | ConsentEventType | PurchaseEventType>;

/** Every event put on the bus: message events carry the journey (order × milestone × template × variant). */
export type DomainEvent =
  | { type: MessageEventType; detail: MessageEventDetail }
  | { type: ConsentEventType; detail: ConsentEventDetail }
  | { type: typeof DOMAIN_EVENT.journeyStarted; detail: JourneyStartedDetail }
  | { type: typeof DOMAIN_EVENT.repurchaseAttributed; detail: RepurchaseAttributedDetail }
  | { type: typeof DOMAIN_EVENT.templateStatusChanged; detail: TemplateStatusChangedDetail }
  | { type: typeof DOMAIN_EVENT.templateQualityChanged; detail: TemplateQualityChangedDetail };

/**
 * The schema each event's detail must pass, for producers' tests and consumers. Events not
 * listed use `messageEventDetailSchema` (their producers add them with their issues).
 */
export const DETAIL_SCHEMA_OF_EVENT = {
  [DOMAIN_EVENT.messageSent]: statusEventDetailSchema,
  [DOMAIN_EVENT.messageDelivered]: statusEventDetailSchema,
  [DOMAIN_EVENT.messageRead]: statusEventDetailSchema,
  [DOMAIN_EVENT.messageFailed]: statusEventDetailSchema,
  [DOMAIN_EVENT.messageSkipped]: messageSkippedDetailSchema,
  [DOMAIN_EVENT.fallbackRequested]: fallbackRequestedDetailSchema,
  [DOMAIN_EVENT.replyReceived]: replyEventDetailSchema,
  [DOMAIN_EVENT.optedIn]: consentEventDetailSchema,
  [DOMAIN_EVENT.optedOut]: consentEventDetailSchema,
  [DOMAIN_EVENT.npsAnswered]: npsAnsweredDetailSchema,
  [DOMAIN_EVENT.npsUnanswered]: npsUnansweredDetailSchema,
  [DOMAIN_EVENT.ticketRequested]: ticketRequestedDetailSchema,
  [DOMAIN_EVENT.chatHandoffRequested]: chatHandoffRequestedDetailSchema,
  [DOMAIN_EVENT.bookingRequested]: replyEventDetailSchema,
  [DOMAIN_EVENT.leadCreated]: replyEventDetailSchema,
  [DOMAIN_EVENT.journeyStarted]: journeyStartedDetailSchema,
  [DOMAIN_EVENT.repurchaseAttributed]: repurchaseAttributedDetailSchema,
  [DOMAIN_EVENT.templateStatusChanged]: templateStatusChangedDetailSchema,
  [DOMAIN_EVENT.templateQualityChanged]: templateQualityChangedDetailSchema,
} as const satisfies Partial<Record<DomainEventType, z.ZodMiniType>>;

const DOMAIN_EVENT_TYPES: ReadonlySet<string> = new Set(Object.values(DOMAIN_EVENT));

export function domainEventTypeOf(detailType: unknown): DomainEventType | undefined {
  return typeof detailType === 'string' && DOMAIN_EVENT_TYPES.has(detailType) ? (detailType as DomainEventType) : undefined;
}
