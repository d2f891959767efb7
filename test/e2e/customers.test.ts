import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MILESTONE_IDS, type MilestoneId } from '#shared/journey/milestones';
import { TEMPLATES } from '#shared/templates/catalogue';
import { tallyAnswers, type CustomerRecord } from '../../local/customers';
import type { LocalStack } from '../../local/stack';
import { purchaseDetail, putPurchase, startTestStack, type TestStack } from '../support/local-stack';
import { waitFor } from '../support/wait';

/**
 * Simulated customers on the whole local stack: a few dozen journeys, answered through signed
 * inbound webhooks on the real webhook route. What the customers did, counted on the simulator
 * side, must be what `GET /kpis` reports, through the real ASL, handlers and DynamoDB Local.
 * No assertion depends on how fast the machine is: rules are checked against the moment the
 * system acknowledged the customer's answer.
 */
const DAY_MS = 100;
const JOURNEYS = 40;
// Higher than the defaults, so a few dozen journeys show every kind of answer.
const RATES = { undeliverable: 0.06, optOut: 0.08, day7: { chat: 0.2, booking: 0.15, freeText: 0.15 }, day30: { score: 0.6, callback: 0.1 }, day60: { yes: 0.3 } };
const credentials = { accessKeyId: 'store', secretAccessKey: 'store' };

type Counters = Record<string, number>;
interface Report {
  totals: Counters;
  byMilestone: Record<MilestoneId, Counters>;
}

let running: TestStack;
let stack: LocalStack;

beforeAll(async () => {
  running = await startTestStack({ dayMs: DAY_MS, customers: { seed: 'e2e-customers', rates: RATES } });
  stack = running.stack;
}, 180_000);

afterAll(async () => {
  await running?.stop();
});

const phoneOf = (i: number) => `+549116${String(i).padStart(7, '0')}`;
const milestoneOf = new Map(TEMPLATES.map((t) => [t.name, t.milestone]));

describe('simulated customers', () => {
  it('answer a few dozen journeys, and the KPIs count exactly what they did', async () => {
    const { info, clock, simulator, customers } = stack;
    for (let i = 0; i < JOURNEYS; i += 1) {
      expect(await putPurchase(info, purchaseDetail(`ORD-SIM-${i}`, { id: `CUST-SIM-${i}`, phone: phoneOf(i) }, clock.now()))).toBe(0);
    }
    const stepFunctions = new SFNClient({ endpoint: info.stepFunctionsEndpoint, region: info.region, credentials });
    await waitFor(
      'every journey to end',
      async () => {
        const { executions = [] } = await stepFunctions.send(new ListExecutionsCommand({ stateMachineArn: info.stateMachineArn }));
        return executions.length === JOURNEYS && executions.every((e) => e.status !== 'RUNNING') ? executions : undefined;
      },
      150_000,
    );
    await simulator!.idle();

    const answers = customers!.answers;
    const tally = tallyAnswers(answers);
    const templateSends = simulator!.sends.filter((s) => s.request.type === 'template');
    // Every template send reached a customer, who decided what to do with it.
    expect(MILESTONE_IDS.map((m) => templateSends.filter((s) => s.request.type === 'template' && milestoneOf.get(s.request.template.name) === m).length)).toEqual(
      MILESTONE_IDS.map((m) => tally[m].messages),
    );
    expect(tally.day7.messages).toBe(JOURNEYS);
    // The sample exercises every behaviour (fixed seed).
    for (const kind of ['undeliverable', 'opt-out', 'chat', 'booking', 'free-text', 'score', 'callback', 'yes'] as const) {
      expect(MILESTONE_IDS.reduce((n, m) => n + tally[m][kind], 0), kind).toBeGreaterThan(0);
    }
    expect(simulator!.inbound.length).toBeGreaterThan(0);
    expect(simulator!.inbound.every((m) => m.acknowledged)).toBe(true);

    // Journey rules, against the moment the answer was acknowledged: after an opt-out no
    // template reaches the customer; after a detractor's score no day-60 offer does.
    const settledAt = new Map(simulator!.inbound.map((m) => [m.repliesTo, m.settledAt.getTime()]));
    const sendsAfter = (record: CustomerRecord, milestones: readonly MilestoneId[]) =>
      templateSends.filter(
        (s) => s.waId === record.waId && s.request.type === 'template' && milestones.includes(milestoneOf.get(s.request.template.name)!) && s.acceptedAt.getTime() > settledAt.get(record.wamid)!,
      );
    const optOuts = answers.filter((a) => a.answer.kind === 'opt-out');
    const detractors = answers.filter((a) => a.answer.kind === 'score' && a.answer.score <= 6);
    expect(optOuts.flatMap((a) => sendsAfter(a, MILESTONE_IDS))).toEqual([]);
    expect(detractors.flatMap((a) => sendsAfter(a, ['day60']))).toEqual([]);

    const replies = (m: MilestoneId) => tally[m].chat + tally[m].booking + tally[m]['free-text'] + tally[m].score + tally[m].callback + tally[m].yes;
    const expectedByMilestone = Object.fromEntries(
      MILESTONE_IDS.map((m) => {
        const t = tally[m];
        const delivered = t.messages - t.undeliverable;
        return [
          m,
          {
            sent: t.messages,
            delivered,
            read: delivered,
            failed: t.undeliverable,
            failedUndeliverable: t.undeliverable,
            replies: replies(m),
            responders: replies(m),
            npsAnswers: t.score,
            npsPromoters: t.promoters,
            npsPassives: t.passives,
            npsDetractors: t.detractors,
            callbacks: t.callback,
            tickets: t.callback + t.detractors,
            chatHandoffs: t.chat + t['free-text'],
            bookings: t.booking,
            leads: t.yes,
          },
        ];
      }),
    );
    const expectedTotals = {
      optOuts: optOuts.length,
      billableUtility: expectedByMilestone.day7!.delivered + expectedByMilestone.day30!.delivered,
      billableMarketing: expectedByMilestone.day60!.delivered,
    };

    const pick = (counters: Counters, names: readonly string[]) => Object.fromEntries(names.map((n) => [n, counters[n] ?? 0]));
    const names = Object.keys(expectedByMilestone.day7!);
    const counted = (body: Report) =>
      MILESTONE_IDS.every((m) => JSON.stringify(pick(body.byMilestone[m], names)) === JSON.stringify(expectedByMilestone[m])) &&
      JSON.stringify(pick(body.totals, Object.keys(expectedTotals))) === JSON.stringify(expectedTotals);
    const report = async () => (await (await fetch(info.kpiUrl)).json()) as Report;
    await waitFor('the KPIs to count every answer', async () => (counted(await report()) ? true : undefined), 30_000).catch(async (error: Error) => {
      // Show the difference rather than a bare timeout.
      const body = await report();
      for (const m of MILESTONE_IDS) expect(pick(body.byMilestone[m], names), m).toEqual(expectedByMilestone[m]);
      expect(pick(body.totals, Object.keys(expectedTotals))).toEqual(expectedTotals);
      throw error;
    });
  }, 240_000);
});
