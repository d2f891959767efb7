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
  optedIn: 'Opted In',
  optedOut: 'Opted Out',
  ticketRequested: 'Ticket Requested',
  chatHandoffRequested: 'Chat Handoff Requested',
  bookingRequested: 'Booking Requested',
  leadCreated: 'Lead Created',
  fallbackRequested: 'Fallback Requested',
  repurchaseAttributed: 'Repurchase Attributed',
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

export interface DomainEvent {
  type: DomainEventType;
  detail: MessageEventDetail;
}

const DOMAIN_EVENT_TYPES: ReadonlySet<string> = new Set(Object.values(DOMAIN_EVENT));

export function domainEventTypeOf(detailType: unknown): DomainEventType | undefined {
  return typeof detailType === 'string' && DOMAIN_EVENT_TYPES.has(detailType) ? (detailType as DomainEventType) : undefined;
}
