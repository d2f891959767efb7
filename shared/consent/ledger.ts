import type { ConsentChange } from './changes';
import { CONSENT_SCOPES, type ConsentAction, type ConsentActor, type ConsentScope, type ConsentSource } from './scopes';

/** One stored piece of evidence: the change as it happened, plus when we recorded it. Never deleted, never TTL'd. */
export interface ConsentEvidence extends Omit<ConsentChange, 'contact'> {
  phone: string;
  bsuid?: string;
  recordedAt: string;
}

/** A scope with no recorded opt-in is `none`: nothing may be sent in it. */
export type ScopeConsent =
  | { status: 'none' }
  | { status: 'opted-in' | 'opted-out'; source: ConsentSource; at: string; evidenceId: string };

export type ConsentScopes = Record<ConsentScope, ScopeConsent>;

/** The current consent of one contact: what a sender reads before every message. */
export interface ConsentState {
  phone: string;
  bsuid?: string;
  scopes: ConsentScopes;
  /** How many evidence items made this state; the store's optimistic lock. */
  version: number;
  updatedAt: string;
}

export function evidenceOf(change: ConsentChange, recordedAt: string): ConsentEvidence {
  const { contact, ...rest } = change;
  return { ...rest, phone: contact.phone, ...(contact.bsuid === undefined ? {} : { bsuid: contact.bsuid }), recordedAt };
}

const NO_CONSENT: ConsentScopes = { utility: { status: 'none' }, marketing: { status: 'none' } };

/**
 * The consent of every scope, from the evidence alone: a fold in the order the facts happened
 * (`at`), whatever the order they reached us in. So two changes that race, or a webhook that
 * Meta delivers late, end in the same state as if they had come in order — the last fact wins,
 * with these rules:
 *
 * - An opt-out always takes effect. At the same instant as an opt-in it is applied last, so
 *   it wins a tie (Meta's timestamps are whole seconds).
 * - A customer's own opt-out (keyword, quick reply) is not replaced by a later Meta opt-out
 *   of the same scope, so a Meta "resume" cannot undo what the customer told us.
 * - A customer's opt-in (ALTA / START / UNSTOP, or an opt-in button) always takes effect:
 *   it is the explicit action that re-opts in after any opt-out.
 * - Meta's "resume" (user_preferences) lifts only a marketing opt-out that came from Meta
 *   (user_preferences stop, or error 131050). It never creates consent from nothing.
 * - A store's opt-in (purchase event) grants consent only to a scope that was never opted
 *   out. After any opt-out it is kept as evidence but changes nothing, even when its `at`
 *   is later than the opt-out. Why: the store's flag is a copy kept in the store's own
 *   system, re-sent with every order and often re-stamped at checkout; it cannot show that
 *   the customer changed their mind after telling us STOP on WhatsApp, the channel the
 *   opt-out was about. Only the customer's own action on WhatsApp (ALTA / START) re-opts in;
 *   the opt-out confirmation tells them how.
 * - An opt-in in a scope that is already opted in changes nothing: the first opt-in stays
 *   the record, the later ones are in the evidence trail.
 */
export function foldConsent(evidence: readonly ConsentEvidence[]): ConsentScopes {
  const scopes: ConsentScopes = { ...NO_CONSENT };
  for (const item of [...evidence].sort(compareEvidence)) {
    for (const scope of item.scopes) scopes[scope] = applyToScope(scopes[scope], item);
  }
  return scopes;
}

const ACTION_ORDER: Record<ConsentAction, number> = { 'opt-in': 0, 'opt-out': 1 };

/** Time order; at the same instant opt-ins before opt-outs (so the opt-out wins); then by id, for determinism. */
export function compareEvidence(a: ConsentEvidence, b: ConsentEvidence): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  if (a.action !== b.action) return ACTION_ORDER[a.action] - ACTION_ORDER[b.action];
  return a.evidenceId < b.evidenceId ? -1 : a.evidenceId > b.evidenceId ? 1 : 0;
}

const ACTOR_OF_SOURCE: Record<ConsentSource, ConsentActor> = {
  'purchase-event': 'store',
  keyword: 'customer',
  'quick-reply': 'customer',
  'meta-user-preferences': 'meta',
  'send-error-131050': 'meta',
};

function applyToScope(current: ScopeConsent, item: ConsentEvidence): ScopeConsent {
  const next: ScopeConsent = { status: item.action === 'opt-out' ? 'opted-out' : 'opted-in', source: item.source, at: item.at, evidenceId: item.evidenceId };
  const by = ACTOR_OF_SOURCE[item.source];
  if (item.action === 'opt-out') {
    const keepCustomers = current.status === 'opted-out' && ACTOR_OF_SOURCE[current.source] === 'customer' && by !== 'customer';
    return keepCustomers ? current : next;
  }
  if (current.status === 'opted-in') return current;
  switch (by) {
    case 'customer':
      return next;
    case 'meta':
      return current.status === 'opted-out' && ACTOR_OF_SOURCE[current.source] === 'meta' ? next : current;
    case 'store':
      return current.status === 'none' ? next : current;
  }
}

/** Scopes whose status differs between two states (what the webhook announces as opted in / out). */
export function changedScopes(before: ConsentScopes | undefined, after: ConsentScopes): ConsentScope[] {
  return CONSENT_SCOPES.filter((scope) => (before?.[scope].status ?? 'none') !== after[scope].status);
}
