import { DOMAIN_EVENT, type DomainEventType } from '../events/domain';

/** CloudWatch namespace of every Posventa metric; the dashboards read the same constant. */
export const METRIC_NAMESPACE = 'Posventa';

/** The dimension every counter metric carries; values are milestone ids. */
export const MILESTONE_DIMENSION = 'Milestone';

/** Counters kept per day × milestone × template × variant. */
export const COUNTERS = ['sent', 'delivered', 'read', 'failed', 'replies'] as const;
export type Counter = (typeof COUNTERS)[number];

/** The CloudWatch metric name of each counter (EMF from the aggregator, graphs on the dashboards). */
export const COUNTER_METRIC: Readonly<Record<Counter, string>> = {
  sent: 'MessagesSent',
  delivered: 'MessagesDelivered',
  read: 'MessagesRead',
  failed: 'MessagesFailed',
  replies: 'RepliesReceived',
};

/** Which counter a domain event increments. */
export const COUNTER_OF_EVENT: Readonly<Partial<Record<DomainEventType, Counter>>> = {
  [DOMAIN_EVENT.messageSent]: 'sent',
  [DOMAIN_EVENT.messageDelivered]: 'delivered',
  [DOMAIN_EVENT.messageRead]: 'read',
  [DOMAIN_EVENT.messageFailed]: 'failed',
  [DOMAIN_EVENT.replyReceived]: 'replies',
};
