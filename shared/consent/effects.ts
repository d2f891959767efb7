import { createHash } from 'node:crypto';
import type { Clock } from '../clock';
import { DAY_MS } from '../clock';
import { DOMAIN_EVENT, type DomainEvent } from '../events/domain';
import type { ContactJourneyIndex } from '../journey/contact-journeys';
import type { MessageRef } from '../whatsapp/callback-data';
import type { SendResult } from '../whatsapp/graph-client';
import type { InboundMessage } from '../whatsapp/inbound-message';
import type { UserPreferenceChange } from '../whatsapp/user-preferences';
import { consentChangeOfButton, consentChangeOfText, consentChangeOfUserPreference, type ConsentChange, type ConsentContact } from './changes';
import { consentConfirmation } from './confirmations';
import { changedScopes, foldConsent, type ConsentEvidence } from './ledger';
import { recordConsentChange, type ConsentStore } from './record';
import type { ConsentAction, ConsentScope } from './scopes';

/**
 * The consent side of the webhook (DESIGN.md §1 "Any time", §7 "Opt-out races"): from a
 * customer's keyword or quick-reply tap, or Meta's `user_preferences`, to
 *   1. the ledger (synchronous: the opt-out holds before the webhook answers),
 *   2. the contact's journeys stopped (a customer's opt-out, which covers every scope),
 *   3. an `Opted Out` / `Opted In` event when a scope actually moved,
 *   4. one confirmation, free-form inside the service window the customer's message opened.
 * The webhook runs these under the unit's claim, so a delivery has them once; when an attempt
 * fails midway, Meta's retry finds the evidence already recorded and redoes 2–4 (2 and 3 are
 * idempotent; 4 is the last thing before the claim is marked done).
 */

export interface ConsentEffectsDeps {
  store: ConsentStore;
  /** Recorded-at times and the service window. */
  clock: Clock;
  journeys: Pick<ContactJourneyIndex, 'journeysOf'>;
  /** Stops one journey execution; an execution that ended or never started is not an error. */
  stopJourney(executionArn: string): Promise<unknown>;
  /** Sends free-form text; absent when the deployment cannot send (no phone number id configured). */
  sendText?: (to: string, body: string) => Promise<SendResult>;
}

/** The journey message a consent change is attributed to in KPIs (the one it quotes, else the last one sent). */
export interface ConsentAttribution {
  ref: MessageRef;
  /** Our wamid of that message. */
  wamid: string;
  matchedBy: 'context' | 'last-message';
}

/** One consent fact the webhook took in, ready to settle. */
export interface ConsentPlan {
  change: ConsentChange;
  /** Prefix of the events' deterministic ids: the inbound wamid, or a stable id of the preference. */
  eventIdBase: string;
  /** Set when the customer wrote or tapped it: they get a confirmation, and an opt-out stops their journeys. */
  customer?: { inboundWamid: string; inboundAt: string; messageType: string };
  attribution?: ConsentAttribution;
}

export interface SettledConsent {
  recorded: boolean;
  events: DomainEvent[];
  journeysStopped: number;
  /** To send after the events are out (see above); absent when no reply is due or possible. */
  confirmation?: { to: string; body: string };
  /** Why something was not done, safe to log (no phone numbers). */
  notes: string[];
}

/** The service window a customer's message opens (Meta: 24 hours). */
const SERVICE_WINDOW_MS = DAY_MS;

/**
 * A customer's message that is only a consent keyword (`type: text`; a media caption is not a
 * message to us), or a tap on the opt-out quick reply (or on a button whose payload is a keyword).
 */
export function consentChangeOfInbound(message: InboundMessage, contact: ConsentContact): ConsentChange | undefined {
  const fact = { contact, messageId: message.wamid, at: message.sentAt };
  if (message.type === 'text') return message.text === undefined ? undefined : consentChangeOfText({ ...fact, text: message.text });
  if ((message.type === 'button' || message.type === 'interactive') && message.payload !== undefined) {
    return consentChangeOfButton({ ...fact, payload: message.payload, ...(message.text === undefined ? {} : { text: message.text }) });
  }
  return undefined;
}

/**
 * Meta's `user_preferences` change as a plan: marketing scope only, no confirmation (the
 * customer acted inside WhatsApp, not by writing to us). `contactKey` is the phone, else the BSUID.
 */
export function consentPlanOfPreference(preference: UserPreferenceChange, contactKey: string): ConsentPlan | undefined {
  const change = consentChangeOfUserPreference({
    contact: { phone: contactKey, ...(preference.contact.bsuid === undefined ? {} : { bsuid: preference.contact.bsuid }) },
    value: preference.value,
    at: preference.changedAt,
    category: preference.category,
    ...(preference.detail === undefined ? {} : { detail: preference.detail }),
  });
  if (change === undefined) return undefined;
  // Meta gives the preference no id: the contact (hashed: ids leave the system), the value and the time make one.
  return { change, eventIdBase: `user-preferences:${contactDigest(contactKey)}:${preference.value}:${change.at}` };
}

