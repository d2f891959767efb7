import { contactIds, type ContactIds } from './contact';
import type { MessagesValue, WebhookContact, WebhookMessage } from './webhook-payload';

/**
 * One message a customer sent us, reduced to what Posventa acts on: reply classification, the
 * service window, and (wired by the consent ledger) opt-out keywords. Holds the phone: it stays
 * inside the webhook function and its tables, never in events or logs.
 */
export interface InboundMessage {
  /** Meta's id of the customer's message; the dedupe key. */
  wamid: string;
  /** When the customer sent it (ISO 8601, from Meta's unix seconds). */
  sentAt: string;
  from: ContactIds;
  /** Meta's message type: text, button, interactive, reaction, image, audio, location… */
  type: string;
  /** What the customer wrote or tapped: text body, button text, reply title or media caption. */
  text?: string;
  /** A quick-reply button's payload, or an interactive reply's id. */
  payload?: string;
  /** Our message it answers: `context.id`, or the message a reaction is on. */
  contextWamid?: string;
  /** Meta's error codes for messages it could not hand over (`unsupported`, 131051…). */
  errorCodes?: number[];
}

export type InboundReading = { message: InboundMessage } | { ignored: string };

const MEDIA_TYPES = ['image', 'video', 'document', 'audio', 'sticker'] as const;

function senderContact(message: WebhookMessage, contacts: readonly WebhookContact[]): WebhookContact | undefined {
  const byId = contacts.find(
    (c) => (message.from !== undefined && c.wa_id === message.from) || (message.from_user_id !== undefined && c.user_id === message.from_user_id),
  );
  return byId ?? (contacts.length === 1 ? contacts[0] : undefined);
}

function textOf(message: WebhookMessage): string | undefined {
  if (message.text !== undefined) return message.text.body;
  if (message.button !== undefined) return message.button.text ?? message.button.payload;
  const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
  if (reply !== undefined) return reply.title;
  for (const media of MEDIA_TYPES) {
    const caption = message[media]?.caption;
    if (caption !== undefined) return caption;
  }
  return undefined;
}

function payloadOf(message: WebhookMessage): string | undefined {
  return message.button?.payload ?? message.interactive?.button_reply?.id ?? message.interactive?.list_reply?.id;
}

/** A message of a `messages` change, or why it is not one Posventa acts on. */
export function readInboundMessage(message: WebhookMessage, value: MessagesValue): InboundReading {
  if (message.type === 'system') return { ignored: 'system message (number or user id change) is not handled' };
  if (message.type === 'reaction' && (message.reaction?.emoji ?? '') === '') return { ignored: 'reaction removed' };
  const contact = senderContact(message, value.contacts ?? []);
  const from = contactIds(message.from ?? contact?.wa_id, message.from_user_id ?? contact?.user_id);
  const text = textOf(message);
  const payload = payloadOf(message);
  const contextWamid = message.context?.id ?? message.reaction?.message_id;
  const errorCodes = message.errors?.map((e) => e.code);
  return {
    message: {
      wamid: message.id,
      sentAt: new Date(Number(message.timestamp) * 1000).toISOString(),
      from,
      type: message.type,
      ...(text === undefined ? {} : { text }),
      ...(payload === undefined ? {} : { payload }),
      ...(contextWamid === undefined || contextWamid === '' ? {} : { contextWamid }),
      ...(errorCodes === undefined || errorCodes.length === 0 ? {} : { errorCodes }),
    },
  };
}
