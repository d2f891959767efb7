import { describe, expect, it, vi } from 'vitest';
import { createLogger, maskPhone, redactPhones } from '#shared/log';

const digitsOf = (s: string) => s.replace(/\D/g, '');

describe('maskPhone', () => {
  it('keeps the first two and last two digits of an E.164 number', () => {
    expect(maskPhone('+34612345678')).toBe('+34*******78');
    expect(maskPhone('+5491155550001')).toBe('+54*********01');
  });

  it('masks the same digits however the number is written', () => {
    for (const phone of ['+54 9 11 5555-0001', '5491155550001', '(+54) 911 5555 0001']) expect(maskPhone(phone)).toBe('+54*********01');
  });

  it('shows no digit at all for four digits or fewer', () => {
    expect(maskPhone('1234')).toBe('****');
    expect(maskPhone('+12')).toBe('**');
    expect(maskPhone('')).toBe('');
  });

  it('never shows more than the first 2 and last 2 digits, for any length', () => {
    for (let length = 1; length <= 20; length++) {
      const digits = Array.from({ length }, (_, i) => String((i * 7 + 3) % 10)).join('');
      for (const phone of [digits, `+${digits}`, digits.replace(/(\d{3})/g, '$1 ')]) {
        const shown = digitsOf(maskPhone(phone));
        expect(shown.length, phone).toBeLessThanOrEqual(4);
        if (shown.length > 0) expect(shown, phone).toBe(digits.slice(0, 2) + digits.slice(-2));
        // Nothing of the middle leaks, not even as a substring.
        if (length > 6) expect(maskPhone(phone), phone).not.toContain(digits.slice(2, -2));
      }
    }
  });
});

describe('redactPhones (every log line)', () => {
  it('masks E.164 numbers and bare wa_ids wherever they stand in a text', () => {
    expect(redactPhones('to +5491155550001 now')).toBe('to +54*********01 now');
    expect(redactPhones('{"from":"5491155550001","wa_id":"34612345678"}')).toBe('{"from":"+54*********01","wa_id":"+34*******78"}');
    expect(redactPhones('CONTACT#+34612345678')).toBe('CONTACT#+34*******78');
    expect(redactPhones('phone=12345678;')).toBe('phone=+12****78;');
  });

  it('leaves times, short numbers, decimals, long numbers and ids inside words alone', () => {
    for (const text of ['2026-03-08T09:10:00.000Z', 'score 10 of 1234567', '3.14159265358979', '1234567890123456789', 'wamid.HBgLMzQ2MTIzNDU2NzgVAgAS', 'ORD-12345678-A', 'abc12345678']) {
      expect(redactPhones(text)).toBe(text);
    }
  });
});

describe('createLogger', () => {
  it('writes no phone number in clear, in messages, attributes, keys, numbers or errors', () => {
    const lines: string[] = [];
    const spies = [process.stdout, process.stderr].map((stream) => vi.spyOn(stream, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true)));
    try {
      const logger = createLogger('test');
      logger.info('sending to +5491155550001', {
        customer: { phone: '+5491155550001', waId: 5491155550001 },
        byPhone: { '+34612345678': 'opted-out' },
        body: JSON.stringify({ from: '34612345678' }),
      });
      logger.error('send failed', { error: new Error('Graph API refused +34612345678') });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const output = lines.join('');
    expect(output).toContain('Graph API refused +34*******78');
    expect(output).toContain('+54*********01');
    expect(output).toContain('+34*******78');
    expect(output).not.toMatch(/5491155550001|34612345678/);
  });
});
