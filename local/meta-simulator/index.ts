import { setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { maskPhone } from '#shared/log';
import { checkSend, type PricingCategory } from './check-send';
import { invalidParameter, unknownError, type GraphError } from './graph-errors';
import { readBody, writeJson } from './http-io';
import { newConversationId, newWamid } from './ids';
import { resolveOptions, SIMULATED_DISPLAY_PHONE_NUMBER, SIMULATED_WABA_ID, type MetaSimulatorOptions, type ResolvedOptions } from './options';
import type { SendMessageRequest } from './send-request';
import { inboundTextValue, type InboundText } from './inbound-message';
import type { RecipientFate } from './recipients';
import { DELIVERY_STATUSES, failedStatusItem, messagesWebhook, serializeLikeMeta, statusItem, type SendFacts } from './status-webhook';
import { templateCatalogue } from './templates';
import { postWebhook, sleep, type WebhookDelivery } from './webhook-delivery';
import { SIGNATURE_HEADER, signWebhookBody } from '#shared/whatsapp/signature';

export type { MetaSimulatorOptions, StatusDelaysSeconds } from './options';
export type { InboundText } from './inbound-message';
export { newWamid } from './ids';
export type { ApprovedTemplate, TemplateCategory } from './templates';
export type { SendMessageRequest } from './send-request';
export { undeliverable, type RecipientFate, type Recipients } from './recipients';

/**
 * A customer's text message as the simulator posts it (Meta's envelope and escaping, signed with
 * the app secret), for a script that plays the customer itself against the webhook route.
 */
export function signedInboundTextWebhook(account: { phoneNumberId: string; appSecret: string }, message: InboundText): { body: string; headers: Record<string, string> } {
  const webhookAccount = { wabaId: SIMULATED_WABA_ID, displayPhoneNumber: SIMULATED_DISPLAY_PHONE_NUMBER, phoneNumberId: account.phoneNumberId };
  const body = serializeLikeMeta(messagesWebhook(webhookAccount, inboundTextValue(webhookAccount, message)));
  return { body, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhookBody(body, account.appSecret), 'user-agent': 'facebookexternalua' } };
}

/** A send Meta accepted, as the simulator saw it. */
export interface RecordedSend {
  wamid: string;
  /** Virtual time of acceptance; status timestamps count from here. */
  acceptedAt: Date;
  apiVersion: string;
  phoneNumberId: string;
  /** Always true: a send is only accepted with the right bearer token (refusals are in `rejections`). */
  bearerTokenValid: true;
  request: SendMessageRequest;
  /** `to` without its `+`, as Meta answers it in `contacts[].wa_id`. */
  waId: string;
  pricingCategory: PricingCategory;
}

/** A customer's answer the simulator posted as an inbound message webhook. */
export interface RecordedInbound {
  wamid: string;
  /** The customer's wa_id. */
  from: string;
  text: string;
  /** Our wamid of the message it answers (`context.id`). */
  repliesTo: string;
  /** Virtual time the customer sent it. */
  at: Date;
  /** The webhook route answered 2xx (possibly after retries); false when it was dropped. */
  acknowledged: boolean;
  /** Virtual time the answer was acknowledged or dropped: from then on the system knows (or never will). */
  settledAt: Date;
}

/** A request the simulator refused, so a test or the console can tell why the sender failed. */
export interface RecordedRejection {
  receivedAt: Date;
  httpStatus: number;
  code: number;
  message: string;
  details: string | undefined;
  /** False also when the request was refused before its token was looked at (unknown path, oversized body). */
  bearerTokenValid: boolean;
}

export interface MetaSimulator {
  /** Mount on any `http.Server`; serves `POST …/{version}/{phoneNumberId}/messages`. */
  listener: (request: IncomingMessage, response: ServerResponse) => void;
  /** Every accepted send, in order of acceptance. */
  readonly sends: readonly RecordedSend[];
  readonly rejections: readonly RecordedRejection[];
  /** Every customer answer posted, in order of posting. */
  readonly inbound: readonly RecordedInbound[];
  /** Status and answer webhooks posted so far (acknowledged or dropped). */
  readonly webhooksPosted: number;
  /** Resolves once every status and inbound webhook scheduled so far has been posted (acknowledged or dropped). */
  idle(): Promise<void>;
  /** Cancels pending status webhooks and retries. */
  close(): void;
}

// Meta's limit is not documented for this endpoint; a template send is a few KB at most.
const MAX_BODY_BYTES = 1_000_000;

/**
 * Stands in for Meta's Graph API in the local stack: checks sends as Meta does, answers
 * with Meta's shapes, and posts signed `sent` → `delivered` → `read` webhooks on the virtual
 * clock, so the webhook path downstream runs exactly as it would against WhatsApp.
 */
