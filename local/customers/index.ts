import type { MilestoneId } from '#shared/journey/milestones';
import { TEMPLATES } from '#shared/templates/catalogue';
import { undeliverable, type RecipientFate, type RecordedSend } from '../meta-simulator';
import { answerTo, seededRandom, type CustomerAnswer } from './behaviour';
import { resolveCustomerRates, type CustomerRates, type CustomerRatesOverride } from './rates';

export { DEFAULT_CUSTOMER_RATES, resolveCustomerRates, type CustomerRates, type CustomerRatesOverride } from './rates';
export type { AnswerKind, CustomerAnswer } from './behaviour';
export { kpiDifferences, kpisImpliedBy, tallyAnswers, type CustomerTally, type ImpliedKpis, type MilestoneTally } from './tally';

export interface SimulatedCustomersOptions {
  /** Same seed, same answers: each answer depends only on the seed, the phone and the template. */
  seed: string;
  /** Laid over DEFAULT_CUSTOMER_RATES. */
  rates?: CustomerRatesOverride;
  /**
   * Real milliseconds after the send before any answer: the floor a fast virtual day needs so
   * that answers never overtake the sender recording the message id (a person never does).
   * @default 2000
   */
  minimumReplyRealMs?: number;
}

/** What one customer did with one journey message. */
export interface CustomerRecord {
  /** The journey message, as Meta's simulator accepted it. */
  wamid: string;
  /** The customer's wa_id. */
  waId: string;
  milestone: MilestoneId;
  template: string;
  answer: CustomerAnswer;
}

export interface SimulatedCustomers {
  readonly rates: CustomerRates;
  /** The Meta simulator's `recipients`: decides, records and returns what happens to a send. */
  fateOf(send: RecordedSend): RecipientFate;
  /** Every decision about a journey template, in the order the sends were accepted. */
  readonly answers: readonly CustomerRecord[];
}

/**
 * Phones the simulated customers leave alone (E.164 prefix; `+54 9 11 0000 …`, not a number
 * anyone holds): a script that plays the customer itself (`npm run scenarios`) uses them, so
 * no random answer crosses its own. Their messages are delivered and read, and nobody answers,
 * as with the customers off; they are not in `answers`.
 */
export const SCRIPTED_PHONE_PREFIX = '+549110000';

/** Whether a phone (E.164, or Meta's wa_id without the `+`) is in the scripted range. */
export function isScriptedPhone(phone: string): boolean {
  return `+${phone.replace(/^\+/, '')}`.startsWith(SCRIPTED_PHONE_PREFIX);
}

const MILESTONE_OF_TEMPLATE = new Map(TEMPLATES.map((t) => [t.name, t.milestone]));
const REMINDERS = new Set(TEMPLATES.filter((t) => t.role === 'reminder').map((t) => t.name));

/**
 * The people at the other end of the Meta simulator. Each journey template they get is
 * undeliverable at a small rate, else delivered, read and answered (or not) by the milestone's
 * rates; the simulator posts the answer as a signed inbound webhook quoting the message. Free
 * text messages (the opt-out confirmation) and templates outside the catalogue get no answer.
 */
/** Outcomes that are no answer to the question. */
const NO_ANSWER: ReadonlySet<CustomerAnswer['kind']> = new Set(['silent', 'undeliverable']);

export function createSimulatedCustomers(options: SimulatedCustomersOptions): SimulatedCustomers {
  const rates = resolveCustomerRates(options.rates);
  const answers: CustomerRecord[] = [];
  const { min, max } = rates.replyDelayMinutes;
  const minimumRealDelayMs = options.minimumReplyRealMs ?? 2000;
  return {
    rates,
    answers,
    fateOf(send) {
      if (send.request.type !== 'template' || isScriptedPhone(send.waId)) return {};
      const template = send.request.template.name;
      const milestone = MILESTONE_OF_TEMPLATE.get(template);
      if (milestone === undefined) return {};
      const random = seededRandom(options.seed, `${send.waId}:${template}`);
      // A customer whose answer to the question is on its way (slower than the reminder) does not answer the reminder too.
      const answered = REMINDERS.has(template) && answers.some((a) => a.waId === send.waId && a.milestone === milestone && !NO_ANSWER.has(a.answer.kind));
      const answer: CustomerAnswer = answered ? { kind: 'silent' } : answerTo(milestone, rates, random);
      answers.push({ wamid: send.wamid, waId: send.waId, milestone, template, answer });
      if (answer.kind === 'undeliverable') return { failure: undeliverable() };
      if (answer.kind === 'silent') return {};
      return { reply: { text: answer.text, afterReadSeconds: Math.round((min + random() * (max - min)) * 60), minimumRealDelayMs } };
    },
  };
}
