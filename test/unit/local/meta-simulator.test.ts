import { describe, expect, it } from 'vitest';
import { checkSend, type SendAttempt, type SimulatedAccount } from '../../../local/meta-simulator/check-send';
import { resolveOptions } from '../../../local/meta-simulator/options';
import { serializeLikeMeta, statusItem, type SendFacts } from '../../../local/meta-simulator/status-webhook';
import { templateCatalogue } from '../../../local/meta-simulator/templates';

const account: SimulatedAccount = {
  accessToken: 'token',
  phoneNumberId: '106540352242922',
  checkTemplate: templateCatalogue([{ name: 'posventa_day30_nps', language: 'es', bodyParameters: 0 }]),
};

function attempt(overrides: Partial<SendAttempt> & { body?: unknown } = {}): SendAttempt {
  const { body, ...rest } = overrides;
  return {
    method: 'POST',
    url: '/v23.0/106540352242922/messages',
    authorization: 'Bearer token',
    rawBody: JSON.stringify(body ?? { messaging_product: 'whatsapp', to: '5491155550001', type: 'template', template: { name: 'posventa_day30_nps', language: { code: 'es' } } }),
    ...rest,
  };
}

describe('checkSend', () => {
  it('accepts a template without components when its body has no parameters', () => {
    const check = checkSend(attempt(), account);
    expect(check).toMatchObject({ ok: true, send: { apiVersion: 'v23.0', pricingCategory: 'utility' } });
  });

  it('ignores a mount prefix and a query string, as the local stack may add both', () => {
    expect(checkSend(attempt({ url: '/meta/v24.0/106540352242922/messages?debug=all' }), account)).toMatchObject({ ok: true, send: { apiVersion: 'v24.0' } });
  });

  it('answers an unknown path with Graph code 2500 before looking at the token', () => {
    const check = checkSend(attempt({ url: '/v23.0/106540352242922/message_templates', authorization: undefined }), account);
    expect(check).toMatchObject({ ok: false, error: { httpStatus: 400, body: { error: { code: 2500 } } } });
  });

  it('refuses another method on the messages edge like an unsupported request', () => {
    expect(checkSend(attempt({ method: 'GET' }), account)).toMatchObject({ ok: false, bearerTokenValid: true, error: { body: { error: { code: 100, error_subcode: 33 } } } });
  });

  it('takes a message without type as text, as Meta does', () => {
    const check = checkSend(attempt({ body: { messaging_product: 'whatsapp', to: '+5491155550001', text: { body: 'hola' } } }), account);
    expect(check).toMatchObject({ ok: true, send: { message: { type: 'text' }, pricingCategory: 'service' } });
  });

  it('reads the bearer scheme case-insensitively but the token exactly', () => {
    expect(checkSend(attempt({ authorization: 'bearer token' }), account).ok).toBe(true);
    expect(checkSend(attempt({ authorization: 'Bearer Token' }), account)).toMatchObject({ ok: false, bearerTokenValid: false, error: { httpStatus: 401 } });
    expect(checkSend(attempt({ authorization: 'Basic token' }), account)).toMatchObject({ ok: false, error: { body: { error: { code: 190 } } } });
  });

  it('refuses a JSON body that is not an object', () => {
    expect(checkSend(attempt({ rawBody: '[]' }), account)).toMatchObject({ ok: false, error: { body: { error: { code: 100 } } } });
  });
});

describe('statusItem', () => {
  const facts: SendFacts = {
    wamid: 'wamid.abc',
    recipientId: '5491155550001',
    apiVersion: 'v23.0',
    pricingCategory: 'marketing',
    bizOpaqueCallbackData: undefined,
    conversationId: 'c0ffee',
  };
  const sentAt = new Date('2026-03-01T12:00:01.500Z');

  it('prices sent and delivered but not read, as Meta puts pricing on sent and one later status', () => {
    const [sent, delivered, read] = (['sent', 'delivered', 'read'] as const).map((status) => statusItem(facts, status, sentAt, sentAt));
    expect(sent?.pricing).toEqual({ billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' });
    expect(delivered?.pricing).toEqual(sent?.pricing);
    expect(read).not.toHaveProperty('pricing');
  });

  it('gives the conversation expiry only on sent, 24 hours after it, in unix seconds', () => {
    expect(statusItem(facts, 'sent', sentAt, sentAt).conversation).toEqual({ id: 'c0ffee', expiration_timestamp: String(Date.parse('2026-03-02T12:00:01Z') / 1000), origin: { type: 'marketing' } });
    expect(statusItem(facts, 'delivered', sentAt, sentAt).conversation).toEqual({ id: 'c0ffee', origin: { type: 'marketing' } });
    expect(statusItem({ ...facts, apiVersion: 'v25.0' }, 'sent', sentAt, sentAt)).not.toHaveProperty('conversation');
  });
});

describe('serializeLikeMeta', () => {
  it('escapes slashes and every non-ASCII character, and still parses back to the same value', () => {
    const value = { text: 'a/b ñ 😀' };
    const json = serializeLikeMeta(value);
    expect(json).toBe('{"text":"a\\/b \\u00f1 \\ud83d\\ude00"}');
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('resolveOptions', () => {
  const valid = { accessToken: 't', appSecret: 's', phoneNumberId: '1', webhookUrl: 'http://127.0.0.1:3000/webhook', clock: { now: () => new Date(), realDelayUntil: () => 0 } };

  it('fills the documented defaults', () => {
    expect(resolveOptions({ ...valid, statusDelaysSeconds: { read: 120 } }).statusDelaysSeconds).toEqual({ sent: 1, delivered: 5, read: 120 });
  });

  it('names the option that is wrong', () => {
    expect(() => resolveOptions({ ...valid, appSecret: '' })).toThrow(/options\.appSecret/);
    expect(() => resolveOptions({ ...valid, webhookUrl: '/webhook' })).toThrow(/options\.webhookUrl/);
    expect(() => resolveOptions({ ...valid, statusDelaysSeconds: { delivered: -1 } })).toThrow(/options\.statusDelaysSeconds\.delivered/);
  });
});
