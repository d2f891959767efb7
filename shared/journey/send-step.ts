import type { Clock } from '../clock';
import { consentChangeOfSendError, MARKETING_OPT_OUT_ERROR_CODE } from '../consent/changes';
import { mayMessage } from '../consent/may-message';
import { recordConsentChange, type ConsentStore } from '../consent/record';
import { DOMAIN_EVENT, SKIP_REASON, type DomainEvent, type SkipReason } from '../events/domain';
import type { PurchaseDetail } from '../events/purchase';
import { npsCategoryOf } from '../replies/classify';
import { languageForLocale, promoterTemplateFor, templatesForMilestone, type TemplateLanguage } from '../templates/catalogue';
import { templateBodyParameters } from '../templates/render';
import { EVERY_TEMPLATE_AVAILABLE, type TemplateAvailability } from '../templates/status';
import { chooseTemplate } from '../templates/variants';
import { encodeMessageRef, type MessageRef } from '../whatsapp/callback-data';
import type { SendResult, TemplateMessage } from '../whatsapp/graph-client';
import { milestoneSettings, type JourneyConfig } from './config';
import { capFreesAt, capsFor, DEFAULT_CONTACT_CAPS, metaLimitRetryGapMs, type ContactCapSettings } from './frequency-cap';
import type { ContactJourneyIndex } from './contact-journeys';
import type { ConsentGuard, JourneyStore, MessageRecord } from './journey-store';
import type { MilestoneId, TemplateCategory } from './milestones';
import type { NpsAnswers } from './nps-answers';
import { laterPurchaseOf } from './repurchase';
import { firstFollowUpAt } from './follow-up-plan';
import { unconfirmedCheckAt } from './reconcile-plan';
import { nextSendTime, sendRulesFor } from './send-window';

/** What the state machine hands the send step for one milestone (see statemachines/journey.asl.json). */
export interface SendStepInput {
  orderId: string;
  purchase: PurchaseDetail;
  milestone: MilestoneId;
  dueAt: string;
  /** The control group (shared/journey/start.ts): enrolled, never messaged. */
  holdout?: boolean;
  /** This step's previous outcome, when the state machine comes back after a deferral. */
  outcome?: PreviousOutcome;
}

/** What the send step reads of its previous outcome: how often it has waited or resent so far. */
export interface PreviousOutcome {
  status: string;
  capDeferrals?: number;
  metaLimitRetries?: number;
  /** Resends after Meta never took an unconfirmed send (./reconcile.ts). */
  unconfirmedResends?: number;
}

/** Why the send step runs again later: a cap, Meta's 131049, or an unconfirmed send Meta never took (./reconcile.ts). */
export type DeferralReason = 'frequency-cap' | 'meta-marketing-limit' | 'unconfirmed-not-taken';

export type SendOutcome =
  /**
   * With `followUpAt`, the state machine waits until then and runs the follow-up step
   * (./follow-up.ts), which reads what came of the message; `metaLimitRetries` carries on
   * the count of 131049 resends.
   */
  | { status: 'sent'; wamid: string; template: string; variant: string; followUpAt?: string; metaLimitRetries?: number }
  | { status: 'skipped'; reason: string; detail?: string }
  | { status: 'failed'; reason: string; errorCode?: number }
  /**
   * Meta may or may not have taken the message (no answer, or a step that died between claim
   * and answer). Not retried blindly: Meta's send API has no idempotency key. With
   * `followUpAt`, the state machine waits until then and the follow-up step reconciles it with
   * Meta's status webhooks (./reconcile.ts): recorded sent, or sent again. Without, it stays so.
   */
  | UnconfirmedOutcome
  /**
   * Not now: the state machine waits until `retryAt` and runs the step again with this
   * outcome as `outcome`, which carries the counts that bound the waiting and resending.
   */
  | { status: 'deferred'; reason: DeferralReason; retryAt: string; capDeferrals: number; metaLimitRetries: number; unconfirmedResends?: number };

/** An unconfirmed send, with what its reconciliation needs: the claim (when, for which template) and the counts so far. */
export type UnconfirmedOutcome = {
  status: 'unconfirmed';
  reason: string;
  template?: string;
  variant?: string;
  claimedAt?: string;
  followUpAt?: string;
} & Omit<PreviousOutcome, 'status'>;

