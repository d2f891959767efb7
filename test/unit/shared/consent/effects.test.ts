import { describe, expect, it } from 'vitest';
import { CONSENT_CONFIRMATIONS, consentConfirmation } from '#shared/consent/confirmations';
import {
  consentChangeOfInbound,
  consentEvent,
  consentPlanOfPreference,
  scopesMovedBy,
  sendConfirmation,
  settleConsent,
  TransientConfirmationError,
  type ConsentEffectsDeps,
  type ConsentPlan,
} from '#shared/consent/effects';
import { OPT_OUT_BUTTON_PAYLOAD } from '#shared/consent/keywords';
import { evidenceOf, type ConsentEvidence, type ConsentState } from '#shared/consent/ledger';
import type { ConsentStore } from '#shared/consent/record';
import { DOMAIN_EVENT } from '#shared/events/domain';
import type { ContactJourney } from '#shared/journey/contact-journeys';
import type { InboundMessage } from '#shared/whatsapp/inbound-message';

const PHONE = '+5491155550001';
const contact = { phone: PHONE };
const message = (over: Partial<InboundMessage>): InboundMessage => ({ wamid: 'wamid.IN', sentAt: '2026-03-08T10:00:00.000Z', from: { phone: PHONE }, type: 'text', ...over });

function memoryStore(): ConsentStore & { evidence: ConsentEvidence[] } {
  const states = new Map<string, ConsentState>();
  const evidence: ConsentEvidence[] = [];
  return {
    evidence,
    readState: async (phone) => states.get(phone),
    listEvidence: async (phone) => evidence.filter((e) => e.phone === phone),
    commit: async ({ state, evidence: item, expectedVersion }) => {
      if (evidence.some((e) => e.phone === item.phone && e.evidenceId === item.evidenceId)) return 'duplicate';
      if ((states.get(state.phone)?.version ?? 0) !== expectedVersion) return 'conflict';
      states.set(state.phone, state);
      evidence.push(item);
      return 'committed';
    },
  };
}

function deps(over: Partial<ConsentEffectsDeps> = {}, journeys: ContactJourney[] = []) {
  const stopped: string[] = [];
  const sent: Array<{ to: string; body: string }> = [];
  const value: ConsentEffectsDeps = {
    store: memoryStore(),
    clock: { now: () => new Date('2026-03-08T10:00:05.000Z') },
    journeys: { journeysOf: async () => journeys },
    stopJourney: async (arn) => void stopped.push(arn),
    sendText: async (to, body) => (sent.push({ to, body }), { ok: true, wamid: 'wamid.OUT' }),
    ...over,
  };
  return { deps: value, stopped, sent };
}

const journey = (orderId: string, locale: string, purchasedAt: string): ContactJourney => ({ orderId, executionArn: `arn:aws:states:us-east-1:1:execution:j:${orderId}`, locale, purchasedAt });

describe('consentChangeOfInbound', () => {
  it('a text that is only a keyword; a caption or a sentence is not', () => {
    expect(consentChangeOfInbound(message({ text: '¡BAJA!' }), contact)).toMatchObject({ action: 'opt-out', source: 'keyword', evidenceId: 'keyword:wamid.IN', scopes: ['utility', 'marketing'] });
    expect(consentChangeOfInbound(message({ text: 'Alta' }), contact)).toMatchObject({ action: 'opt-in' });
    expect(consentChangeOfInbound(message({ type: 'image', text: 'STOP' }), contact)).toBeUndefined();
    expect(consentChangeOfInbound(message({ text: 'no quiero salir de casa' }), contact)).toBeUndefined();
  });

  it('the opt-out quick reply (template button or interactive reply), by its payload', () => {
    expect(consentChangeOfInbound(message({ type: 'button', payload: OPT_OUT_BUTTON_PAYLOAD, text: 'No más mensajes' }), contact)).toMatchObject({
      action: 'opt-out',
      source: 'quick-reply',
      text: 'No más mensajes',
    });
    expect(consentChangeOfInbound(message({ type: 'interactive', payload: OPT_OUT_BUTTON_PAYLOAD }), contact)).toMatchObject({ action: 'opt-out' });
    expect(consentChangeOfInbound(message({ type: 'button', payload: 'D60_YES', text: 'Sí' }), contact)).toBeUndefined();
  });
});

