import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';
const PREFIX = 'sha256=';

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
  const received = Buffer.from(header.slice(PREFIX.length), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  // Buffer.from(hex) silently drops bad characters, so the length check also rejects malformed hex.
  return received.length === expected.length && timingSafeEqual(received, expected);
}
