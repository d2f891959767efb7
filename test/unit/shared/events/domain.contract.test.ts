import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DETAIL_SCHEMA_OF_EVENT,
  DOMAIN_EVENT,
  DOMAIN_EVENT_SOURCE,
  domainEventTypeOf,
  messageEventDetailSchema,
  npsUnansweredDetailSchema,
  type MessageEventDetail,
} from '#shared/events/domain';
import { parseWith } from '#shared/validation';

/**
 * Contract test of the message events Posventa emits (DESIGN.md §3). Consumers depend on these
 * names and fields: adding an optional field stays compatible, removing a required one fails.
 */

interface EventBridgeEvent {
  'detail-type': string;
  source: string;
  detail: MessageEventDetail;
}

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../../fixtures/events/${name}`, import.meta.url), 'utf8')) as EventBridgeEvent;
const sent = load('message-sent.json');
const failed = load('message-failed.json');
const parse = (input: unknown) => parseWith(messageEventDetailSchema, input);

describe('message event contract', () => {
  it('keeps the published detail-type names and source', () => {
    expect(DOMAIN_EVENT_SOURCE).toBe('posventa');
    expect(DOMAIN_EVENT).toEqual({
      messageSent: 'Message Sent',
      messageDelivered: 'Message Delivered',
      messageRead: 'Message Read',
      messageFailed: 'Message Failed',
      messageSkipped: 'Message Skipped',
      replyReceived: 'Reply Received',
      npsAnswered: 'NPS Answered',
      npsUnanswered: 'NPS Unanswered',
      optedIn: 'Opted In',
      optedOut: 'Opted Out',
      ticketRequested: 'Ticket Requested',
      chatHandoffRequested: 'Chat Handoff Requested',
      bookingRequested: 'Booking Requested',
      leadCreated: 'Lead Created',
      fallbackRequested: 'Fallback Requested',
      repurchaseAttributed: 'Repurchase Attributed',
      journeyStarted: 'Journey Started',
      templateStatusChanged: 'Template Status Changed',
      templateQualityChanged: 'Template Quality Changed',
    });
  });

  it.each([
    ['Message Sent', sent],
    ['Message Failed', failed],
  ])('parses the %s fixture unchanged', (detailType, event) => {
    expect(event.source).toBe(DOMAIN_EVENT_SOURCE);
    expect(domainEventTypeOf(event['detail-type'])).toBe(detailType);
    expect(parse(event.detail)).toEqual({ ok: true, value: event.detail });
  });

  it('carries no phone number', () => {
    for (const event of [sent, failed]) expect(JSON.stringify(event.detail)).not.toMatch(/\+?\d{9,15}(?!\d)/);
  });

  it.each(['eventId', 'occurredAt', 'orderId', 'milestone', 'template', 'variant'])('fails without the required field %s, naming it', (field) => {
    const detail: Record<string, unknown> = { ...sent.detail };
    delete detail[field];
    const result = parse(detail);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(field);
  });

  it('parses without the optional wamid and errorCode (a send that failed before Meta gave a wamid)', () => {
    const { wamid: _wamid, errorCode: _code, ...detail } = failed.detail;
    expect(parse(detail).ok).toBe(true);
  });

  it('stays compatible when a producer adds an optional field, and keeps it for consumers', () => {
    const extended = { ...sent.detail, pricingCategory: 'utility', bsuid: 'ES.1234567890123456' };
    expect(parse(extended)).toEqual({ ok: true, value: extended });
  });

  it.each([
    ['an unknown milestone', { milestone: 'day90' }, 'milestone'],
    ['an empty event id', { eventId: '' }, 'eventId'],
    ['a non-ISO occurredAt', { occurredAt: '08/03/2026 09:00' }, 'occurredAt'],
    ['a string errorCode', { errorCode: '131026' }, 'errorCode'],
  ])('fails for %s', (_, change, field) => {
    const result = parse({ ...failed.detail, ...change });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(field);
  });

  it('accepts an occurredAt with an offset', () => {
    expect(parse({ ...sent.detail, occurredAt: '2026-03-08T06:00:00-03:00' }).ok).toBe(true);
  });

  it.each([undefined, 42, 'Purchase Completed', 'message sent'])('knows %s is not a domain event type', (detailType) => {
    expect(domainEventTypeOf(detailType)).toBeUndefined();
  });
});

describe('NPS Unanswered contract', () => {
  const unanswered = {
    eventId: 'nps-unanswered:ES-2026-000123:day30',
    occurredAt: '2026-04-11T12:00:00.000Z',
    orderId: 'ES-2026-000123',
    milestone: 'day30',
    template: 'posventa_day30_nps',
    variant: 'A',
    wamid: 'wamid.HBgLMzQ2MTIzNDU2NzgVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA',
    reminded: false,
    reminderSkipped: 'opted-out',
  };
  const parseUnanswered = (input: unknown) => parseWith(npsUnansweredDetailSchema, input);

  it('is the schema of its detail-type, names the survey, and says whether the reminder went', () => {
    expect(DETAIL_SCHEMA_OF_EVENT[DOMAIN_EVENT.npsUnanswered]).toBe(npsUnansweredDetailSchema);
    expect(parseUnanswered(unanswered)).toEqual({ ok: true, value: unanswered });
    const { reminderSkipped: _skipped, ...reminded } = { ...unanswered, reminded: true };
    expect(parseUnanswered(reminded).ok).toBe(true);
  });

  it.each(['reminded', 'orderId', 'milestone', 'template', 'variant', 'eventId'])('fails without %s, naming it', (field) => {
    const detail: Record<string, unknown> = { ...unanswered };
    delete detail[field];
    const result = parseUnanswered(detail);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(field);
  });
});