/** The pause the webhook records for an NPS detractor ("promotions paused for that customer"). */
export interface MarketingPauses {
  marketingPause(phone: string): Promise<{ reason: string; pausedAt: string } | undefined>;
}

export interface SendStepDeps {
  clock: Clock;
  journeys: JourneyStore;
  /** Consent of the contact, read strongly consistent right before the claim; written on 131050. */
  consent: ConsentStore;
  pauses: MarketingPauses;
  /** Variant weights and the customer's send window come from here. */
  config: JourneyConfig;
  /** @default DEFAULT_CONTACT_CAPS */
  caps?: ContactCapSettings;
  /**
   * Which templates of a language Meta will not send now, and which it rates low, from the
   * status and quality the webhook records (shared/templates/status.ts, cached a minute);
   * absent, every template is taken as sendable.
   */
  templateAvailability?: (language: TemplateLanguage) => Promise<TemplateAvailability>;
  /** This journey's NPS answer: promoters get the milestone's promoter message (day 60); absent, nobody does. */
  npsAnswers?: Pick<NpsAnswers, 'npsAnswerOf'>;
  send(message: TemplateMessage): Promise<SendResult>;
  publish(events: DomainEvent[]): Promise<void>;
  /** The contact's journeys: day 60 is skipped when a later one exists (bought again); absent, never skipped for it. */
  contactJourneys?: Pick<ContactJourneyIndex, 'journeysOf'>;
}

/** Thrown for failures worth retrying; the state machine's Retry matches this name. */
export class TransientSendError extends Error {
  override readonly name = 'TransientSendError';
}

/** Meta's per-user marketing limit ("healthy ecosystem"): retried days later, not a block. */
export const META_MARKETING_LIMIT_ERROR_CODE = 131049;

/** The channel `Fallback Requested` suggests when WhatsApp cannot carry a message. */
export const FALLBACK_CHANNEL_HINT = 'email';

/**
 * Meta's view of the language's templates. A failed read is retried (the state machine
 * retries `TransientSendError`) rather than guessed: sending a paused template only fails.
 */
export async function templateAvailabilityIn(language: TemplateLanguage, deps: Pick<SendStepDeps, 'templateAvailability'>): Promise<TemplateAvailability> {
  if (deps.templateAvailability === undefined) return EVERY_TEMPLATE_AVAILABLE;
  try {
    return await deps.templateAvailability(language);
  } catch (error) {
    throw new TransientSendError(`reading the templates' status at Meta failed: ${(error as Error).message}`);
  }
}

/**
 * Decides, then sends, then records. Decisions, each a recorded skip with its reason and a
 * `Message Skipped` event: the template (the customer's variant, or a promoter's message, among
 * those Meta sends now in the customer's language), the holdout, day 60 after the customer bought again, a detractor's paused
 * promotions, consent (read last, right before the claim). The claim (order × milestone) takes
 * the contact's caps in the same write, so two journeys cannot both pass: a marketing message
 * over the cap waits (`deferred`), an NPS survey inside its cap is skipped. The claim is also
 * what makes a retried step safe: a step that finds its milestone recorded reports it again
 * instead of sending twice.
 */
