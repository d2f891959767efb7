import { describe, expect, it } from 'vitest';
import { DOMAIN_EVENT } from '#shared/events/domain';
import { classifyReply, npsCategoryOf, QUICK_REPLY_PAYLOAD } from '#shared/replies/classify';
import { normalizeReply } from '#shared/replies/normalize';
import { replyOutcome } from '#shared/replies/reply-events';
import type { InboundMessage } from '#shared/whatsapp/inbound-message';

const text = (body: string) => ({ type: 'text', text: body });

describe('normalizeReply', () => {
  it.each([
    ['  sí ', 'SI'],
    ['¡Sí!', 'SI'],
    ['SÍ.', 'SI'],
    ['Sim', 'SIM'],
    [' 9. ', '9'],
    ['1️⃣', '1'],
    ['sí,   pero   más tarde', 'SI, PERO MAS TARDE'],
    ['ｙｅｓ', 'YES'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalizeReply(input)).toBe(expected);
  });
});

describe('classifyReply: day 7 (adoption help)', () => {
  it.each([
    ['1', { kind: 'chat-handoff', reason: 'customer-asked' }],
    [' 1 ', { kind: 'chat-handoff', reason: 'customer-asked' }],
    ['2', { kind: 'booking' }],
    ['2!', { kind: 'booking' }],
    ['3', { kind: 'chat-handoff', reason: 'unrecognised-reply' }],
    ['12', { kind: 'chat-handoff', reason: 'unrecognised-reply' }],
    ['1 y 2', { kind: 'chat-handoff', reason: 'unrecognised-reply' }],
    ['sí', { kind: 'chat-handoff', reason: 'unrecognised-reply' }],
    ['', { kind: 'chat-handoff', reason: 'unrecognised-reply' }],
  ])('%j → %j', (body, intent) => {
    expect(classifyReply('day7', text(body))).toEqual(intent);
  });

  it('understands the quick-reply payloads', () => {
    expect(classifyReply('day7', { type: 'button', text: 'Hablar', payload: QUICK_REPLY_PAYLOAD.day7Chat })).toEqual({ kind: 'chat-handoff', reason: 'customer-asked' });
    expect(classifyReply('day7', { type: 'interactive', text: 'Reservar', payload: QUICK_REPLY_PAYLOAD.day7Booking })).toEqual({ kind: 'booking' });
  });
});

describe('classifyReply: day 30 (NPS)', () => {
  it.each(Array.from({ length: 11 }, (_, score) => score))('%i is an NPS answer in its category', (score) => {
    expect(classifyReply('day30', text(String(score)))).toEqual({ kind: 'nps', score, category: npsCategoryOf(score) });
  });

  it.each([
    [0, 'detractor'],
    [6, 'detractor'],
    [7, 'passive'],
    [8, 'passive'],
    [9, 'promoter'],
    [10, 'promoter'],
  ] as const)('%i is a %s', (score, category) => {
    expect(npsCategoryOf(score)).toBe(category);
  });

  it.each([['99'], [' 99 '], ['99!']])('%j asks for a call today', (body) => {
    expect(classifyReply('day30', text(body))).toEqual({ kind: 'ticket', reason: 'urgent-callback' });
  });

  it.each([['11'], ['100'], ['-1'], ['9,5'], ['9/10'], ['nueve'], ['10 de 10'], ['']])('%j is not understood (a person looks)', (body) => {
    expect(classifyReply('day30', text(body))).toEqual({ kind: 'chat-handoff', reason: 'unrecognised-reply' });
  });

  it('reads keycap emoji digits ("1️⃣0️⃣" is 10)', () => {
    expect(classifyReply('day30', text('1️⃣0️⃣'))).toEqual({ kind: 'nps', score: 10, category: 'promoter' });
  });

  it('accepts a leading zero ("09" is 9)', () => {
    expect(classifyReply('day30', text('09'))).toEqual({ kind: 'nps', score: 9, category: 'promoter' });
  });
});

describe('classifyReply: day 60 (offer)', () => {
  it.each(['SÍ', 'sí', 'Si', 'si', 'SI', 'yes', 'Yes!', 'sim', 'SIM', ' ¡Sí! ', 'sì'])('%j creates a lead', (body) => {
    expect(classifyReply('day60', text(body))).toEqual({ kind: 'lead' });
  });

  it.each(['no', 'sí, pero más tarde', 'quizás', 'yes please', 'SIII', '1'])('%j is not a yes (whole-message match)', (body) => {
    expect(classifyReply('day60', text(body))).toEqual({ kind: 'chat-handoff', reason: 'unrecognised-reply' });
  });

  it('understands the quick-reply payload whatever its label', () => {
    expect(classifyReply('day60', { type: 'button', text: 'Quiero la oferta', payload: QUICK_REPLY_PAYLOAD.day60Yes })).toEqual({ kind: 'lead' });
  });
});

