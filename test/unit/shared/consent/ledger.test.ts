import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consentChangeOfPurchase, consentChangeOfSendError, consentChangeOfText, consentChangeOfUserPreference, type ConsentChange } from '#shared/consent/changes';
import { changedScopes, evidenceOf, foldConsent, type ConsentEvidence, type ConsentScopes, type ConsentState } from '#shared/consent/ledger';
import { mayMessage } from '#shared/consent/may-message';
import type { PurchaseDetail } from '#shared/events/purchase';

const contact = { phone: '+5491155550001' };
const at = (minute: number) => new Date(Date.UTC(2026, 2, 8, 9, minute)).toISOString();
let seq = 0;
const defined = (change: ConsentChange | undefined): ConsentChange => {
  if (change === undefined) throw new Error('expected a consent change');
  return change;
};
const text = (minute: number, body: string) => defined(consentChangeOfText({ contact, messageId: `wamid.${++seq}`, at: at(minute), text: body }));
const metaPreference = (minute: number, value: 'stop' | 'resume') => defined(consentChangeOfUserPreference({ contact, value, at: at(minute) }));
const error131050 = (minute: number) => defined(consentChangeOfSendError({ contact, code: 131050, at: at(minute), messageId: `wamid.out.${++seq}` }));
const purchaseOptIn = (minute: number) =>
  defined(
    consentChangeOfPurchase({
      orderId: `ES-${++seq}`,
      purchasedAt: at(minute),
      customer: { id: 'c1', phone: contact.phone, name: 'Lucía', locale: 'es-AR', timezone: 'America/Argentina/Buenos_Aires', optIn: { source: 'checkout-checkbox', at: at(minute) } },
      items: [{ sku: 'S1', name: 'Cafetera' }],
    } satisfies PurchaseDetail),
  );
const fold = (...changes: ConsentChange[]) => foldConsent(changes.map((c) => evidenceOf(c, '2026-03-09T00:00:00.000Z')));
const statuses = (scopes: ConsentScopes) => ({ utility: scopes.utility.status, marketing: scopes.marketing.status });
const stateOf = (scopes: ConsentScopes): ConsentState => ({ phone: contact.phone, scopes, version: 1, updatedAt: at(0) });