export async function runSendStep(input: SendStepInput, deps: SendStepDeps): Promise<SendOutcome> {
  const customer = input.purchase.customer;
  const language = languageForLocale(customer.locale);
  const weights = milestoneSettings(deps.config, input.milestone)?.variants;
  const { unavailable, lowQuality } = await templateAvailabilityIn(language, deps);
  const promoter = await isPromoter(input, deps);
  const choice = chooseTemplate(input.milestone, customer, { unavailable, lowQuality, promoter, ...(weights === undefined ? {} : { weights }) });
  if (choice.status === 'skipped') {
    const [control] = templatesForMilestone(input.milestone);
    if (control === undefined) throw new Error(`No template in the catalogue for milestone ${input.milestone}`);
    const ref = { orderId: input.orderId, milestone: input.milestone, template: control.name, variant: control.variant };
    return skip(ref, SKIP_REASON.templateUnavailable, choice.reason, customer.phone, deps);
  }
  const { template, variant } = choice;
  const ref: MessageRef = { orderId: input.orderId, milestone: input.milestone, template: template.name, variant };
  const standIn = choice.assignedVariant === undefined ? {} : { assignedVariant: choice.assignedVariant, ...(choice.standInReason === undefined ? {} : { standInReason: choice.standInReason }) };

  // ── Decide ──────────────────────────────────────────────────────────────────────────────
  if (input.holdout === true) return skip(ref, SKIP_REASON.holdout, 'customer in the holdout (control group): enrolled, never messaged', customer.phone, deps);
  const later = input.milestone === 'day60' && deps.contactJourneys !== undefined ? laterPurchaseOf(input.purchase, await deps.contactJourneys.journeysOf(customer.phone)) : undefined;
  if (later !== undefined) return skip(ref, SKIP_REASON.boughtAgain, `bought again (order ${later.orderId} at ${later.purchasedAt}), attributed instead`, customer.phone, deps);
  const clearance = await clearToSend({ category: template.category, phone: customer.phone }, deps);
  if (clearance.blocked !== undefined) return skip(ref, clearance.blocked.reason, clearance.blocked.detail, customer.phone, deps);

  const caps = deps.caps ?? DEFAULT_CONTACT_CAPS;
  const now = deps.clock.now();
  const claim = await deps.journeys.claimMessageUnderCaps(
    { ...ref, ...standIn, claimedAt: now.toISOString(), consent: clearance.consent },
    capsFor({ milestone: input.milestone, category: template.category, phone: customer.phone }, now, caps),
  );
  if (!claim.claimed) {
    if ('existing' in claim) return outcomeOfEarlierAttempt(claim.existing, ref, customer.phone, deps, { purchase: input.purchase, previous: input.outcome, category: template.category });
    if ('conflict' in claim) throw new TransientSendError(`another journey of this contact claimed at the same moment (${ref.orderId}/${ref.milestone}); retrying`);
    if ('consentChanged' in claim) return consentChangedWhileClaiming(ref, template.category, customer.phone, deps);
    if (claim.capped === 'nps') return skip(ref, SKIP_REASON.npsRecentlyAsked, `an NPS survey went to this contact at ${claim.lastAt}`, customer.phone, deps);
    const capDeferrals = input.outcome?.capDeferrals ?? 0;
    if (capDeferrals >= caps.maxCapDeferrals) {
      return skip(ref, SKIP_REASON.frequencyCap, `waited ${capDeferrals} times for the marketing cap; last marketing message at ${claim.lastAt}`, customer.phone, deps);
    }
    const retryAt = nextSendTime(capFreesAt('marketing', claim.lastAt, caps), sendRulesFor(customer, deps.config));
    return { status: 'deferred', reason: 'frequency-cap', retryAt: retryAt.toISOString(), capDeferrals: capDeferrals + 1, metaLimitRetries: input.outcome?.metaLimitRetries ?? 0, ...resendsSoFar(input.outcome) };
  }

  // ── Send ────────────────────────────────────────────────────────────────────────────────
  const result = await deps.send({
    to: customer.phone,
    templateName: template.name,
    languageCode: language,
    bodyParameters: templateBodyParameters(template, input.purchase),
    callbackData: encodeMessageRef(ref),
  });

  // ── Record ──────────────────────────────────────────────────────────────────────────────
  if (result.ok) {
    const sentAt = deps.clock.now().toISOString();
    await deps.journeys.recordSent(input.orderId, input.milestone, result.wamid, sentAt);
    // Before the event: the webhook finds replies and bare statuses of this wamid through it.
    await deps.journeys.recordSentMessage({ ...ref, wamid: result.wamid, phone: customer.phone, sentAt });
    await publishOrRetry(deps, [sentEvent(ref, result.wamid, sentAt)]);
    return sentOutcome(ref, { wamid: result.wamid, sentAt }, { purchase: input.purchase, previous: input.outcome }, template.category, deps);
  }
  if (result.unconfirmed === true) {
    const unconfirmed = { reason: result.message, unconfirmedAt: deps.clock.now().toISOString() };
    await deps.journeys.recordUnconfirmed(input.orderId, input.milestone, unconfirmed);
    return unconfirmedOutcome(ref, { ...unconfirmed, claimedAt: now.toISOString() }, { purchase: input.purchase, previous: input.outcome }, deps);
  }
  if (result.retryable) {
    await deps.journeys.releaseClaim(input.orderId, input.milestone);
    throw new TransientSendError(result.message);
  }
  if (result.code === META_MARKETING_LIMIT_ERROR_CODE) {
    const retries = input.outcome?.metaLimitRetries ?? 0;
    const gapMs = metaLimitRetryGapMs(retries, caps);
    if (gapMs !== undefined) {
      // The claim goes back so the retry may send; the cap stays ours (its holder passes it again).
      await deps.journeys.releaseClaim(input.orderId, input.milestone);
      const retryAt = nextSendTime(new Date(deps.clock.now().getTime() + gapMs), sendRulesFor(customer, deps.config));
      return { status: 'deferred', reason: 'meta-marketing-limit', retryAt: retryAt.toISOString(), capDeferrals: input.outcome?.capDeferrals ?? 0, metaLimitRetries: retries + 1, ...resendsSoFar(input.outcome) };
    }
  }
  const failure = { reason: result.message, failedAt: deps.clock.now().toISOString(), ...(result.code === undefined ? {} : { errorCode: result.code }) };
  await deps.journeys.recordFailed(input.orderId, input.milestone, failure);
  await recordMarketingOptOut(ref, customer.phone, failure, deps);
  await publishOrRetry(deps, failureEvents(ref, failure));
  return { status: 'failed', reason: failure.reason, ...(failure.errorCode === undefined ? {} : { errorCode: failure.errorCode }) };
}

