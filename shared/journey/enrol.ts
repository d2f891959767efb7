import type { Clock } from '../clock';
import { DAY_MS } from '../clock';
import { consentChangeOfPurchase } from '../consent/changes';
import { recordConsentChange, type ConsentStore, type RecordOutcome } from '../consent/record';
import { DOMAIN_EVENT, type DomainEvent } from '../events/domain';
import type { PurchaseDetail } from '../events/purchase';
import type { ContactJourneyIndex } from './contact-journeys';
import type { JourneyInput } from './start';

export interface EnrolDeps {
  clock: Clock;
  consent: ConsentStore;
  journeys: Pick<ContactJourneyIndex, 'recordJourney'>;
  /** `repurchaseWindowDays` of the journey settings: the index item is kept at least that long. */
  repurchaseWindowDays: number;
  /** The ARN the execution of this name will have (known before it starts). */
  executionArnOf(name: string): string;
  /** Starts the execution unless one of this name exists. */
  start(name: string, input: JourneyInput): Promise<'started' | 'already-started'>;
  /** Puts events on the bus (shared/aws/eventbridge.ts). */
  publish(events: DomainEvent[]): Promise<void>;
}

export interface Enrolment {
  execution: 'started' | 'already-started';
  executionArn: string;
  /** What the store's opt-in did to the ledger: absent when the purchase carries none. */
  optIn?: 'recorded' | 'duplicate';
}

/** The index item outlives the journey's last milestone by this much (replies, retries of 131049). */
const INDEX_KEPT_AFTER_LAST_MILESTONE_MS = 30 * DAY_MS;

/**
 * A purchase joins its journey, in the order that keeps the consent rules true whatever fails:
 * 1. the store's opt-in (if any) is recorded as evidence, so the first send finds it;
 * 2. the journey is indexed under the contact, so an opt-out arriving from now on finds and
 *    stops it (an opt-out between 2 and 3 finds no execution yet, and the send step's consent
 *    check refuses every send: the ledger never lets a purchase opt-in undo an opt-out);
 * 3. the execution starts;
 * 4. `Journey Started` says which cohort (messaged or holdout) the journey joined, so the
 *    repurchase rates have their denominators (counted once: its id is the order's).
 * Each step is idempotent, so a retried event repeats them safely.
 */
export async function enrolPurchase(purchase: PurchaseDetail, execution: { name: string; input: JourneyInput }, deps: EnrolDeps): Promise<Enrolment> {
  const change = consentChangeOfPurchase(purchase);
  let outcome: RecordOutcome | undefined;
  if (change !== undefined) outcome = await recordConsentChange(change, { store: deps.consent, clock: deps.clock });

  const executionArn = deps.executionArnOf(execution.name);
  const lastDue = Math.max(deps.clock.now().getTime(), ...execution.input.schedule.map((m) => Date.parse(m.dueAt)));
  // Also kept as long as a later purchase can be a repurchase of this journey (shared/journey/repurchase.ts).
  const repurchasesUntil = Date.parse(purchase.purchasedAt) + deps.repurchaseWindowDays * DAY_MS;
  await deps.journeys.recordJourney(
    purchase.customer.phone,
    { orderId: purchase.orderId, executionArn, locale: purchase.customer.locale, purchasedAt: purchase.purchasedAt, holdout: execution.input.holdout },
    new Date(Math.max(lastDue + INDEX_KEPT_AFTER_LAST_MILESTONE_MS, repurchasesUntil + DAY_MS)),
  );

  const started = await deps.start(execution.name, execution.input);
  await deps.publish([
    {
      type: DOMAIN_EVENT.journeyStarted,
      detail: { eventId: `journey-started:${purchase.orderId}`, occurredAt: purchase.purchasedAt, orderId: purchase.orderId, holdout: execution.input.holdout },
    },
  ]);
  return { execution: started, executionArn, ...(outcome === undefined ? {} : { optIn: outcome.recorded ? 'recorded' : 'duplicate' }) };
}
