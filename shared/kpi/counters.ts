import { DOMAIN_EVENT } from '../events/domain';
import { HELPDESK_EVENT } from '../events/helpdesk';
import { whatsappPriceMicroUsd } from './whatsapp-prices';
import { CALLBACK_TICKET_REASON, HOLDOUT_SKIP_REASON, isHelpdeskKpiEvent, type HelpdeskKpiEvent, type KpiEvent } from './event-details';

/** CloudWatch namespace of every Posventa metric; the dashboards read the same constant. */
export const METRIC_NAMESPACE = 'Posventa';

/** The dimension every counter metric carries; values are milestone ids. */
export const MILESTONE_DIMENSION = 'Milestone';

/** Units of counter metrics, as CloudWatch (and Powertools' `MetricUnit`) spell them. */
export type CounterUnit = 'Count' | 'Seconds' | 'None';

export interface CounterDefinition {
  /** CloudWatch metric name: EMF from the aggregator, graphs on the dashboards. */
  readonly metric: string;
  /** What a person reads on a dashboard. */
  readonly title: string;
  readonly unit: CounterUnit;
}

/**
 * Upper bounds (seconds, inclusive) of the time-to-first-response histogram. Each answer adds 1
 * to exactly one bucket (not cumulative, so a DynamoDB ADD stays one operation); the last bucket
 * is open. 300 s is the DESIGN.md §4 target, so it is a bound.
 */
export const FIRST_RESPONSE_BOUNDS_SECONDS = [60, 120, 300, 600, 1_800, 3_600, 14_400, 86_400] as const;

/**
 * Every counter kept per day × milestone × template × variant: its one name, read by the
 * aggregator, the KPI store, the KPI API and the dashboards. Counters marked "per journey" are
 * counted once per order × milestone (or once per order), whatever the number of events.
 */
