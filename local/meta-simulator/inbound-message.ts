import type { WebhookAccount } from './status-webhook';

/** A customer's text message as Meta puts it in a webhook's `value` (with its `contacts`). */
export interface InboundText {
  wamid: string;
  /** The customer's wa_id (digits, no `+`). */
  from: string;
  text: string;
  at: Date;
  /** Our wamid of the message the customer answers by swiping or long-pressing it (`context.id`). */
  repliesTo?: string;
  /** WhatsApp profile name. */
  profileName?: string;
}

export function inboundTextValue(account: WebhookAccount, message: InboundText): Record<string, unknown> {
  return {
    contacts: [{ profile: { name: message.profileName ?? 'Cliente' }, wa_id: message.from }],
    messages: [
      {
        from: message.from,
        id: message.wamid,
        timestamp: String(Math.floor(message.at.getTime() / 1000)),
        type: 'text',
        text: { body: message.text },
        ...(message.repliesTo === undefined ? {} : { context: { from: account.displayPhoneNumber, id: message.repliesTo } }),
      },
    ],
  };
}