describe('foldConsent: the rules of the ledger', () => {
  it('no evidence: no consent in any scope', () => {
    expect(statuses(fold())).toEqual({ utility: 'none', marketing: 'none' });
  });

  it('a purchase opt-in opts in both scopes, keeping its source and time', () => {
    const optIn = purchaseOptIn(0);
    expect(fold(optIn).utility).toEqual({ status: 'opted-in', source: 'purchase-event', at: at(0), evidenceId: optIn.evidenceId });
    expect(statuses(fold(optIn))).toEqual({ utility: 'opted-in', marketing: 'opted-in' });
  });

  it('a keyword opt-out opts out of both scopes; ALTA opts back into both (source keyword)', () => {
    expect(statuses(fold(purchaseOptIn(0), text(1, 'BAJA')))).toEqual({ utility: 'opted-out', marketing: 'opted-out' });
    const alta = text(2, 'ALTA');
    const back = fold(purchaseOptIn(0), text(1, 'BAJA'), alta);
    expect(back.marketing).toEqual({ status: 'opted-in', source: 'keyword', at: at(2), evidenceId: alta.evidenceId });
    expect(statuses(back)).toEqual({ utility: 'opted-in', marketing: 'opted-in' });
  });

  it('ALTA from a contact with no record opts in (an explicit customer action)', () => {
    expect(statuses(fold(text(0, 'START')))).toEqual({ utility: 'opted-in', marketing: 'opted-in' });
  });

  it('Meta’s stop and error 131050 opt out of marketing only', () => {
    expect(statuses(fold(purchaseOptIn(0), metaPreference(1, 'stop')))).toEqual({ utility: 'opted-in', marketing: 'opted-out' });
    expect(statuses(fold(purchaseOptIn(0), error131050(1)))).toEqual({ utility: 'opted-in', marketing: 'opted-out' });
  });

  it('Meta’s resume lifts a Meta opt-out of marketing, restoring marketing', () => {
    expect(statuses(fold(purchaseOptIn(0), metaPreference(1, 'stop'), metaPreference(2, 'resume')))).toEqual({ utility: 'opted-in', marketing: 'opted-in' });
    expect(statuses(fold(purchaseOptIn(0), error131050(1), metaPreference(2, 'resume')))).toEqual({ utility: 'opted-in', marketing: 'opted-in' });
  });

  it('Meta’s resume never undoes the customer’s own opt-out, even after a Meta stop in between', () => {
    expect(statuses(fold(purchaseOptIn(0), text(1, 'STOP'), metaPreference(2, 'resume')))).toEqual({ utility: 'opted-out', marketing: 'opted-out' });
    expect(statuses(fold(purchaseOptIn(0), text(1, 'STOP'), metaPreference(2, 'stop'), metaPreference(3, 'resume')))).toEqual({ utility: 'opted-out', marketing: 'opted-out' });
    expect(statuses(fold(purchaseOptIn(0), metaPreference(1, 'stop'), text(2, 'STOP'), metaPreference(3, 'resume')))).toEqual({ utility: 'opted-out', marketing: 'opted-out' });
  });

  it('Meta’s resume never creates consent from nothing', () => {
    expect(statuses(fold(metaPreference(0, 'resume')))).toEqual({ utility: 'none', marketing: 'none' });
  });

  it('an opt-out at T2 beats a purchase opt-in recorded for T1 < T2, whatever order they arrive in', () => {
    const optIn = purchaseOptIn(1);
    const optOut = text(2, 'STOP');
    expect(statuses(fold(optIn, optOut))).toEqual({ utility: 'opted-out', marketing: 'opted-out' });
    expect(statuses(fold(optOut, optIn))).toEqual({ utility: 'opted-out', marketing: 'opted-out' });
  });

  it('a purchase opt-in dated AFTER an opt-out does not re-opt in: only the customer’s ALTA / START does', () => {
    expect(statuses(fold(purchaseOptIn(0), text(1, 'STOP'), purchaseOptIn(5)))).toEqual({ utility: 'opted-out', marketing: 'opted-out' });
    // …even from a contact whose first fact was the opt-out
    expect(statuses(fold(text(1, 'STOP'), purchaseOptIn(5)))).toEqual({ utility: 'opted-out', marketing: 'opted-out' });
    // …and after a marketing-only opt-out it restores nothing in marketing
    expect(statuses(fold(purchaseOptIn(0), error131050(1), purchaseOptIn(5)))).toEqual({ utility: 'opted-in', marketing: 'opted-out' });
    // the customer's own opt-in does
    expect(statuses(fold(purchaseOptIn(0), text(1, 'STOP'), purchaseOptIn(5), text(6, 'alta')))).toEqual({ utility: 'opted-in', marketing: 'opted-in' });
  });

  it('the first opt-in stays the record; later opt-ins are evidence only', () => {
    const first = purchaseOptIn(0);
    expect(fold(first, purchaseOptIn(3), text(4, 'START')).utility).toMatchObject({ source: 'purchase-event', at: at(0), evidenceId: first.evidenceId });
  });

  it('the last fact in time wins, not the last to arrive', () => {
    expect(statuses(fold(text(2, 'START'), text(1, 'STOP')))).toEqual({ utility: 'opted-in', marketing: 'opted-in' });
    expect(statuses(fold(text(1, 'START'), text(2, 'STOP')))).toEqual({ utility: 'opted-out', marketing: 'opted-out' });
  });

  it('an opt-out and an opt-in at the same instant: the opt-out wins', () => {
    expect(statuses(fold(text(1, 'STOP'), text(1, 'START')))).toEqual({ utility: 'opted-out', marketing: 'opted-out' });
    expect(statuses(fold(text(1, 'START'), text(1, 'STOP')))).toEqual({ utility: 'opted-out', marketing: 'opted-out' });
  });

  type Kind = 'STOP' | 'ALTA' | 'meta-stop' | 'meta-resume' | '131050' | 'purchase';
  const changeOf = (minute: number, kind: Kind): ConsentChange => {
    switch (kind) {
      case 'meta-stop':
        return metaPreference(minute, 'stop');
      case 'meta-resume':
        return metaPreference(minute, 'resume');
      case '131050':
        return error131050(minute);
      case 'purchase':
        return purchaseOptIn(minute);
      default:
        return text(minute, kind);
    }
  };

  it('gives the same state for any arrival order of the same facts (property)', () => {
    const facts = fc.array(fc.tuple(fc.nat(30), fc.constantFrom<Kind>('STOP', 'ALTA', 'meta-stop', 'meta-resume', '131050', 'purchase')), { maxLength: 12 });
    const arrivals = facts
      .map((list) => list.map(([minute, kind]) => evidenceOf(changeOf(minute, kind), at(59))))
      .chain((items) => fc.tuple(fc.constant(items), fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length })));
    fc.assert(
      fc.property(arrivals, ([inOrder, shuffled]: [ConsentEvidence[], ConsentEvidence[]]) => {
        expect(foldConsent(shuffled)).toEqual(foldConsent(inOrder));
      }),
    );
  });

  it('after a customer opt-out, nothing but the customer’s own opt-in opens a scope again (property)', () => {
    const later = fc.array(fc.tuple(fc.integer({ min: 2, max: 30 }), fc.constantFrom<Kind>('STOP', 'meta-stop', 'meta-resume', '131050', 'purchase')), { maxLength: 10 });
    fc.assert(
      fc.property(later, (facts) => {
        const state = stateOf(fold(purchaseOptIn(0), text(1, 'BAJA'), ...facts.map(([minute, kind]) => changeOf(minute, kind))));
        expect(mayMessage(state, 'utility')).toMatchObject({ allowed: false, code: 'opted-out' });
        expect(mayMessage(state, 'marketing')).toMatchObject({ allowed: false, code: 'opted-out' });
        expect(state.scopes.marketing).toMatchObject({ source: 'keyword' });
      }),
    );
  });
});

