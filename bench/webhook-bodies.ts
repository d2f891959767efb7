import { randomBytes } from 'node:crypto';
import { MILESTONE_IDS } from '#shared/journey/milestones';
import { templatesForMilestone } from '#shared/templates/catalogue';
import { encodeMessageRef } from '#shared/whatsapp/callback-data';
import { signWebhookBody } from '#shared/whatsapp/signature';
import { messagesWebhook, serializeLikeMeta, statusItem, type DeliveryStatus, type SendFacts, type WebhookAccount } from '../local/meta-simulator/status-webhook';

/** A webhook POST as the handler gets it: the raw bytes, their signature, and what it should yield. */
export interface SignedBody {
  readonly raw: Buffer;
  readonly signature: string;
  /** Domain events `takeInWebhook` must return for it. */
  readonly events: number;
}

const ACCOUNT: WebhookAccount = { wabaId: '102290129340398', displayPhoneNumber: '5491100000000', phoneNumberId: '100000000000001' };
const STATUSES: readonly DeliveryStatus[] = ['sent', 'delivered', 'read'];
const REPLIES = ['1', '2', '9', '10', '0', 'Sí', 'SALIR', 'Gracias, todo funciona bien 👍', '¿Cómo cambio el filtro de la cafetera?'];

const wamid = () => `wamid.${randomBytes(36).toString('base64')}`;
const phone = (i: number) => `54911${String(50_000_000 + i).padStart(8, '0')}`;

function sendFacts(i: number): SendFacts {
  const milestone = MILESTONE_IDS[i % MILESTONE_IDS.length]!;
  const template = templatesForMilestone(milestone)[0]!;
  return {
    wamid: wamid(),
    recipientId: phone(i),
    // v23.0 (the config default) still carries `conversation`: the larger, realistic shape.
    apiVersion: 'v23.0',
    pricingCategory: template.category,
    bizOpaqueCallbackData: encodeMessageRef({ orderId: `AR-2026-${String(100_000 + i)}`, milestone, template: template.name, variant: i % 2 === 0 ? 'A' : 'B' }),
    conversationId: randomBytes(16).toString('hex'),
  };
}

const bsuid = (i: number) => `AR.${String(1_000_000_000_000 + i)}`;

/** Since 2026 Meta adds the business-scoped user id beside the phone (DESIGN.md §3). */
function withBsuid(item: Record<string, unknown>, i: number): Record<string, unknown> {
  return { ...item, recipient_user_id: bsuid(i) };
}

function signed(payload: unknown, appSecret: string, events: number): SignedBody {
  // Meta's own serialisation (escaped `/` and non-ASCII), signed over the exact bytes.
  const raw = Buffer.from(serializeLikeMeta(payload), 'utf8');
  return { raw, signature: signWebhookBody(raw, appSecret), events };
}

/**
 * Status webhooks as Meta sends them most of the time: one status per POST, with
 * `conversation` and `pricing` (about 0.6–0.7 KB each).
 */
export function singleStatusBodies(count: number, appSecret: string, at = new Date()): SignedBody[] {
  // Each message's sent, delivered and read come one after the other, as a message's life goes.
  const messages = Array.from({ length: Math.ceil(count / STATUSES.length) }, (_, m) => sendFacts(m));
  return Array.from({ length: count }, (_, i) => {
    const m = Math.floor(i / STATUSES.length);
    const item = statusItem(messages[m]!, STATUSES[i % STATUSES.length]!, at, at);
    return signed(messagesWebhook(ACCOUNT, { statuses: [withBsuid(item, m)] }), appSecret, 1);
  });
}

/**
 * When Meta posts a message's statuses, relative to `sent` (seconds): delivery follows within
 * a second or two, reading seconds to hours later. Meta never sends the three at one moment.
 */
export const STATUS_ARRIVAL_S: Readonly<Record<DeliveryStatus, number>> = { sent: 0, delivered: 1.5, read: 6 };

/**
 * One-status webhooks in the order they reach the webhook when new messages go out at a
 * steady pace and `ratePerSecond` webhooks arrive in all: each message's sent, delivered and
 * read come `STATUS_ARRIVAL_S` apart, interleaved with other messages' statuses.
 */
export function statusStreamBodies(count: number, ratePerSecond: number, appSecret: string, at = new Date()): SignedBody[] {
  const messagesPerSecond = ratePerSecond / STATUSES.length;
  // Already in full flow at 0 s: messages sent up to `lastS` earlier are still being delivered
  // and read (their earlier statuses came before the run). Enough messages after 0 s that none
  // later could arrive among the first `count` webhooks.
  const lastS = Math.max(...Object.values(STATUS_ARRIVAL_S));
  const before = Math.ceil(messagesPerSecond * lastS);
  const messageCount = before + Math.ceil(count / STATUSES.length) + 1;
  const arrivals = Array.from({ length: messageCount }, (_, m) =>
    STATUSES.map((status) => ({ atS: (m - before) / messagesPerSecond + STATUS_ARRIVAL_S[status], message: m, status })),
  )
    .flat()
    .filter((arrival) => arrival.atS >= 0)
    .sort((a, b) => a.atS - b.atS);
  const messages = new Map<number, SendFacts>();
  return arrivals.slice(0, count).map(({ message, status }) => {
    let send = messages.get(message);
    if (send === undefined) messages.set(message, (send = sendFacts(message)));
    return signed(messagesWebhook(ACCOUNT, { statuses: [withBsuid(statusItem(send, status, at, at), message)] }), appSecret, 1);
  });
}

/** Batched status webhooks: `perBody` statuses of different messages in one POST. */
export function statusBatchBodies(count: number, perBody: number, appSecret: string, at = new Date()): SignedBody[] {
  return Array.from({ length: count }, (_, i) => {
    const items = Array.from({ length: perBody }, (_, j) => withBsuid(statusItem(sendFacts(i * perBody + j), STATUSES[j % STATUSES.length]!, at, at), i * perBody + j));
    return signed(messagesWebhook(ACCOUNT, { statuses: items }), appSecret, perBody);
  });
}

/**
 * Inbound replies (text, quoting the template they answer, with contact and BSUID). Today
 * `takeInWebhook` classifies statuses only, so these yield no domain event yet.
 */
export function inboundReplyBodies(count: number, appSecret: string, at = new Date()): SignedBody[] {
  return Array.from({ length: count }, (_, i) => {
    const from = phone(i);
    const userId = bsuid(i);
    const value = {
      contacts: [{ profile: { name: 'María José' }, wa_id: from, user_id: userId }],
      messages: [
        {
          from,
          from_user_id: userId,
          id: wamid(),
          timestamp: String(Math.floor(at.getTime() / 1000)),
          context: { from: ACCOUNT.displayPhoneNumber, id: wamid() },
          type: 'text',
          text: { body: REPLIES[i % REPLIES.length]! },
        },
      ],
    };
    return signed(messagesWebhook(ACCOUNT, value), appSecret, 0);
  });
}