describe('classifyReply: other message types', () => {
  it('takes a reaction as a response that needs no person', () => {
    for (const milestone of ['day7', 'day30', 'day60'] as const) expect(classifyReply(milestone, { type: 'reaction' })).toEqual({ kind: 'acknowledged' });
  });

  it.each(['image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'unsupported'])('hands a %s to a person', (type) => {
    expect(classifyReply('day30', { type })).toEqual({ kind: 'chat-handoff', reason: 'unrecognised-reply' });
  });

  it('reads an image caption like text', () => {
    expect(classifyReply('day30', { type: 'image', text: '10' })).toEqual({ kind: 'nps', score: 10, category: 'promoter' });
  });
});

describe('replyOutcome', () => {
  const inbound: InboundMessage = { wamid: 'wamid.IN1', sentAt: '2026-03-08T09:10:00.000Z', from: { phone: '+34612345678' }, type: 'text', text: '3' };
  const replied = { ref: { orderId: 'ES-2026-000123', milestone: 'day30' as const, template: 'posventa_day30_nps', variant: 'B' }, wamid: 'wamid.OUT1', matchedBy: 'context' as const };
  const base = { occurredAt: inbound.sentAt, ...replied.ref, wamid: 'wamid.OUT1', inboundWamid: 'wamid.IN1', matchedBy: 'context', messageType: 'text' };

  it('a detractor: Reply Received, NPS Answered, Ticket Requested (detractor) and a promotions pause', () => {
    expect(replyOutcome(inbound, replied, { kind: 'nps', score: 3, category: 'detractor' })).toEqual({
      pauseMarketing: true,
      events: [
        { type: DOMAIN_EVENT.replyReceived, detail: { ...base, eventId: 'wamid.IN1:reply' } },
        { type: DOMAIN_EVENT.npsAnswered, detail: { ...base, eventId: 'wamid.IN1:nps', score: 3, npsCategory: 'detractor' } },
        { type: DOMAIN_EVENT.ticketRequested, detail: { ...base, eventId: 'wamid.IN1:ticket', reason: 'detractor' } },
      ],
    });
  });

  it.each([
    [{ kind: 'nps', score: 9, category: 'promoter' } as const, [DOMAIN_EVENT.replyReceived, DOMAIN_EVENT.npsAnswered]],
    [{ kind: 'nps', score: 7, category: 'passive' } as const, [DOMAIN_EVENT.replyReceived, DOMAIN_EVENT.npsAnswered]],
    [{ kind: 'ticket', reason: 'urgent-callback' } as const, [DOMAIN_EVENT.replyReceived, DOMAIN_EVENT.ticketRequested]],
    [{ kind: 'booking' } as const, [DOMAIN_EVENT.replyReceived, DOMAIN_EVENT.bookingRequested]],
    [{ kind: 'lead' } as const, [DOMAIN_EVENT.replyReceived, DOMAIN_EVENT.leadCreated]],
    [{ kind: 'chat-handoff', reason: 'customer-asked' } as const, [DOMAIN_EVENT.replyReceived, DOMAIN_EVENT.chatHandoffRequested]],
    [{ kind: 'chat-handoff', reason: 'unrecognised-reply' } as const, [DOMAIN_EVENT.replyReceived, DOMAIN_EVENT.chatHandoffRequested]],
    [{ kind: 'acknowledged' } as const, [DOMAIN_EVENT.replyReceived]],
  ])('%j → %j, no pause', (intent, types) => {
    const outcome = replyOutcome(inbound, replied, intent);
    expect(outcome.events.map((e) => e.type)).toEqual(types);
    expect(outcome.pauseMarketing).toBe(false);
  });

  it('gives deterministic ids and carries no phone number or text', () => {
    const written = { ...inbound, text: 'un 0, llamadme al 600 123 456' };
    const first = replyOutcome(written, replied, { kind: 'nps', score: 0, category: 'detractor' });
    const again = replyOutcome({ ...written }, replied, { kind: 'nps', score: 0, category: 'detractor' });
    expect(again.events.map((e) => e.detail.eventId)).toEqual(first.events.map((e) => e.detail.eventId));
    expect(new Set(first.events.map((e) => e.detail.eventId)).size).toBe(first.events.length);
    const serialised = JSON.stringify(first);
    expect(serialised).not.toContain('34612345678');
    expect(serialised).not.toContain('600 123 456');
  });
});