describe('changedScopes', () => {
  it('names the scopes whose status moved', () => {
    const optedIn = fold(purchaseOptIn(0));
    expect(changedScopes(undefined, optedIn)).toEqual(['utility', 'marketing']);
    expect(changedScopes(optedIn, fold(purchaseOptIn(0), error131050(1)))).toEqual(['marketing']);
    expect(changedScopes(optedIn, fold(purchaseOptIn(0), purchaseOptIn(1)))).toEqual([]);
  });
});

describe('mayMessage', () => {
  it('no record, or no opt-in in that scope: not allowed', () => {
    expect(mayMessage(undefined, 'utility')).toEqual({ allowed: false, code: 'no-opt-in', reason: 'no recorded opt-in for utility messages' });
    expect(mayMessage(stateOf(fold()), 'marketing')).toEqual({ allowed: false, code: 'no-opt-in', reason: 'no recorded opt-in for marketing messages' });
    expect(mayMessage(stateOf(fold(metaPreference(0, 'resume'))), 'marketing')).toMatchObject({ allowed: false, code: 'no-opt-in' });
  });

  it('opted in: allowed', () => {
    expect(mayMessage(stateOf(fold(purchaseOptIn(0))), 'utility')).toEqual({ allowed: true });
    expect(mayMessage(stateOf(fold(purchaseOptIn(0))), 'marketing')).toEqual({ allowed: true });
  });

  it('opted out of that scope: not allowed, saying when and how', () => {
    const scopes = fold(purchaseOptIn(0), error131050(7));
    expect(mayMessage(stateOf(scopes), 'utility')).toEqual({ allowed: true });
    expect(mayMessage(stateOf(scopes), 'marketing')).toEqual({ allowed: false, code: 'opted-out', reason: `opted out of marketing messages at ${at(7)} (send-error-131050)` });
    const out = stateOf(fold(purchaseOptIn(0), text(1, 'STOP')));
    expect(mayMessage(out, 'utility')).toMatchObject({ allowed: false, code: 'opted-out' });
    expect(mayMessage(out, 'marketing')).toMatchObject({ allowed: false, code: 'opted-out' });
  });
});
