import { DOMAIN_EVENT, SKIP_REASON, type DomainEvent } from '../events/domain';
import type { PurchaseDetail } from '../events/purchase';
import { languageForLocale, reminderTemplateFor, templatesForMilestone } from '../templates/catalogue';
import { templateBodyParameters } from '../templates/render';
import { encodeMessageRef, type MessageRef } from '../whatsapp/callback-data';
import { decideFollowUp, noAnswerAt } from './follow-up-plan';
import { DEFAULT_CONTACT_CAPS, metaLimitRetryGapMs } from './frequency-cap';
import { reminderSlot, type MessageRecord } from './journey-store';
import type { FollowUpStore } from './message-facts';
import type { MilestoneId } from './milestones';
import { runReconciliation, type ReconcileInput } from './reconcile';
import {
  clearToSend,
  fallbackEvent,
  META_MARKETING_LIMIT_ERROR_CODE,
  publishOrRetry,
  recordMarketingOptOut,
  sentEvent,
  templateAvailabilityIn,
  TransientSendError,
  type SendOutcome,
  type SendStepDeps,
} from './send-step';
import { nextSendTime, sendRulesFor } from './send-window';

/**
 * The follow-up step: the journey waited after a send (the send step's `followUpAt`); now it
 * reads what the webhook recorded of the message (./message-facts.ts) and acts once
 * (./follow-up-plan.ts decides): nothing after a reply; the NPS survey's one reminder, then
 * "no answer"; a fallback for a day-7 message without a reply or a message Meta failed; a
 * marketing opt-out after 131050; a resend after 131049, no sooner than its retry gap.
 */

/** The `sent` outcome the journey carries into the follow-up, and back out while it goes on. */
export interface FollowUpState {
  status: 'sent';
  wamid: string;
  template: string;
  variant: string;
  followUpAt: string;
  metaLimitRetries?: number;
  /** Set once the reminder went out; its wamid unless an earlier attempt died before recording it. */
  reminder?: { sentAt: string; wamid?: string };
}

export interface FollowUpInput {
  orderId: string;
  purchase: PurchaseDetail;
  milestone: MilestoneId;
  outcome: FollowUpState;
}

export type FollowUpOutcome =
  /** Looked again later (after the reminder). */
  | FollowUpState
  /** 131049: the state machine waits until `retryAt` and runs the send step again. */
  | Extract<SendOutcome, { status: 'deferred' }>
  | { status: 'followed-up'; result: string; detail?: string };

export interface FollowUpDeps extends SendStepDeps {
  followUps: FollowUpStore;
}

/**
 * The follow-up step's two roles, by the outcome it follows (statemachines/journey.asl.json
 * `FollowUp`): what came of a sent message, or whether Meta took an unconfirmed send (./reconcile.ts).
 */
export function runFollowUpStep(input: Omit<FollowUpInput, 'outcome'> & { outcome: FollowUpState | ReconcileInput['outcome'] }, deps: FollowUpDeps): Promise<FollowUpOutcome | SendOutcome> {
  const { outcome, ...journey } = input;
  return outcome.status === 'sent' ? runFollowUp({ ...journey, outcome }, deps) : runReconciliation({ ...journey, outcome }, deps);
}

export async function runFollowUp(input: FollowUpInput, deps: FollowUpDeps): Promise<FollowUpOutcome> {
  const { orderId, milestone, outcome: state } = input;
  const ref: MessageRef = { orderId, milestone, template: state.template, variant: state.variant };
  const category = templatesForMilestone(milestone)[0]?.category ?? 'utility';
  const [facts, reminderFacts] = await Promise.all([
    deps.followUps.factsOf(state.wamid),
    state.reminder?.wamid === undefined ? undefined : deps.followUps.factsOf(state.reminder.wamid),
  ]);
  const action = decideFollowUp({ milestone, category, facts, ...(reminderFacts === undefined ? {} : { reminderFacts }), reminded: state.reminder !== undefined });
  const phone = input.purchase.customer.phone;

  switch (action.kind) {
    case 'nothing':
      return finish(input, action.result, deps);
    case 'resend': {
      const retries = state.metaLimitRetries ?? 0;
      const gapMs = metaLimitRetryGapMs(retries, deps.caps ?? DEFAULT_CONTACT_CAPS);
      if (gapMs !== undefined) {
        await deps.followUps.reopenForResend(orderId, milestone, state.wamid);
        const earliest = Math.max(deps.clock.now().getTime(), Date.parse(action.failedAt) + gapMs);
        const retryAt = nextSendTime(new Date(earliest), sendRulesFor(input.purchase.customer, deps.config));
        return { status: 'deferred', reason: 'meta-marketing-limit', retryAt: retryAt.toISOString(), capDeferrals: 0, metaLimitRetries: retries + 1 };
      }
      return failed(input, ref, { code: META_MARKETING_LIMIT_ERROR_CODE, failedAt: action.failedAt, marketingOptOut: false, reason: `Meta's per-user marketing limit (131049), still after ${retries} resends` }, deps);
    }
    case 'failed':
      return failed(input, ref, { ...action, reason: `Meta failed the message${action.code === undefined ? '' : ` (code ${action.code})`}` }, deps);
    case 'remind':
      return remind(input, ref, deps);
    case 'no-answer':
      return noAnswer(input, ref, { reminded: true }, deps);
    case 'no-reply-fallback': {
      const clearance = await clearToSend({ category, phone }, deps);
      // The customer may not be messaged any more (an opt-out): no other channel either.
      if (clearance.blocked !== undefined) return finish(input, 'no-reply', deps, `no fallback: ${clearance.blocked.detail}`);
      const at = deps.clock.now().toISOString();
      await publishOrRetry(deps, [fallbackEvent(ref, { reason: `no reply by ${state.followUpAt}`, at })]);
      return finish(input, 'fallback-requested', deps, 'no reply');
    }
  }
}

