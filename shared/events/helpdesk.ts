import * as z from 'zod/mini';
import { MILESTONE_IDS } from '../journey/milestones';

/**
 * Events a store's helpdesk puts on the bus, so Posventa can measure what happens to the
 * tickets its journeys open (reopened rate, time to first response: DESIGN.md §4). A public
 * contract, like `Purchase Completed`: unknown fields are ignored, and no field carries a phone
 * number — a ticket is named by the helpdesk's ticket id and, when known, our order id, the
 * store's customer id and the journey message that led to it.
 */

/** Default `source` of helpdesk events; the stack can be configured with another (`helpdeskEventSource`). */
export const HELPDESK_EVENT_SOURCE = 'posventa.helpdesk';

export const HELPDESK_EVENT = {
  ticketOpened: 'Ticket Opened',
  ticketReopened: 'Ticket Reopened',
  ticketClosed: 'Ticket Closed',
  agentReplied: 'Agent Replied',
} as const;

export type HelpdeskEventType = (typeof HELPDESK_EVENT)[keyof typeof HELPDESK_EVENT];

export const HELPDESK_EVENT_TYPES = Object.values(HELPDESK_EVENT) as readonly HelpdeskEventType[];

const identifier = () => z.string().check(z.trim(), z.minLength(1), z.maxLength(256));

/**
 * Every helpdesk event. KPIs count each ticket once per kind of event (opened, reopened, closed),
 * whatever the number of deliveries, so the ticket id is the dedupe key and no event id is needed.
 */
const ticketFields = {
  /** The helpdesk's own ticket id. */
  ticketId: identifier(),
  /** When it happened, in the helpdesk (ISO 8601 with offset). Counted on this day. */
  occurredAt: z.iso.datetime({ offset: true }),
  /** Our order id, when the ticket came from a journey (`Ticket Requested`, `Chat Handoff Requested`). */
  orderId: z.optional(identifier()),
  /** The store's customer id (`customer.id` of the purchase). */
  contactId: z.optional(identifier()),
  /**
   * The journey message that led to the ticket, copied from the Posventa event that asked for
   * it; with them the KPIs are also kept per milestone, template and variant, without them
   * under "unattributed".
   */
  milestone: z.optional(z.enum(MILESTONE_IDS)),
  template: z.optional(identifier()),
  variant: z.optional(identifier()),
};

/** `Ticket Opened`, `Ticket Reopened`, `Ticket Closed`. */
export const ticketEventDetailSchema = z.looseObject(ticketFields);

export type TicketEventDetail = z.infer<typeof ticketEventDetailSchema>;

/**
 * `Agent Replied`: a person answered the customer. `customerMessageAt` is when the customer's
 * message this reply answers arrived (the earliest one still unanswered): the helpdesk is the
 * only system that sees both sides of that conversation, so it says which message the reply
 * answers, and every event carries its own measurement. Set it on the first reply after a
 * customer message, leave it out on follow-ups; a reply without it is valid and measures nothing.
 */
export const agentRepliedDetailSchema = z.looseObject({ ...ticketFields, customerMessageAt: z.optional(z.iso.datetime({ offset: true })) }).check(
  z.refine((detail) => detail.customerMessageAt === undefined || Date.parse(detail.customerMessageAt) <= Date.parse(detail.occurredAt), {
    message: 'customerMessageAt must not be after occurredAt (a reply cannot come before the message it answers)',
    path: ['customerMessageAt'],
  }),
);

export type AgentRepliedDetail = z.infer<typeof agentRepliedDetailSchema>;

export const HELPDESK_DETAIL_SCHEMA = {
  [HELPDESK_EVENT.ticketOpened]: ticketEventDetailSchema,
  [HELPDESK_EVENT.ticketReopened]: ticketEventDetailSchema,
  [HELPDESK_EVENT.ticketClosed]: ticketEventDetailSchema,
  [HELPDESK_EVENT.agentReplied]: agentRepliedDetailSchema,
} as const satisfies Record<HelpdeskEventType, z.ZodMiniType>;
