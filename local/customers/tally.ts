import { DEFAULT_MILESTONES, MILESTONE_IDS, type MilestoneId } from '#shared/journey/milestones';
import type { AnswerKind } from './behaviour';
import type { CustomerRecord } from './index';

/** What the customers did with one milestone's messages. */
export type MilestoneTally = Record<AnswerKind, number> & {
  /** Template messages the customers were sent. */
  messages: number;
  /** Scores by NPS group (9–10, 7–8, 0–6). */
  promoters: number;
  passives: number;
  detractors: number;
};

export type CustomerTally = Record<MilestoneId, MilestoneTally>;

const emptyTally = (): MilestoneTally => ({
  messages: 0,
  undeliverable: 0,
  silent: 0,
  'opt-out': 0,
  chat: 0,
  booking: 0,
  'free-text': 0,
  score: 0,
  callback: 0,
  yes: 0,
  promoters: 0,
  passives: 0,
  detractors: 0,
});

/** Counts the customers' answers per milestone: what a KPI report of the same journeys must show. */
export function tallyAnswers(answers: readonly CustomerRecord[]): CustomerTally {
  const tally: CustomerTally = { day7: emptyTally(), day30: emptyTally(), day60: emptyTally() };
  for (const { milestone, answer } of answers) {
    const t = tally[milestone];
    t.messages += 1;
    t[answer.kind] += 1;
    if (answer.kind === 'score') {
      if (answer.score >= 9) t.promoters += 1;
      else if (answer.score >= 7) t.passives += 1;
      else t.detractors += 1;
    }
  }
  return tally;
}

/** Counters a KPI report must show for these answers, per milestone and in total. */
export interface ImpliedKpis {
  byMilestone: Record<MilestoneId, Record<string, number>>;
  totals: Record<string, number>;
}

/**
 * What the system's rules (README, "What it does with each customer") make of the answers:
 * every message is sent; delivered and read unless undeliverable; `1` and free text hand the
 * chat to a person, `2` books; a score is an NPS answer and a detractor's also opens a ticket;
 * `99` is a callback ticket; `SÍ` is a lead; `BAJA` is an opt-out and no reply. Delivered
 * templates are billed by their category.
 */
export function kpisImpliedBy(tally: CustomerTally): ImpliedKpis {
  const byMilestone = {} as Record<MilestoneId, Record<string, number>>;
  const totals: Record<string, number> = { optOuts: 0, billableUtility: 0, billableMarketing: 0 };
  for (const milestone of MILESTONE_IDS) {
    const t = tally[milestone];
    const delivered = t.messages - t.undeliverable;
    const replies = t.chat + t.booking + t['free-text'] + t.score + t.callback + t.yes;
    byMilestone[milestone] = {
      sent: t.messages,
      delivered,
      read: delivered,
      failed: t.undeliverable,
      failedUndeliverable: t.undeliverable,
      replies,
      responders: replies,
      npsAnswers: t.score,
      npsPromoters: t.promoters,
      npsPassives: t.passives,
      npsDetractors: t.detractors,
      callbacks: t.callback,
      tickets: t.callback + t.detractors,
      chatHandoffs: t.chat + t['free-text'],
      bookings: t.booking,
      leads: t.yes,
    };
    totals.optOuts! += t['opt-out'];
    const category = DEFAULT_MILESTONES.find((m) => m.id === milestone)!.category;
    totals[category === 'marketing' ? 'billableMarketing' : 'billableUtility']! += delivered;
  }
  return { byMilestone, totals };
}

/** Where a KPI report (`GET /kpis`) differs from the implied counters, one line per counter; empty when equal. */
export function kpiDifferences(report: { totals: Record<string, number>; byMilestone: Record<string, Record<string, number>> }, implied: ImpliedKpis): string[] {
  const differences: string[] = [];
  const compare = (where: string, actual: Record<string, number> | undefined, expected: Record<string, number>) => {
    for (const [counter, value] of Object.entries(expected)) {
      const got = actual?.[counter] ?? 0;
      if (got !== value) differences.push(`${where}.${counter}: KPIs ${got}, customers ${value}`);
    }
  };
  for (const milestone of MILESTONE_IDS) compare(milestone, report.byMilestone[milestone], implied.byMilestone[milestone]);
  compare('totals', report.totals, implied.totals);
  return differences;
}
