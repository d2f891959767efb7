import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  consentChangeOfButton,
  consentChangeOfPurchase,
  consentChangeOfSendError,
  consentChangeOfText,
  consentChangeOfUserPreference,
} from '#shared/consent/changes';
import { OPT_OUT_BUTTON_PAYLOAD } from '#shared/consent/keywords';
import type { PurchaseDetail } from '#shared/events/purchase';

const purchase = (JSON.parse(readFileSync(new URL('../../../fixtures/events/purchase-completed.json', import.meta.url), 'utf8')) as { detail: PurchaseDetail }).detail;
const contact = { phone: '+5491155550001', bsuid: 'AR.13491208655302741918' };
const WAMID = 'wamid.HBgLNTQ5MTE1NTU1MDAwMRUCABIYFDNBMjQ2RkQ2';

describe('consent changes: which source touches which scopes, and the evidence id', () => {
  it('a keyword opt-out: both scopes, by the customer, id from the wamid, text kept', () => {
    expect(consentChangeOfText({ contact, messageId: WAMID, at: '2026-03-08T09:00:00.000Z', text: '¡Baja!' })).toEqual({
      contact,
      action: 'opt-out',
      scopes: ['utility', 'marketing'],
      source: 'keyword',
      actor: 'customer',
      at: '2026-03-08T09:00:00.000Z',
      evidenceId: `keyword:${WAMID}`,
      messageId: WAMID,
      text: '¡Baja!',
    });
  });

  it('ALTA: both scopes in, source keyword; any other text: no change', () => {
    expect(consentChangeOfText({ contact, messageId: WAMID, at: '2026-03-08T09:00:00Z', text: 'ALTA' })).toMatchObject({ action: 'opt-in', scopes: ['utility', 'marketing'], source: 'keyword' });
    expect(consentChangeOfText({ contact, messageId: WAMID, at: '2026-03-08T09:00:00Z', text: 'no quiero salir de casa' })).toBeUndefined();
  });

  it('the opt-out button: both scopes, source quick-reply, its label as the text', () => {
    expect(consentChangeOfButton({ contact, messageId: WAMID, at: '2026-03-08T09:00:00Z', payload: OPT_OUT_BUTTON_PAYLOAD, text: 'No recibir más mensajes' })).toEqual({
      contact,
      action: 'opt-out',
      scopes: ['utility', 'marketing'],
      source: 'quick-reply',
      actor: 'customer',
      at: '2026-03-08T09:00:00.000Z',
      evidenceId: `quick-reply:${WAMID}`,
      messageId: WAMID,
      text: 'No recibir más mensajes',
    });
    expect(consentChangeOfButton({ contact, messageId: WAMID, at: '2026-03-08T09:00:00Z', payload: 'D7_CHAT' })).toBeUndefined();
  });

  it('Meta’s user_preferences stop / resume: marketing only, by Meta, id from value and time', () => {
    const stop = consentChangeOfUserPreference({ contact, value: 'stop', at: '2024-11-15T21:22:01Z', category: 'marketing_messages', detail: 'User requested to stop marketing messages' });
    expect(stop).toEqual({
      contact,
      action: 'opt-out',
      scopes: ['marketing'],
      source: 'meta-user-preferences',
      actor: 'meta',
      at: '2024-11-15T21:22:01.000Z',
      evidenceId: 'meta-user-preferences:stop:2024-11-15T21:22:01.000Z',
      detail: 'User requested to stop marketing messages',
    });
    expect(consentChangeOfUserPreference({ contact, value: 'resume', at: '2024-11-16T00:00:00Z' })).toMatchObject({ action: 'opt-in', scopes: ['marketing'] });
    expect(consentChangeOfUserPreference({ contact, value: 'interested', at: '2024-11-16T00:00:00Z' })).toBeUndefined();
    expect(consentChangeOfUserPreference({ contact, value: 'stop', at: '2024-11-16T00:00:00Z', category: 'something_else' })).toBeUndefined();
  });

  it('send error 131050: a marketing opt-out keyed by our wamid (or order × milestone); other codes: nothing', () => {
    expect(consentChangeOfSendError({ contact, code: 131050, at: '2026-05-01T10:00:00Z', messageId: WAMID, orderId: 'ES-1', milestone: 'day60' })).toEqual({
      contact,
      action: 'opt-out',
      scopes: ['marketing'],
      source: 'send-error-131050',
      actor: 'meta',
      at: '2026-05-01T10:00:00.000Z',
      evidenceId: `send-error-131050:${WAMID}`,
      messageId: WAMID,
      orderId: 'ES-1',
    });
    expect(consentChangeOfSendError({ contact, code: 131050, at: '2026-05-01T10:00:00Z', orderId: 'ES-1', milestone: 'day60' })?.evidenceId).toBe('send-error-131050:ES-1:day60');
    for (const code of [131049, 131026, 130472, undefined]) expect(consentChangeOfSendError({ contact, code, at: '2026-05-01T10:00:00Z', messageId: WAMID })).toBeUndefined();
  });

  it('a purchase’s optIn: both scopes, by the store, id from the order, the store’s source as detail, time in UTC', () => {
    expect(consentChangeOfPurchase(purchase)).toEqual({
      contact: { phone: '+34612345678' },
      action: 'opt-in',
      scopes: ['utility', 'marketing'],
      source: 'purchase-event',
      actor: 'store',
      at: '2026-03-01T08:58:41.000Z',
      evidenceId: 'purchase-event:ES-2026-000123',
      orderId: 'ES-2026-000123',
      detail: 'checkout-whatsapp-checkbox',
    });
    const { optIn: _, ...customer } = purchase.customer;
    expect(consentChangeOfPurchase({ ...purchase, customer })).toBeUndefined();
  });

  it('the same fact gives the same evidence id (so a replay records once)', () => {
    const message = { contact, messageId: WAMID, at: '2026-03-08T09:00:00Z', text: 'STOP' };
    expect(consentChangeOfText(message)).toEqual(consentChangeOfText({ ...message }));
    expect(consentChangeOfText({ ...message, messageId: 'wamid.other' })?.evidenceId).not.toBe(consentChangeOfText(message)?.evidenceId);
  });
});
