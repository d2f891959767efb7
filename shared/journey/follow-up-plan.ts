import { MARKETING_OPT_OUT_ERROR_CODE } from '../consent/changes';
import { META_ERROR } from '../kpi/counters';
import type { JourneyConfig } from './config';
import { NPS_SURVEY_MILESTONE } from './frequency-cap';
import type { MessageFacts } from './message-facts';
import { NO_REPLY_FALLBACK_MILESTONE, type MilestoneId, type TemplateCategory } from './milestones';
import { nextSendTime, type SendRules } from './send-window';

/**
 * What follows a sent message (pure; the effects are in ./follow-up.ts). After a send, the
 * journey waits until `followUpAt`, then the follow-up step reads what the webhook recorded of
 * the message (a reply, Meta's `failed` status) and takes one of these actions.
 */

const HOUR_MS = 3_600_000;

export type FollowUpSettings = JourneyConfig['followUps'];

/**
 * When the journey first looks at a message just sent, or `undefined` when nothing follows it:
 * the NPS survey (reminder; moved into the send window, since a reminder may follow), the day-7
 * message (fallback without a reply), a marketing message (Meta's late `failed` status).
 */
export function firstFollowUpAt(
  message: { milestone: MilestoneId; category: TemplateCategory; sentAt: string },
  rules: SendRules,
  settings: FollowUpSettings,
): string | undefined {
  const after = (hours: number) => new Date(Date.parse(message.sentAt) + hours * HOUR_MS);
  if (message.milestone === NPS_SURVEY_MILESTONE) {
    return settings.npsReminderHours > 0 ? nextSendTime(after(settings.npsReminderHours), rules).toISOString() : undefined;
  }
  if (message.milestone === NO_REPLY_FALLBACK_MILESTONE) return settings.day7NoReplyHours > 0 ? after(settings.day7NoReplyHours).toISOString() : undefined;
  if (message.category === 'marketing') return settings.marketingStatusCheckHours > 0 ? after(settings.marketingStatusCheckHours).toISOString() : undefined;
  return undefined;
}

/** When "no answer" is recorded after a reminder sent at `remindedAt`, or `undefined` when that is off. */
export function noAnswerAt(remindedAt: string, settings: FollowUpSettings): string | undefined {
  return settings.npsNoAnswerHours > 0 ? new Date(Date.parse(remindedAt) + settings.npsNoAnswerHours * HOUR_MS).toISOString() : undefined;
}

/** Meta's per-user marketing limit: the message may go again, no sooner than 24 h later (DESIGN.md §7). */
const META_MARKETING_LIMIT = META_ERROR.limitedByMeta;

export type FollowUpAction =
  /** Nothing left to do: the customer answered, or nothing went wrong. */
  | { kind: 'nothing'; result: 'replied' | 'no-failure' | 'meta-experiment' }
  /** Meta failed a marketing message with 131049: send it again later (bounded by the retry gaps). */
  | { kind: 'resend'; failedAt: string }
  /** Meta failed the message for good: 131050 records a marketing opt-out, anything else asks for a fallback. */
  | { kind: 'failed'; code?: number; failedAt: string; marketingOptOut: boolean }
  /** The NPS survey has no answer yet: its one reminder. */
  | { kind: 'remind' }
  /** No answer to the survey nor to its reminder. */
  | { kind: 'no-answer' }
  /** The day-7 message got no reply: another channel is asked to follow up. */
  | { kind: 'no-reply-fallback' };

export function decideFollowUp(message: {
  milestone: MilestoneId;
  category: TemplateCategory;
  facts: MessageFacts;
  /** Facts of the reminder, once it went out with a known wamid. */
  reminderFacts?: MessageFacts;
  reminded: boolean;
}): FollowUpAction {
  if (message.facts.repliedAt !== undefined || message.reminderFacts?.repliedAt !== undefined) return { kind: 'nothing', result: 'replied' };
  const failure = message.facts.failure;
  if (failure !== undefined) {
    // Meta held the message back for an experiment of its own: not our failure, nothing to repair.
    if (failure.code === META_ERROR.experiment) return { kind: 'nothing', result: 'meta-experiment' };
    if (failure.code === META_MARKETING_LIMIT && message.category === 'marketing') return { kind: 'resend', failedAt: failure.at };
    return { kind: 'failed', ...(failure.code === undefined ? {} : { code: failure.code }), failedAt: failure.at, marketingOptOut: failure.code === MARKETING_OPT_OUT_ERROR_CODE };
  }
  if (message.milestone === NPS_SURVEY_MILESTONE) return message.reminded ? { kind: 'no-answer' } : { kind: 'remind' };
  if (message.milestone === NO_REPLY_FALLBACK_MILESTONE) return { kind: 'no-reply-fallback' };
  return { kind: 'nothing', result: 'no-failure' };
}
