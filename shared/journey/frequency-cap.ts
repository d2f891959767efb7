import { DAY_MS } from '../clock';
import type { CapTake, ContactCap } from './journey-store';
import type { MilestoneId, TemplateCategory } from './milestones';

/**
 * Per-contact limits across all of a contact's journeys (DESIGN.md §1): at most one
 * marketing message per 7 days, at most one NPS survey per 90 days. Each is one item per
 * contact, taken atomically with the message's claim (JourneyStore.claimMessageUnderCaps).
 */
export interface ContactCapSettings {
  /** A marketing message waits until this many days after the contact's last one. */
  readonly marketingDays: number;
  /** An NPS survey is skipped within this many days of the contact's last one. */
  readonly npsDays: number;
  /** Times a marketing message may wait for the cap before it is skipped (`frequency-cap`). */
  readonly maxCapDeferrals: number;
  /**
   * Gaps before each retry after Meta's per-user marketing limit (131049): never under 24 h,
   * since Meta warns that retrying sooner can block the user for a day (DESIGN.md §7). After
   * the last one the message is recorded failed.
   */
  readonly metaLimitRetryHours: readonly number[];
}

/**
 * TODO(config): read these from the journey settings (`posventa.journey.frequencyCaps`:
 * `marketingDays`, `npsDays`, `maxCapDeferrals`, `metaLimitRetryHours`) once
 * shared/journey/config.ts has them; until then they are these constants.
 */
export const DEFAULT_CONTACT_CAPS: ContactCapSettings = {
  marketingDays: 7,
  npsDays: 90,
  maxCapDeferrals: 8,
  metaLimitRetryHours: [24, 48, 72],
};

/** The milestone whose message is the NPS survey (its replies are read as scores, shared/replies/). */
export const NPS_SURVEY_MILESTONE: MilestoneId = 'day30';

/** Days a cap blocks after it is taken. */
export function capDays(cap: ContactCap, settings: ContactCapSettings): number {
  return cap === 'marketing' ? settings.marketingDays : settings.npsDays;
}

/** The caps a message takes: the marketing cap for marketing templates, the NPS cap for the survey. */
export function capsFor(
  message: { milestone: MilestoneId; category: TemplateCategory; phone: string },
  now: Date,
  settings: ContactCapSettings,
): CapTake[] {
  const caps: ContactCap[] = [];
  if (message.category === 'marketing') caps.push('marketing');
  if (message.milestone === NPS_SURVEY_MILESTONE) caps.push('nps');
  return caps.map((cap) => {
    const windowMs = capDays(cap, settings) * DAY_MS;
    return {
      cap,
      phone: message.phone,
      at: now.toISOString(),
      lastAtOrBefore: new Date(now.getTime() - windowMs).toISOString(),
      // A day past the window, so the item outlives any clock skew between steps.
      expiresAt: new Date(now.getTime() + windowMs + DAY_MS).toISOString(),
    };
  });
}

/** When a cap last taken at `lastAt` lets the next message through. */
export function capFreesAt(cap: ContactCap, lastAt: string, settings: ContactCapSettings): Date {
  return new Date(Date.parse(lastAt) + capDays(cap, settings) * DAY_MS);
}

/**
 * How long to wait after the `retriesSoFar`+1-th 131049, or `undefined` when the retries are
 * used up and the message should be recorded failed.
 */
export function metaLimitRetryGapMs(retriesSoFar: number, settings: ContactCapSettings): number | undefined {
  const hours = settings.metaLimitRetryHours[retriesSoFar];
  return hours === undefined ? undefined : Math.max(hours, 24) * 3_600_000;
}
