import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readQueuedEvents, type QueuedRecord } from '#shared/kpi/batch';

const fixtureText = (name: string) => readFileSync(new URL(`../../../fixtures/events/${name}`, import.meta.url), 'utf8');
const sentEnvelope = fixtureText('message-sent.json');
const failedEnvelope = fixtureText('message-failed.json');
const record = (messageId: string, body: string): QueuedRecord => ({ messageId, body });
const withEnvelope = (text: string, change: (e: Record<string, unknown>) => void) => {
  const envelope = JSON.parse(text) as Record<string, unknown>;
  change(envelope);
  return JSON.stringify(envelope);
};

describe('readQueuedEvents', () => {
  it('reads EventBridge envelopes carried by SQS into counted events, keeping the message ids', () => {
    const batch = readQueuedEvents([record('m-1', sentEnvelope), record('m-2', failedEnvelope)], 'Europe/Madrid');
    const day7 = { day: '2026-03-08', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A' };
    const day30 = { day: '2026-03-31', milestone: 'day30', template: 'posventa_day30_nps', variant: 'A' };
    expect(batch).toEqual({
      unreadable: [],
      qualities: [],
      counted: [
        { messageId: 'm-1', event: { eventId: 'wamid.HBgLMzQ2MTIzNDU2NzgVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA:sent', key: day7, add: { sent: 1 } } },
        { messageId: 'm-1', event: { eventId: 'kpi:journey:day7:ES-2026-000123', key: day7, add: { journeys: 1 } } },
        {
          messageId: 'm-2',
          event: { eventId: 'wamid.HBgLMzQ2NjA5ODc2NTQzFQIAERgSQkY1RjQ0QjE3QjlDMDg1RTRBAA==:failed', key: day30, add: { failed: 1, failedUndeliverable: 1 } },
        },
        { messageId: 'm-2', event: { eventId: 'kpi:journey:day30:ES-2026-000124', key: day30, add: { journeys: 1 } } },
      ],
    });
  });

  it('reads the fields each event type needs: NPS score, pricing and country, holdout and cohort', () => {
    const as = (type: string, extra: Record<string, unknown>) =>
      withEnvelope(sentEnvelope, (e) => {
        e['detail-type'] = type;
        Object.assign(e.detail as Record<string, unknown>, extra);
      });
    const batch = readQueuedEvents(
      [
        record('m-1', as('NPS Answered', { score: 10, milestone: 'day30' })),
        record('m-2', as('Message Delivered', { pricing: { billable: true, category: 'marketing' }, country: 'BR' })),
        record('m-3', as('Repurchase Attributed', { attribution: 'journey', newOrderId: 'ES-2026-000999', holdout: true, cohort: { orderId: 'ES-2026-000123', purchasedAt: '2026-03-01T10:00:00Z' } })),
        record('m-4', as('NPS Answered', { score: 12 })),
      ],
      'UTC',
    );
    expect(batch.counted.map((c) => [c.messageId, c.event.add])).toEqual([
      ['m-1', { npsAnswers: 1, npsPromoters: 1 }],
      ['m-2', { delivered: 1 }],
      ['m-2', { billableMarketing: 1, costMicroUsd: 62_500 }],
      ['m-2', { journeys: 1 }],
      ['m-3', { holdoutRepurchasers: 1 }],
    ]);
    expect(batch.unreadable).toEqual([{ messageId: 'm-4', reason: expect.stringMatching(/NPS Answered.*score/s) }]);
  });

  it("reads the store's helpdesk events, under the journey they name or under unattributed", () => {
    const opened = fixtureText('ticket-opened.json');
    const replied = fixtureText('agent-replied.json');
    const bare = withEnvelope(opened, (e) => {
      e['detail-type'] = 'Ticket Reopened';
      e.detail = { ticketId: 'FD-9', occurredAt: '2026-04-08T23:30:00-03:00' };
    });
    const batch = readQueuedEvents([record('m-1', opened), record('m-2', replied), record('m-3', bare)], 'UTC');
    const day30 = { day: '2026-04-07', milestone: 'day30', template: 'posventa_day30_nps', variant: 'A' };
    expect(batch).toEqual({
      unreadable: [],
      qualities: [],
      counted: [
        { messageId: 'm-1', event: { eventId: 'kpi:ticket-opened:ZD-48213', key: day30, add: { ticketsOpened: 1 } } },
        {
          messageId: 'm-2',
          event: {
            eventId: `kpi:first-response:${Date.parse('2026-04-07T12:10:00.000Z')}:ZD-48213`,
            key: day30,
            add: { firstResponses: 1, firstResponseSeconds: 332, firstResponseLe600: 1 },
          },
        },
        {
          messageId: 'm-3',
          event: { eventId: 'kpi:ticket-reopened:FD-9', key: { day: '2026-04-09', milestone: 'unattributed', template: 'unattributed', variant: 'unattributed' }, add: { ticketsReopened: 1 } },
        },
      ],
    });
  });

  it('marks an invalid helpdesk event unreadable with the reason (it goes to the DLQ, never dropped)', () => {
    const noTicket = withEnvelope(fixtureText('ticket-opened.json'), (e) => delete (e.detail as Record<string, unknown>).ticketId);
    const replyFirst = withEnvelope(fixtureText('agent-replied.json'), (e) => ((e.detail as Record<string, unknown>).customerMessageAt = '2026-04-07T13:00:00Z'));
    expect(readQueuedEvents([record('m-1', noTicket), record('m-2', replyFirst)], 'UTC').unreadable).toEqual([
      { messageId: 'm-1', reason: expect.stringMatching(/^Ticket Opened: .*ticketId/s) },
      { messageId: 'm-2', reason: expect.stringMatching(/^Agent Replied: .*customerMessageAt must not be after occurredAt/s) },
    ]);
  });

  it('keys by the reporting time zone', () => {
    const late = withEnvelope(sentEnvelope, (e) => ((e.detail as Record<string, unknown>).occurredAt = '2026-03-09T01:00:00.000Z'));
    expect(readQueuedEvents([record('m', late)], 'UTC').counted[0]!.event.key.day).toBe('2026-03-09');
    expect(readQueuedEvents([record('m', late)], 'America/Argentina/Buenos_Aires').counted[0]!.event.key.day).toBe('2026-03-08');
  });

  it('passes duplicates through with their own message ids (dedupe happens in the plan)', () => {
    const batch = readQueuedEvents([record('m-1', sentEnvelope), record('m-2', sentEnvelope)], 'UTC');
    expect(batch.counted.filter((c) => c.event.eventId.endsWith(':sent')).map((c) => c.messageId)).toEqual(['m-1', 'm-2']);
  });

  it('marks a body that is not JSON unreadable, with a reason', () => {
    expect(readQueuedEvents([record('m-bad', '{"detail-type": "Message Sent", ')], 'UTC')).toEqual({
      counted: [],
      qualities: [],
      unreadable: [{ messageId: 'm-bad', reason: 'body is not JSON' }],
    });
  });

  it('marks a known event with an invalid detail unreadable, naming the field', () => {
    const broken = withEnvelope(sentEnvelope, (e) => delete (e.detail as Record<string, unknown>).orderId);
    const wrongMilestone = withEnvelope(failedEnvelope, (e) => ((e.detail as Record<string, unknown>).milestone = 'day90'));
    const batch = readQueuedEvents([record('m-1', broken), record('m-2', wrongMilestone), record('m-3', failedEnvelope)], 'UTC');
    expect(new Set(batch.counted.map((c) => c.messageId))).toEqual(new Set(['m-3']));
    expect(batch.unreadable).toEqual([
      { messageId: 'm-1', reason: expect.stringContaining('orderId') },
      { messageId: 'm-2', reason: expect.stringContaining('milestone') },
    ]);
  });

  it('marks a known event without a detail unreadable', () => {
    const batch = readQueuedEvents([record('m', JSON.stringify({ 'detail-type': 'Message Read', source: 'posventa' }))], 'UTC');
    expect(batch.unreadable).toEqual([{ messageId: 'm', reason: expect.any(String) }]);
  });

  it('ignores, without an error, a detail-type no counter tracks', () => {
    const purchase = fixtureText('purchase-completed.json');
    const other = withEnvelope(sentEnvelope, (e) => (e['detail-type'] = 'Template Status Changed'));
    expect(readQueuedEvents([record('m-1', purchase), record('m-2', other), record('m-3', '{}')], 'UTC')).toEqual({ counted: [], qualities: [], unreadable: [] });
  });

  it("reads Meta's template quality ratings as readings, not counts; a malformed one is unreadable", () => {
    const quality = (detail: Record<string, unknown>) => JSON.stringify({ source: 'posventa', 'detail-type': 'Template Quality Changed', detail });
    const detail = {
      eventId: 'template-quality:1234:es:YELLOW:1764000000',
      occurredAt: '2025-11-24T16:00:00.000Z',
      template: 'posventa_day60_offer',
      language: 'es',
      templateId: '1234',
      quality: 'YELLOW',
      previousQuality: 'GREEN',
    };
    const batch = readQueuedEvents([record('m-1', quality(detail)), record('m-2', quality({ ...detail, template: undefined }))], 'UTC');
    expect(batch.counted).toEqual([]);
    expect(batch.qualities).toEqual([{ template: 'posventa_day60_offer', language: 'es', quality: 'YELLOW', occurredAt: '2025-11-24T16:00:00.000Z' }]);
    expect(batch.unreadable).toEqual([{ messageId: 'm-2', reason: expect.stringContaining('template') }]);
  });

  // One poison message must not throw for the whole batch: that would send every message of
  // the batch back to the queue (and, in the end, good events to the DLQ uncounted).
  it.each(['null', '42', '"Message Sent"', '[]', 'true'])('does not throw for a body that is JSON but not an object (%s), and still counts the rest', (body) => {
    let batch: ReturnType<typeof readQueuedEvents> | undefined;
    expect(() => (batch = readQueuedEvents([record('m-poison', body), record('m-ok', sentEnvelope)], 'UTC'))).not.toThrow();
    expect(new Set(batch?.counted.map((c) => c.messageId))).toEqual(new Set(['m-ok']));
  });
});