/** A message Meta failed after accepting it: recorded failed; 131050 is a marketing opt-out, anything else asks for a fallback. */
async function failed(
  input: FollowUpInput,
  ref: MessageRef,
  failure: { code?: number; failedAt: string; marketingOptOut: boolean; reason: string },
  deps: FollowUpDeps,
): Promise<FollowUpOutcome> {
  const errorCode = failure.code === undefined ? {} : { errorCode: failure.code };
  await deps.journeys.recordFailed(input.orderId, input.milestone, { reason: failure.reason, failedAt: failure.failedAt, ...errorCode });
  // `Message Failed` came from the webhook with the status; what is left is the repair.
  if (failure.marketingOptOut) {
    await recordMarketingOptOut(ref, input.purchase.customer.phone, { reason: failure.reason, failedAt: failure.failedAt, ...errorCode, wamid: input.outcome.wamid }, deps);
    return finish(input, 'marketing-opt-out', deps);
  }
  await publishOrRetry(deps, [fallbackEvent(ref, { reason: failure.reason, at: failure.failedAt, ...errorCode })]);
  return finish(input, 'fallback-requested', deps, failure.reason);
}

/**
 * The survey's one reminder, under the same checks as any send (./send-step.ts `clearToSend`),
 * claimed before Meta is called so a retried step never sends it twice. It goes out under the
 * survey's variant, and its wamid maps to the survey's milestone, so a reply to it is an NPS answer.
 */
async function remind(input: FollowUpInput, surveyRef: MessageRef, deps: FollowUpDeps): Promise<FollowUpOutcome> {
  const customer = input.purchase.customer;
  const template = reminderTemplateFor(input.milestone);
  const language = languageForLocale(customer.locale);
  if (template === undefined) return noAnswer(input, surveyRef, { reminded: false, skipped: SKIP_REASON.templateUnavailable, detail: `${input.milestone} has no reminder template` }, deps);
  // The reminder has no variant to stand in for it; a low-rated one is still sent (see shared/templates/status.ts).
  const unavailable = (await templateAvailabilityIn(language, deps)).unavailable.get(template.name);
  if (unavailable !== undefined) return noAnswer(input, surveyRef, { reminded: false, skipped: SKIP_REASON.templateUnavailable, detail: unavailable }, deps);
  const clearance = await clearToSend({ category: template.category, phone: customer.phone }, deps);
  if (clearance.blocked !== undefined) return noAnswer(input, surveyRef, { reminded: false, skipped: clearance.blocked.reason }, deps);

  const ref: MessageRef = { ...surveyRef, template: template.name };
  const slot = reminderSlot(input.milestone);
  const claim = await deps.journeys.claimMessage({ ...ref, milestone: slot, claimedAt: deps.clock.now().toISOString(), consent: clearance.consent });
  if (!claim.claimed) {
    if ('existing' in claim) return reminderOfEarlierAttempt(claim.existing, input, ref, surveyRef, deps);
    // Consent changed since it was read (an opt-out racing the reminder), or a concurrent write: decide again.
    throw new TransientSendError(`the reminder of ${ref.orderId}/${ref.milestone} could not be claimed (${'conflict' in claim ? 'a concurrent write' : "the contact's consent changed"}); retrying`);
  }

  const result = await deps.send({
    to: customer.phone,
    templateName: template.name,
    languageCode: language,
    bodyParameters: templateBodyParameters(template, input.purchase),
    callbackData: encodeMessageRef(ref),
  });
  if (result.ok) {
    const sentAt = deps.clock.now().toISOString();
    await deps.journeys.recordSent(input.orderId, slot, result.wamid, sentAt);
    await deps.journeys.recordSentMessage({ ...ref, wamid: result.wamid, phone: customer.phone, sentAt });
    await publishOrRetry(deps, [sentEvent(ref, result.wamid, sentAt)]);
    return reminded(input, { sentAt, wamid: result.wamid }, deps);
  }
  if (result.unconfirmed === true) {
    // Meta may have taken it: never resent (no idempotency key); wait for an answer as if it went.
    const unconfirmedAt = deps.clock.now().toISOString();
    await deps.journeys.recordUnconfirmed(input.orderId, slot, { reason: result.message, unconfirmedAt });
    return reminded(input, { sentAt: unconfirmedAt }, deps);
  }
  if (result.retryable) {
    await deps.journeys.releaseClaim(input.orderId, slot);
    throw new TransientSendError(result.message);
  }
  const failure = { reason: result.message, failedAt: deps.clock.now().toISOString(), ...(result.code === undefined ? {} : { errorCode: result.code }) };
  await deps.journeys.recordFailed(input.orderId, slot, failure);
  await publishOrRetry(deps, [reminderFailedEvent(ref, failure)]);
  return noAnswer(input, surveyRef, { reminded: false, skipped: `failed${failure.errorCode === undefined ? '' : `-${failure.errorCode}`}` }, deps);
}

