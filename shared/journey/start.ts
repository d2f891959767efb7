import type { PurchaseDetail } from '../events/purchase';
import type { JourneyConfig } from './config';
import { executionNameForOrder } from './execution-name';
import { isInHoldout } from './holdout';
import { scheduleMilestones, type ScheduledMilestone } from './schedule';
import { sendRulesFor } from './send-window';

/** The state machine's input (see statemachines/journey.asl.json). */
export interface JourneyInput {
  orderId: string;
  purchase: PurchaseDetail;
  /**
   * True for the control group: the journey runs and is tracked, but the send step must
   * not message the customer (it records a skip with the reason instead).
   */
  holdout: boolean;
  schedule: ScheduledMilestone[];
}

/**
 * The execution that carries one order's journey: named after the order (so Step Functions
 * itself refuses a second one), scheduled by the journey settings in the customer's own
 * time zone, and marked when the customer is in the holdout.
 *
 * @param now when the purchase is being handled; no milestone is scheduled before it
 */
export function journeyExecution(purchase: PurchaseDetail, config: JourneyConfig, now: Date): { name: string; input: JourneyInput } {
  const rules = sendRulesFor(purchase.customer, config);
  return {
    name: executionNameForOrder(purchase.orderId),
    input: {
      orderId: purchase.orderId,
      purchase,
      holdout: isInHoldout(purchase.customer, config.holdoutShare),
      schedule: scheduleMilestones(new Date(purchase.purchasedAt), config.milestones, { rules, notBefore: now }),
    },
  };
}
