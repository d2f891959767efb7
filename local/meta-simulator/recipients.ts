import type { RecordedSend } from './index';

/** What happens on the customer's phone to one accepted send. */
export interface RecipientFate {
  /** The message cannot reach the phone: the simulator posts `sent`, then `failed` with this error. */
  failure?: { code: number; title: string; details: string };
  /**
   * The customer answers with this text, quoting the message, this many virtual seconds after
   * reading it, and not before `minimumRealDelayMs` real milliseconds after the send: with a
   * fast virtual day, minutes shrink below the time the sender needs to record the message id,
   * and no person answers a message before it has been sent.
   */
  reply?: { text: string; afterReadSeconds: number; minimumRealDelayMs?: number };
}

/** Decides each send's fate; asked once per accepted send. Simulated customers are one. */
export type Recipients = (send: RecordedSend) => RecipientFate;

/** Without simulated customers every message is delivered and read, and nobody answers. */
export const SILENT_RECIPIENTS: Recipients = () => ({});

/** Meta's error for a phone that cannot get the message (no WhatsApp, old app, blocked…). */
export function undeliverable(details = 'Message failed to send because the recipient could not be reached.'): NonNullable<RecipientFate['failure']> {
  return { code: 131026, title: 'Message undeliverable', details };
}
