import type { PurchaseDetail } from '../events/purchase';
import { executionNameForOrder } from './execution-name';
import type { Milestone } from './milestones';
import { scheduleMilestones, type ScheduledMilestone } from './schedule';

/** The state machine's input (see statemachines/journey.asl.json). */
export interface JourneyInput {
  orderId: string;
  purchase: PurchaseDetail;
  schedule: ScheduledMilestone[];
}

export function journeyExecution(purchase: PurchaseDetail, milestones: readonly Milestone[]): { name: string; input: JourneyInput } {
  return {
    name: executionNameForOrder(purchase.orderId),
    input: { orderId: purchase.orderId, purchase, schedule: scheduleMilestones(new Date(purchase.purchasedAt), milestones) },
  };
}