describe('consentPlanOfPreference', () => {
  it('marketing stop / resume with an id that names the contact only by digest', () => {
    const plan = consentPlanOfPreference({ contact: { phone: PHONE }, category: 'marketing_messages', value: 'stop', changedAt: '2026-03-08T10:00:00.000Z' }, PHONE);
    expect(plan?.change).toMatchObject({ action: 'opt-out', scopes: ['marketing'], source: 'meta-user-preferences' });
    expect(plan?.eventIdBase).toMatch(/^user-preferences:[0-9a-f]{20}:stop:2026-03-08T10:00:00.000Z$/);
    expect(plan?.eventIdBase).not.toContain('5491155550001');
    const other = consentPlanOfPreference({ contact: { phone: '+5491155550002' }, category: 'marketing_messages', value: 'stop', changedAt: '2026-03-08T10:00:00.000Z' }, '+5491155550002');
    expect(other?.eventIdBase).not.toBe(plan?.eventIdBase);
    expect(consentPlanOfPreference({ contact: { phone: PHONE }, category: 'marketing_messages', value: 'mute', changedAt: '2026-03-08T10:00:00.000Z' }, PHONE)).toBeUndefined();
  });
});

describe('settleConsent', () => {
  const optOut = (wamid = 'wamid.IN'): ConsentPlan => ({
    change: consentChangeOfInbound(message({ wamid, text: 'STOP' }), contact)!,
    eventIdBase: wamid,
    customer: { inboundWamid: wamid, inboundAt: '2026-03-08T10:00:00.000Z', messageType: 'text' },
    attribution: { ref: { orderId: 'ORD-1', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A' }, wamid: 'wamid.OURS', matchedBy: 'last-message' },
  });

  it('a customer opt-out: recorded, every journey stopped, a confirmation in the latest purchase language, one attributed event', async () => {
    const { deps: d, stopped } = deps({}, [journey('ORD-2', 'pt-BR', '2026-03-02T00:00:00.000Z'), journey('ORD-1', 'es-AR', '2026-03-01T00:00:00.000Z')]);
    const settled = await settleConsent(optOut(), d);
    expect(settled.recorded).toBe(true);
    expect(stopped).toHaveLength(2);
    expect(settled.confirmation).toEqual({ to: PHONE, body: CONSENT_CONFIRMATIONS['opt-out'].pt_BR });
    expect(settled.events).toHaveLength(1);
    expect(settled.events[0]).toMatchObject({ type: DOMAIN_EVENT.optedOut, detail: { eventId: 'wamid.IN:opted-out', orderId: 'ORD-1', milestone: 'day7', wamid: 'wamid.OURS', scopes: ['utility', 'marketing'] } });
    expect(JSON.stringify(settled.events)).not.toContain('5491155550001');
  });

  it('a retry after a failed attempt finds the evidence recorded and still produces the event and the confirmation', async () => {
    const { deps: d } = deps();
    await settleConsent(optOut(), d);
    const again = await settleConsent(optOut(), d);
    expect(again.recorded).toBe(false);
    expect(again.events.map((e) => e.detail.eventId)).toEqual(['wamid.IN:opted-out']);
    expect(again.confirmation?.body).toBe(CONSENT_CONFIRMATIONS['opt-out'].es);
  });

  it('a second STOP (another message) changes no scope: no event, but the customer is answered again', async () => {
    const { deps: d } = deps();
    await settleConsent(optOut('wamid.1'), d);
    const second = await settleConsent(optOut('wamid.2'), d);
    expect(second.recorded).toBe(true);
    expect(second.events).toEqual([]);
    expect(second.confirmation).toBeDefined();
  });

  it('no confirmation outside the service window, without a phone, or without a sender; each says why', async () => {
    const late = await settleConsent(optOut(), deps({ clock: { now: () => new Date('2026-03-09T10:00:01.000Z') } }).deps);
    expect(late.confirmation).toBeUndefined();
    expect(late.notes.join()).toMatch(/service window/);
    const bsuid = optOut();
    bsuid.change = { ...bsuid.change, contact: { phone: 'AR.123456', bsuid: 'AR.123456' } };
    expect((await settleConsent(bsuid, deps().deps)).notes.join()).toMatch(/BSUID/);
    const { sendText: _omit, ...noSender } = deps().deps;
    expect((await settleConsent(optOut(), noSender)).notes.join()).toMatch(/phone number id/);
  });

  it("Meta's marketing stop: no journey stopped, no confirmation", async () => {
    const { deps: d, stopped, sent } = deps({}, [journey('ORD-1', 'es-AR', '2026-03-01T00:00:00.000Z')]);
    const plan = consentPlanOfPreference({ contact: { phone: PHONE }, category: 'marketing_messages', value: 'stop', changedAt: '2026-03-08T10:00:00.000Z' }, PHONE)!;
    const settled = await settleConsent(plan, d);
    expect(settled.events[0]?.detail).toMatchObject({ scopes: ['marketing'], source: 'meta-user-preferences' });
    expect(settled.confirmation).toBeUndefined();
    expect(stopped).toEqual([]);
    expect(sent).toEqual([]);
  });
});

describe('sendConfirmation', () => {
  it('throws for what Meta may take later, notes what it never will', async () => {
    await expect(sendConfirmation({ to: PHONE, body: 'x' }, { sendText: async () => ({ ok: false, retryable: true, httpStatus: 503, message: 'down' }) })).rejects.toBeInstanceOf(TransientConfirmationError);
    expect(await sendConfirmation({ to: PHONE, body: 'x' }, { sendText: async () => ({ ok: false, retryable: false, code: 131047, message: 'Re-engagement message' }) })).toMatch(/131047/);
    expect(await sendConfirmation({ to: PHONE, body: 'x' }, { sendText: async () => ({ ok: true, wamid: 'w' }) })).toBeUndefined();
  });
});

describe('scopesMovedBy', () => {
  it('judges an evidence item against the trail recorded before it', () => {
    const change = (id: string, action: 'opt-in' | 'opt-out', at: string) => ({
      contact,
      action,
      scopes: ['utility', 'marketing'] as const,
      source: 'keyword' as const,
      actor: 'customer' as const,
      at,
      evidenceId: id,
    });
    const trail = [
      evidenceOf(change('in', 'opt-in', '2026-03-01T00:00:00.000Z'), '2026-03-01T00:00:01.000Z'),
      evidenceOf(change('out', 'opt-out', '2026-03-02T00:00:00.000Z'), '2026-03-02T00:00:01.000Z'),
      evidenceOf(change('out-again', 'opt-out', '2026-03-03T00:00:00.000Z'), '2026-03-03T00:00:01.000Z'),
    ];
    expect(scopesMovedBy(trail, 'out')).toEqual(['utility', 'marketing']);
    expect(scopesMovedBy(trail, 'out-again')).toEqual([]);
    expect(scopesMovedBy(trail, 'missing')).toEqual([]);
  });
});

describe('confirmations', () => {
  it('exist in every catalogue language, name the keyword that undoes them, and fall back to Spanish', () => {
    expect(consentConfirmation('opt-out', undefined)).toBe(CONSENT_CONFIRMATIONS['opt-out'].es);
    expect(consentConfirmation('opt-out', 'en-GB')).toBe(CONSENT_CONFIRMATIONS['opt-out'].en);
    expect(consentConfirmation('opt-in', 'pt-BR')).toBe(CONSENT_CONFIRMATIONS['opt-in'].pt_BR);
    expect(consentConfirmation('opt-out', 'fr-FR')).toBe(CONSENT_CONFIRMATIONS['opt-out'].es);
    for (const text of Object.values(CONSENT_CONFIRMATIONS['opt-out'])) expect(text).toMatch(/ALTA|START/);
    for (const text of Object.values(CONSENT_CONFIRMATIONS['opt-in'])) expect(text).toMatch(/BAJA|STOP|PARAR/);
  });
});

describe('consentEvent', () => {
  it('without a journey message: no order, milestone, template or variant (see the KPI note)', () => {
    const plan: ConsentPlan = { change: consentChangeOfInbound(message({ text: 'STOP' }), contact)!, eventIdBase: 'wamid.IN' };
    const event = consentEvent(plan, 'opt-out', ['utility']);
    expect(event.detail).toEqual({ eventId: 'wamid.IN:opted-out', occurredAt: '2026-03-08T10:00:00.000Z', source: 'keyword', scopes: ['utility'] });
  });
});
