import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOMAIN_EVENT } from '#shared/events/domain';
import { digest } from '#shared/events/public';
import { encodeMessageRef } from '#shared/whatsapp/callback-data';
import { signWebhookBody } from '#shared/whatsapp/signature';
import { answerVerification, correlationIdsOf, MAX_WEBHOOK_BODY_BYTES, takeInWebhook } from '#shared/whatsapp/webhook-intake';

const SECRET = 'posventa-test-app-secret';
const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/webhooks/${name}`, import.meta.url));
const signed = (body: Buffer) => takeInWebhook(body, signWebhookBody(body, SECRET), SECRET);

const WAMID_123 = 'wamid.HBgLMzQ2MTIzNDU2NzgVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA';
/** An accepted intake with nothing in it; tests spread it and set what they expect. */
const NOTHING = { accepted: true, events: [], unresolvedStatuses: [], inbound: [], userPreferences: [], contactLinks: [], ignored: [] };
const UTILITY_PRICING = { billable: true, model: 'PMP', category: 'utility', type: 'regular' };
const WAMID_124 = 'wamid.HBgLMzQ2NjA5ODc2NTQzFQIAERgSQkY1RjQ0QjE3QjlDMDg1RTRBAA==';

describe('takeInWebhook: status batch', () => {
  const body = fixture('status-batch.json');

  it('carries callback data exactly as encodeMessageRef produces it', () => {
    const statuses = (JSON.parse(body.toString('utf8')) as { entry: Array<{ changes: Array<{ value: { statuses: Array<{ biz_opaque_callback_data: string }> } }> }> })
      .entry[0]!.changes.flatMap((c) => c.value.statuses.map((s) => s.biz_opaque_callback_data));
    expect(statuses).toEqual([
      ...Array(3).fill(encodeMessageRef({ orderId: 'ES-2026-000123', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A' })),
      encodeMessageRef({ orderId: 'ES-2026-000124', milestone: 'day30', template: 'posventa_day30_nps', variant: 'A' }),
    ]);
  });

  it('turns sent / delivered / read / failed into domain events, in order', () => {
    const intake = signed(body);
    expect(intake).toEqual({
      ...NOTHING,
      events: [
        {
          type: DOMAIN_EVENT.messageSent,
          detail: { eventId: `${WAMID_123}:sent`, occurredAt: '2026-03-08T09:00:00.000Z', orderId: 'ES-2026-000123', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A', wamid: WAMID_123, pricing: UTILITY_PRICING, country: 'ES' },
        },
        {
          type: DOMAIN_EVENT.messageDelivered,
          detail: { eventId: `${WAMID_123}:delivered`, occurredAt: '2026-03-08T09:00:02.000Z', orderId: 'ES-2026-000123', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A', wamid: WAMID_123, pricing: UTILITY_PRICING, country: 'ES' },
        },
        {
          type: DOMAIN_EVENT.messageRead,
          detail: { eventId: `${WAMID_123}:read`, occurredAt: '2026-03-08T09:01:00.000Z', orderId: 'ES-2026-000123', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A', wamid: WAMID_123, country: 'ES' },
        },
        {
          type: DOMAIN_EVENT.messageFailed,
          detail: {
            eventId: `${WAMID_124}:failed`,
            occurredAt: '2026-03-08T09:00:05.000Z',
            orderId: 'ES-2026-000124',
            milestone: 'day30',
            template: 'posventa_day30_nps',
            variant: 'A',
            wamid: WAMID_124,
            errorCode: 131026,
            country: 'ES',
          },
        },
      ],
      // The webhook keeps deliveries under the contact (for attribution): it needs their phone, not the events.
      recipients: { [WAMID_123]: '+34612345678' },
      // The `sent` status names recipient_id beside recipient_user_id: the pointer a BSUID-only webhook is resolved by.
      contactLinks: [{ bsuid: 'ES.1234567890123456', phone: '+34612345678' }],
    });
  });

  it('puts no phone number and no BSUID in the events (they leave the system)', () => {
    const intake = signed(body);
    if (!intake.accepted) throw new Error('expected the body to be accepted');
    const serialised = JSON.stringify(intake.events);
    expect(serialised).not.toContain('34612345678');
    expect(serialised).not.toContain('34660987654');
    expect(serialised).not.toContain('ES.1234567890123456');
  });

  it('gives the same event ids when Meta delivers the same webhook twice', () => {
    const first = signed(body);
    const second = signed(Buffer.from(body));
    if (!first.accepted || !second.accepted) throw new Error('expected both to be accepted');
    expect(second.events.map((e) => e.detail.eventId)).toEqual(first.events.map((e) => e.detail.eventId));
  });
});

describe('takeInWebhook: payloads that carry no journey status', () => {
  it('hands a status without callback data on to be looked up by wamid', () => {
    const intake = signed(fixture('status-without-callback-data.json'));
    if (!intake.accepted) throw new Error(intake.reason);
    expect(intake.events).toEqual([]);
    expect(intake.unresolvedStatuses.map((s) => [s.id, s.status])).toEqual([['wamid.HBgLMzQ2MTIzNDU2NzgVAgARGBJBNEY2RTk5QjBDQjE4NkQ3MDMA', 'delivered']]);
  });

  it('hands a status whose callback data belongs to another app on to be looked up by wamid', () => {
    const raw = fixture('status-without-callback-data.json').toString('utf8').replace('"recipient_id"', '"biz_opaque_callback_data": "crm-campaign-42", "recipient_id"');
    const intake = signed(Buffer.from(raw));
    if (!intake.accepted) throw new Error(intake.reason);
    expect(intake.events).toEqual([]);
    expect(intake.unresolvedStatuses).toHaveLength(1);
  });

  it('ignores a status Posventa does not track, with a reason naming it', () => {
    const raw = fixture('status-batch.json').toString('utf8').replace('"status": "read"', '"status": "played"');
    const intake = signed(Buffer.from(raw));
    if (!intake.accepted) throw new Error(intake.reason);
    expect(intake.events.map((e) => e.type)).toEqual([DOMAIN_EVENT.messageSent, DOMAIN_EVENT.messageDelivered, DOMAIN_EVENT.messageFailed]);
    expect(intake.ignored).toEqual([expect.stringContaining('"played"')]);
  });

  it('takes in an inbound text message for the reply step, with no event yet (its journey is looked up)', () => {
    expect(signed(fixture('inbound-text-message.json'))).toEqual({
      ...NOTHING,
      inbound: [
        {
          wamid: 'wamid.HBgLMzQ2MTIzNDU2NzgVAgASGBQzQTk1RTU3NDdGQjE2NDI0QzBFRgA=',
          sentAt: '2026-03-08T09:10:00.000Z',
          from: { phone: '+34612345678', bsuid: 'ES.1234567890123456' },
          type: 'text',
          text: 'Sí, ¡me encantó!',
        },
      ],
      contactLinks: [{ bsuid: 'ES.1234567890123456', phone: '+34612345678' }],
    });
  });

  it('turns a message_template_status_update into Template Status Changed', () => {
    expect(signed(fixture('template-status-update.json'))).toEqual({
      ...NOTHING,
      events: [
        {
          type: DOMAIN_EVENT.templateStatusChanged,
          detail: {
            eventId: 'template-status:1689556908129832:es:APPROVED:1772960000',
            occurredAt: '2026-03-08T08:53:20.000Z',
            template: 'posventa_day60_offer',
            language: 'es',
            templateId: '1689556908129832',
            status: 'APPROVED',
            reason: 'NONE',
          },
        },
      ],
    });
  });
});

describe('takeInWebhook: rejections', () => {
  const body = fixture('status-batch.json');

  it.each([
    ['missing', undefined],
    ['signed with another secret', signWebhookBody(body, 'not-the-app-secret')],
    ['garbage', 'sha256=nothex'],
  ])('answers 401 and returns nothing parsed when the signature is %s', (_, header) => {
    const intake = takeInWebhook(body, header, SECRET);
    expect(intake).toEqual({ accepted: false, statusCode: 401, reason: expect.stringMatching(/signature/i) });
    expect(intake).not.toHaveProperty('events');
    expect(intake).not.toHaveProperty('ignored');
  });

  it('checks the signature before parsing: unsigned garbage is 401, not 400', () => {
    expect(takeInWebhook(Buffer.from('{not json'), undefined, SECRET)).toMatchObject({ statusCode: 401 });
  });

  it('answers 401 for a signed body that was tampered with afterwards (one byte)', () => {
    const header = signWebhookBody(body, SECRET);
    const tampered = Buffer.from(body.toString('utf8').replace('"status": "failed"', '"status": "failes"'));
    expect(tampered.length).toBe(body.length);
    expect(takeInWebhook(tampered, header, SECRET)).toMatchObject({ accepted: false, statusCode: 401 });
  });

  it('answers 400 with a reason for a signed body that is not JSON', () => {
    expect(signed(Buffer.from('{"object":"whatsapp_business_account",'))).toEqual({ accepted: false, statusCode: 400, reason: 'body is not valid JSON' });
  });

  it('answers 400 naming the field for a signed envelope of another product', () => {
    const intake = signed(Buffer.from(JSON.stringify({ object: 'page', entry: [] })));
    expect(intake).toMatchObject({ accepted: false, statusCode: 400 });
    if (!intake.accepted) expect(intake.reason).toMatch(/^not a WhatsApp webhook envelope: .*object/s);
  });

  it.each([
    ['entry is not an array', { object: 'whatsapp_business_account', entry: {} }, 'entry'],
    ['a change without value', { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages' }] }] }, 'value'],
    [
      'a status without timestamp',
      { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { statuses: [{ id: 'wamid.X', status: 'sent' }] } }] }] },
      'timestamp',
    ],
    [
      'a timestamp that is not unix seconds',
      { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { statuses: [{ id: 'wamid.X', status: 'sent', timestamp: '2026-03-08T09:00:00Z' }] } }] }] },
      'unix seconds',
    ],
    ['a JSON array', [], 'object'],
    ['JSON null', null, 'object'],
  ])('answers 400 with a clear reason for %s', (_, payload, mentioned) => {
    const intake = signed(Buffer.from(JSON.stringify(payload)));
    expect(intake).toMatchObject({ accepted: false, statusCode: 400 });
    if (!intake.accepted) expect(intake.reason).toContain(mentioned);
  });

  it('answers 413 for a body over MAX_WEBHOOK_BODY_BYTES, even correctly signed', () => {
    const big = Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [], pad: 'x'.repeat(MAX_WEBHOOK_BODY_BYTES) }));
    expect(big.length).toBeGreaterThan(MAX_WEBHOOK_BODY_BYTES);
    expect(signed(big)).toEqual({ accepted: false, statusCode: 413, reason: expect.stringContaining(String(MAX_WEBHOOK_BODY_BYTES)) });
  });

  it('accepts a body of exactly MAX_WEBHOOK_BODY_BYTES', () => {
    const prefix = '{"object":"whatsapp_business_account","entry":[],"pad":"';
    const raw = prefix + 'x'.repeat(MAX_WEBHOOK_BODY_BYTES - prefix.length - 2) + '"}';
    const body = Buffer.from(raw);
    expect(body.length).toBe(MAX_WEBHOOK_BODY_BYTES);
    expect(signed(body)).toEqual(NOTHING);
  });
});

describe('takeInWebhook: raw bytes', () => {
  // Meta escapes non-ASCII (\u00ed); the signature covers those exact bytes.
  const raw = fixture('inbound-text-message.json');

  it('keeps the escapes in the fixture (the bytes Meta sends)', () => {
    expect(raw.toString('utf8')).toContain('S\\u00ed');
    expect(raw.every((byte) => byte < 0x80)).toBe(true);
  });

  it('accepts the exact bytes and refuses the same JSON re-serialised or re-encoded', () => {
    const header = signWebhookBody(raw, SECRET);
    expect(takeInWebhook(raw, header, SECRET)).toMatchObject({ accepted: true });

    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))), 'utf8');
    expect(takeInWebhook(reserialised, header, SECRET)).toMatchObject({ accepted: false, statusCode: 401 });

    const unescaped = Buffer.from(raw.toString('utf8').replaceAll('\\u00ed', 'í'), 'utf8');
    expect(takeInWebhook(unescaped, header, SECRET)).toMatchObject({ accepted: false, statusCode: 401 });
  });

  it('accepts a UTF-8 body signed over its UTF-8 bytes and refuses it as Latin-1 bytes', () => {
    const text = '{"object":"whatsapp_business_account","entry":[],"note":"Sí"}';
    const utf8 = Buffer.from(text, 'utf8');
    const header = signWebhookBody(utf8, SECRET);
    expect(takeInWebhook(utf8, header, SECRET)).toMatchObject({ accepted: true });
    expect(takeInWebhook(Buffer.from(text, 'latin1'), header, SECRET)).toMatchObject({ accepted: false, statusCode: 401 });
  });
});

describe('answerVerification', () => {
  const TOKEN = 'posventa-verify-token';
  const query = { 'hub.mode': 'subscribe', 'hub.verify_token': TOKEN, 'hub.challenge': '1158201444' };

  it('echoes the challenge for our token', () => {
    expect(answerVerification(query, TOKEN)).toEqual({ statusCode: 200, challenge: '1158201444' });
  });

  it.each([
    ['a wrong token', { ...query, 'hub.verify_token': 'guess' }],
    ['no token', { ...query, 'hub.verify_token': undefined }],
    ['a token differing only in case', { ...query, 'hub.verify_token': TOKEN.toUpperCase() }],
    ['a wrong mode', { ...query, 'hub.mode': 'unsubscribe' }],
    ['no mode', { ...query, 'hub.mode': undefined }],
    ['no challenge', { ...query, 'hub.challenge': undefined }],
    ['an empty query', {}],
  ])('answers 403 for %s', (_, q) => {
    expect(answerVerification(q, TOKEN)).toEqual({ statusCode: 403 });
  });
});

describe('timestamps out of the Date range', () => {
  // Found by the property test: a signed body whose time is past the year 9999 used to throw
  // a RangeError in toISOString(); it must be a clear 400.
  it('answers 400 for a template update whose entry.time cannot be a date', () => {
    const body = JSON.parse(fixture('template-quality-update.json').toString('utf8')) as { entry: Array<{ time: number }> };
    body.entry[0]!.time = 1e20;
    const intake = signed(Buffer.from(JSON.stringify(body)));
    expect(intake).toMatchObject({ accepted: false, statusCode: 400 });
  });

  it('answers 400 for a status whose timestamp has too many digits', () => {
    const text = fixture('status-batch.json').toString('utf8').replace(/"timestamp":\s*"\d+"/, '"timestamp": "99999999999999999999"');
    expect(signed(Buffer.from(text))).toMatchObject({ accepted: false, statusCode: 400 });
  });
});

describe('correlationIdsOf', () => {
  it("names a webhook's orders and its messages' digests, never a wamid or a phone in clear", () => {
    const statuses = signed(fixture('status-batch.json'));
    const inbound = signed(fixture('inbound-text-reply.json'));
    if (!statuses.accepted || !inbound.accepted) throw new Error('fixtures are signed and valid');
    const ids = correlationIdsOf(statuses);
    expect(ids.orderIds).toContain('ES-2026-000123');
    expect(ids.messageIds.length).toBeGreaterThan(0);
    const payload = JSON.parse(fixture('status-batch.json').toString('utf8')) as { entry: Array<{ changes: Array<{ value: { statuses?: Array<{ id: string }> } }> }> };
    const wamids = payload.entry.flatMap((e) => e.changes.flatMap((c) => (c.value.statuses ?? []).map((status) => status.id)));
    expect(ids.messageIds.sort()).toEqual([...new Set(wamids)].map(digest).sort());
    expect(correlationIdsOf(inbound).messageIds).toHaveLength(1);
    const logged = JSON.stringify([ids, correlationIdsOf(inbound)]);
    expect(logged).not.toMatch(/wamid\./);
    expect(logged).not.toContain('34612345678');
  });
});