async function reminderOfEarlierAttempt(existing: MessageRecord, input: FollowUpInput, ref: MessageRef, surveyRef: MessageRef, deps: FollowUpDeps): Promise<FollowUpOutcome> {
  switch (existing.status) {
    case 'sent':
      await deps.journeys.recordSentMessage({ ...ref, wamid: existing.wamid, phone: input.purchase.customer.phone, sentAt: existing.sentAt });
      await publishOrRetry(deps, [sentEvent(ref, existing.wamid, existing.sentAt)]);
      return reminded(input, { sentAt: existing.sentAt, wamid: existing.wamid }, deps);
    case 'failed':
      await publishOrRetry(deps, [reminderFailedEvent(ref, existing)]);
      return noAnswer(input, surveyRef, { reminded: false, skipped: `failed${existing.errorCode === undefined ? '' : `-${existing.errorCode}`}` }, deps);
    case 'claimed':
      // An attempt died between claim and answer: Meta may have sent it. Wait for an answer as if it had.
      return reminded(input, { sentAt: existing.claimedAt }, deps);
    case 'unconfirmed':
      return reminded(input, { sentAt: existing.unconfirmedAt }, deps);
    case 'skipped':
      return noAnswer(input, surveyRef, { reminded: false, skipped: existing.reason }, deps);
  }
}

/** After the reminder: look again once the no-answer time has passed (or stop here when that is off). */
async function reminded(input: FollowUpInput, reminder: { sentAt: string; wamid?: string }, deps: FollowUpDeps): Promise<FollowUpOutcome> {
  const followUpAt = noAnswerAt(reminder.sentAt, deps.config.followUps);
  if (followUpAt === undefined) return finish(input, 'reminded', deps);
  return { ...input.outcome, followUpAt, reminder };
}

/** `NPS Unanswered` (once per order × milestone), and the result on the survey's record. */
async function noAnswer(input: FollowUpInput, surveyRef: MessageRef, how: { reminded: boolean; skipped?: string; detail?: string }, deps: FollowUpDeps): Promise<FollowUpOutcome> {
  const event: DomainEvent = {
    type: DOMAIN_EVENT.npsUnanswered,
    detail: {
      eventId: `nps-unanswered:${surveyRef.orderId}:${surveyRef.milestone}`,
      occurredAt: deps.clock.now().toISOString(),
      ...surveyRef,
      wamid: input.outcome.wamid,
      reminded: how.reminded,
      ...(how.skipped === undefined ? {} : { reminderSkipped: how.skipped }),
    },
  };
  await publishOrRetry(deps, [event]);
  return finish(input, 'no-answer', deps, how.skipped === undefined ? undefined : `reminder not sent: ${how.skipped}${how.detail === undefined ? '' : ` (${how.detail})`}`);
}

function reminderFailedEvent(ref: MessageRef, failure: { failedAt: string; errorCode?: number }): DomainEvent {
  return {
    type: DOMAIN_EVENT.messageFailed,
    detail: {
      eventId: `send-failed:${ref.orderId}:${ref.milestone}:reminder`,
      occurredAt: failure.failedAt,
      ...ref,
      ...(failure.errorCode === undefined ? {} : { errorCode: failure.errorCode }),
    },
  };
}

/** Records how the follow-up ended (the first result stays) and ends the milestone. */
async function finish(input: FollowUpInput, result: string, deps: FollowUpDeps, detail?: string): Promise<FollowUpOutcome> {
  await deps.followUps.recordResult(input.orderId, input.milestone, { result, at: deps.clock.now().toISOString(), ...(detail === undefined ? {} : { detail }) });
  return { status: 'followed-up', result, ...(detail === undefined ? {} : { detail }) };
}
