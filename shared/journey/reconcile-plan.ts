import type { FollowUpSettings } from './follow-up-plan';
import type { TakenMessage } from './message-facts';
import type { MilestoneId } from './milestones';
import { nextSendTime, type SendRules } from './send-window';

/**
 * What becomes of a send Meta may or may not have taken (pure; the effects are in
 * ./reconcile.ts). Meta's send API has no idempotency key, so a send that got no answer is not
 * retried blindly: the journey waits, then looks for Meta's status webhooks of it, which carry
 * our callback data. A status means Meta took it; none by then means it did not, and the
 * message may go again, a bounded number of times.
 */

const HOUR_MS = 3_600_000;

/** Resends of one milestone's message that Meta never took, at most (three attempts in all). */
export const MAX_UNCONFIRMED_RESENDS = 2;

/**
 * Meta's status times are whole seconds on Meta's clock, so a status of this attempt may read a
 * little earlier than our claim. An earlier attempt of the same message (resent after 131049)
 * went out at least a day before, so it is never taken for this one.
 */
export const META_CLOCK_SLACK_MS = 5 * 60_000;

/**
 * When the journey looks for Meta's statuses of an unconfirmed send made at `since`: the wait
 * after it (now, if that has passed: a step re-run long after), moved into the send window so a
 * resend can follow at once. `undefined` when reconciliation is off: then nothing is resent.
 */
export function unconfirmedCheckAt(since: string, now: Date, rules: SendRules, settings: FollowUpSettings): string | undefined {
  if (settings.unconfirmedCheckHours <= 0) return undefined;
  const due = Math.max(Date.parse(since) + settings.unconfirmedCheckHours * HOUR_MS, now.getTime());
  return nextSendTime(new Date(due), rules).toISOString();
}

export type Reconciliation =
  /** Meta reported the message: it went out as `wamid`, at `at` (its first status, Meta's time). */
  | { kind: 'taken'; wamid: string; at: string }
  /** No status of it: Meta did not take it; give the claim back and send it again. */
  | { kind: 'resend' }
  /** No status, and the resends are used up. */
  | { kind: 'give-up' };

/**
 * Whether Meta took the message claimed at `claimedAt`: a status of the same milestone and
 * template (the NPS reminder shares its survey's milestone) no earlier than the claim.
 */
export function decideReconciliation(
  claim: { milestone: MilestoneId; template: string; claimedAt: string },
  taken: readonly TakenMessage[],
  resends: number,
): Reconciliation {
  const since = Date.parse(claim.claimedAt) - META_CLOCK_SLACK_MS;
  const [first] = taken
    .filter((message) => message.milestone === claim.milestone && message.template === claim.template && Date.parse(message.at) >= since)
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  if (first !== undefined) return { kind: 'taken', wamid: first.wamid, at: first.at };
  return resends < MAX_UNCONFIRMED_RESENDS ? { kind: 'resend' } : { kind: 'give-up' };
}
