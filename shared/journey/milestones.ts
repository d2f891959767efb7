/** The journey's milestones: days after the purchase, and the Meta category of what is sent. */
export const MILESTONE_IDS = ['day7', 'day30', 'day60'] as const;
export type MilestoneId = (typeof MILESTONE_IDS)[number];

export type TemplateCategory = 'utility' | 'marketing';

export interface Milestone {
  readonly id: MilestoneId;
  /** Days after `purchasedAt` when the milestone is due. */
  readonly day: number;
  readonly category: TemplateCategory;
}

export const DEFAULT_MILESTONES: readonly Milestone[] = [
  { id: 'day7', day: 7, category: 'utility' },
  { id: 'day30', day: 30, category: 'utility' },
  { id: 'day60', day: 60, category: 'marketing' },
];

/** The milestone whose message asks for a reply: without one, another channel is asked to follow up. */
export const NO_REPLY_FALLBACK_MILESTONE: MilestoneId = 'day7';

export function isMilestoneId(value: string): value is MilestoneId {
  return (MILESTONE_IDS as readonly string[]).includes(value);
}
