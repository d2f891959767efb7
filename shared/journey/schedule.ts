import { DAY_MS } from '../clock';
import type { Milestone, MilestoneId } from './milestones';

export interface ScheduledMilestone {
  milestone: MilestoneId;
  /** ISO timestamp the journey's Wait state sleeps until. */
  dueAt: string;
}

/**
 * When each milestone is due: purchase time + N days. Send windows, quiet days and the
 * customer's time zone move these later (journey issue); the state machine only waits.
 */
export function scheduleMilestones(purchasedAt: Date, milestones: readonly Milestone[]): ScheduledMilestone[] {
  return milestones.map((m) => ({
    milestone: m.id,
    dueAt: new Date(purchasedAt.getTime() + m.day * DAY_MS).toISOString(),
  }));
}