export const COUNTER_DEFINITIONS = {
  // Messages (status events; `failed` leaves out Meta's experiment, 130472).
  sent: { metric: 'MessagesSent', title: 'Messages sent', unit: 'Count' },
  delivered: { metric: 'MessagesDelivered', title: 'Messages delivered', unit: 'Count' },
  read: { metric: 'MessagesRead', title: 'Messages read', unit: 'Count' },
  failed: { metric: 'MessagesFailed', title: 'Messages failed (130472 excluded)', unit: 'Count' },
  skipped: { metric: 'MessagesSkipped', title: 'Messages skipped', unit: 'Count' },
  // Failure buckets: they sum to `failed`.
  failedUndeliverable: { metric: 'FailedUndeliverable', title: 'Failed: undeliverable or blocked (131026)', unit: 'Count' },
  failedLimited: { metric: 'FailedLimitedByMeta', title: 'Failed: limited by Meta (131049)', unit: 'Count' },
  failedMarketingOptOut: { metric: 'FailedMarketingOptOut', title: 'Failed: marketing opt-out (131050)', unit: 'Count' },
  failedTemplate: { metric: 'FailedTemplate', title: 'Failed: template problems (132xxx)', unit: 'Count' },
  failedOther: { metric: 'FailedOther', title: 'Failed: other', unit: 'Count' },
  excludedExperiment: { metric: 'ExcludedMetaExperiment', title: 'Not delivered: Meta experiment (130472), not a failure', unit: 'Count' },
  // Cohorts (per journey): journeys whose milestone came due, messaged or skipped.
  journeys: { metric: 'JourneysReached', title: 'Journeys reaching the milestone', unit: 'Count' },
  holdoutJourneys: { metric: 'HoldoutJourneysReached', title: 'Holdout journeys reaching the milestone', unit: 'Count' },
  // Answers.
  replies: { metric: 'RepliesReceived', title: 'Replies received', unit: 'Count' },
  responders: { metric: 'Responders', title: 'Journeys that replied (per journey)', unit: 'Count' },
  npsAnswers: { metric: 'NpsAnswers', title: 'NPS answers (per journey)', unit: 'Count' },
  npsPromoters: { metric: 'NpsPromoters', title: 'NPS promoters (9–10)', unit: 'Count' },
  npsPassives: { metric: 'NpsPassives', title: 'NPS passives (7–8)', unit: 'Count' },
  npsDetractors: { metric: 'NpsDetractors', title: 'NPS detractors (0–6)', unit: 'Count' },
  npsUnanswered: { metric: 'NpsUnanswered', title: 'NPS surveys unanswered after the reminder (per journey)', unit: 'Count' },
  callbacks: { metric: 'CallbacksRequested', title: 'Callbacks requested (NPS 99)', unit: 'Count' },
  chatHandoffs: { metric: 'ChatHandoffsRequested', title: 'Chat handoffs requested', unit: 'Count' },
  bookings: { metric: 'BookingsRequested', title: 'Bookings requested', unit: 'Count' },
  // Consent.
  optOuts: { metric: 'OptOuts', title: 'Opt-outs', unit: 'Count' },
  optIns: { metric: 'OptIns', title: 'Opt-ins', unit: 'Count' },
  // Outcomes.
  tickets: { metric: 'TicketsRequested', title: 'Tickets requested', unit: 'Count' },
  // Helpdesk (shared/events/helpdesk.ts): each ticket counted once per kind of event.
  ticketsOpened: { metric: 'TicketsOpened', title: 'Helpdesk tickets opened', unit: 'Count' },
  ticketsReopened: { metric: 'TicketsReopened', title: 'Helpdesk tickets reopened (at least once)', unit: 'Count' },
  ticketsClosed: { metric: 'TicketsClosed', title: 'Helpdesk tickets closed', unit: 'Count' },
  leads: { metric: 'LeadsCreated', title: 'Leads created', unit: 'Count' },
  fallbacks: { metric: 'FallbacksRequested', title: 'Fallbacks requested', unit: 'Count' },
  // Repurchases (shared/journey/repurchase.ts): message level (last touch), keyed by the message…
  repurchases: { metric: 'Repurchases', title: 'Purchases attributed to a delivered journey message', unit: 'Count' },
  repurchasers: { metric: 'Repurchasers', title: 'Journey messages followed by an attributed purchase (per order × milestone)', unit: 'Count' },
  repurchaseRevenue: { metric: 'RepurchaseRevenue', title: 'Revenue of purchases attributed to a message', unit: 'None' },
  // …and cohort level (per journey), keyed by the journey's purchase day, no milestone.
  cohortMessaged: { metric: 'CohortMessaged', title: 'Journeys started in the messaged group', unit: 'Count' },
  cohortHoldout: { metric: 'CohortHoldout', title: 'Journeys started in the holdout', unit: 'Count' },
  cohortRepurchasers: { metric: 'CohortRepurchasers', title: 'Messaged-group journeys followed by a repurchase in the window', unit: 'Count' },
  holdoutRepurchasers: { metric: 'HoldoutRepurchasers', title: 'Holdout journeys followed by a repurchase in the window', unit: 'Count' },
  // WhatsApp spend: billable deliveries × shared/kpi/whatsapp-prices.ts, in whole micro-USD (exact sums).
  costMicroUsd: { metric: 'WhatsAppCostMicroUsd', title: 'WhatsApp cost (millionths of USD)', unit: 'None' },
  unpricedBillable: { metric: 'BillableUnpriced', title: 'Billable messages the price table has no rate for', unit: 'Count' },
  // Billable messages by Meta pricing category (read on delivery, when Meta bills).
  billableUtility: { metric: 'BillableUtility', title: 'Billable: utility', unit: 'Count' },
  billableMarketing: { metric: 'BillableMarketing', title: 'Billable: marketing', unit: 'Count' },
  billableService: { metric: 'BillableService', title: 'Billable: service', unit: 'Count' },
  billableAuthentication: { metric: 'BillableAuthentication', title: 'Billable: authentication', unit: 'Count' },
  billableOther: { metric: 'BillableOther', title: 'Billable: other category', unit: 'Count' },
  // Time to first human response (helpdesk): count, sum and histogram.
  firstResponses: { metric: 'FirstResponses', title: 'First responses', unit: 'Count' },
  firstResponseSeconds: { metric: 'FirstResponseSeconds', title: 'Time to first response (sum)', unit: 'Seconds' },
  firstResponseLe60: { metric: 'FirstResponseLe60s', title: 'First response ≤ 1 min', unit: 'Count' },
  firstResponseLe120: { metric: 'FirstResponseLe120s', title: 'First response 1–2 min', unit: 'Count' },
  firstResponseLe300: { metric: 'FirstResponseLe300s', title: 'First response 2–5 min', unit: 'Count' },
  firstResponseLe600: { metric: 'FirstResponseLe600s', title: 'First response 5–10 min', unit: 'Count' },
  firstResponseLe1800: { metric: 'FirstResponseLe1800s', title: 'First response 10–30 min', unit: 'Count' },
  firstResponseLe3600: { metric: 'FirstResponseLe3600s', title: 'First response 30–60 min', unit: 'Count' },
  firstResponseLe14400: { metric: 'FirstResponseLe14400s', title: 'First response 1–4 h', unit: 'Count' },
  firstResponseLe86400: { metric: 'FirstResponseLe86400s', title: 'First response 4–24 h', unit: 'Count' },
  firstResponseOver86400: { metric: 'FirstResponseOver86400s', title: 'First response > 24 h', unit: 'Count' },
} as const satisfies Record<string, CounterDefinition>;

