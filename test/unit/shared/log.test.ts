import { describe, expect, it } from 'vitest';
import { maskPhone } from '#shared/log';

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
