import type { PurchaseDetail } from '../events/purchase';
import { consentIntentOf, consentIntentOfButton } from './keywords';
import { CONSENT_SCOPES, type ConsentAction, type ConsentActor, type ConsentScope, type ConsentSource } from './scopes';

/**
 * Who a consent is about. Contacts are keyed by phone (E.164, with "+", as the purchase event
 * and the send step have it; from a webhook's digits see `phoneFromWaId` in
 * ../whatsapp/contact.ts). Meta's business-scoped user id (BSUID) is kept beside it when a
 * webhook carries one (DESIGN.md §3).
 */
export interface ConsentContact {
  phone: string;
  bsuid?: string;
}

/**
 * One fact that may change consent, as the ledger records it. Build it with the functions
 * below, which hold the rules "which source touches which scopes" and the evidence id.
 */
export interface ConsentChange {
  contact: ConsentContact;
  action: ConsentAction;
  scopes: readonly ConsentScope[];
  source: ConsentSource;
  actor: ConsentActor;
  /** When the fact happened (Meta's timestamp, the store's `optIn.at`), ISO 8601 UTC. */
  at: string;
  /**
   * Same fact ⇒ same id, so a replayed webhook or event records once: built from the wamid,
   * the order id, or (Meta's `user_preferences`, which has no id) the value and timestamp.
   */
  evidenceId: string;
  /** The wamid of the customer's message, or of our message Meta refused (131050). */
  messageId?: string;
  orderId?: string;
  /** What the customer wrote or tapped. */
  text?: string;
  /** Anything else worth keeping as proof: the store's opt-in source, Meta's detail. */
  detail?: string;
}

const BOTH: readonly ConsentScope[] = CONSENT_SCOPES;
const MARKETING: readonly ConsentScope[] = ['marketing'];

/** ISO 8601 UTC with milliseconds, so evidence sorts by time as text. Throws on an invalid time (a parser bug). */
export const isoInstant = (at: string | Date): string => new Date(at).toISOString();

/** An inbound message as the webhook parser has it. */
export interface InboundFact {
  contact: ConsentContact;
  /** wamid of the inbound message. */
  messageId: string;
  at: string;
}

/** A text message that is only a keyword: opt-out or opt-in of both scopes. */
export function consentChangeOfText(message: InboundFact & { text: string }): ConsentChange | undefined {
  const intent = consentIntentOf(message.text);
  if (intent === undefined) return undefined;
  return { ...inbound(message, 'keyword'), action: intent, text: message.text };
}

/** A quick-reply tap (template `button.payload` or interactive `button_reply.id`), with its label when known. */
export function consentChangeOfButton(message: InboundFact & { payload: string; text?: string }): ConsentChange | undefined {
  const intent = consentIntentOfButton(message.payload);
  if (intent === undefined) return undefined;
  return { ...inbound(message, 'quick-reply'), action: intent, text: message.text ?? message.payload };
}

function inbound(message: InboundFact, source: 'keyword' | 'quick-reply') {
  return {
    contact: message.contact,
    scopes: BOTH,
    source,
    actor: 'customer' as const,
    at: isoInstant(message.at),
    evidenceId: `${source}:${message.messageId}`,
    messageId: message.messageId,
  };
}

/** Meta's `user_preferences` webhook: the customer stopped or resumed our marketing inside WhatsApp. */
export function consentChangeOfUserPreference(preference: {
  contact: ConsentContact;
  value: string;
  at: string;
  category?: string;
  detail?: string;
}): ConsentChange | undefined {
  if (preference.category !== undefined && preference.category !== 'marketing_messages') return undefined;
  const action: ConsentAction | undefined = preference.value === 'stop' ? 'opt-out' : preference.value === 'resume' ? 'opt-in' : undefined;
  if (action === undefined) return undefined;
  const at = isoInstant(preference.at);
  return {
    contact: preference.contact,
    action,
    scopes: MARKETING,
    source: 'meta-user-preferences',
    actor: 'meta',
    at,
    evidenceId: `meta-user-preferences:${preference.value}:${at}`,
    ...(preference.detail === undefined ? {} : { detail: preference.detail }),
  };
}

/** Meta's code for "the user stopped marketing messages from this business". */
export const MARKETING_OPT_OUT_ERROR_CODE = 131050;

/**
 * A send refused with 131050 (synchronously or in a `failed` status webhook): a marketing
 * opt-out. `undefined` for any other code.
 */
export function consentChangeOfSendError(failure: {
  contact: ConsentContact;
  code: number | undefined;
  at: string;
  /** Our wamid, when Meta had accepted the message before failing it. */
  messageId?: string;
  orderId?: string;
  milestone?: string;
  detail?: string;
}): ConsentChange | undefined {
  if (failure.code !== MARKETING_OPT_OUT_ERROR_CODE) return undefined;
  const at = isoInstant(failure.at);
  const ref = failure.messageId ?? (failure.orderId === undefined ? at : `${failure.orderId}:${failure.milestone ?? ''}`);
  return {
    contact: failure.contact,
    action: 'opt-out',
    scopes: MARKETING,
    source: 'send-error-131050',
    actor: 'meta',
    at,
    evidenceId: `send-error-131050:${ref}`,
    ...(failure.messageId === undefined ? {} : { messageId: failure.messageId }),
    ...(failure.orderId === undefined ? {} : { orderId: failure.orderId }),
    ...(failure.detail === undefined ? {} : { detail: failure.detail }),
  };
}

/**
 * The store's opt-in from a purchase (`customer.optIn`), for both scopes; `undefined` when the
 * event carries none. Whether it counts after an opt-out is the ledger's rule (ledger.ts).
 */
export function consentChangeOfPurchase(purchase: PurchaseDetail): ConsentChange | undefined {
  const optIn = purchase.customer.optIn;
  if (optIn === undefined) return undefined;
  return {
    contact: { phone: purchase.customer.phone },
    action: 'opt-in',
    scopes: BOTH,
    source: 'purchase-event',
    actor: 'store',
    at: isoInstant(optIn.at),
    evidenceId: `purchase-event:${purchase.orderId}`,
    orderId: purchase.orderId,
    detail: optIn.source,
  };
}
