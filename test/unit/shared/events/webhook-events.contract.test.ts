import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DETAIL_SCHEMA_OF_EVENT, DOMAIN_EVENT, DOMAIN_EVENT_SOURCE, domainEventTypeOf } from '#shared/events/domain';
import { parseWith } from '#shared/validation';

/**
 * Contract tests of the events the webhook emits (replies, NPS, tickets, template changes):
 * consumers depend on these fields; adding an optional one is compatible, removing one is not.
 */
interface EventBridgeEvent {
  'detail-type': string;
  source: string;
  detail: Record<string, unknown>;
}

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../../fixtures/events/${name}`, import.meta.url), 'utf8')) as EventBridgeEvent;
const FIXTURES = ['reply-received.json', 'nps-answered.json', 'ticket-requested.json', 'template-quality-changed.json'].map((name) => [name, load(name)] as const);
const schemaOf = (event: EventBridgeEvent) => {
  const type = domainEventTypeOf(event['detail-type']);
  if (type === undefined || !(type in DETAIL_SCHEMA_OF_EVENT)) throw new Error(`no schema for ${event['detail-type']}`);
  return DETAIL_SCHEMA_OF_EVENT[type as keyof typeof DETAIL_SCHEMA_OF_EVENT];
};

describe('webhook event contracts', () => {
  it.each(FIXTURES)('%s parses unchanged', (_, event) => {
    expect(event.source).toBe(DOMAIN_EVENT_SOURCE);
    expect(parseWith(schemaOf(event), event.detail)).toEqual({ ok: true, value: event.detail });
  });

  // A template event names no customer (and its long numeric template id would look like a phone).
  it.each(FIXTURES.filter(([name]) => !name.startsWith('template')))('%s carries no phone number', (_, event) => {
    expect(JSON.stringify(event.detail)).not.toMatch(/\+?\d{9,15}(?!\d)/);
  });

  it.each(FIXTURES)('%s stays compatible when a producer adds an optional field', (_, event) => {
    const extended = { ...event.detail, channel: 'whatsapp' };
    expect(parseWith(schemaOf(event), extended)).toEqual({ ok: true, value: extended });
  });

  it.each([
    ['reply-received.json', ['eventId', 'occurredAt', 'orderId', 'milestone', 'template', 'variant', 'inboundWamid', 'matchedBy', 'messageType']],
    ['nps-answered.json', ['score', 'npsCategory', 'inboundWamid']],
    ['ticket-requested.json', ['reason', 'orderId']],
    ['template-quality-changed.json', ['eventId', 'occurredAt', 'template', 'language', 'templateId', 'quality']],
  ] as const)('%s fails without each required field, naming it', (name, fields) => {
    const event = load(name);
    for (const field of fields) {
      const detail = { ...event.detail };
      delete detail[field];
      const result = parseWith(schemaOf(event), detail);
      expect(result.ok, field).toBe(false);
      if (!result.ok) expect(result.reason).toContain(field);
    }
  });

  it.each([
    [{ score: 11 }, 'score'],
    [{ score: 9.5 }, 'score'],
    [{ npsCategory: 'neutral' }, 'npsCategory'],
    [{ matchedBy: 'guess' }, 'matchedBy'],
  ])('NPS Answered refuses %j', (change, field) => {
    const result = parseWith(DETAIL_SCHEMA_OF_EVENT[DOMAIN_EVENT.npsAnswered], { ...load('nps-answered.json').detail, ...change });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(field);
  });

  it('Ticket Requested names its reason from a closed list', () => {
    const detail = load('ticket-requested.json').detail;
    expect(parseWith(DETAIL_SCHEMA_OF_EVENT[DOMAIN_EVENT.ticketRequested], { ...detail, reason: 'urgent-callback' }).ok).toBe(true);
    expect(parseWith(DETAIL_SCHEMA_OF_EVENT[DOMAIN_EVENT.ticketRequested], { ...detail, reason: 'bored' }).ok).toBe(false);
  });
});
