import { SKIP_REASON } from '#shared/events/domain';
import type { PurchaseDetail } from '#shared/events/purchase';
import { DAY_MS } from '#shared/clock';
import { DEFAULT_CONTACT_CAPS } from '#shared/journey/frequency-cap';
import type { MessageSlot } from '#shared/journey/journey-store';
import type { StoredMessageRecord } from '#shared/aws/journey-store';
import { maskPhone } from '#shared/log';
import { ScenarioFailure, type ScenarioContext } from './context';

/**
 * The journeys issue 4 asks to be watchable on the local stack, each a script that acts as the
 * store and the customer and checks what the system recorded. The expectations follow the code
 * (shared/journey/send-step.ts, frequency-cap.ts); each returns a one-line summary of the end.
 * Deadlines are virtual days with room to spare: on a busy machine a short virtual day lets a
 * second of lag (a cold function, a retried webhook) cost ten days; they only bound a failure.
 */

export interface ScenarioRun {
  /** Unique to this run, so order ids (execution names) never repeat on a long-running stack. */
  tag: string;
  /** A phone of the scripted range (local/customers: the simulated customers leave it alone), fresh for this run. */
  phone: string;
}

export interface Scenario {
  name: string;
  /** What should happen, for the summary. */
  expected: string;
  /** KPI counters this scenario raises by at least this much (GET /kpis totals, checked at the end). */
  kpis: Record<string, number>;
  play(ctx: ScenarioContext, run: ScenarioRun): Promise<string>;
}

const MARKETING_CAP_DAYS = DEFAULT_CONTACT_CAPS.marketingDays;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'detractor',
    expected: 'survey answered 3: NPS detractor, ticket, promotions paused; day 60 skipped (detractor)',
    kpis: { npsDetractors: 1, tickets: 1 },
    async play(ctx, { tag, phone }) {
      const orderId = `SCN-${tag}-DETRACTOR`;
      await startJourney(ctx, purchaseOf(orderId, phone, 'Marta', ctx.clock.now()));
      const survey = await sentRecord(ctx, orderId, 'day30', 50);
      await ctx.customerWrites({ phone, text: '3', repliesTo: survey.wamid, narration: `customer answers the survey "3", quoting it (${survey.template})` });
      const [answer, pause] = await ctx.until(
        'the NPS answer and the promotions pause',
        async () => {
          const [recorded, paused] = await Promise.all([ctx.reader.npsAnswer(orderId), ctx.reader.marketingPause(phone)]);
          return recorded !== undefined && paused !== undefined ? ([recorded, paused] as const) : undefined;
        },
        55,
      );
      if (answer.score !== 3) throw new ScenarioFailure(`the NPS answer recorded is ${answer.score}, not 3`);
      ctx.say(`NPS answer ${answer.score} recorded → detractor; promotions paused (${pause.reason}); its ticket is counted in GET /kpis (below)`, pause.pausedAt);
      const execution = await ended(ctx, orderId, 90);
      if (execution.status !== 'SUCCEEDED') throw new ScenarioFailure(`the journey ended ${execution.status}, not SUCCEEDED`);
      const day60 = await ctx.reader.messageRecord(orderId, 'day60');
      if (day60?.status !== 'skipped' || day60.reason !== SKIP_REASON.detractor) throw new ScenarioFailure(`day 60 is ${describeRecord(day60)}, not skipped as ${SKIP_REASON.detractor}`);
      return `answered 3 on ${ctx.dayOf(answer.at)}; day 60 skipped (${day60.reason}) on ${ctx.dayOf(day60.skippedAt)}`;
    },
  },
  {
    name: 'opted-out',
    expected: '"BAJA" after day 7: opt-out evidence recorded, execution ABORTED, nothing more sent',
    kpis: { optOuts: 1 },
    async play(ctx, { tag, phone }) {
      const orderId = `SCN-${tag}-OPTOUT`;
      const purchasedAt = ctx.clock.now();
      await startJourney(ctx, purchaseOf(orderId, phone, 'Sofía', purchasedAt));
      const day7 = await sentRecord(ctx, orderId, 'day7', 40);
      const delivered = await ctx.until('the delivery of day 7', () => ctx.reader.lastDelivered(phone, purchasedAt), 45);
      ctx.say(`${delivered.milestone} delivered (Meta's status webhook)`, delivered.deliveredAt);
      const wamid = await ctx.customerWrites({ phone, text: 'BAJA', repliesTo: day7.wamid, narration: 'customer writes "BAJA"' });
      const evidence = await ctx.until(
        'the opt-out in the consent ledger',
        async () => {
          const state = await ctx.reader.consentState(phone);
          if (state?.scopes.utility.status !== 'opted-out' || state.scopes.marketing.status !== 'opted-out') return undefined;
          return (await ctx.reader.consentEvidence(phone)).find((item) => item.action === 'opt-out' && item.messageId === wamid);
        },
        50,
      );
      ctx.say(`consent ledger: opted out of ${evidence.scopes.join(' + ')}, source ${evidence.source}, text "${evidence.text}", the customer's message id kept as evidence`, evidence.at);
      const execution = await ended(ctx, orderId, 55);
      if (execution.status !== 'ABORTED') throw new ScenarioFailure(`the journey is ${execution.status}, not ABORTED by the opt-out`);
      // Past the last milestone: nothing may have gone out after the opt-out.
      await ctx.until('day 62', async () => (ctx.clock.now() >= ctx.atDay(62) ? true : undefined), 70);
      for (const slot of ['day30', 'day30#reminder', 'day60'] as const) {
        const record = await ctx.reader.messageRecord(orderId, slot);
        if (record?.status === 'sent' && record.sentAt >= evidence.at) throw new ScenarioFailure(`${slot} was sent on ${ctx.dayOf(record.sentAt)}, after the opt-out`);
      }
      ctx.say('day 62: no message to this customer after the opt-out');
      return `opted out on ${ctx.dayOf(evidence.at)}; ${execution.status} on ${ctx.dayOf(execution.stopDate ?? ctx.clock.now())}; nothing sent after`;
    },
  },
  {
    name: 'capped',
    expected: `two orders of one checkout: one day-60 offer, the other waits for the ${MARKETING_CAP_DAYS}-day marketing cap, then goes`,
    kpis: {},
    async play(ctx, { tag, phone }) {
      // A purchase days later would not do: the earlier journey's day 60 is skipped as
      // `bought-again` (laterPurchaseOf), so two offers only meet when neither order is later.
      const orders = [`SCN-${tag}-CAPPED-A`, `SCN-${tag}-CAPPED-B`] as const;
      const purchasedAt = ctx.clock.now();
      ctx.say(`one checkout split into two orders (${orders.join(', ')}), same customer, same time`);
      await startJourney(ctx, ...orders.map((orderId) => purchaseOf(orderId, phone, 'Lucía', purchasedAt)));
      for (const orderId of orders) {
        const execution = await ended(ctx, orderId, 95);
        if (execution.status !== 'SUCCEEDED') throw new ScenarioFailure(`${orderId} ended ${execution.status}, not SUCCEEDED`);
      }
      const offers = await Promise.all(orders.map(async (orderId) => ({ orderId, record: await ctx.reader.messageRecord(orderId, 'day60') })));
      for (const { orderId, record } of offers) {
        if (record?.status !== 'sent') throw new ScenarioFailure(`${orderId}'s day 60 is ${describeRecord(record)}, not sent`);
      }
      const [first, second] = offers
        .map(({ orderId, record }) => {
          const sent = record as Extract<StoredMessageRecord, { status: 'sent' }>;
          // The cap is taken with the claim, so it rules the claims' times; the sends follow them by Meta's latency.
          return { orderId, sentAt: sent.sentAt, claimedAt: sent.claimedAt ?? sent.sentAt };
        })
        .sort((a, b) => a.claimedAt.localeCompare(b.claimedAt));
      const gapDays = (Date.parse(second!.claimedAt) - Date.parse(first!.claimedAt)) / DAY_MS;
      if (gapDays < MARKETING_CAP_DAYS) throw new ScenarioFailure(`the two day-60 offers were decided ${gapDays.toFixed(2)} days apart, inside the ${MARKETING_CAP_DAYS}-day cap`);
      const deferral = ctx.watched(second!.orderId).find((o) => o.milestone === 'day60' && o.status === 'deferred' && o.reason === 'frequency-cap');
      if (deferral === undefined) throw new ScenarioFailure(`${second!.orderId}'s day 60 went out without a frequency-cap deferral in its execution history`);
      return `${first!.orderId} day 60 on ${ctx.dayOf(first!.sentAt)}; ${second!.orderId} deferred on ${ctx.dayOf(deferral.at)}, sent ${ctx.dayOf(second!.sentAt)} (${gapDays.toFixed(1)} days later)`;
    },
  },
];