export type Counter = keyof typeof COUNTER_DEFINITIONS;

export const COUNTERS = Object.keys(COUNTER_DEFINITIONS) as readonly Counter[];

/** The CloudWatch metric name of each counter (EMF from the aggregator, graphs on the dashboards). */
export const COUNTER_METRIC: Readonly<Record<Counter, string>> = Object.fromEntries(COUNTERS.map((c) => [c, COUNTER_DEFINITIONS[c].metric])) as Record<Counter, string>;

/** Amounts to add to counters; absent means 0. */
export type CounterAdd = Partial<Record<Counter, number>>;

// ── Failure buckets ────────────────────────────────────────────────────────────────────────

/** Meta error codes with a bucket of their own (shared/reference/whatsapp-cloud-api.md). */
export const META_ERROR = {
  undeliverable: 131026,
  limitedByMeta: 131049,
  marketingOptOut: 131050,
  experiment: 130472,
} as const;

export const FAILURE_BUCKETS = ['undeliverable', 'limited', 'marketingOptOut', 'template', 'other'] as const;
export type FailureBucket = (typeof FAILURE_BUCKETS)[number];

export const FAILURE_BUCKET_COUNTER: Readonly<Record<FailureBucket, Counter>> = {
  undeliverable: 'failedUndeliverable',
  limited: 'failedLimited',
  marketingOptOut: 'failedMarketingOptOut',
  template: 'failedTemplate',
  other: 'failedOther',
};

/** The failure bucket of a Meta error code, or 'experiment' for 130472, which is no failure of ours. */
export function failureBucketOf(errorCode: number | undefined): FailureBucket | 'experiment' {
  switch (errorCode) {
    case META_ERROR.undeliverable:
      return 'undeliverable';
    case META_ERROR.limitedByMeta:
      return 'limited';
    case META_ERROR.marketingOptOut:
      return 'marketingOptOut';
    case META_ERROR.experiment:
      return 'experiment';
    default:
      return errorCode !== undefined && errorCode >= 132_000 && errorCode <= 132_999 ? 'template' : 'other';
  }
}

// ── Billable categories and first-response histogram ──────────────────────────────────────

const BILLABLE_COUNTER: Readonly<Record<string, Counter>> = {
  utility: 'billableUtility',
  marketing: 'billableMarketing',
  service: 'billableService',
  authentication: 'billableAuthentication',
};

/**
 * The billable counter of a delivery, from Meta's pricing (`billable`, `category`), or undefined
 * when Meta says it does not bill it or sent no category. Unknown categories are data: "other".
 */
export function billableCounterOf(billable: boolean | undefined, category: string | undefined): Counter | undefined {
  if (billable === false || category === undefined) return undefined;
  return BILLABLE_COUNTER[category.toLowerCase()] ?? 'billableOther';
}

/** Histogram bucket counters, in bound order, the open bucket last. */
export const FIRST_RESPONSE_BUCKETS = [
  'firstResponseLe60',
  'firstResponseLe120',
  'firstResponseLe300',
  'firstResponseLe600',
  'firstResponseLe1800',
  'firstResponseLe3600',
  'firstResponseLe14400',
  'firstResponseLe86400',
  'firstResponseOver86400',
] as const satisfies readonly Counter[];

