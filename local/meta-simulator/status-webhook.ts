import type { PricingCategory } from './check-send';

/** The statuses the simulator reports for a message Meta accepted, in the order it reports them. */
export const DELIVERY_STATUSES = ['sent', 'delivered', 'read'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Who the webhooks say they come from: `entry[].id` and `value.metadata`. */
export interface WebhookAccount {
  wabaId: string;
  displayPhoneNumber: string;
  phoneNumberId: string;
}

/** What a status webhook tells about one accepted send. */
export interface SendFacts {
  wamid: string;
  recipientId: string;
  apiVersion: string;
  pricingCategory: PricingCategory;
  bizOpaqueCallbackData: string | undefined;
  conversationId: string;
}

const CONVERSATION_WINDOW_MS = 24 * 3_600_000;

/**
 * One `statuses[]` item as Meta sends it. `pricing` rides on `sent` and on `delivered`, not
 * on `read` (Meta puts it on sent and on one of delivered/read), so a consumer that counts
 * cost per status instead of per message is caught. `conversation` is only sent up to v23.0.
 */
export function statusItem(send: SendFacts, status: DeliveryStatus, at: Date, sentAt: Date): Record<string, unknown> {
  const item: Record<string, unknown> = {
    id: send.wamid,
    status,
    timestamp: unixSeconds(at),
    recipient_id: send.recipientId,
  };
  if (send.bizOpaqueCallbackData !== undefined) item.biz_opaque_callback_data = send.bizOpaqueCallbackData;
  if (apiMajorVersion(send.apiVersion) <= 23) {
    item.conversation = {
      id: send.conversationId,
      ...(status === 'sent' ? { expiration_timestamp: unixSeconds(new Date(sentAt.getTime() + CONVERSATION_WINDOW_MS)) } : {}),
      origin: { type: send.pricingCategory },
    };
  }
  if (status !== 'read') item.pricing = pricing(send.pricingCategory);
  return item;
}

/**
 * A `failed` status: Meta's error in `errors[]`, no pricing (a message that never reached the
 * phone is not billed).
 */
export function failedStatusItem(send: SendFacts, at: Date, error: { code: number; title: string; details: string }): Record<string, unknown> {
  return {
    id: send.wamid,
    status: 'failed',
    timestamp: unixSeconds(at),
    recipient_id: send.recipientId,
    ...(send.bizOpaqueCallbackData === undefined ? {} : { biz_opaque_callback_data: send.bizOpaqueCallbackData }),
    errors: [
      {
        code: error.code,
        title: error.title,
        message: error.title,
        error_data: { details: error.details },
        href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
      },
    ],
  };
}

function pricing(category: PricingCategory): Record<string, unknown> {
  // Free-form messages can only go inside the customer service window, where they are free.
  if (category === 'service') return { billable: false, pricing_model: 'PMP', category, type: 'free_customer_service' };
  return { billable: true, pricing_model: 'PMP', category, type: 'regular' };
}

/**
 * The `messages`-field envelope every WhatsApp webhook shares: `value` carries `statuses`, or a
 * customer's `contacts` and `messages`.
 */
export function messagesWebhook(account: WebhookAccount, value: Record<string, unknown>): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: account.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: account.displayPhoneNumber, phone_number_id: account.phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

/**
 * JSON the way Meta writes it: `/` as `\/` and non-ASCII as `\uXXXX`. Receivers that verify a
 * re-serialised body instead of the raw bytes then fail here as they would in production.
 */
export function serializeLikeMeta(payload: unknown): string {
  return JSON.stringify(payload)
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function unixSeconds(at: Date): string {
  return String(Math.floor(at.getTime() / 1000));
}

function apiMajorVersion(version: string): number {
  return Number(/^v(\d+)/.exec(version)?.[1] ?? Number.NaN);
}