/** A promoter (9–10) by this journey's NPS answer, asked only of milestones with a promoter message. */
async function isPromoter(input: SendStepInput, deps: Pick<SendStepDeps, 'npsAnswers'>): Promise<boolean> {
  if (deps.npsAnswers === undefined || promoterTemplateFor(input.milestone) === undefined) return false;
  const answer = await deps.npsAnswers.npsAnswerOf(input.orderId);
  return answer !== undefined && npsCategoryOf(answer.score) === 'promoter';
}

/** Why a message may not go out, or the consent it may go out under (to guard its claim with). */
export type SendClearance = { blocked: { reason: SkipReason; detail: string } } | { blocked?: undefined; consent: ConsentGuard };

/**
 * Whether a business-initiated message may go to this customer now: not when a detractor's
 * promotions are paused (marketing), not without consent for the category. Consent is read
 * last, and the caller's claim checks that the version read is still current, so an opt-out
 * recorded before the claim is never followed by a send. The follow-up's reminder and fallback
 * pass the same checks.
 */
export async function clearToSend(message: { category: TemplateCategory; phone: string }, deps: Pick<SendStepDeps, 'pauses' | 'consent'>): Promise<SendClearance> {
  if (message.category === 'marketing') {
    const pause = await deps.pauses.marketingPause(message.phone);
    if (pause !== undefined) return { blocked: { reason: SKIP_REASON.detractor, detail: `promotions paused at ${pause.pausedAt} (${pause.reason})` } };
  }
  const state = await deps.consent.readState(message.phone);
  const permission = mayMessage(state, message.category);
  if (!permission.allowed) return { blocked: { reason: permission.code === 'opted-out' ? SKIP_REASON.optedOut : SKIP_REASON.noOptIn, detail: permission.reason } };
  // Allowed implies a recorded opt-in, so a state with its version.
  return { consent: { phone: message.phone, version: state!.version } };
}

/**
 * The contact's consent changed between the decision and the claim (an opt-out racing the
 * send, usually): decide again. Still allowed (another scope changed), the step is retried.
 */
async function consentChangedWhileClaiming(ref: MessageRef, category: TemplateCategory, phone: string, deps: SendStepDeps): Promise<SendOutcome> {
  const clearance = await clearToSend({ category, phone }, deps);
  if (clearance.blocked !== undefined) return skip(ref, clearance.blocked.reason, clearance.blocked.detail, phone, deps);
  throw new TransientSendError(`the contact's consent changed while ${ref.orderId}/${ref.milestone} was claimed; retrying`);
}

/** Records the skip (unless the milestone already has a record: then that one stands) and publishes it. */
async function skip(ref: MessageRef, reason: string, detail: string, phone: string, deps: SendStepDeps): Promise<SendOutcome> {
  const skippedAt = deps.clock.now().toISOString();
  const recorded = await deps.journeys.recordSkipped({ ...ref, reason, detail, skippedAt });
  if (!recorded.recorded) return outcomeOfEarlierAttempt(recorded.existing, ref, phone, deps);
  await publishOrRetry(deps, [skippedEvent(ref, { reason, detail, skippedAt })]);
  return { status: 'skipped', reason, detail };
}

/**
 * 131050: the customer stopped our marketing inside WhatsApp. Recorded as consent evidence
 * (once: the evidence id is order × milestone), so no later journey sends them marketing.
 */
