import type { DomainEvent } from '../events/domain';
import { digest } from '../events/public';
import { parseWith } from '../validation';
import { contactIds, contactLinkOf, phoneFromWaId, type ContactLink } from './contact';
import { readInboundMessage, type InboundMessage } from './inbound-message';
import { isValidWebhookSignature } from './signature';
import { domainEventOfStatus } from './status-events';
import { templateQualityEvent, templateStatusEvent } from './template-events';
import { readUserPreferences, type UserPreferenceChange } from './user-preferences';
import { HANDLED_FIELDS, isHandledField, webhookEnvelopeSchema, type MessagesValue, type WebhookStatus } from './webhook-payload';

/** Meta's payloads are a few KB; anything near this is not Meta. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

/** What a signed, well-formed webhook holds, sorted by what it takes to act on it. */
export interface WebhookContents {
  /** Events decided from the payload alone: statuses that echo our callback data, template changes. */
  events: DomainEvent[];
  /** Tracked statuses without our callback data: their journey is looked up by wamid. */
  unresolvedStatuses: WebhookStatus[];
  /** Customers' messages, in Meta's order: replies to classify, service windows, consent keywords. */
  inbound: InboundMessage[];
  /** `user_preferences` changes, for the consent ledger (marketing scope). */
  userPreferences: UserPreferenceChange[];
  /** BSUIDs named beside their phone (our messages' `sent` statuses, customers' messages), one per BSUID. */
  contactLinks: ContactLink[];
  /** What was received and deliberately not acted on, with reasons safe to log (no phone numbers). */
  ignored: string[];
  /** Recipient (E.164) of each `delivered` / `read` status by wamid: the contact's deliveries are kept under it. */
  recipients?: Record<string, string>;
}

export type WebhookIntake = { accepted: false; statusCode: 400 | 401 | 413; reason: string } | ({ accepted: true } & WebhookContents);

/**
 * Verify, parse, classify: everything between Meta's POST and the effects, with no I/O, so the
 * hot path can be measured in process. The signature is checked before anything is parsed.
 * Malformed JSON, envelope or value of a handled field → 400 naming where; fields we do not
 * handle → accepted and listed in `ignored`.
 */
export function takeInWebhook(rawBody: Buffer, signatureHeader: string | undefined, appSecret: string): WebhookIntake {
  if (rawBody.length > MAX_WEBHOOK_BODY_BYTES) return { accepted: false, statusCode: 413, reason: `body larger than ${MAX_WEBHOOK_BODY_BYTES} bytes` };
  if (!isValidWebhookSignature(rawBody, signatureHeader, appSecret)) {
    return { accepted: false, statusCode: 401, reason: 'missing or invalid X-Hub-Signature-256' };
  }
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { accepted: false, statusCode: 400, reason: 'body is not valid JSON' };
  }
  const envelope = parseWith(webhookEnvelopeSchema, json);
  if (!envelope.ok) return { accepted: false, statusCode: 400, reason: `not a WhatsApp webhook envelope: ${envelope.reason}` };

  const contents: WebhookContents = { events: [], unresolvedStatuses: [], inbound: [], userPreferences: [], contactLinks: [], ignored: [] };
  for (const [e, entry] of envelope.value.entry.entries()) {
    for (const [c, change] of entry.changes.entries()) {
      const { field } = change;
      if (!isHandledField(field)) {
        contents.ignored.push(`field "${field}" is not handled`);
        continue;
      }
      const where = `entry[${e}].changes[${c}] (${field})`;
      switch (field) {
        case 'messages': {
          const value = parseWith(HANDLED_FIELDS.messages, change.value);
          if (!value.ok) return { accepted: false, statusCode: 400, reason: `malformed ${where}: ${value.reason}` };
          takeInMessagesValue(value.value, contents);
          break;
        }
        case 'message_template_status_update': {
          const value = parseWith(HANDLED_FIELDS.message_template_status_update, change.value);
          if (!value.ok) return { accepted: false, statusCode: 400, reason: `malformed ${where}: ${value.reason}` };
          if (entry.time === undefined) contents.ignored.push(`${where} has no entry.time`);
          else contents.events.push(templateStatusEvent(value.value, entry.time));
          break;
        }
        case 'message_template_quality_update': {
          const value = parseWith(HANDLED_FIELDS.message_template_quality_update, change.value);
          if (!value.ok) return { accepted: false, statusCode: 400, reason: `malformed ${where}: ${value.reason}` };
          // Without Meta's time there is no stable id to dedupe by, nor a time to report.
          if (entry.time === undefined) contents.ignored.push(`${where} has no entry.time`);
          else contents.events.push(templateQualityEvent(value.value, entry.time));
          break;
        }
        case 'user_preferences': {
          const value = parseWith(HANDLED_FIELDS.user_preferences, change.value);
          if (!value.ok) return { accepted: false, statusCode: 400, reason: `malformed ${where}: ${value.reason}` };
          const preferences = readUserPreferences(value.value);
          contents.userPreferences.push(...preferences);
          for (const preference of preferences) addLink(contents, contactLinkOf(preference.contact));
          break;
        }
      }
    }
  }
  return { accepted: true, ...contents };
}

