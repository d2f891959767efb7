import type { z } from 'zod';
import { invalidAccessToken, invalidParameter, unknownPath, unsupportedRequest, type GraphError } from './graph-errors';
import { sendMessageRequest, type SendMessageRequest } from './send-request';
import type { TemplateCategory, TemplateCheck } from './templates';

/** The raw parts of an HTTP request the checks need; kept free of `http` types so tests can call it directly. */
export interface SendAttempt {
  method: string;
  /** Request target; any prefix before `/{version}/{id}/messages` is ignored, so the local stack may mount the simulator under a path. */
  url: string;
  authorization: string | undefined;
  rawBody: string;
}

export interface SimulatedAccount {
  accessToken: string;
  phoneNumberId: string;
  checkTemplate: (message: Extract<SendMessageRequest, { type: 'template' }>) => TemplateCheck;
}

/** Free-form messages are priced as service conversations; templates by their category. */
export type PricingCategory = TemplateCategory | 'service';

export interface AcceptedSend {
  /** e.g. `v23.0`; decides the webhook shape (`conversation` only up to v23). */
  apiVersion: string;
  message: SendMessageRequest;
  pricingCategory: PricingCategory;
}

export type SendCheck = { ok: true; send: AcceptedSend } | { ok: false; error: GraphError; bearerTokenValid: boolean };

const MESSAGES_PATH = /\/(v\d+\.\d+)\/([^/]+)\/messages\/?$/;

/**
 * Decides what Meta would answer to a send, in Meta's order: route, token, phone number
 * id, body shape, template catalogue. Pure, so each refusal can be tested without a server.
 */
export function checkSend(attempt: SendAttempt, account: SimulatedAccount): SendCheck {
  const path = attempt.url.split('?')[0] ?? '';
  const route = MESSAGES_PATH.exec(path);
  if (route === null) return refuse(unknownPath(path), false);
  const [, apiVersion = '', phoneNumberId = ''] = route;

  const bearerTokenValid = bearerToken(attempt.authorization) === account.accessToken;
  if (!bearerTokenValid) {
    const reason = attempt.authorization === undefined ? 'An active access token must be used to send messages.' : 'Invalid OAuth access token - Cannot parse access token';
    return refuse(invalidAccessToken(reason), false);
  }
  if (attempt.method !== 'POST' || phoneNumberId !== account.phoneNumberId) return refuse(unsupportedRequest(attempt.method, phoneNumberId), true);

  const json = parseJsonObject(attempt.rawBody);
  if (json === undefined) return refuse(invalidParameter('The request body must be a JSON object.'), true);
  // Meta treats a message without `type` as text.
  const parsed = sendMessageRequest.safeParse({ type: 'text', ...json });
  if (!parsed.success) return refuse(invalidParameter(describeIssues(parsed.error.issues)), true);

  const message = parsed.data;
  if (message.type === 'text') return { ok: true, send: { apiVersion, message, pricingCategory: 'service' } };
  const template = account.checkTemplate(message);
  if (!template.ok) return refuse(template.error, true);
  return { ok: true, send: { apiVersion, message, pricingCategory: template.category } };
}

function refuse(error: GraphError, bearerTokenValid: boolean): SendCheck {
  return { ok: false, error, bearerTokenValid };
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function parseJsonObject(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}
