import { describe, expect, it } from 'vitest';
import { CALLBACK_DATA_MAX_LENGTH, decodeMessageRef, encodeMessageRef, type MessageRef } from '#shared/whatsapp/callback-data';

const ref: MessageRef = { orderId: 'ES-2026-000123', milestone: 'day30', template: 'posventa_day30_nps', variant: 'A' };

describe('encodeMessageRef / decodeMessageRef', () => {
  it('round-trips a reference', () => {
    expect(decodeMessageRef(encodeMessageRef(ref))).toEqual(ref);
  });

  it('round-trips order ids with quotes, separators and non-ASCII characters', () => {
    for (const orderId of ['PED#2026/ñ-001', 'order "quoted" \\ back', 'pedido de María 🛒', '{"o":"x"}']) {
      expect(decodeMessageRef(encodeMessageRef({ ...ref, orderId }))).toEqual({ ...ref, orderId });
    }
  });

  it('is compact JSON with short keys (it travels on every send)', () => {
    expect(encodeMessageRef(ref)).toBe('{"o":"ES-2026-000123","m":"day30","t":"posventa_day30_nps","v":"A"}');
  });

  it('throws, naming the order, when the encoded data would pass Meta’s limit', () => {
    const longOrder = 'x'.repeat(CALLBACK_DATA_MAX_LENGTH);
    expect(() => encodeMessageRef({ ...ref, orderId: longOrder })).toThrow(/longer than 512/);
    expect(() => encodeMessageRef({ ...ref, orderId: longOrder })).toThrow(longOrder);
  });

  it('accepts data of exactly the limit and refuses one character more', () => {
    const overhead = encodeMessageRef({ ...ref, orderId: '' }).length;
    const fits = { ...ref, orderId: 'x'.repeat(CALLBACK_DATA_MAX_LENGTH - overhead) };
    expect(encodeMessageRef(fits)).toHaveLength(CALLBACK_DATA_MAX_LENGTH);
    expect(() => encodeMessageRef({ ...fits, orderId: `${fits.orderId}x` })).toThrow();
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['not JSON', 'crm-campaign-42'],
    ['truncated JSON', '{"o":"ES-2026-000123","m":"day7"'],
    ['JSON null', 'null'],
    ['a JSON string', '"ES-2026-000123"'],
    ['a JSON array', '["ES-2026-000123","day7"]'],
    ['another app’s JSON', '{"campaign":"spring","source":"crm"}'],
    ['our keys with an unknown milestone', '{"o":"ES-2026-000123","m":"day90","t":"posventa_day30_nps","v":"A"}'],
    ['our keys with an empty order id', '{"o":"","m":"day7","t":"posventa_day7_adoption","v":"A"}'],
    ['our keys missing the variant', '{"o":"ES-2026-000123","m":"day7","t":"posventa_day7_adoption"}'],
    ['our keys with a numeric order id', '{"o":123,"m":"day7","t":"posventa_day7_adoption","v":"A"}'],
  ])('decodes foreign or broken data (%s) to undefined', (_, data) => {
    expect(decodeMessageRef(data)).toBeUndefined();
  });
});
