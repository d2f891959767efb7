import type { MessageRef } from '../whatsapp/callback-data';
import type { MilestoneId } from './milestones';

/** The record of one milestone's message: claimed before Meta is called, then sent or failed. */
export type MessageRecord =
  | { status: 'claimed'; claimedAt: string }
  | { status: 'sent'; wamid: string; sentAt: string }
  | { status: 'failed'; reason: string; failedAt: string; errorCode?: number };

export interface MessageClaim {
  orderId: string;
  milestone: MilestoneId;
  template: string;
  variant: string;
  claimedAt: string;
}

/**
 * A journey message Meta accepted, as the webhook needs it: a status without callback data and
 * a reply quoting it (`context.id`) find their journey by its wamid, and a reply without context
 * is matched to the last journey message sent to that phone.
 */
export interface SentMessage extends MessageRef {
  wamid: string;
  /** E.164, as the purchase event gives it. */
  phone: string;
  sentAt: string;
}

/** What the send step needs from storage; DynamoDB in AWS and locally (shared/aws/journey-store.ts). */
export interface JourneyStore {
  /** Claims order × milestone; returns the existing record when someone already did. */
  claimMessage(claim: MessageClaim): Promise<{ claimed: true } | { claimed: false; existing: MessageRecord }>;
  recordSent(orderId: string, milestone: MilestoneId, wamid: string, sentAt: string): Promise<void>;
  recordFailed(orderId: string, milestone: MilestoneId, failure: { reason: string; failedAt: string; errorCode?: number }): Promise<void>;
  /** Gives the claim back after a send that certainly did not happen, so a retry may send. */
  releaseClaim(orderId: string, milestone: MilestoneId): Promise<void>;
  /** Records wamid → journey and the phone's last journey message (kept only if newer). Idempotent. */
  recordSentMessage(message: SentMessage): Promise<void>;
  messageByWamid(wamid: string): Promise<SentMessage | undefined>;
  lastMessageTo(phone: string): Promise<SentMessage | undefined>;
}
