import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DETAIL_SCHEMA_OF_EVENT, DOMAIN_EVENT } from '#shared/events/domain';
import { parseWith } from '#shared/validation';
import { signWebhookBody } from '#shared/whatsapp/signature';
import { takeInWebhook, type WebhookContents } from '#shared/whatsapp/webhook-intake';

/**
 * Every fixture in test/fixtures/webhooks/ is a payload shape Meta sends (reference §2, §10),
 * kept with Meta's escaping (`\/`, `\uXXXX`), and taken in as Posventa needs it.
 */
const SECRET = 'posventa-test-app-secret';
const DIR = new URL('../../../fixtures/webhooks/', import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, DIR));
function contentsOf(name: string): WebhookContents {
  const body = fixture(name);
  const intake = takeInWebhook(body, signWebhookBody(body, SECRET), SECRET);
  if (!intake.accepted) throw new Error(`${name}: ${intake.reason}`);
  const { accepted: _, ...contents } = intake;
  return contents;
}

const SENT = 'wamid.HBgLMzQ2MTIzNDU2NzgVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA';
const FROM = { phone: '+34612345678', bsuid: 'ES.1234567890123456' };

describe('webhook fixtures', () => {
  it('are all signed-and-accepted payloads with Meta’s byte escaping', () => {
    const names = readdirSync(DIR).filter((n) => n.endsWith('.json'));
    expect(names.length).toBeGreaterThanOrEqual(25);
    for (const name of names) {
      expect(() => contentsOf(name), name).not.toThrow();
      expect(fixture(name).every((byte) => byte < 0x80), name).toBe(true);
    }
  });

  it.each([
    ['inbound-text-reply.json', { type: 'text', text: '9', contextWamid: SENT }],
    ['inbound-button-quick-reply.json', { type: 'button', text: 'Sí, quiero', payload: 'D60_YES', contextWamid: SENT }],
    ['inbound-interactive-button-reply.json', { type: 'interactive', text: 'Reservar ayuda', payload: 'D7_BOOKING', contextWamid: SENT }],
    ['inbound-interactive-list-reply.json', { type: 'interactive', text: '10', payload: 'nps_10', contextWamid: SENT }],
    ['inbound-reaction.json', { type: 'reaction', contextWamid: SENT }],
    ['inbound-image.json', { type: 'image', text: 'Así llegó la caja', contextWamid: SENT }],
    ['inbound-audio.json', { type: 'audio', contextWamid: SENT }],
    ['inbound-video.json', { type: 'video', contextWamid: SENT }],
    ['inbound-document.json', { type: 'document', contextWamid: SENT }],
    ['inbound-sticker.json', { type: 'sticker', contextWamid: SENT }],
    ['inbound-location.json', { type: 'location' }],
    ['inbound-contacts.json', { type: 'contacts' }],
    ['inbound-unsupported.json', { type: 'unsupported', errorCodes: [131051] }],
  ])('%s → one inbound message, keyed by phone with its BSUID', (name, expected) => {
    const contents = contentsOf(name);
    expect(contents.events).toEqual([]);
    expect(contents.inbound).toHaveLength(1);
    const message = contents.inbound[0]!;
    expect(message).toEqual({ wamid: expect.stringMatching(/^wamid\./), sentAt: '2026-03-08T09:10:00.000Z', from: FROM, ...expected });
  });

  it('takes in a BSUID-only message (no `from`, no `wa_id`) without a phone', () => {
    const [message] = contentsOf('inbound-bsuid-only.json').inbound;
    expect(message).toMatchObject({ from: { bsuid: 'ES.1234567890123456' }, type: 'text', text: 'hola' });
    expect(message!.from).not.toHaveProperty('phone');
  });

  it.each([
    ['inbound-reaction-removed.json', /reaction removed/],
    ['inbound-system.json', /system message/],
    ['value-errors.json', /130429/],
    ['account-update.json', /"account_update" is not handled/],
  ])('%s → accepted, nothing to act on, a reason without phone numbers', (name, reason) => {
    const contents = contentsOf(name);
    expect(contents).toMatchObject({ events: [], inbound: [], unresolvedStatuses: [], userPreferences: [] });
    expect(contents.ignored).toEqual([expect.stringMatching(reason)]);
    expect(contents.ignored.join()).not.toMatch(/3461234567|wamid/);
  });

  it('status-sent-pmp-bsuid.json → Message Sent with Meta’s pricing, no phone or BSUID', () => {
    const { events } = contentsOf('status-sent-pmp-bsuid.json');
    expect(events).toEqual([
      {
        type: DOMAIN_EVENT.messageSent,
        detail: {
          eventId: `${SENT}:sent`,
          occurredAt: '2026-03-08T09:00:00.000Z',
          orderId: 'ES-2026-000123',
          milestone: 'day7',
          template: 'posventa_day7_adoption',
          variant: 'A',
          wamid: SENT,
          pricing: { billable: true, model: 'PMP', category: 'utility', type: 'regular' },
          country: 'ES',
        },
      },
    ]);
    expect(JSON.stringify(events)).not.toMatch(/34612345678|ES\.1234567890123456/);
  });

  it('status-read-only-bsuid.json (no recipient_id) → Message Read', () => {
    expect(contentsOf('status-read-only-bsuid.json').events.map((e) => [e.type, e.detail.eventId])).toEqual([[DOMAIN_EVENT.messageRead, `${SENT}:read`]]);
  });

  it('status-failed-131049.json → Message Failed with the code', () => {
    expect(contentsOf('status-failed-131049.json').events).toEqual([
      expect.objectContaining({ type: DOMAIN_EVENT.messageFailed, detail: expect.objectContaining({ errorCode: 131049, orderId: 'ES-2026-000125', milestone: 'day60', variant: 'B' }) }),
    ]);
  });

  it('template-quality-update.json → Template Quality Changed', () => {
    expect(contentsOf('template-quality-update.json').events).toEqual([
      {
        type: DOMAIN_EVENT.templateQualityChanged,
        detail: {
          eventId: 'template-quality:1689556908129832:es:YELLOW:1772962000',
          occurredAt: '2026-03-08T09:26:40.000Z',
          template: 'posventa_day30_nps',
          language: 'es',
          templateId: '1689556908129832',
          quality: 'YELLOW',
          previousQuality: 'GREEN',
        },
      },
    ]);
  });

  it('user-preferences.json → a typed change for the consent ledger, no event', () => {
    const contents = contentsOf('user-preferences.json');
    expect(contents.events).toEqual([]);
    expect(contents.userPreferences).toEqual([
      { contact: { phone: '+34612345678' }, category: 'marketing_messages', value: 'stop', changedAt: '2026-03-08T09:43:20.000Z', detail: 'User requested to stop marketing messages' },
    ]);
  });

  it('every event from every fixture passes its published detail schema', () => {
    for (const name of readdirSync(DIR).filter((n) => n.endsWith('.json'))) {
      for (const event of contentsOf(name).events) {
        const schema = DETAIL_SCHEMA_OF_EVENT[event.type as keyof typeof DETAIL_SCHEMA_OF_EVENT];
        expect(parseWith(schema, event.detail), `${name}: ${event.type}`).toMatchObject({ ok: true });
      }
    }
  });
});