/** A short, stable, non-reversible id of a contact for ids that leave the system. */
export function contactDigest(contactKey: string): string {
  return createHash('sha256').update(contactKey).digest('hex').slice(0, 20);
}

export async function settleConsent(plan: ConsentPlan, deps: ConsentEffectsDeps): Promise<SettledConsent> {
  const { change } = plan;
  const outcome = await recordConsentChange(change, { store: deps.store, clock: deps.clock });
  // A retry after a failed attempt: the evidence is there; what it moved is read back from the trail.
  const moved = outcome.recorded ? outcome.changedScopes : scopesMovedBy(await deps.store.listEvidence(change.contact.phone), change.evidenceId);
  const events = moved.length === 0 ? [] : [consentEvent(plan, change.action, moved)];
  const settled: SettledConsent = { recorded: outcome.recorded, events, journeysStopped: 0, notes: [] };
  if (plan.customer === undefined) return settled;

  const journeys = await deps.journeys.journeysOf(change.contact.phone);
  if (change.action === 'opt-out') {
    await Promise.all(journeys.map((journey) => deps.stopJourney(journey.executionArn)));
    settled.journeysStopped = journeys.length;
  }

  const what = `${change.action} confirmation`;
  if (!change.contact.phone.startsWith('+')) settled.notes.push(`${what} not sent: the contact has no phone number, only a BSUID`);
  else if (deps.sendText === undefined) settled.notes.push(`${what} not sent: no WhatsApp phone number id is configured`);
  else if (deps.clock.now().getTime() - Date.parse(plan.customer.inboundAt) > SERVICE_WINDOW_MS) settled.notes.push(`${what} not sent: the service window has closed`);
  else settled.confirmation = { to: change.contact.phone, body: consentConfirmation(change.action, journeys[0]?.locale) };
  return settled;
}

/** Thrown when Meta may take the confirmation on a retry (429, 5xx, timeout): the webhook answers non-200. */
export class TransientConfirmationError extends Error {
  override readonly name = 'TransientConfirmationError';
}

/**
 * Sends a confirmation. A refusal worth retrying throws (Meta's retry of the webhook sends it);
 * a permanent one (window closed, number not on WhatsApp…) is a note, not a failure: the
 * consent change itself already holds.
 */
export async function sendConfirmation(confirmation: { to: string; body: string }, deps: Pick<ConsentEffectsDeps, 'sendText'>): Promise<string | undefined> {
  if (deps.sendText === undefined) return 'confirmation not sent: sending is not configured';
  const result = await deps.sendText(confirmation.to, confirmation.body);
  if (result.ok) return undefined;
  if (result.retryable) throw new TransientConfirmationError(`consent confirmation not taken by Meta, will retry: ${result.message}`);
  return `confirmation refused by Meta${result.code === undefined ? '' : ` (code ${result.code})`}: ${result.message}`;
}

/** Scopes an evidence item moved when it was recorded: the trail before it (in recording order) against the trail with it. */
export function scopesMovedBy(evidence: readonly ConsentEvidence[], evidenceId: string): ConsentScope[] {
  const target = evidence.find((item) => item.evidenceId === evidenceId);
  if (target === undefined) return [];
  const before = evidence.filter(
    (item) => item !== target && (item.recordedAt < target.recordedAt || (item.recordedAt === target.recordedAt && item.evidenceId < target.evidenceId)),
  );
  return changedScopes(foldConsent(before), foldConsent([...before, target]));
}

const EVENT_OF_ACTION: Record<ConsentAction, { type: typeof DOMAIN_EVENT.optedOut | typeof DOMAIN_EVENT.optedIn; suffix: string }> = {
  'opt-out': { type: DOMAIN_EVENT.optedOut, suffix: 'opted-out' },
  'opt-in': { type: DOMAIN_EVENT.optedIn, suffix: 'opted-in' },
};

/**
 * `Opted Out` / `Opted In`, id `<inbound wamid>:opted-out` (or the preference's id), attributed
 * to a journey message when there is one (else the KPIs count it as unattributed). No phone
 * and no text: events leave the system.
 */
export function consentEvent(plan: ConsentPlan, action: ConsentAction, scopes: readonly ConsentScope[]): DomainEvent {
  const { type, suffix } = EVENT_OF_ACTION[action];
  const detail = {
    eventId: `${plan.eventIdBase}:${suffix}`,
    occurredAt: plan.change.at,
    ...(plan.attribution === undefined ? {} : { ...plan.attribution.ref, wamid: plan.attribution.wamid, matchedBy: plan.attribution.matchedBy }),
    ...(plan.customer === undefined ? {} : { inboundWamid: plan.customer.inboundWamid, messageType: plan.customer.messageType }),
    source: plan.change.source,
    scopes: [...scopes],
  };
  return { type, detail };
}