export function createMetaSimulator(options: MetaSimulatorOptions): MetaSimulator {
  const config = resolveOptions(options);
  const account = { accessToken: config.accessToken, phoneNumberId: config.phoneNumberId, checkTemplate: templateCatalogue(config.templates) };
  const closing = new AbortController();
  // Every pending status or answer waits on this signal; thousands at once are normal here.
  setMaxListeners(0, closing.signal);
  const delivery: WebhookDelivery = {
    url: config.webhookUrl,
    appSecret: config.appSecret,
    retryDelaysMs: config.webhookRetryDelaysMs,
    attemptTimeoutMs: config.webhookTimeoutMs,
    log: config.log,
    signal: closing.signal,
  };
  const sends: RecordedSend[] = [];
  const rejections: RecordedRejection[] = [];
  const inbound: RecordedInbound[] = [];
  const counts = { webhooksPosted: 0 };
  const pending = new Set<Promise<void>>();

  function track(task: Promise<void>): void {
    pending.add(task);
    void task.finally(() => pending.delete(task));
  }

  function refuse(response: ServerResponse, error: GraphError, bearerTokenValid: boolean): void {
    const { code, message, error_data } = error.body.error;
    rejections.push({ receivedAt: config.clock.now(), httpStatus: error.httpStatus, code, message, details: error_data?.details, bearerTokenValid });
    config.log(`meta-simulator: refused a send with HTTP ${error.httpStatus}, code ${code}: ${error_data?.details ?? message}`);
    writeJson(response, error.httpStatus, error.body);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request, MAX_BODY_BYTES);
    if (body.tooLarge) return refuse(response, invalidParameter(`The request body is larger than ${MAX_BODY_BYTES} bytes.`), false);
    const check = checkSend({ method: request.method ?? 'GET', url: request.url ?? '/', authorization: request.headers.authorization, rawBody: body.text }, account);
    if (!check.ok) return refuse(response, check.error, check.bearerTokenValid);

    const { apiVersion, message, pricingCategory } = check.send;
    const send: RecordedSend = {
      wamid: newWamid(),
      acceptedAt: config.clock.now(),
      apiVersion,
      phoneNumberId: config.phoneNumberId,
      bearerTokenValid: true,
      request: message,
      waId: message.to.replace(/^\+/, ''),
      pricingCategory,
    };
    sends.push(send);
    const what = message.type === 'template' ? `template ${message.template.name} (${message.template.language.code})` : 'text message';
    config.log(`meta-simulator: accepted ${what} to ${maskPhone(send.waId)} at ${send.acceptedAt.toISOString()} (virtual)`);
    writeJson(response, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: message.to, wa_id: send.waId }],
      messages: [{ id: send.wamid, message_status: 'accepted' }],
    });
    track(postStatuses(config, delivery, send, config.recipients(send), inbound, counts).catch((error: unknown) => config.log(`meta-simulator: status webhooks for ${send.wamid} stopped: ${String(error)}`)));
  }

  return {
    listener: (request, response) => {
      handle(request, response).catch((error: unknown) => {
        config.log(`meta-simulator: unexpected error: ${error instanceof Error ? error.stack : String(error)}`);
        if (!response.headersSent) writeJson(response, unknownError().httpStatus, unknownError().body);
        else response.destroy();
      });
    },
    sends,
    rejections,
    inbound,
    get webhooksPosted() {
      return counts.webhooksPosted;
    },
    async idle() {
      while (pending.size > 0) await Promise.all(pending);
    },
    close() {
      closing.abort();
    },
  };
}

/**
 * One message's statuses, posted one after the other: each waits for the previous one to be
 * acknowledged or dropped, so a receiver sees them in order unless a retry reorders them,
 * which Meta also does. Timestamps are the virtual times they were due, not when they left.
 * Then, if the recipient answers, the answer, quoting the message.
 */
async function postStatuses(
  config: ResolvedOptions,
  delivery: WebhookDelivery,
  send: RecordedSend,
  fate: RecipientFate,
  inbound: RecordedInbound[],
  counts: { webhooksPosted: number },
): Promise<void> {
  const acceptedRealMs = Date.now();
  const facts: SendFacts = {
    wamid: send.wamid,
    recipientId: send.waId,
    apiVersion: send.apiVersion,
    pricingCategory: send.pricingCategory,
    bizOpaqueCallbackData: send.request.biz_opaque_callback_data,
    conversationId: newConversationId(),
  };
  const dueAt = (seconds: number) => new Date(send.acceptedAt.getTime() + seconds * 1000);
  const post = async (at: Date, value: Record<string, unknown>, label: string): Promise<boolean | undefined> => {
    if (!(await sleep(config.clock.realDelayUntil(at), delivery.signal))) return undefined;
    const acknowledged = await postWebhook(delivery, serializeLikeMeta(messagesWebhook(config, value)), label);
    counts.webhooksPosted += 1;
    return acknowledged;
  };
  const sentAt = dueAt(config.statusDelaysSeconds.sent);
  const statuses = fate.failure === undefined ? DELIVERY_STATUSES : (['sent'] as const);
  for (const status of statuses) {
    const at = dueAt(config.statusDelaysSeconds[status]);
    if ((await post(at, { statuses: [statusItem(facts, status, at, sentAt)] }, `${status} status for ${send.wamid}`)) === undefined) return;
  }
  if (fate.failure !== undefined) {
    const at = dueAt(config.statusDelaysSeconds.delivered);
    if ((await post(at, { statuses: [failedStatusItem(facts, at, fate.failure)] }, `failed status for ${send.wamid}`)) === undefined) return;
  }
  if (fate.failure !== undefined || fate.reply === undefined) return;

  const due = dueAt(config.statusDelaysSeconds.read + fate.reply.afterReadSeconds);
  if (!(await sleep(config.clock.realDelayUntil(due), delivery.signal))) return;
  const floorMs = acceptedRealMs + (fate.reply.minimumRealDelayMs ?? 0) - Date.now();
  if (floorMs > 0 && !(await sleep(floorMs, delivery.signal))) return;
  // Sent when the customer sent it: at the floor, if the floor held it back.
  const at = floorMs > 0 ? config.clock.now() : due;
  const message = { wamid: newWamid(), from: send.waId, text: fate.reply.text, at, repliesTo: send.wamid };
  const acknowledged = await post(at, inboundTextValue(config, message), `answer to ${send.wamid}`);
  if (acknowledged !== undefined) inbound.push({ ...message, acknowledged, settledAt: config.clock.now() });
}
