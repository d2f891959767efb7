import { signWebhookBody } from '#shared/whatsapp/signature';
import { E2E_SECRETS } from '../../support/local-stack';
import type { AcceptedSend } from './fault-graph';

/**
 * Webhooks as Meta posts them about the messages the fault graph accepted: statuses (with
 * Meta's `pricing` on `sent` and on one of `delivered` / `read`) and customers' replies quoting
 * our message, each serialized once and signed with the app secret.
 */
export interface SignedWebhook {
  body: string;
  headers: Record<string, string>;
}

const PHONE_NUMBER_ID = '100000000000001';

function signed(value: object): SignedWebhook {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '5491100000000', phone_number_id: PHONE_NUMBER_ID }, ...value } }] }],
  });
  return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(body, E2E_SECRETS.metaAppSecret) } };
}

const PRICING = { billable: true, pricing_model: 'PMP', type: 'regular' };

/**
 * How Meta reports one message: in order; `read` before `delivered` (pricing on the late
 * delivered); or only `read`, carrying the pricing (delivery and reading at once).
 */
export type StatusPattern = 'in-order' | 'read-first' | 'read-only';

export function statusWebhooks(send: AcceptedSend, pattern: StatusPattern, category: string, at: Date): SignedWebhook[] {
  const seconds = Math.floor(at.getTime() / 1000);
  const pricing = { ...PRICING, category };
  const status = (name: string, offset: number, withPricing: boolean) =>
    signed({
      statuses: [
        {
          id: send.wamid,
          status: name,
          timestamp: String(seconds + offset),
          recipient_id: send.to,
          ...(send.callbackData === undefined ? {} : { biz_opaque_callback_data: send.callbackData }),
          ...(withPricing ? { pricing } : {}),
        },
      ],
    });
  if (pattern === 'in-order') return [status('sent', 0, true), status('delivered', 2, true), status('read', 60, false)];
  if (pattern === 'read-first') return [status('sent', 0, true), status('read', 60, false), status('delivered', 2, true)];
  return [status('sent', 0, true), status('read', 60, true)];
}

/** A customer's text quoting our message. */
export function replyWebhook(send: AcceptedSend, wamid: string, text: string, at: Date): SignedWebhook {
  return signed({
    contacts: [{ profile: { name: 'Cliente' }, wa_id: send.to }],
    messages: [{ from: send.to, id: wamid, timestamp: String(Math.floor(at.getTime() / 1000)), type: 'text', text: { body: text }, context: { from: '5491100000000', id: send.wamid } }],
  });
}