export async function recordMarketingOptOut(
  ref: MessageRef,
  phone: string,
  failure: { reason: string; failedAt: string; errorCode?: number; wamid?: string },
  deps: Pick<SendStepDeps, 'consent' | 'clock'>,
): Promise<void> {
  const change = consentChangeOfSendError({
    contact: { phone },
    code: failure.errorCode,
    at: failure.failedAt,
    // A `failed` status names our wamid: the evidence id is then the message's, not the milestone's.
    ...(failure.wamid === undefined ? {} : { messageId: failure.wamid }),
    orderId: ref.orderId,
    milestone: ref.milestone,
    detail: failure.reason,
  });
  if (change === undefined) return;
  try {
    await recordConsentChange(change, { store: deps.consent, clock: deps.clock });
  } catch (error) {
    // The failure is recorded; the retried step finds it and records the opt-out again.
    throw new TransientSendError(`recorded the failure, but recording the marketing opt-out failed: ${(error as Error).message}`);
  }
}

/**
 * The message is recorded before its event is published; if publishing fails, the step is
 * retried, finds the record, and publishes again under the same event id.
 */
export async function publishOrRetry(deps: Pick<SendStepDeps, 'publish'>, events: DomainEvent[]): Promise<void> {
  try {
    await deps.publish(events);
  } catch (error) {
    throw new TransientSendError(`recorded, but publishing ${events.map((e) => e.type).join(', ')} failed: ${(error as Error).message}`);
  }
}

/**
 * `Message Failed`, and `Fallback Requested` so another channel can reach the customer, except
 * after 131050: the customer asked for no marketing, which an e-mail would not respect either.
 */
function failureEvents(ref: MessageRef, failure: { reason: string; failedAt: string; errorCode?: number }): DomainEvent[] {
  const errorCode = failure.errorCode === undefined ? {} : { errorCode: failure.errorCode };
  const failed: DomainEvent = {
    type: DOMAIN_EVENT.messageFailed,
    detail: { eventId: `send-failed:${ref.orderId}:${ref.milestone}`, occurredAt: failure.failedAt, ...ref, ...errorCode },
  };
  if (failure.errorCode === MARKETING_OPT_OUT_ERROR_CODE) return [failed];
  return [failed, fallbackEvent(ref, { reason: failure.reason, at: failure.failedAt, ...errorCode })];
}

/**
 * `Fallback Requested`, once per order × milestone whatever asks for it (a permanent send
 * failure, Meta's `failed` status, no reply to the day-7 message): its id is the milestone's.
 */
export function fallbackEvent(ref: MessageRef, fallback: { reason: string; at: string; errorCode?: number }): DomainEvent {
  return {
    type: DOMAIN_EVENT.fallbackRequested,
    detail: {
      eventId: `fallback:${ref.orderId}:${ref.milestone}`,
      occurredAt: fallback.at,
      ...ref,
      ...(fallback.errorCode === undefined ? {} : { errorCode: fallback.errorCode }),
      channelHint: FALLBACK_CHANNEL_HINT,
      reason: fallback.reason,
    },
  };
}

function skippedEvent(ref: MessageRef, skipped: { reason: string; skippedAt: string; detail?: string }): DomainEvent {
  return {
    type: DOMAIN_EVENT.messageSkipped,
    detail: {
      eventId: `skip:${ref.orderId}:${ref.milestone}`,
      occurredAt: skipped.skippedAt,
      ...ref,
      reason: skipped.reason,
      ...(skipped.detail === undefined ? {} : { detail: skipped.detail }),
    },
  };
}

export function sentEvent(ref: MessageRef, wamid: string, sentAt: string): DomainEvent {
  // Same id as the `sent` status webhook of this wamid, so the two count once.
  return { type: DOMAIN_EVENT.messageSent, detail: { eventId: `${wamid}:sent`, occurredAt: sentAt, ...ref, wamid } };
}

/** The journey's context of a send: whose purchase, and the step's previous outcome (its counts). */
export interface SendContext {
  purchase: PurchaseDetail;
  previous?: PreviousOutcome | undefined;
}

/** The unconfirmed resends so far, carried through the outcomes that lead back to the send step. */
const resendsSoFar = (previous: PreviousOutcome | undefined) => (previous?.unconfirmedResends ? { unconfirmedResends: previous.unconfirmedResends } : {});

