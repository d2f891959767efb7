/** Source of every event Posventa itself puts on the bus. */
export const DOMAIN_EVENT_SOURCE = 'posventa';

/** Detail types of the domain events. Other systems subscribe to these names. */
export const DOMAIN_EVENT = {
  messageSent: 'Message Sent',
  messageDelivered: 'Message Delivered',
  messageRead: 'Message Read',
  messageFailed: 'Message Failed',
  replyReceived: 'Reply Received',
} as const;

export type DomainEventType = (typeof DOMAIN_EVENT)[keyof typeof DOMAIN_EVENT];
