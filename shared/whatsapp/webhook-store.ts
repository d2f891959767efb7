import type { ContactLink } from './contact';

/**
 * What the webhook needs from storage to have each effect once (DynamoDB in AWS and locally,
 * shared/aws/webhook-store.ts). Domain code sees these interfaces only.
 */

/**
 * The outcome of claiming one unit of effects (a status, an inbound message, a template change):
 * `done` = already had its effect (a duplicate); `in-progress` = another delivery holds a live
 * claim on it right now.
 */
export type MarkClaim = { claimed: true; token: string } | { claimed: false; state: 'done' | 'in-progress' };

/**
 * Dedupe marks, `pending` → `done`. A claim is taken before publishing and marked done after;
 * a claim whose holder failed is released, and one whose holder died expires after a lease,
 * so a mark never blocks Meta's retry from publishing.
 */
export interface WebhookMarks {
  /**
   * `overImplied`: also take a mark that an implied unit (a delivery a `read` implied) left
   * done, for the real status that brings what the implied one lacked (Meta's pricing).
   */
  claim(key: string, options?: { overImplied?: boolean }): Promise<MarkClaim>;
  /** `implied`: done by an implied unit, so a real status with more to say can still claim it. */
  markDone(key: string, token: string, options?: { implied?: boolean }): Promise<void>;
  release(key: string, token: string): Promise<void>;
}

/** Per-contact facts the webhook keeps; contacts are keyed by `contactKeyOf` (shared/whatsapp/contact.ts). */
export interface ContactFacts {
  /** Remembers the phone a BSUID belongs to (the latest link seen wins). Idempotent. */
  linkBsuid(link: ContactLink): Promise<void>;
  /** The phone a BSUID was last seen with, if it ever was. */
  phoneOfBsuid(bsuid: string): Promise<string | undefined>;
  /** The customer service window: keeps the latest inbound time (never moves back). */
  recordInbound(contactKey: string, inbound: { at: string; wamid: string; bsuid?: string }): Promise<void>;
  /** Promotions paused for this contact (an NPS detractor). */
  pauseMarketing(contactKey: string, pause: { at: string; reason: string; orderId: string; inboundWamid: string }): Promise<void>;
}