/** What one first response (seconds from the customer's message to the first human reply) adds. */
export function firstResponseAdd(seconds: number): CounterAdd {
  const index = FIRST_RESPONSE_BOUNDS_SECONDS.findIndex((bound) => seconds <= bound);
  const bucket = FIRST_RESPONSE_BUCKETS[index === -1 ? FIRST_RESPONSE_BUCKETS.length - 1 : index]!;
  return { firstResponses: 1, firstResponseSeconds: seconds, [bucket]: 1 };
}

// ── Events → counters ──────────────────────────────────────────────────────────────────────

/**
 * One increment of a domain event, with the id it is deduplicated by. Counters kept per journey
 * get an id derived from the order and milestone, so the second reply, a second NPS answer or a
 * retried send of the same journey finds its id already counted and adds nothing.
 */
export interface EventIncrement {
  eventId: string;
  add: CounterAdd;
  /** Counted in the cohort of a journey purchased at this instant: that day, no milestone, template or variant. */
  cohortOf?: string;
}

/** Dedupe id of a per-journey fact; milestone before order id, so no order id can forge another's. */
const journeyId = (fact: string, milestone: string, orderId: string) => `kpi:${fact}:${milestone}:${orderId}`;

const NPS_PROMOTER_MIN = 9;
const NPS_PASSIVE_MIN = 7;

/**
 * The counter increments a domain event stands for: the one place where an event type and its
 * detail (status, error code, NPS score, pricing, revenue, holdout) become counts. Pure.
 */
export function incrementsOf(event: KpiEvent): EventIncrement[] {
  if (isHelpdeskKpiEvent(event)) return helpdeskIncrementsOf(event);
  const { detail } = event;
  const own = (add: CounterAdd): EventIncrement => ({ eventId: detail.eventId, add });
  switch (event.type) {
    case DOMAIN_EVENT.messageSent:
      return [own({ sent: 1 }), { eventId: journeyId('journey', event.detail.milestone, event.detail.orderId), add: { journeys: 1 } }];
    case DOMAIN_EVENT.messageDelivered:
    case DOMAIN_EVENT.messageRead: {
      const counter = event.type === DOMAIN_EVENT.messageDelivered ? 'delivered' : 'read';
      return [own({ [counter]: 1 }), ...billingOf(event), { eventId: journeyId('journey', event.detail.milestone, event.detail.orderId), add: { journeys: 1 } }];
    }
    case DOMAIN_EVENT.messageFailed: {
      const bucket = failureBucketOf(event.detail.errorCode);
      return [
        own(bucket === 'experiment' ? { excludedExperiment: 1 } : { failed: 1, [FAILURE_BUCKET_COUNTER[bucket]]: 1 }),
        { eventId: journeyId('journey', event.detail.milestone, event.detail.orderId), add: { journeys: 1 } },
      ];
    }
    case DOMAIN_EVENT.messageSkipped: {
      const holdout = event.detail.reason === HOLDOUT_SKIP_REASON;
      return [
        own({ skipped: 1 }),
        { eventId: journeyId('journey', event.detail.milestone, event.detail.orderId), add: holdout ? { holdoutJourneys: 1 } : { journeys: 1 } },
      ];
    }
    case DOMAIN_EVENT.replyReceived:
      return [own({ replies: 1 }), { eventId: journeyId('responded', event.detail.milestone, event.detail.orderId), add: { responders: 1 } }];
    case DOMAIN_EVENT.npsAnswered: {
      // The first answer of a journey counts; a second one (after the reminder) does not.
      const { score, milestone, orderId } = event.detail;
      const group = score >= NPS_PROMOTER_MIN ? 'npsPromoters' : score >= NPS_PASSIVE_MIN ? 'npsPassives' : 'npsDetractors';
      return [{ eventId: journeyId('nps', milestone, orderId), add: { npsAnswers: 1, [group]: 1 } }];
    }
    case DOMAIN_EVENT.npsUnanswered:
      return [{ eventId: journeyId('nps-unanswered', event.detail.milestone, event.detail.orderId), add: { npsUnanswered: 1 } }];
    case DOMAIN_EVENT.optedIn:
      return [own({ optIns: 1 })];
    case DOMAIN_EVENT.optedOut:
      return [own({ optOuts: 1 })];
    case DOMAIN_EVENT.ticketRequested:
      return [own(event.detail.reason === CALLBACK_TICKET_REASON ? { tickets: 1, callbacks: 1 } : { tickets: 1 })];
    case DOMAIN_EVENT.chatHandoffRequested:
      return [own({ chatHandoffs: 1 })];
    case DOMAIN_EVENT.bookingRequested:
      return [own({ bookings: 1 })];
    case DOMAIN_EVENT.leadCreated:
      return [own({ leads: 1 })];
    case DOMAIN_EVENT.fallbackRequested:
      return [own({ fallbacks: 1 })];
    case DOMAIN_EVENT.journeyStarted:
      return [own(event.detail.holdout ? { cohortHoldout: 1 } : { cohortMessaged: 1 })];
    case DOMAIN_EVENT.repurchaseAttributed: {
      const { attribution, orderId, milestone, revenue, holdout, cohort } = event.detail;
      const amount = revenue?.amount ?? 0;
      const message: EventIncrement[] =
        attribution === 'message' && milestone !== undefined
          ? [own(amount > 0 ? { repurchases: 1, repurchaseRevenue: amount } : { repurchases: 1 }), { eventId: journeyId('converted', milestone, orderId), add: { repurchasers: 1 } }]
          : [];
      // The repurchase rate counts journeys with a repurchase, not purchases: once per cohort journey.
      const group: CounterAdd = holdout ? { holdoutRepurchasers: 1 } : { cohortRepurchasers: 1 };
      return cohort === undefined ? message : [...message, { eventId: `kpi:cohort-repurchaser:${cohort.orderId}`, add: group, cohortOf: cohort.purchasedAt }];
    }
  }
}

