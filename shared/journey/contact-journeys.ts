/**
 * Which journeys a contact has, so an opt-out can stop them all, a reply to the contact can
 * be written in their language, and a new purchase finds the journeys it is a repurchase of. Written by start-journey before the execution starts; read by
 * the webhook. DynamoDB in AWS and locally (`dynamoContactJourneyIndex`, shared/aws/journey-store.ts).
 */
export interface ContactJourney {
  orderId: string;
  /** The execution carrying the journey (named after the order). */
  executionArn: string;
  /** The customer's locale on that purchase (es-AR, pt-BR, en-US…). */
  locale: string;
  purchasedAt: string;
  /** In the holdout (control group); absent on items written before it was recorded: false. */
  holdout?: boolean;
}

export interface ContactJourneyIndex {
  /** Idempotent: the same order twice is one item. */
  recordJourney(phone: string, journey: ContactJourney, expiresAt: Date): Promise<void>;
  /** Every journey of the contact (E.164 phone), newest purchase first. */
  journeysOf(phone: string): Promise<ContactJourney[]>;
}
