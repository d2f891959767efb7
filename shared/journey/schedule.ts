import { DAY_MS } from '../clock';
import type { Milestone, MilestoneId } from './milestones';
import { nextSendTime, type SendRules } from './send-window';

export interface ScheduledMilestone {
  milestone: MilestoneId;
  /** ISO timestamp the journey's Wait state sleeps until. */
  dueAt: string;
}

export interface ScheduleOptions {
  /** The customer's send window, time zone and quiet days; without them, nothing is moved. */
  readonly rules?: SendRules;
  /**
   * No milestone is due before this (a purchase that reaches us late): a due time in the
   * past would make the Wait pass at once, outside the window.
   */
  readonly notBefore?: Date;
}

/**
 * When each milestone is due: purchase time + N × 24 h (so never earlier than N days,
 * whatever daylight saving does), no earlier than `notBefore`, then moved to the first
 * time the customer's send window and quiet days allow. The state machine only waits.
 */
export function scheduleMilestones(purchasedAt: Date, milestones: readonly Milestone[], options: ScheduleOptions = {}): ScheduledMilestone[] {
  return milestones.map((m) => {
    const nominal = Math.max(purchasedAt.getTime() + m.day * DAY_MS, options.notBefore?.getTime() ?? -Infinity);
    const due = options.rules === undefined ? new Date(nominal) : nextSendTime(new Date(nominal), options.rules);
    return { milestone: m.id, dueAt: due.toISOString() };
  });
}