/** `sent`, with when the journey follows the message up (none for a milestone nothing follows). */
export function sentOutcome(ref: MessageRef, sent: { wamid: string; sentAt: string }, context: SendContext, category: TemplateCategory, deps: Pick<SendStepDeps, 'config'>): SendOutcome {
  const followUpAt = firstFollowUpAt({ milestone: ref.milestone, category, sentAt: sent.sentAt }, sendRulesFor(context.purchase.customer, deps.config), deps.config.followUps);
  const retries = context.previous?.metaLimitRetries ?? 0;
  return {
    status: 'sent',
    wamid: sent.wamid,
    template: ref.template,
    variant: ref.variant,
    ...(followUpAt === undefined ? {} : { followUpAt }),
    ...(retries === 0 ? {} : { metaLimitRetries: retries }),
  };
}

/**
 * `unconfirmed`, with when the journey reconciles it with Meta's statuses (none when that is
 * off), and the counts the resend carries on.
 */
function unconfirmedOutcome(
  ref: MessageRef,
  claim: { reason: string; claimedAt: string; unconfirmedAt: string },
  context: SendContext,
  deps: Pick<SendStepDeps, 'config' | 'clock'>,
): UnconfirmedOutcome {
  const followUpAt = unconfirmedCheckAt(claim.unconfirmedAt, deps.clock.now(), sendRulesFor(context.purchase.customer, deps.config), deps.config.followUps);
  const { capDeferrals, metaLimitRetries, unconfirmedResends } = context.previous ?? {};
  return {
    status: 'unconfirmed',
    reason: claim.reason,
    template: ref.template,
    variant: ref.variant,
    claimedAt: claim.claimedAt,
    ...(followUpAt === undefined ? {} : { followUpAt }),
    ...(capDeferrals ? { capDeferrals } : {}),
    ...(metaLimitRetries ? { metaLimitRetries } : {}),
    ...(unconfirmedResends ? { unconfirmedResends } : {}),
  };
}

/**
 * What an earlier attempt did, reported again. `followUp` is the context a `sent` outcome needs
 * to be followed up, and an unconfirmed one to be reconciled; a skip that finds a record (an
 * opt-out raced a retried step) leaves it out, and nothing follows that message.
 */
async function outcomeOfEarlierAttempt(
  existing: MessageRecord,
  ref: MessageRef,
  phone: string,
  deps: SendStepDeps,
  followUp?: SendContext & { category: TemplateCategory },
): Promise<SendOutcome> {
  switch (existing.status) {
    // The earlier attempt may have died before recording the wamid or publishing; both are safe to repeat.
    case 'sent':
      await deps.journeys.recordSentMessage({ ...ref, wamid: existing.wamid, phone, sentAt: existing.sentAt });
      await publishOrRetry(deps, [sentEvent(ref, existing.wamid, existing.sentAt)]);
      return followUp === undefined
        ? { status: 'sent', wamid: existing.wamid, template: ref.template, variant: ref.variant }
        : sentOutcome(ref, existing, followUp, followUp.category, deps);
    case 'failed':
      await recordMarketingOptOut(ref, phone, existing, deps);
      await publishOrRetry(deps, failureEvents(ref, existing));
      return { status: 'failed', reason: existing.reason, ...(existing.errorCode === undefined ? {} : { errorCode: existing.errorCode }) };
    case 'skipped':
      await publishOrRetry(deps, [skippedEvent(ref, existing)]);
      return { status: 'skipped', reason: existing.reason, ...(existing.detail === undefined ? {} : { detail: existing.detail }) };
    case 'claimed':
    case 'unconfirmed': {
      // An attempt died between claim and answer, or got no answer: Meta may have sent it. Not
      // sent again now; reconciled with Meta's statuses of the claim's own template.
      const reason =
        existing.status === 'unconfirmed' ? existing.reason : `an earlier attempt claimed this message at ${existing.claimedAt} and did not finish; Meta may have taken it`;
      if (followUp === undefined) return { status: 'unconfirmed', reason };
      const claimed: MessageRef = { ...ref, ...(existing.template === undefined ? {} : { template: existing.template }), ...(existing.variant === undefined ? {} : { variant: existing.variant }) };
      const unconfirmedAt = existing.status === 'unconfirmed' ? existing.unconfirmedAt : existing.claimedAt;
      return unconfirmedOutcome(claimed, { reason, claimedAt: existing.claimedAt, unconfirmedAt }, followUp, deps);
    }
  }
}
