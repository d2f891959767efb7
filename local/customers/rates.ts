import { z } from 'zod';

/**
 * How simulated customers behave, as shares (0–1) of the journey messages they get. Each
 * milestone's shares are of its delivered messages; what they leave over is "no reply".
 * An opt-out is drawn first, so it can answer any milestone's message.
 */
export interface CustomerRates {
  /** Template messages Meta cannot deliver: `sent`, then `failed` with 131026. */
  undeliverable: number;
  /** Delivered messages answered with an opt-out keyword (`BAJA`). */
  optOut: number;
  day7: { chat: number; booking: number; freeText: number };
  /** `scores` weighs the answers 0…10 relative to each other (11 weights). */
  day30: { score: number; callback: number; scores: readonly number[] };
  day60: { yes: number };
  /** Virtual minutes between reading a message and answering it: uniform in [min, max]. */
  replyDelayMinutes: { min: number; max: number };
}

/**
 * Plausible for a post-purchase journey: about a third answer day 7, 40 % answer the survey
 * (NPS about +30), 8 % take the day-60 offer, 1 % opt out, 1 % are unreachable.
 */
export const DEFAULT_CUSTOMER_RATES: CustomerRates = {
  undeliverable: 0.01,
  optOut: 0.01,
  day7: { chat: 0.12, booking: 0.08, freeText: 0.1 },
  day30: { score: 0.4, callback: 0.02, scores: [2, 1, 1, 1, 2, 3, 4, 8, 10, 12, 16] },
  day60: { yes: 0.08 },
  replyDelayMinutes: { min: 5, max: 240 },
};

const share = z.number().min(0).max(1);

const ratesOverride = z.strictObject({
  undeliverable: share.optional(),
  optOut: share.optional(),
  day7: z.strictObject({ chat: share.optional(), booking: share.optional(), freeText: share.optional() }).optional(),
  day30: z
    .strictObject({
      score: share.optional(),
      callback: share.optional(),
      scores: z.array(z.number().min(0)).length(11, 'needs 11 weights, for the scores 0 to 10').readonly().optional(),
    })
    .optional(),
  day60: z.strictObject({ yes: share.optional() }).optional(),
  replyDelayMinutes: z.strictObject({ min: z.number().min(0).optional(), max: z.number().min(0).optional() }).optional(),
});

export type CustomerRatesOverride = z.input<typeof ratesOverride>;

/** The defaults with `override` laid over them; throws naming the rate when the result is impossible. */
export function resolveCustomerRates(override: unknown = {}): CustomerRates {
  const parsed = ratesOverride.safeParse(override);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Customer rates: ${issue.path.join('.') || 'rates'}: ${issue.message}`);
  }
  const o = parsed.data;
  const d = DEFAULT_CUSTOMER_RATES;
  const rates: CustomerRates = {
    undeliverable: o.undeliverable ?? d.undeliverable,
    optOut: o.optOut ?? d.optOut,
    day7: { ...d.day7, ...o.day7 },
    day30: { ...d.day30, ...o.day30 },
    day60: { ...d.day60, ...o.day60 },
    replyDelayMinutes: { ...d.replyDelayMinutes, ...o.replyDelayMinutes },
  };
  const sums: Array<[string, number]> = [
    ['optOut + day7.*', rates.optOut + rates.day7.chat + rates.day7.booking + rates.day7.freeText],
    ['optOut + day30.score + day30.callback', rates.optOut + rates.day30.score + rates.day30.callback],
    ['optOut + day60.yes', rates.optOut + rates.day60.yes],
  ];
  for (const [what, sum] of sums) if (sum > 1 + 1e-9) throw new Error(`Customer rates: ${what} add up to ${sum}, more than 1`);
  if (rates.day30.score > 0 && rates.day30.scores.every((w) => w === 0)) throw new Error('Customer rates: day30.scores are all 0 while day30.score is not');
  if (rates.replyDelayMinutes.min > rates.replyDelayMinutes.max) throw new Error('Customer rates: replyDelayMinutes.min is above replyDelayMinutes.max');
  return rates;
}
