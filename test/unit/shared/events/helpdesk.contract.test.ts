import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  agentRepliedDetailSchema,
  HELPDESK_DETAIL_SCHEMA,
  HELPDESK_EVENT,
  HELPDESK_EVENT_SOURCE,
  ticketEventDetailSchema,
} from '#shared/events/helpdesk';
import { parseWith } from '#shared/validation';

/**
 * Contract test of the helpdesk events (Ticket Opened / Reopened / Closed, Agent Replied):
 * helpdesk integrations depend on them. Adding an optional field is compatible; removing or
 * renaming a required one must fail here.
 */

interface Envelope {
  'detail-type': string;
  source: string;
  detail: Record<string, unknown>;
}

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../fixtures/events/${name}`, import.meta.url), 'utf8')) as Envelope;
const opened = fixture('ticket-opened.json');
const replied = fixture('agent-replied.json');

function without(detail: Record<string, unknown>, field: string): Record<string, unknown> {
  const copy = structuredClone(detail);
  delete copy[field];
  return copy;
}

describe('helpdesk events contract', () => {
  it('names four detail-types under the default helpdesk source', () => {
    expect(HELPDESK_EVENT_SOURCE).toBe('posventa.helpdesk');
    expect(Object.values(HELPDESK_EVENT)).toEqual(['Ticket Opened', 'Ticket Reopened', 'Ticket Closed', 'Agent Replied']);
    expect(Object.keys(HELPDESK_DETAIL_SCHEMA)).toEqual(Object.values(HELPDESK_EVENT));
    expect([opened.source, replied.source]).toEqual([HELPDESK_EVENT_SOURCE, HELPDESK_EVENT_SOURCE]);
    expect([opened['detail-type'], replied['detail-type']]).toEqual([HELPDESK_EVENT.ticketOpened, HELPDESK_EVENT.agentReplied]);
  });

  it('parses the fixtures, keeping unknown fields (a helpdesk may send more than we read)', () => {
    expect(parseWith(ticketEventDetailSchema, opened.detail)).toEqual({ ok: true, value: opened.detail });
    expect(parseWith(agentRepliedDetailSchema, replied.detail)).toEqual({ ok: true, value: replied.detail });
  });

  it('needs only the ticket id and the time', () => {
    const minimal = { ticketId: 'FD-1', occurredAt: '2026-04-07T12:11:02+02:00' };
    for (const schema of Object.values(HELPDESK_DETAIL_SCHEMA)) expect(parseWith(schema, minimal).ok).toBe(true);
  });

  it.each(['ticketId', 'occurredAt'])('fails when the required field %s is removed, naming it', (field) => {
    for (const detail of [opened.detail, replied.detail]) {
      const result = parseWith(agentRepliedDetailSchema, without(detail, field));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toContain(field);
    }
  });

  it.each([
    ['ticketId', '   '],
    ['occurredAt', '2026-04-07 12:11'],
    ['milestone', 'day8'],
    ['orderId', ''],
    ['ticketId', 'x'.repeat(257)],
  ])('rejects %s = %j with a reason naming it', (field, value) => {
    const result = parseWith(ticketEventDetailSchema, { ...opened.detail, [field]: value });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(field);
  });

  it('rejects a reply that comes before the customer message it answers', () => {
    const result = parseWith(agentRepliedDetailSchema, { ...replied.detail, customerMessageAt: '2026-04-07T12:16:00.000Z' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('customerMessageAt must not be after occurredAt');
  });

  it('compares the two times as instants, whatever their offsets', () => {
    // 14:10 in Madrid (+02:00) is 12:10 UTC, before the reply at 12:15:32 UTC.
    expect(parseWith(agentRepliedDetailSchema, { ...replied.detail, customerMessageAt: '2026-04-07T14:10:00+02:00' }).ok).toBe(true);
  });

  it('has no phone field: a ticket is named by ids', () => {
    const fields = [...Object.keys(opened.detail), ...Object.keys(replied.detail)];
    expect(fields.filter((f) => /phone|wa_?id/i.test(f))).toEqual([]);
  });
});
