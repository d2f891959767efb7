import type { HandoffReason, NpsCategory, TicketReason } from '../events/domain';
import type { MilestoneId } from '../journey/milestones';
import { normalizeReply } from './normalize';

/**
 * Payloads of the quick-reply buttons our templates may carry (set per button at send time);
 * a tap counts like typing the answer.
 */
export const QUICK_REPLY_PAYLOAD = {
  day7Chat: 'D7_CHAT',
  day7Booking: 'D7_BOOKING',
  day60Yes: 'D60_YES',
} as const;

/** What a reply to a journey message asks for (DESIGN.md §1). */
export type ReplyIntent =
  | { kind: 'chat-handoff'; reason: HandoffReason }
  | { kind: 'booking' }
  | { kind: 'nps'; score: number; category: NpsCategory }
  | { kind: 'ticket'; reason: TicketReason }
  | { kind: 'lead' }
  /** A reaction: a response, but nothing for a person to do. */
  | { kind: 'acknowledged' };

/** What the customer sent, as classification needs it. */
export interface ReplyContent {
  /** Meta's message type. */
  type: string;
  text?: string;
  payload?: string;
}

const YES = new Set(['SI', 'YES', 'SIM']);
const UNRECOGNISED: ReplyIntent = { kind: 'chat-handoff', reason: 'unrecognised-reply' };

export function npsCategoryOf(score: number): NpsCategory {
  if (score >= 9) return 'promoter';
  if (score >= 7) return 'passive';
  return 'detractor';
}

/**
 * Understands a reply in the context of the journey message it answers. Pure and total:
 * anything not understood goes to a person (chat handoff). An NPS detractor's score is an
 * answer; the ticket and the promotions pause that follow are the caller's (see reply-events).
 */
export function classifyReply(milestone: MilestoneId, reply: ReplyContent): ReplyIntent {
  if (reply.type === 'reaction') return { kind: 'acknowledged' };
  const answer = normalizeReply(reply.text ?? '');
  switch (milestone) {
    case 'day7':
      if (answer === '1' || reply.payload === QUICK_REPLY_PAYLOAD.day7Chat) return { kind: 'chat-handoff', reason: 'customer-asked' };
      if (answer === '2' || reply.payload === QUICK_REPLY_PAYLOAD.day7Booking) return { kind: 'booking' };
      return UNRECOGNISED;
    case 'day30': {
      if (!/^\d{1,2}$/.test(answer)) return UNRECOGNISED;
      const score = Number(answer);
      if (score === 99) return { kind: 'ticket', reason: 'urgent-callback' };
      if (score > 10) return UNRECOGNISED;
      return { kind: 'nps', score, category: npsCategoryOf(score) };
    }
    case 'day60':
      if (YES.has(answer) || reply.payload === QUICK_REPLY_PAYLOAD.day60Yes) return { kind: 'lead' };
      return UNRECOGNISED;
  }
}
