/**
 * What Meta charges per delivered, billable WhatsApp message: the one price table that KPI cost,
 * the dashboards and the benchmarks' WhatsApp spend read.
 *
 * Since 1 July 2025 Meta bills per delivered template message (per-message pricing, PMP), by the
 * template's category and the recipient's country calling code; rates change only on 1 January,
 * 1 April, 1 July and 1 October, with at least a month's notice (shared/reference/, §8 Pricing).
 * Meta publishes the rates as rate cards (CSV / PDF per billing currency) behind
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/pricing
 *
 * SOURCE AND STATUS OF THESE FIGURES (read before trusting a cost):
 * - They are EXAMPLE RATES in USD, not a copy of Meta's rate card CSV, which could not be read
 *   when this table was written (2026-12-02). They follow Meta's USD rate card effective
 *   2025-07-01 as business solution providers republish it (e.g. talkall.com.br "WhatsApp Business
 *   Rates: January 2026", Brazil 0.0625 / 0.0068 / 0.0068, "rates charged by WhatsApp/Meta";
 *   formbeep.pages.dev "WhatsApp Business API pricing", rates effective 2026-04-01, read
 *   2026-12-02, Colombia utility 0.0008).
 * - Known later changes whose exact figures were not found are NOT in the table: 2025-10-01
 *   (Mexico marketing down; Argentina utility/authentication down), 2026-01-01 (North America
 *   utility/authentication down), 2026-10-01 (service messages reported chargeable by several
 *   providers, not confirmed on Meta's page). Service messages are priced 0 until 2026-10-01 and
 *   unknown after it: a billable service message then counts as unpriced, never as free.
 * - Volume tiers (lower utility/authentication rates at volume) and the
 *   authentication-international rate are not modelled.
 * Replace the figures with your own rate card (your billing currency may not be USD): add rows
 * with a later `from`; older rows keep pricing older messages.
 */

/** Meta's pricing categories Posventa prices (statuses' `pricing.category`). */
export const PRICED_CATEGORIES = ['marketing', 'utility', 'authentication', 'service'] as const;
export type PricedCategory = (typeof PRICED_CATEGORIES)[number];

/** The currency of every rate in this table. */
export const PRICE_CURRENCY = 'USD';

/** Meta prices some countries alone and groups the rest into regions ("Rest of Latin America"…). */
export type Market = 'AR' | 'BR' | 'CL' | 'CO' | 'MX' | 'PE' | 'ES' | 'north-america' | 'rest-of-latin-america' | 'other';

/** Countries (ISO 3166-1 alpha-2) in Meta's regional markets; a country in none of them is `other`. */
const REGIONS: Readonly<Record<string, Market>> = {
  US: 'north-america',
  CA: 'north-america',
  ...Object.fromEntries(
    ['BO', 'CR', 'DO', 'EC', 'SV', 'GT', 'HT', 'HN', 'JM', 'NI', 'PA', 'PY', 'PR', 'UY', 'VE'].map((c) => [c, 'rest-of-latin-america' as const]),
  ),
};

const OWN_MARKETS = new Set<string>(['AR', 'BR', 'CL', 'CO', 'MX', 'PE', 'ES']);

/** The market a country is priced in; unknown or absent countries are priced as `other`. */
export function marketOf(country: string | undefined): Market {
  const code = country?.toUpperCase();
  if (code === undefined) return 'other';
  if (OWN_MARKETS.has(code)) return code as Market;
  return REGIONS[code] ?? 'other';
}

/** One rate: USD per delivered billable message of `category` in `market`, from `from` (UTC day) on. */
export interface PriceRow {
  market: Market;
  category: PricedCategory;
  /** First day (YYYY-MM-DD, UTC) the rate applies. */
  from: string;
  usd: number;
}

/** marketing / utility / authentication per market (USD), rate card effective 2025-07-01 (see above). */
const JULY_2025: ReadonlyArray<[Market, number, number, number]> = [
  ['AR', 0.0618, 0.026, 0.026],
  ['BR', 0.0625, 0.0068, 0.0068],
  ['CL', 0.0889, 0.02, 0.02],
  ['CO', 0.0125, 0.0002, 0.0002],
  ['MX', 0.0305, 0.0085, 0.0085],
  ['PE', 0.0703, 0.02, 0.02],
  ['ES', 0.0615, 0.02, 0.02],
  ['north-america', 0.025, 0.004, 0.0135],
  ['rest-of-latin-america', 0.074, 0.0113, 0.0113],
  ['other', 0.0604, 0.0077, 0.0077],
];

const MARKETS = JULY_2025.map(([market]) => market);

export const PRICE_ROWS: readonly PriceRow[] = [
  ...JULY_2025.flatMap(([market, marketing, utility, authentication]): PriceRow[] => [
    { market, category: 'marketing', from: '2025-07-01', usd: marketing },
    { market, category: 'utility', from: '2025-07-01', usd: utility },
    { market, category: 'authentication', from: '2025-07-01', usd: authentication },
  ]),
  // Colombia utility and authentication went up on 2025-10-01; 0.0008 is the April 2026 figure.
  { market: 'CO', category: 'utility', from: '2025-10-01', usd: 0.0008 },
  { market: 'CO', category: 'authentication', from: '2025-10-01', usd: 0.0008 },
  // Service (free-form replies inside the customer service window): free since November 2024.
  ...MARKETS.map((market): PriceRow => ({ market, category: 'service', from: '2024-11-01', usd: 0 })),
];

/** Rows per market × category, newest first, so a lookup takes the first row in force. */
const NEWEST_FIRST = [...PRICE_ROWS].sort((a, b) => (a.from < b.from ? 1 : a.from > b.from ? -1 : 0));

/** Service rates are unknown from this day (Meta reportedly bills service messages from 2026-10-01). */
const SERVICE_UNKNOWN_FROM = '2026-10-01';

/**
 * USD Meta charges for one delivered billable message of `category` to a recipient in `country`
 * (ISO 3166-1 alpha-2, from the phone's calling code) at `at`; undefined when the table has no
 * rate in force (a category it does not price, before its first row, service from 2026-10-01).
 */
export function whatsappPrice(country: string | undefined, category: string, at: Date): number | undefined {
  const day = at.toISOString().slice(0, 10);
  const wanted = category.toLowerCase();
  if (wanted === 'service' && day >= SERVICE_UNKNOWN_FROM) return undefined;
  const market = marketOf(country);
  return NEWEST_FIRST.find((row) => row.market === market && row.category === wanted && row.from <= day)?.usd;
}

/** Whole millionths of a dollar: costs are counted as integers, so sums stay exact. */
export const MICRO_USD_PER_USD = 1_000_000;

/** `whatsappPrice` in whole micro-USD (every rate has at most 4 decimals, so this is exact). */
export function whatsappPriceMicroUsd(country: string | undefined, category: string, at: Date): number | undefined {
  const usd = whatsappPrice(country, category, at);
  return usd === undefined ? undefined : Math.round(usd * MICRO_USD_PER_USD);
}
