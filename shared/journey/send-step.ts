import type { Clock } from '../clock';
import { DOMAIN_EVENT, type DomainEvent } from '../events/domain';
import type { PurchaseDetail } from '../events/purchase';
import { DEFAULT_VARIANT, languageForLocale, templateForMilestone } from '../templates/catalogue';
import { templateBodyParameters } from '../templates/render';
import { encodeMessageRef, type MessageRef } from '../whatsapp/callback-data';
import type { SendResult, TemplateMessage } from '../whatsapp/graph-client';
import type { JourneyStore, MessageRecord } from './journey-store';
import type { MilestoneId } from './milestones';

/** What the state machine hands the send step for one milestone (see statemachines/journey.asl.json). */
export interface SendStepInput {
  orderId: string;
  purchase: PurchaseDetail;
  milestone: MilestoneId;
  dueAt: string;
}

export type SendOutcome =
  | { status: 'sent'; wamid: string; template: string; variant: string }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; reason: string; errorCode?: number };

export interface SendStepDeps {
  clock: Clock;
  journeys: JourneyStore;
  send(message: TemplateMessage): Promise<SendResult>;
  publish(events: DomainEvent[]): Promise<void>;
}

/** Thrown for failures worth retrying; the state machine's Retry matches this name. */
export class TransientSendError extends Error {
  override readonly name = 'TransientSendError';
}

/**
 * Claims, sends, records. The claim (order × milestone) is what makes a retried step safe:
 * a step that finds its milestone already sent reports it again instead of sending twice.
 */
export async function runSendStep(input: SendStepInput, deps: SendStepDeps): Promise<SendOutcome> {
  const template = templateForMilestone(input.milestone);
  const variant = DEFAULT_VARIANT;
  const ref: MessageRef = { orderId: input.orderId, milestone: input.milestone, template: template.name, variant };

  const claim = await deps.journeys.claimMessage({ ...ref, claimedAt: deps.clock.now().toISOString() });
  if (!claim.claimed) return outcomeOfEarlierAttempt(claim.existing, ref, deps);

  const result = await deps.send({
    to: input.purchase.customer.phone,
    templateName: template.name,
    languageCode: languageForLocale(input.purchase.customer.locale),
    bodyParameters: templateBodyParameters(template, input.purchase),
    callbackData: encodeMessageRef(ref),
  });

  if (result.ok) {
    const sentAt = deps.clock.now().toISOString();
    await deps.journeys.recordSent(input.orderId, input.milestone, result.wamid, sentAt);
    await deps.publish([sentEvent(ref, result.wamid, sentAt)]);
    return { status: 'sent', wamid: result.wamid, template: template.name, variant };
  }
  if (result.retryable) {
    await deps.journeys.releaseClaim(input.orderId, input.milestone);
    throw new TransientSendError(result.message);
  }
  await deps.journeys.recordFailed(input.orderId, input.milestone, result.message, result.code);
  await deps.publish([
    {
      type: DOMAIN_EVENT.messageFailed,
      detail: {
        eventId: `send-failed:${input.orderId}:${input.milestone}`,
        occurredAt: deps.clock.now().toISOString(),
        ...ref,
        ...(result.code === undefined ? {} : { errorCode: result.code }),
      },
    },
  ]);
  return { status: 'failed', reason: result.message, ...(result.code === undefined ? {} : { errorCode: result.code }) };
}

function sentEvent(ref: MessageRef, wamid: string, sentAt: string): DomainEvent {
  // Same id as the `sent` status webhook of this wamid, so the two count once.
  return { type: DOMAIN_EVENT.messageSent, detail: { eventId: `${wamid}:sent`, occurredAt: sentAt, ...ref, wamid } };
}

async function outcomeOfEarlierAttempt(existing: MessageRecord, ref: MessageRef, deps: SendStepDeps): Promise<SendOutcome> {
  switch (existing.status) {
    case 'sent':
      // The earlier attempt may have died before publishing; the event id makes this safe to repeat.
      await deps.publish([sentEvent(ref, existing.wamid, existing.sentAt)]);
      return { status: 'sent', wamid: existing.wamid, template: ref.template, variant: ref.variant };
    case 'failed':
      return { status: 'failed', reason: existing.reason, ...(existing.errorCode === undefined ? {} : { errorCode: existing.errorCode }) };
    case 'claimed':
      // An attempt died between claim and answer: Meta may have sent it. At most once beats twice.
      return { status: 'skipped', reason: `an earlier attempt claimed this message at ${existing.claimedAt} and did not finish; not resent to avoid a double message` };
  }
}
