import type { MilestoneId } from '#shared/journey/milestones';
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
