import { DOMAIN_EVENT, type DomainEvent, type DomainEventType } from '../events/domain';
import { decodeMessageRef } from './callback-data';
import type { WebhookStatus } from './webhook-payload';

const EVENT_OF_STATUS: Readonly<Record<string, DomainEventType>> = {
  sent: DOMAIN_EVENT.messageSent,
  delivered: DOMAIN_EVENT.messageDelivered,
  read: DOMAIN_EVENT.messageRead,
  failed: DOMAIN_EVENT.messageFailed,
};

export type StatusMapping = { event: DomainEvent } | { ignored: string };

/**
 * The domain event a status webhook stands for. Its id is wamid + status, the same the send
 * step uses for `sent`, so duplicates and Meta's retries collapse downstream.
 */
export function domainEventOfStatus(status: WebhookStatus): StatusMapping {
  const type = EVENT_OF_STATUS[status.status];
  if (type === undefined) return { ignored: `status "${status.status}" is not tracked` };
  const ref = decodeMessageRef(status.biz_opaque_callback_data);
  if (ref === undefined) return { ignored: 'status without Posventa callback data (not sent by a journey)' };
  const errorCode = status.errors?.[0]?.code;
  return {
    event: {
      type,
      detail: {
        eventId: `${status.id}:${status.status}`,
        occurredAt: new Date(Number(status.timestamp) * 1000).toISOString(),
        ...ref,
        wamid: status.id,
        ...(errorCode === undefined ? {} : { errorCode }),
      },
    },
  };
}
