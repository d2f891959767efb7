/**
 * A journey's answer to its NPS survey (or to the survey's reminder), kept by the webhook so
 * the day-60 step can send promoters the review / referral message
 * (shared/templates/catalogue.ts, role `promoter`).
 */
export interface NpsAnswer {
  score: number;
  /** When the customer sent it (Meta's time). */
  at: string;
}

export interface NpsAnswers {
  /** Keeps the order's latest answer by the customer's time (a corrected score wins); Meta's retries write the same. */
  recordNpsAnswer(orderId: string, answer: NpsAnswer): Promise<void>;
  npsAnswerOf(orderId: string): Promise<NpsAnswer | undefined>;
}
