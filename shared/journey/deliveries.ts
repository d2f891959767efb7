import type { MessageRef } from '../whatsapp/callback-data';

/**
 * The journey messages delivered to a contact, newest last: what a purchase is attributed to
 * (last touch, shared/journey/repurchase.ts). Written by the webhook when Meta reports a
 * `delivered` (or a `read`, which implies it); read by start-journey when a purchase arrives.
 * DynamoDB in AWS and locally (`dynamoDeliveryLog`, shared/aws/journey-store.ts).
 */
export interface DeliveredMessage extends MessageRef {
  deliveredAt: string;
}

export interface DeliveryLog {
  /** Idempotent: the same delivery twice is one record. `phone` is E.164. */
  recordDelivered(phone: string, message: DeliveredMessage): Promise<void>;
  /** The contact's last delivery with `from` ≤ deliveredAt ≤ `to` (ISO instants), if any. */
  lastDeliveredTo(phone: string, from: string, to: string): Promise<DeliveredMessage | undefined>;
}
