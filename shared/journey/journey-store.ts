import type { MessageRef } from '../whatsapp/callback-data';
import type { MilestoneId } from './milestones';

/**
 * The record of one milestone's message: claimed before Meta is called, then sent or failed,
 * or unconfirmed (Meta may or may not have taken it: the journey reconciles it with Meta's
 * statuses, shared/journey/reconcile.ts); or skipped (deliberately not sent), recorded without
 * a claim. A claim keeps the template and variant it was taken for.
 */
export type MessageRecord =
  | ({ status: 'claimed'; claimedAt: string } & ClaimedTemplate)
  | ({ status: 'unconfirmed'; reason: string; unconfirmedAt: string; claimedAt: string } & ClaimedTemplate)
  | { status: 'sent'; wamid: string; sentAt: string }
  | { status: 'failed'; reason: string; failedAt: string; errorCode?: number }
  | { status: 'skipped'; reason: string; skippedAt: string; detail?: string };

/**
 * What a message record is kept under within an order: a milestone's message, or the one
 * reminder of its question (shared/journey/follow-up.ts), which has the same lifecycle.
 */
/** What a claim was taken for (absent only on records written before claims kept it). */
export interface ClaimedTemplate {
  template?: string;
  variant?: string;
}

export type MessageSlot = MilestoneId | `${MilestoneId}#reminder`;

export const reminderSlot = (milestone: MilestoneId): MessageSlot => `${milestone}#reminder`;

export interface MessageClaim {
  orderId: string;
  milestone: MilestoneId;
  template: string;
  variant: string;
  /** The customer's own variant, when `variant` stood in for it (its template could not be sent). */
  assignedVariant?: string;
  /** Why the assigned variant was not sent. */
  standInReason?: string;
  claimedAt: string;
  /** The consent the send was decided on: the claim holds only while it is still current. */
  consent?: ConsentGuard;
}

/**
 * The contact's consent version a send was decided on (shared/consent/ledger.ts). The claim
 * checks it in the same transaction, so a claim and an opt-out serialize: an opt-out committed
 * after the decision's read fails the claim, and no send is decided on a stale consent.
 */
export interface ConsentGuard {
  phone: string;
  version: number;
}

/** A claim of any slot: a milestone's message or its reminder (which takes no caps). */
export type SlotClaim = Omit<MessageClaim, 'milestone'> & { milestone: MessageSlot };

export interface MessageSkip {
  orderId: string;
  milestone: MilestoneId;
  template: string;
  variant: string;
  /** One of SKIP_REASON (shared/events/domain.ts). */
  reason: string;
  detail?: string;
  skippedAt: string;
}

/** Per-contact limits across journeys, each one item per contact (shared/journey/frequency-cap.ts). */
export type ContactCap = 'marketing' | 'nps';

/**
 * Taking a contact cap together with a claim: it passes when the contact's last take of this
 * cap was at or before `lastAtOrBefore` (or never happened, or was this same order × milestone,
 * a retried step), and then records `at` as the last take.
 */
export interface CapTake {
  cap: ContactCap;
  /** E.164: caps are per contact, across orders. */
  phone: string;
  at: string;
  /** `at` minus the cap's window. */
  lastAtOrBefore: string;
  /** When the cap item may be deleted (TTL): once it can no longer block anything. */
  expiresAt: string;
}

export type SlotClaimResult =
  | { claimed: true }
  | { claimed: false; existing: MessageRecord }
  /** Another write to the same items raced this one; retry the step. */
  | { claimed: false; conflict: true }
  /** The contact's consent changed after the decision read it: decide again. */
  | { claimed: false; consentChanged: true };

export type CappedClaim =
  | SlotClaimResult
  /** A cap did not pass: `lastAt` is when it was last taken (by another journey). */
  | { claimed: false; capped: ContactCap; lastAt: string };

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
  /** Claims order × milestone (or its reminder); returns the existing record when someone already did. */
  claimMessage(claim: SlotClaim): Promise<SlotClaimResult>;
  /**
   * Claims order × milestone and takes every cap in `caps`, all or nothing, so two journeys of
   * one contact cannot both pass a cap. With no caps it is `claimMessage`.
   */
  claimMessageUnderCaps(claim: MessageClaim, caps: readonly CapTake[]): Promise<CappedClaim>;
  /** Records a skip unless the milestone already has a record, which it returns instead. */
  recordSkipped(skip: MessageSkip): Promise<{ recorded: true } | { recorded: false; existing: MessageRecord }>;
  recordSent(orderId: string, milestone: MessageSlot, wamid: string, sentAt: string): Promise<void>;
  recordFailed(orderId: string, milestone: MessageSlot, failure: { reason: string; failedAt: string; errorCode?: number }): Promise<void>;
  /** Marks a claim whose send may or may not have reached Meta; it stays taken until reconciled. */
  recordUnconfirmed(orderId: string, milestone: MessageSlot, unconfirmed: { reason: string; unconfirmedAt: string }): Promise<void>;
  /** Gives the claim back after a send that certainly did not happen, so a retry may send. */
  releaseClaim(orderId: string, milestone: MessageSlot): Promise<void>;
  /**
   * Gives back the claim taken at `claimedAt` (claimed or unconfirmed) once reconciliation found
   * that Meta never took its message, so the send step may send it again. Only that claim: a
   * retried reconciliation never releases a later one. Idempotent.
   */
  releaseUnconfirmed(orderId: string, milestone: MessageSlot, claimedAt: string): Promise<void>;
  /** Records wamid → journey and the phone's last journey message (kept only if newer). Idempotent. */
  recordSentMessage(message: SentMessage): Promise<void>;
  messageByWamid(wamid: string): Promise<SentMessage | undefined>;
  lastMessageTo(phone: string): Promise<SentMessage | undefined>;
}
