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
  if (!claim.claimed) return outcomeOfEarlierAttempt(claim.existing, ref, input.purchase.customer.phone, deps);

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
    // Before the event: the webhook finds replies and bare statuses of this wamid through it.
    await deps.journeys.recordSentMessage({ ...ref, wamid: result.wamid, phone: input.purchase.customer.phone, sentAt });
    await publishOrRetry(deps, [sentEvent(ref, result.wamid, sentAt)]);
    return { status: 'sent', wamid: result.wamid, template: template.name, variant };
  }
  if (result.retryable) {
    await deps.journeys.releaseClaim(input.orderId, input.milestone);
    throw new TransientSendError(result.message);
  }
  const failure = { reason: result.message, failedAt: deps.clock.now().toISOString(), ...(result.code === undefined ? {} : { errorCode: result.code }) };
  await deps.journeys.recordFailed(input.orderId, input.milestone, failure);
  await publishOrRetry(deps, [failedEvent(ref, failure)]);
  return { status: 'failed', reason: failure.reason, ...(failure.errorCode === undefined ? {} : { errorCode: failure.errorCode }) };
}

/**
 * The message is recorded before its event is published; if publishing fails, the step is
 * retried, finds the record, and publishes again under the same event id.
 */
async function publishOrRetry(deps: SendStepDeps, events: DomainEvent[]): Promise<void> {
  try {
    await deps.publish(events);
  } catch (error) {
    throw new TransientSendError(`recorded, but publishing ${events.map((e) => e.type).join(', ')} failed: ${(error as Error).message}`);
  }
}

function failedEvent(ref: MessageRef, failure: { failedAt: string; errorCode?: number }): DomainEvent {
  return {
    type: DOMAIN_EVENT.messageFailed,
    detail: {
      eventId: `send-failed:${ref.orderId}:${ref.milestone}`,
      occurredAt: failure.failedAt,
      ...ref,
      ...(failure.errorCode === undefined ? {} : { errorCode: failure.errorCode }),
    },
  };
}

function sentEvent(ref: MessageRef, wamid: string, sentAt: string): DomainEvent {
  // Same id as the `sent` status webhook of this wamid, so the two count once.
  return { type: DOMAIN_EVENT.messageSent, detail: { eventId: `${wamid}:sent`, occurredAt: sentAt, ...ref, wamid } };
}

async function outcomeOfEarlierAttempt(existing: MessageRecord, ref: MessageRef, phone: string, deps: SendStepDeps): Promise<SendOutcome> {
  switch (existing.status) {
    // The earlier attempt may have died before recording the wamid or publishing; both are safe to repeat.
    case 'sent':
      await deps.journeys.recordSentMessage({ ...ref, wamid: existing.wamid, phone, sentAt: existing.sentAt });
      await publishOrRetry(deps, [sentEvent(ref, existing.wamid, existing.sentAt)]);
      return { status: 'sent', wamid: existing.wamid, template: ref.template, variant: ref.variant };
    case 'failed':
      await publishOrRetry(deps, [failedEvent(ref, existing)]);
      return { status: 'failed', reason: existing.reason, ...(existing.errorCode === undefined ? {} : { errorCode: existing.errorCode }) };
    case 'claimed':
      // An attempt died between claim and answer: Meta may have sent it. At most once beats twice.
      return { status: 'skipped', reason: `an earlier attempt claimed this message at ${existing.claimedAt} and did not finish; not resent to avoid a double message` };
  }
}
