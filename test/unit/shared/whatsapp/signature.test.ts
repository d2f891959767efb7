import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isValidWebhookSignature, SIGNATURE_HEADER, signWebhookBody } from '#shared/whatsapp/signature';

const SECRET = 'posventa-test-app-secret';
const BODY = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
// Computed once with `openssl dgst -sha256 -hmac posventa-test-app-secret` and pasted, so the
// test does not only compare node:crypto with itself.
const BODY_SIGNATURE = 'sha256=2b66f3179e58166b5e514337a3f38ec80c6aa42bbd6f5949aa1ccd64b8ad0462';

describe('signWebhookBody', () => {
  it('matches RFC 4231 test case 2 (key "Jefe")', () => {
    expect(signWebhookBody('what do ya want for nothing?', 'Jefe')).toBe(
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('matches a vector computed once with openssl over a webhook body', () => {
    expect(signWebhookBody(BODY, SECRET)).toBe(BODY_SIGNATURE);
  });

  it('signs a string and its UTF-8 bytes alike', () => {
    const text = '{"name":"María"}';
    expect(signWebhookBody(text, SECRET)).toBe(signWebhookBody(Buffer.from(text, 'utf8'), SECRET));
    expect(signWebhookBody(text, SECRET)).toBe(`sha256=${createHmac('sha256', SECRET).update(Buffer.from(text, 'utf8')).digest('hex')}`);
  });

  it('names the header in lower case, as API Gateway v2 delivers headers', () => {
    expect(SIGNATURE_HEADER).toBe('x-hub-signature-256');
  });
});

describe('isValidWebhookSignature', () => {
  const correctHex = BODY_SIGNATURE.slice('sha256='.length);

  it('accepts the fixed vector', () => {
    expect(isValidWebhookSignature(BODY, BODY_SIGNATURE, SECRET)).toBe(true);
  });

  it('rejects a signature made with another secret', () => {
    expect(isValidWebhookSignature(BODY, signWebhookBody(BODY, 'another-secret'), SECRET)).toBe(false);
  });

  it('rejects a body with one byte changed', () => {
    for (const index of [0, Math.floor(BODY.length / 2), BODY.length - 1]) {
      const tampered = Buffer.from(BODY);
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;
      expect(isValidWebhookSignature(tampered, BODY_SIGNATURE, SECRET), `byte ${index}`).toBe(false);
    }
  });

  it('rejects a body with one byte appended', () => {
    expect(isValidWebhookSignature(Buffer.concat([BODY, Buffer.from(' ')]), BODY_SIGNATURE, SECRET)).toBe(false);
  });

  it('rejects a missing header', () => {
    expect(isValidWebhookSignature(BODY, undefined, SECRET)).toBe(false);
  });

  it.each([
    ['no prefix', correctHex],
    ['sha1 prefix', `sha1=${correctHex}`],
    ['upper-case prefix', `SHA256=${correctHex}`],
    ['prefix without "="', `sha256${correctHex}`],
    ['leading space', ` sha256=${correctHex}`],
  ])('rejects a bad prefix (%s)', (_, header) => {
    expect(isValidWebhookSignature(BODY, header, SECRET)).toBe(false);
  });

  it.each([
    ['empty header', ''],
    ['prefix only', 'sha256='],
    ['non-hex', `sha256=${'z'.repeat(64)}`],
    ['short (first half)', `sha256=${correctHex.slice(0, 32)}`],
    ['one nibble short', `sha256=${correctHex.slice(0, 63)}`],
    ['too long (doubled)', `sha256=${correctHex}${correctHex}`],
    ['base64 instead of hex', `sha256=${Buffer.from(correctHex, 'hex').toString('base64')}`],
    ['hex with a non-hex character inside', `sha256=${correctHex.slice(0, 10)}g${correctHex.slice(11)}`],
  ])('returns false, without throwing, for a malformed signature (%s)', (_, header) => {
    expect(() => isValidWebhookSignature(BODY, header, SECRET)).not.toThrow();
    expect(isValidWebhookSignature(BODY, header, SECRET)).toBe(false);
  });

  // Buffer.from(hex) stops at the first non-hex character and drops an odd last nibble, so a
  // correct signature followed by junk decodes to the correct 32 bytes. The header is then not
  // the HMAC Meta sends; it must be refused like any other malformed value.
  it('rejects a correct signature followed by extra characters', () => {
    for (const header of [`${BODY_SIGNATURE}zz`, `${BODY_SIGNATURE}0`, `${BODY_SIGNATURE},sha256=abc`]) {
      expect(isValidWebhookSignature(BODY, header, SECRET), header).toBe(false);
    }
  });

  it('verifies the raw bytes, not a re-serialisation of the JSON', () => {
    // Meta escapes non-ASCII characters; the parsed-and-restringified body has other bytes.
    const raw = Buffer.from('{"text":"S\\u00ed"}', 'utf8');
    const header = 'sha256=8a9ca1074ace4c379c4d1cce56e3e32c192ff248b2f098aefef3f91054d334a8'; // openssl, pasted
    expect(isValidWebhookSignature(raw, header, SECRET)).toBe(true);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))), 'utf8');
    expect(reserialised.toString('utf8')).toBe('{"text":"Sí"}');
    expect(isValidWebhookSignature(reserialised, header, SECRET)).toBe(false);
  });
});
