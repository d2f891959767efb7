import type { MessageRef } from '../whatsapp/callback-data';
import type { MilestoneId } from './milestones';

/**
 * What Meta and the customer told us about one of our messages after it went out, as the
 * webhook records it (by wamid) and the journey's follow-up step reads it
 * (shared/journey/follow-up.ts).
 */
export interface MessageFacts {
  /** When the customer first answered it (any reply tied to it; a consent keyword is not one). */
  repliedAt?: string;
  /** Meta's `failed` status: the error code (131049, 131050, 131026…) and when. */
  failure?: { code?: number; at: string };
}

/**
 * Meta's word that it took one of our messages: a status of it (sent, delivered, read or
 * failed), kept under its order by the callback data Meta echoed, with the wamid Meta gave and
 * the earliest status time (Meta's clock). A send the journey could not confirm is reconciled
 * with these (shared/journey/reconcile.ts).
 */
export interface TakenMessage extends MessageRef {
  wamid: string;
  at: string;
}

/** The webhook's side: one write per fact, idempotent (Meta's retries write the same). */
export interface MessageFactsRecorder {
  recordReply(wamid: string, at: string): Promise<void>;
  recordFailure(wamid: string, failure: { code?: number; at: string }): Promise<void>;
  /** Keeps the earliest status time per wamid, so late or repeated statuses change nothing. */
  recordTaken(message: TakenMessage): Promise<void>;
}

/** How a follow-up ended, kept on the milestone's message record. */
export interface FollowUpResult {
  result: string;
  at: string;
  detail?: string;
}

/** The follow-up step's side of storage (DynamoDB: shared/aws/message-facts.ts). */
export interface FollowUpStore {
  /** Facts of a wamid, read strongly consistent; `{}` when there are none. */
  factsOf(wamid: string): Promise<MessageFacts>;
  /**
   * Gives back the record of a sent message Meta then failed with 131049, so the send step
   * claims and sends it again; only while the record is still that send (`wamid`), so a
   * retried follow-up never reopens the resend.
   */
  reopenForResend(orderId: string, milestone: MilestoneId, wamid: string): Promise<void>;
  /** Every message of the order Meta reported a status of, read strongly consistent. */
  takenOf(orderId: string): Promise<TakenMessage[]>;
  /** Records how the milestone's follow-up ended; the first result recorded stays. */
  recordResult(orderId: string, milestone: MilestoneId, result: FollowUpResult): Promise<void>;
}
