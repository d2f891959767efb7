import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';
const PREFIX = 'sha256=';
const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** The `X-Hub-Signature-256` value Meta sends: HMAC-SHA256 of the raw body bytes. */
export function signWebhookBody(rawBody: Buffer | string, appSecret: string): string {
  return PREFIX + createHmac('sha256', appSecret).update(rawBody).digest('hex');
}

/**
 * Checks a webhook signature over the exact bytes received. Re-serialised JSON would not
 * match, so callers must pass the raw body, decoded from base64 when API Gateway encoded it.
 */
export function isValidWebhookSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (header === undefined || !header.startsWith(PREFIX)) return false;
  const hex = header.slice(PREFIX.length);
  // Buffer.from(hex) stops at the first bad character, so a good signature plus junk would pass.
  if (!SHA256_HEX.test(hex)) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(hex, 'hex'), expected);
}
