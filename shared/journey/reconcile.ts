import type { PurchaseDetail } from '../events/purchase';
import { templatesForMilestone } from '../templates/catalogue';
import type { MessageRef } from '../whatsapp/callback-data';
import type { FollowUpDeps } from './follow-up';
import type { MilestoneId } from './milestones';
import { decideReconciliation } from './reconcile-plan';
import { publishOrRetry, sentEvent, sentOutcome, type SendOutcome, type UnconfirmedOutcome } from './send-step';
import { nextSendTime, sendRulesFor } from './send-window';

/**
 * The reconciliation step: the journey waited after a send it could not confirm (the send
 * step's `unconfirmed` outcome with `followUpAt`); now it reads the statuses the webhook kept
 * under the order (./message-facts.ts `TakenMessage`) and ./reconcile-plan.ts decides:
 * - Meta took it: recorded sent with Meta's wamid (so replies, statuses and KPIs find it),
 *   `Message Sent` under the same id as the `sent` status, and the milestone goes on as after
 *   any send (its follow-up);
 * - Meta did not: the claim is given back and the send step runs again, which decides afresh
 *   (consent, caps, send window, template) and claims before it sends;
 * - Meta did not, and the resends are used up: it stays unconfirmed.
 * Safe to repeat: the record, the mapping and the event are idempotent, and the release only
 * gives back the claim this outcome names.
 */

/** What the state machine hands the follow-up step for an unconfirmed send. */
export interface ReconcileInput {
  orderId: string;
  purchase: PurchaseDetail;
  milestone: MilestoneId;
  outcome: UnconfirmedOutcome & Required<Pick<UnconfirmedOutcome, 'template' | 'variant' | 'claimedAt' | 'followUpAt'>>;
}

export async function runReconciliation(input: ReconcileInput, deps: Pick<FollowUpDeps, 'clock' | 'config' | 'journeys' | 'followUps' | 'publish'>): Promise<SendOutcome> {
  const { orderId, milestone, outcome: state } = input;
  const ref: MessageRef = { orderId, milestone, template: state.template, variant: state.variant };
  const resends = state.unconfirmedResends ?? 0;
  const decision = decideReconciliation({ milestone, template: state.template, claimedAt: state.claimedAt }, await deps.followUps.takenOf(orderId), resends);

  switch (decision.kind) {
    case 'taken': {
      const sent = { wamid: decision.wamid, sentAt: decision.at };
      await deps.journeys.recordSent(orderId, milestone, sent.wamid, sent.sentAt);
      await deps.journeys.recordSentMessage({ ...ref, ...sent, phone: input.purchase.customer.phone });
      await publishOrRetry(deps, [sentEvent(ref, sent.wamid, sent.sentAt)]);
      const category = templatesForMilestone(milestone)[0]?.category ?? 'utility';
      return sentOutcome(ref, sent, { purchase: input.purchase, previous: state }, category, deps);
    }
    case 'resend': {
      await deps.journeys.releaseUnconfirmed(orderId, milestone, state.claimedAt);
      const retryAt = nextSendTime(deps.clock.now(), sendRulesFor(input.purchase.customer, deps.config));
      return {
        status: 'deferred',
        reason: 'unconfirmed-not-taken',
        retryAt: retryAt.toISOString(),
        capDeferrals: state.capDeferrals ?? 0,
        metaLimitRetries: state.metaLimitRetries ?? 0,
        unconfirmedResends: resends + 1,
      };
    }
    case 'give-up':
      return {
        status: 'unconfirmed',
        reason: `Meta reported no status of the message claimed at ${state.claimedAt}, after ${resends} resends of it; not sent again`,
        template: state.template,
        variant: state.variant,
        claimedAt: state.claimedAt,
      };
  }
}