describe('takeInWebhook: malformed values of handled fields', () => {
  const signed = (payload: unknown) => {
    const body = Buffer.from(JSON.stringify(payload));
    return takeInWebhook(body, signWebhookBody(body, SECRET), SECRET);
  };
  const envelope = (field: string, value: unknown) => ({ object: 'whatsapp_business_account', entry: [{ id: '1', time: 1772960000, changes: [{ field, value }] }] });

  it.each([
    ['a message without id', envelope('messages', { messages: [{ timestamp: '1', type: 'text', text: { body: 'x' } }] }), 'entry[0].changes[0] (messages)', 'id'],
    ['a message without type', envelope('messages', { messages: [{ id: 'wamid.X', timestamp: '1' }] }), 'messages', 'type'],
    ['a text without body', envelope('messages', { messages: [{ id: 'wamid.X', timestamp: '1', type: 'text', text: {} }] }), 'messages', 'body'],
    ['a status error without code', envelope('messages', { statuses: [{ id: 'wamid.X', status: 'failed', timestamp: '1', errors: [{ title: 'x' }] }] }), 'messages', 'code'],
    ['a template status without name', envelope('message_template_status_update', { event: 'APPROVED', message_template_id: 1, message_template_language: 'es' }), 'message_template_status_update', 'message_template_name'],
    ['a quality update without new score', envelope('message_template_quality_update', { message_template_id: 1, message_template_name: 'x', message_template_language: 'es' }), 'quality', 'new_quality_score'],
    ['user preferences without value', envelope('user_preferences', { user_preferences: [{ wa_id: '1', category: 'marketing_messages', timestamp: 1 }] }), 'user_preferences', 'value'],
  ])('answers 400 naming the place for %s', (_, payload, where, field) => {
    const intake = signed(payload);
    expect(intake).toMatchObject({ accepted: false, statusCode: 400 });
    if (!intake.accepted) {
      expect(intake.reason).toContain(where);
      expect(intake.reason).toContain(field);
    }
  });

  it('accepts a field it does not handle whatever its value holds', () => {
    expect(signed(envelope('phone_number_quality_update', { event: 'THROUGHPUT_UPGRADE', anything: [1, 'x', null] }))).toMatchObject({ accepted: true, ignored: ['field "phone_number_quality_update" is not handled'] });
  });

  it('ignores a template change without entry.time (no stable id), with a reason', () => {
    const payload = envelope('message_template_status_update', { event: 'PAUSED', message_template_id: 1, message_template_name: 'x', message_template_language: 'es' });
    delete (payload.entry[0] as { time?: number }).time;
    expect(signed(payload)).toMatchObject({ accepted: true, events: [], ignored: [expect.stringContaining('entry.time')] });
  });
});