/**
 * What Meta bills for a message, once per message: its pricing rides on `delivered` or on
 * `read` (whichever Meta chose), and a `delivered` can come after the delivery a `read` implied
 * (shared/whatsapp/status-events.ts), so billing is deduplicated by message, not by status.
 */
function billingOf(event: Extract<KpiEvent, { type: typeof DOMAIN_EVENT.messageDelivered | typeof DOMAIN_EVENT.messageRead }>): EventIncrement[] {
  const { pricing, country, occurredAt, eventId } = event.detail;
  const billable = billableCounterOf(pricing?.billable, pricing?.category);
  if (billable === undefined) return [];
  const price = whatsappPriceMicroUsd(country, pricing!.category!, new Date(occurredAt));
  // Statuses always name their message (digested on the bus, shared/events/public.ts); without
  // it, the status stands for its message.
  const message = event.detail.wamid ?? eventId;
  return [{ eventId: `kpi:billed:${message}`, add: price === undefined ? { [billable]: 1, unpricedBillable: 1 } : { [billable]: 1, costMicroUsd: price } }];
}

/**
 * Helpdesk events are deduplicated by ticket, not by delivery: the reopened rate counts tickets
 * reopened at least once, and a ticket closed twice is one closed ticket.
 */
function helpdeskIncrementsOf(event: HelpdeskKpiEvent): EventIncrement[] {
  const { ticketId } = event.detail;
  switch (event.type) {
    case HELPDESK_EVENT.ticketOpened:
      return [{ eventId: `kpi:ticket-opened:${ticketId}`, add: { ticketsOpened: 1 } }];
    case HELPDESK_EVENT.ticketReopened:
      return [{ eventId: `kpi:ticket-reopened:${ticketId}`, add: { ticketsReopened: 1 } }];
    case HELPDESK_EVENT.ticketClosed:
      return [{ eventId: `kpi:ticket-closed:${ticketId}`, add: { ticketsClosed: 1 } }];
    case HELPDESK_EVENT.agentReplied: {
      const { customerMessageAt, occurredAt } = event.detail;
      if (customerMessageAt === undefined) return [];
      const messageMs = Date.parse(customerMessageAt);
      // One measurement per customer message, however many replies claim it; the time goes
      // before the ticket id, so no ticket id can forge another's.
      return [{ eventId: `kpi:first-response:${messageMs}:${ticketId}`, add: firstResponseAdd((Date.parse(occurredAt) - messageMs) / 1000) }];
    }
  }
}
