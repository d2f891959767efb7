import { describe, expect, it } from 'vitest';
import { marketOf, PRICE_ROWS, PRICED_CATEGORIES, whatsappPrice, whatsappPriceMicroUsd } from '#shared/kpi/whatsapp-prices';

const at = (day: string) => new Date(`${day}T12:00:00Z`);

describe('WhatsApp price table', () => {
  it('prices by country, category and the day the message was delivered', () => {
    expect(whatsappPrice('BR', 'marketing', at('2026-03-01'))).toBe(0.0625);
    expect(whatsappPrice('BR', 'utility', at('2026-03-01'))).toBe(0.0068);
    expect(whatsappPrice('AR', 'marketing', at('2026-03-01'))).toBe(0.0618);
    // Colombia's utility rate changed on 2025-10-01: the day before keeps the old one.
    expect(whatsappPrice('CO', 'utility', at('2025-09-30'))).toBe(0.0002);
    expect(whatsappPrice('CO', 'utility', at('2025-10-01'))).toBe(0.0008);
    expect(whatsappPrice('co', 'UTILITY', at('2025-10-01'))).toBe(0.0008);
  });

  it('groups countries into Meta regions; an unknown or missing country is "other"', () => {
    expect(marketOf('US')).toBe('north-america');
    expect(marketOf('UY')).toBe('rest-of-latin-america');
    expect(marketOf('FR')).toBe('other');
    expect(marketOf(undefined)).toBe('other');
    expect(whatsappPrice('UY', 'marketing', at('2026-03-01'))).toBe(0.074);
    expect(whatsappPrice(undefined, 'marketing', at('2026-03-01'))).toBe(0.0604);
  });

  it('has no rate before per-message pricing, for categories it does not price, or for service from 2026-10-01', () => {
    expect(whatsappPrice('BR', 'marketing', at('2025-06-30'))).toBeUndefined();
    expect(whatsappPrice('BR', 'marketing_lite', at('2026-03-01'))).toBeUndefined();
    expect(whatsappPrice('BR', 'service', at('2026-09-30'))).toBe(0);
    expect(whatsappPrice('BR', 'service', at('2026-10-01'))).toBeUndefined();
  });

  it('gives whole micro-dollars, so counted costs sum exactly (3 Brazilian marketing + 2 utility = 0.201 USD)', () => {
    const marketing = whatsappPriceMicroUsd('BR', 'marketing', at('2026-03-01'))!;
    const utility = whatsappPriceMicroUsd('BR', 'utility', at('2026-03-01'))!;
    expect([marketing, utility]).toEqual([62_500, 6_800]);
    expect(3 * marketing + 2 * utility).toBe(201_100);
  });

  it('every market has a row for every category, and every rate has at most 4 decimals', () => {
    const markets = new Set(PRICE_ROWS.map((r) => r.market));
    for (const market of markets) for (const category of PRICED_CATEGORIES) expect(PRICE_ROWS.some((r) => r.market === market && r.category === category)).toBe(true);
    for (const row of PRICE_ROWS) expect(Math.abs(row.usd * 10_000 - Math.round(row.usd * 10_000))).toBeLessThan(1e-9);
  });
});
