import { DOMAIN_EVENT, type DomainEvent, type MessageEventType, type ReplyEventDetail } from '../events/domain';
import type { MessageRef } from '../whatsapp/callback-data';
import type { InboundMessage } from '../whatsapp/inbound-message';
import type { ReplyIntent } from './classify';

/** The journey message a reply answers, and how we know. */
export interface RepliedMessage {
  ref: MessageRef;
  /** Our wamid of the journey message. */
  wamid: string;
  matchedBy: 'context' | 'last-message';
}

export interface ReplyOutcome {
  events: DomainEvent[];
  /** An NPS detractor: promotions are paused for this customer. */
  pauseMarketing: boolean;
}

/**
 * The domain events of one understood reply. `Reply Received` always (response-rate KPIs), plus
 * what the intent asks for; ids are `<inbound wamid>:<what>`, so a redelivered reply gives the
 * same ids. No phone and no text: these events leave the system.
 */
export function replyOutcome(inbound: InboundMessage, replied: RepliedMessage, intent: ReplyIntent): ReplyOutcome {
  const base: ReplyEventDetail = {
    eventId: `${inbound.wamid}:reply`,
    occurredAt: inbound.sentAt,
    ...replied.ref,
    wamid: replied.wamid,
    inboundWamid: inbound.wamid,
    matchedBy: replied.matchedBy,
    messageType: inbound.type,
  };
  const event = (type: MessageEventType, what: string, extra: Record<string, unknown> = {}): DomainEvent => ({
    type,
    detail: { ...base, ...extra, eventId: `${inbound.wamid}:${what}` },
  });
  const events: DomainEvent[] = [event(DOMAIN_EVENT.replyReceived, 'reply')];
  let pauseMarketing = false;
  switch (intent.kind) {
    case 'chat-handoff':
      events.push(event(DOMAIN_EVENT.chatHandoffRequested, 'handoff', { reason: intent.reason }));
      break;
    case 'booking':
      events.push(event(DOMAIN_EVENT.bookingRequested, 'booking'));
      break;
    case 'lead':
      events.push(event(DOMAIN_EVENT.leadCreated, 'lead'));
      break;
    case 'ticket':
      events.push(event(DOMAIN_EVENT.ticketRequested, 'ticket', { reason: intent.reason }));
      break;
    case 'nps':
      events.push(event(DOMAIN_EVENT.npsAnswered, 'nps', { score: intent.score, npsCategory: intent.category }));
      if (intent.category === 'detractor') {
        events.push(event(DOMAIN_EVENT.ticketRequested, 'ticket', { reason: 'detractor' }));
        pauseMarketing = true;
      }
      break;
    case 'acknowledged':
      break;
  }
  return { events, pauseMarketing };
}
