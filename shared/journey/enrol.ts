import type { Clock } from '../clock';
import { DAY_MS } from '../clock';
import { consentChangeOfPurchase } from '../consent/changes';
import { recordConsentChange, type ConsentStore, type RecordOutcome } from '../consent/record';
import type { PurchaseDetail } from '../events/purchase';
import type { ContactJourneyIndex } from './contact-journeys';
import type { JourneyInput } from './start';

export interface EnrolDeps {
  clock: Clock;
  consent: ConsentStore;
  journeys: Pick<ContactJourneyIndex, 'recordJourney'>;
  /** The ARN the execution of this name will have (known before it starts). */
  executionArnOf(name: string): string;
  /** Starts the execution unless one of this name exists. */
  start(name: string, input: JourneyInput): Promise<'started' | 'already-started'>;
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
 * 3. the execution starts. Each step is idempotent, so a retried event repeats them safely.
 */
export async function enrolPurchase(purchase: PurchaseDetail, execution: { name: string; input: JourneyInput }, deps: EnrolDeps): Promise<Enrolment> {
  const change = consentChangeOfPurchase(purchase);
  let outcome: RecordOutcome | undefined;
  if (change !== undefined) outcome = await recordConsentChange(change, { store: deps.consent, clock: deps.clock });

  const executionArn = deps.executionArnOf(execution.name);
  const lastDue = Math.max(deps.clock.now().getTime(), ...execution.input.schedule.map((m) => Date.parse(m.dueAt)));
  await deps.journeys.recordJourney(
    purchase.customer.phone,
    { orderId: purchase.orderId, executionArn, locale: purchase.customer.locale, purchasedAt: purchase.purchasedAt },
    new Date(lastDue + INDEX_KEPT_AFTER_LAST_MILESTONE_MS),
  );

  const started = await deps.start(execution.name, execution.input);
  return { execution: started, executionArn, ...(outcome === undefined ? {} : { optIn: outcome.recorded ? 'recorded' : 'duplicate' }) };
}
