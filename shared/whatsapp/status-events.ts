import { DOMAIN_EVENT, type DomainEvent, type MessageEventDetail, type MessageEventType } from '../events/domain';
import { customerCountry } from '../journey/country';
import { decodeMessageRef, type MessageRef } from './callback-data';
import { phoneFromWaId } from './contact';
import type { WebhookStatus } from './webhook-payload';

const EVENT_OF_STATUS: Readonly<Record<string, MessageEventType>> = {
  sent: DOMAIN_EVENT.messageSent,
  delivered: DOMAIN_EVENT.messageDelivered,
  read: DOMAIN_EVENT.messageRead,
  failed: DOMAIN_EVENT.messageFailed,
};

export type StatusMapping = { event: DomainEvent } | { unresolved: WebhookStatus } | { ignored: string };

/** Meta's `pricing` under our names; Meta rides it on `sent` and on one of `delivered` / `read`. */
function pricingOf(status: WebhookStatus): Record<string, unknown> | undefined {
  const pricing = status.pricing;
  if (pricing === undefined) return undefined;
  return {
    ...(pricing.billable === undefined ? {} : { billable: pricing.billable }),
    ...(pricing.pricing_model === undefined ? {} : { model: pricing.pricing_model }),
    ...(pricing.category === undefined ? {} : { category: pricing.category }),
    ...(pricing.type === undefined ? {} : { type: pricing.type }),
  };
}

export function isTrackedStatus(status: string): boolean {
  return Object.hasOwn(EVENT_OF_STATUS, status);
}

/**
 * The domain event of a status of one of our messages. Its id is wamid + status, the same the
 * send step uses for `sent`, so duplicates and Meta's retries collapse downstream.
 */
export function statusEvent(status: WebhookStatus, ref: MessageRef): DomainEvent | undefined {
  const type = EVENT_OF_STATUS[status.status];
  if (type === undefined) return undefined;
  const errorCode = status.errors?.[0]?.code;
  const pricing = pricingOf(status);
  const phone = phoneFromWaId(status.recipient_id);
  const country = phone === undefined ? undefined : customerCountry({ phone, locale: '' });
  const detail: MessageEventDetail = {
    eventId: `${status.id}:${status.status}`,
    occurredAt: new Date(Number(status.timestamp) * 1000).toISOString(),
    ...ref,
    wamid: status.id,
    ...(errorCode === undefined ? {} : { errorCode }),
    ...(pricing === undefined ? {} : { pricing }),
    ...(country === undefined ? {} : { country }),
  };
  return { type, detail };
}

/**
 * Classifies a status from the payload alone: its event when Meta echoed our callback data;
 * `unresolved` when the journey must be looked up by wamid; ignored when Posventa does not track it.
 */
export function domainEventOfStatus(status: WebhookStatus): StatusMapping {
  if (!isTrackedStatus(status.status)) return { ignored: `status "${status.status}" is not tracked` };
  const ref = decodeMessageRef(status.biz_opaque_callback_data);
  if (ref === undefined) return { unresolved: status };
  return { event: statusEvent(status, ref)! };
}

/**
 * Meta sends only `read` when delivery and reading happen together, and a `read` can overtake
 * its `delivered`: a read implies a delivery. Same id as the real `delivered` status, so
 * whichever comes first counts and the other is a duplicate.
 */
export function deliveryImpliedBy(read: DomainEvent): DomainEvent | undefined {
  if (read.type !== DOMAIN_EVENT.messageRead) return undefined;
  // The read keeps its pricing: when Meta sends only `read`, the pricing of the delivery is on it.
  const wamid = read.detail.wamid ?? read.detail.eventId.replace(/:read$/, '');
  return { type: DOMAIN_EVENT.messageDelivered, detail: { ...read.detail, eventId: `${wamid}:delivered`, inferredFrom: 'read' } };
}