function addLink(contents: WebhookContents, link: ContactLink | undefined): void {
  if (link !== undefined && !contents.contactLinks.some((known) => known.bsuid === link.bsuid)) contents.contactLinks.push(link);
}

function takeInMessagesValue(value: MessagesValue, contents: WebhookContents): void {
  // A link costs a write, so once per message we sent (its `sent`, which names both ids) and
  // per customer message, not on every status of every message.
  if ((value.messages ?? []).length > 0) {
    for (const contact of value.contacts ?? []) addLink(contents, contactLinkOf(contactIds(contact.wa_id, contact.user_id)));
  }
  for (const status of value.statuses ?? []) {
    const recipient = status.status === 'delivered' || status.status === 'read' ? phoneFromWaId(status.recipient_id) : undefined;
    if (recipient !== undefined) (contents.recipients ??= {})[status.id] = recipient;
    if (status.status === 'sent') addLink(contents, contactLinkOf(contactIds(status.recipient_id, status.recipient_user_id)));
    const mapping = domainEventOfStatus(status);
    if ('event' in mapping) contents.events.push(mapping.event);
    else if ('unresolved' in mapping) contents.unresolvedStatuses.push(mapping.unresolved);
    else contents.ignored.push(mapping.ignored);
  }
  for (const message of value.messages ?? []) {
    const reading = readInboundMessage(message, value);
    if ('message' in reading) {
      contents.inbound.push(reading.message);
      addLink(contents, contactLinkOf(reading.message.from));
    } else contents.ignored.push(reading.ignored);
  }
  for (const error of value.errors ?? []) contents.ignored.push(`Meta reported error ${error.code}${error.title === undefined ? '' : ` (${error.title})`}`);
}

export type VerificationAnswer = { statusCode: 200; challenge: string } | { statusCode: 403 };

/** Meta's subscription handshake: echo the challenge only for our verify token. */
export function answerVerification(query: Readonly<Record<string, string | undefined>>, verifyToken: string): VerificationAnswer {
  const challenge = query['hub.challenge'];
  if (query['hub.mode'] === 'subscribe' && query['hub.verify_token'] === verifyToken && challenge !== undefined) {
    return { statusCode: 200, challenge };
  }
  return { statusCode: 403 };
}

/**
 * What a webhook's log lines are correlated by: the order ids it names and its message ids, each
 * digested as on the bus (shared/events/public.ts: a wamid is base64 of the phone number), so a
 * log line can be matched with the events and records of the same messages.
 */
export function correlationIdsOf(contents: WebhookContents): { orderIds: string[]; messageIds: string[] } {
  const orderIds = new Set<string>();
  const messageIds = new Set<string>();
  for (const event of contents.events) {
    if ('orderId' in event.detail && typeof event.detail.orderId === 'string') orderIds.add(event.detail.orderId);
    if ('wamid' in event.detail && typeof event.detail.wamid === 'string') messageIds.add(digest(event.detail.wamid));
  }
  for (const status of contents.unresolvedStatuses) messageIds.add(digest(status.id));
  for (const message of contents.inbound) messageIds.add(digest(message.wamid));
  return { orderIds: [...orderIds], messageIds: [...messageIds] };
}
