import { createHash } from 'node:crypto';
import type { MilestoneId } from '#shared/journey/milestones';
import type { CustomerRates } from './rates';

/** What a simulated customer does with one journey message. */
export type CustomerAnswer =
  | { kind: 'undeliverable' }
  | { kind: 'silent' }
  | { kind: 'opt-out'; text: string }
  | { kind: 'chat'; text: string }
  | { kind: 'booking'; text: string }
  | { kind: 'free-text'; text: string }
  | { kind: 'score'; text: string; score: number }
  | { kind: 'callback'; text: string }
  | { kind: 'yes'; text: string };

export type AnswerKind = CustomerAnswer['kind'];

/** Answers no milestone understands: the system hands them to a person. None is a keyword or a number. */
const FREE_TEXTS = ['Todo bien, gracias', '¿Cómo se limpia el filtro?', 'No me llegó el manual', 'ok 👍', 'Muy contenta con la compra!'] as const;

/**
 * A stream of uniform numbers in [0, 1) that depends only on the seed and the key, so the
 * same customer answers the same message the same way in every run with that seed, whatever
 * order the messages arrive in.
 */
export function seededRandom(seed: string, key: string): () => number {
  let draw = 0;
  return () => {
    const digest = createHash('sha256').update(`${seed}\u0000${key}\u0000${draw++}`).digest();
    return digest.readUIntBE(0, 6) / 2 ** 48;
  };
}

/** One customer's answer to one template message of `milestone`, from the rates and a random stream. */
export function answerTo(milestone: MilestoneId, rates: CustomerRates, random: () => number): CustomerAnswer {
  if (random() < rates.undeliverable) return { kind: 'undeliverable' };
  let u = random();
  const pick = (shareOf: number): boolean => {
    if (u < shareOf) return true;
    u -= shareOf;
    return false;
  };
  if (pick(rates.optOut)) return { kind: 'opt-out', text: 'BAJA' };
  switch (milestone) {
    case 'day7':
      if (pick(rates.day7.chat)) return { kind: 'chat', text: '1' };
      if (pick(rates.day7.booking)) return { kind: 'booking', text: '2' };
      if (pick(rates.day7.freeText)) return { kind: 'free-text', text: FREE_TEXTS[Math.floor(random() * FREE_TEXTS.length)]! };
      return { kind: 'silent' };
    case 'day30':
      if (pick(rates.day30.score)) {
        const score = weightedIndex(rates.day30.scores, random());
        return { kind: 'score', text: String(score), score };
      }
      if (pick(rates.day30.callback)) return { kind: 'callback', text: '99' };
      return { kind: 'silent' };
    case 'day60':
      if (pick(rates.day60.yes)) return { kind: 'yes', text: 'SÍ' };
      return { kind: 'silent' };
  }
}

function weightedIndex(weights: readonly number[], u: number): number {
  const total = weights.reduce((sum, w) => sum + w, 0);
  let left = u * total;
  for (const [index, weight] of weights.entries()) {
    if (left < weight) return index;
    left -= weight;
  }
  return weights.length - 1;
}
