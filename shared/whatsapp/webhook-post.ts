import { applyWebhook, type WebhookEffects, type WebhookEffectsDeps } from './webhook-effects';
import { takeInWebhook, type WebhookContents } from './webhook-intake';

/** What the webhook answers Meta, and what happened, for the handler to log. */
export type WebhookReceipt =
  | { statusCode: 400 | 401 | 413; body: string }
  | { statusCode: 200 | 503; body: string; contents: WebhookContents; effects: WebhookEffects }
  | { statusCode: 500; body: string; contents: WebhookContents; error: unknown };

/**
 * A webhook POST from raw bytes to the answer: take in (verify, parse, classify; nothing touched
 * before the signature holds), then have the effects once. Non-200 whenever Meta must retry:
 * an effect failed (500) or a duplicate delivery holds part of it right now (503).
 */
export async function receiveWebhook(rawBody: Buffer, signatureHeader: string | undefined, appSecret: string, deps: WebhookEffectsDeps): Promise<WebhookReceipt> {
  const intake = takeInWebhook(rawBody, signatureHeader, appSecret);
  if (!intake.accepted) return { statusCode: intake.statusCode, body: intake.reason };
  const { accepted: _accepted, ...contents } = intake;
  let effects: WebhookEffects;
  try {
    effects = await applyWebhook(contents, deps);
  } catch (error) {
    return { statusCode: 500, body: 'Internal error; retry', contents, error };
  }
  if (effects.inProgress > 0) return { statusCode: 503, body: 'Duplicate delivery in progress; retry', contents, effects };
  return { statusCode: 200, body: 'OK', contents, effects };
}