/** A purchase as a store sends it, opted in at checkout, in Buenos Aires (send window 09:00–20:00 there). */
function purchaseOf(orderId: string, phone: string, name: string, at: Date): PurchaseDetail {
  return {
    orderId,
    purchasedAt: at.toISOString(),
    customer: { id: `CUST-${orderId}`, phone, name, locale: 'es-AR', timezone: 'America/Argentina/Buenos_Aires', optIn: { source: 'checkout-checkbox', at: at.toISOString() } },
    items: [{ sku: 'CAF-DLX', name: 'Cafetera Deluxe', category: 'kitchen' }],
    total: { amount: 189_999, currency: 'ARS' },
  };
}

async function startJourney(ctx: ScenarioContext, ...purchases: PurchaseDetail[]): Promise<void> {
  for (const purchase of purchases) ctx.say(`store: purchase ${purchase.orderId} by ${maskPhone(purchase.customer.phone)}, opted in at checkout`);
  await ctx.purchase(...purchases);
  for (const purchase of purchases) ctx.watch(purchase.orderId);
}

/** Waits for the slot's record to settle; anything but `sent` ends the scenario. */
async function sentRecord(ctx: ScenarioContext, orderId: string, slot: MessageSlot, deadlineDay: number): Promise<Extract<StoredMessageRecord, { status: 'sent' }>> {
  const record = await ctx.until(`${orderId}'s ${slot} record`, async () => {
    const found = await ctx.reader.messageRecord(orderId, slot);
    return found === undefined || found.status === 'claimed' ? undefined : found;
  }, deadlineDay);
  if (record.status !== 'sent') throw new ScenarioFailure(`${slot} is ${describeRecord(record)}, not sent`);
  return record;
}

async function ended(ctx: ScenarioContext, orderId: string, deadlineDay: number) {
  return ctx.until(`the end of ${orderId}'s execution`, async () => {
    const execution = await ctx.reader.execution(orderId);
    return execution !== undefined && execution.status !== 'RUNNING' ? execution : undefined;
  }, deadlineDay);
}

function describeRecord(record: StoredMessageRecord | undefined): string {
  if (record === undefined) return 'not recorded';
  if (record.status === 'skipped') return `skipped (${record.reason})`;
  if (record.status === 'failed') return `failed (${record.reason})`;
  return record.status;
}
