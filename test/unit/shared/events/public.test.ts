import { describe, expect, it } from 'vitest';
import { DOMAIN_EVENT, type DomainEvent } from '#shared/events/domain';
import { digest, publicEvent } from '#shared/events/public';

// A real-shaped wamid: base64 of the recipient's phone number (34612345678) and a message id.
const wamid = 'wamid.HBgLMzQ2MTIzNDU2NzgVAgARGBI4QzVFQjE2NzhEMjQ3MUQ3QkEA';

const reply: DomainEvent = {
  type: DOMAIN_EVENT.replyReceived,
  detail: {
    eventId: `${wamid}:reply`,
    occurredAt: '2026-03-08T12:00:00.000Z',
    orderId: 'ES-1',
    milestone: 'day7',
    template: 'posventa_day7_adoption',
    variant: 'A',
    wamid,
    inboundWamid: wamid,
  },
};

describe('publicEvent', () => {
  it('leaves no phone number in the event, not even base64-encoded', () => {
    const published = JSON.stringify(publicEvent(reply));
    expect(published).not.toContain('34612345678');
    expect(published).not.toContain('HBgLMzQ2MTIzNDU2Nzg');
    expect(Buffer.from(published, 'utf8').toString()).not.toMatch(/wamid\./);
  });

  it('keeps ids deterministic, so a replayed event still dedupes, and distinct events distinct', () => {
    expect(publicEvent(reply).detail.eventId).toBe(publicEvent(structuredClone(reply)).detail.eventId);
    expect(publicEvent(reply).detail.eventId).toBe(digest(`${wamid}:reply`));
    const read = { ...reply, detail: { ...reply.detail, eventId: `${wamid}:read` } };
    expect(publicEvent(read).detail.eventId).not.toBe(publicEvent(reply).detail.eventId);
  });

  it('keeps everything else as it was', () => {
    const { eventId, wamid: w, inboundWamid, ...rest } = publicEvent(reply).detail as Record<string, unknown>;
    const { eventId: e0, wamid: w0, inboundWamid: i0, ...rest0 } = reply.detail as Record<string, unknown>;
    expect(rest).toEqual(rest0);
    expect(w).toBe(digest(w0 as string));
    expect(inboundWamid).toBe(digest(i0 as string));
  });
});
