import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PURCHASE_COMPLETED, PURCHASE_EVENT_SOURCE, purchaseDetailSchema, type PurchaseDetail } from '#shared/events/purchase';
import { parseWith } from '#shared/validation';

/**
 * Contract test of the `Purchase Completed` event (DESIGN.md §3): stores depend on it.
 * Adding an optional field is compatible; removing or renaming a required one must fail here.
 */

interface EventBridgeEvent {
  'detail-type': string;
  source: string;
  detail: PurchaseDetail;
}

const event = JSON.parse(readFileSync(new URL('../../../fixtures/events/purchase-completed.json', import.meta.url), 'utf8')) as EventBridgeEvent;
const detail = (): PurchaseDetail => structuredClone(event.detail);
const parse = (input: unknown) => parseWith(purchaseDetailSchema, input);

/** Deletes `path` (dot-separated) from a copy of the fixture's detail. */
function without(path: string): unknown {
  const copy = detail() as unknown as Record<string, unknown>;
  const parts = path.split('.');
  let target = copy;
  for (const part of parts.slice(0, -1)) target = target[part] as Record<string, unknown>;
  delete target[parts.at(-1)!];
  return copy;
}

function expectRejected(input: unknown, mentioned: string): void {
  const result = parse(input);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.reason).toContain(mentioned);
}

describe('Purchase Completed contract', () => {
  it('is the event the bus rule listens for', () => {
    expect(event.source).toBe(PURCHASE_EVENT_SOURCE);
    expect(event['detail-type']).toBe(PURCHASE_COMPLETED);
  });

  it('parses the fixture, keeping every field it reads', () => {
    const result = parse(event.detail);
    expect(result).toEqual({ ok: true, value: event.detail });
  });

  it('accepts the minimum: no optIn, category, total or segment', () => {
    const minimal = without('customer.optIn') as PurchaseDetail;
    delete (minimal as Partial<PurchaseDetail>).total;
    delete (minimal as Partial<PurchaseDetail>).segment;
    minimal.items = [{ sku: 'CAF-EXP-220', name: 'Cafetera espresso Rápida 220' }];
    expect(parse(minimal).ok).toBe(true);
  });

  it('accepts unknown extra fields at every level (stores may send more than we read)', () => {
    const extended = {
      ...detail(),
      channel: 'web',
      coupon: { code: 'PRIMAVERA10' },
      customer: { ...detail().customer, email: 'maria@example.es', marketingConsent: true, optIn: { ...detail().customer.optIn, ip: '203.0.113.7' } },
      items: detail().items.map((item) => ({ ...item, quantity: 1, unitPrice: 124.9 })),
      total: { ...detail().total, tax: 43.35 },
    };
    expect(parse(extended).ok).toBe(true);
  });

  it.each([
    'orderId',
    'purchasedAt',
    'customer',
    'customer.id',
    'customer.phone',
    'customer.name',
    'customer.locale',
    'customer.timezone',
    'items',
  ])('fails when the required field %s is removed, naming it', (path) => {
    expectRejected(without(path), path);
  });

  it.each([
    ['items.0.sku', 'items[0].sku'],
    ['items.0.name', 'items[0].name'],
    ['customer.optIn.source', 'customer.optIn.source'],
    ['customer.optIn.at', 'customer.optIn.at'],
    ['total.amount', 'total.amount'],
    ['total.currency', 'total.currency'],
  ])('fails when %s (required inside an optional or array part) is removed, naming it', (path, named) => {
    expectRejected(without(path), named);
  });

  it('fails for an empty items list', () => {
    expectRejected({ ...detail(), items: [] }, 'items');
  });

  it.each([
    ['blank', '   '],
    ['empty', ''],
  ])('fails for a %s order id or customer name', (_, value) => {
    expectRejected({ ...detail(), orderId: value }, 'orderId');
    expectRejected({ ...detail(), customer: { ...detail().customer, name: value } }, 'customer.name');
  });

  it.each([
    ['national format', '612345678'],
    ['without plus', '34612345678'],
    ['with spaces', '+34 612 345 678'],
    ['with dashes', '+34-612-345-678'],
    ['leading zero country code', '+034612345678'],
    ['too short', '+3461'],
    ['too long', '+3461234567890123'],
    ['letters', '+34612ABC678'],
  ])('fails for a phone that is not E.164 (%s)', (_, phone) => {
    expectRejected({ ...detail(), customer: { ...detail().customer, phone } }, 'customer.phone');
  });

  it.each(['+34612345678', '+5491155550001', '+5511987654321', '+14155550123'])('accepts the E.164 phone %s', (phone) => {
    expect(parse({ ...detail(), customer: { ...detail().customer, phone } }).ok).toBe(true);
  });

  it.each([
    ['a date without time', '2026-03-01'],
    ['a local time without offset', '2026-03-01T10:00:00'],
    ['a month 13', '2026-13-01T10:00:00Z'],
    ['30 February', '2026-02-30T10:00:00Z'],
    ['free text', 'yesterday'],
    ['a unix timestamp', 1772355600],
  ])('fails for a purchasedAt that is %s', (_, purchasedAt) => {
    expectRejected({ ...detail(), purchasedAt }, 'purchasedAt');
  });

  it.each(['2026-03-01T10:00:00Z', '2026-03-01T10:00:00.123Z', '2026-03-01T10:00:00-03:00', '2026-03-01T10:00:00+01:00'])('accepts the ISO 8601 purchasedAt %s', (purchasedAt) => {
    expect(parse({ ...detail(), purchasedAt }).ok).toBe(true);
  });

  it.each(['es-AR', 'es-ES', 'es-MX', 'pt-BR', 'en-US', 'es', 'pt_BR'])('accepts the locale %s', (locale) => {
    expect(parse({ ...detail(), customer: { ...detail().customer, locale } }).ok).toBe(true);
  });

  // es-419 (Latin-American Spanish, BCP 47 region 419) is what browsers and shops send for
  // many Latin-American customers; refusing it drops the purchase into the DLQ.
  it('accepts the BCP 47 locale es-419 (Latin-American Spanish)', () => {
    expect(parse({ ...detail(), customer: { ...detail().customer, locale: 'es-419' } }).ok).toBe(true);
  });

  it('fails for a locale that is not a language tag', () => {
    expectRejected({ ...detail(), customer: { ...detail().customer, locale: 'Spanish' } }, 'customer.locale');
  });

  // The contract says IANA time zone; a typo would otherwise be accepted now and break the
  // send-window computation weeks later, instead of going to the DLQ with a reason.
  it('fails for a timezone that is not an IANA zone', () => {
    for (const timezone of ['Europe/Madird', 'GMT-3 Buenos Aires', 'Mars/Olympus_Mons']) {
      expect(parse({ ...detail(), customer: { ...detail().customer, timezone } }).ok, timezone).toBe(false);
    }
  });

  it.each(['Europe/Madrid', 'America/Argentina/Buenos_Aires', 'America/Sao_Paulo', 'UTC'])('accepts the IANA timezone %s', (timezone) => {
    expect(parse({ ...detail(), customer: { ...detail().customer, timezone } }).ok).toBe(true);
  });

  it('fails for a currency that is not a 3-letter code', () => {
    expectRejected({ ...detail(), total: { amount: 249.8, currency: 'EURO' } }, 'total.currency');
  });
});
