import type { DomainEvent } from '../events/domain';
import { parseWith } from '../validation';
import { isValidWebhookSignature } from './signature';
import { domainEventOfStatus } from './status-events';
import { statusesOf, webhookEnvelopeSchema } from './webhook-payload';

/** Meta's payloads are a few KB; anything near this is not Meta. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

export type WebhookIntake =
  | { accepted: false; statusCode: 400 | 401 | 413; reason: string }
  | { accepted: true; events: DomainEvent[]; ignored: string[] };

/**
 * Verify, parse, classify: everything between Meta's POST and the domain events, with no I/O,
 * so the hot path can be measured in process. The signature is checked before anything is parsed.
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

  const events: DomainEvent[] = [];
  const ignored: string[] = [];
  for (const status of statusesOf(envelope.value)) {
    const mapping = domainEventOfStatus(status);
    if ('event' in mapping) events.push(mapping.event);
    else ignored.push(mapping.ignored);
  }
  return { accepted: true, events, ignored };
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
