import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MILESTONE_IDS, type MilestoneId } from '#shared/journey/milestones';
import { TEMPLATES } from '#shared/templates/catalogue';
import { kpiDifferences, kpisImpliedBy, tallyAnswers, type CustomerRecord } from '../../local/customers';
import { createUsageMeter } from '../../local/metering/usage';
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

interface Report {
  totals: Record<string, number>;
  byMilestone: Record<MilestoneId, Record<string, number>>;
}

const meter = createUsageMeter();
let running: TestStack;
let stack: LocalStack;

beforeAll(async () => {
  running = await startTestStack({ dayMs: DAY_MS, customers: { seed: 'e2e-customers', rates: RATES, minimumReplyRealMs: 300 }, meter });
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

    // Counted by the customers, reported by the KPI API: the same numbers.
    const implied = kpisImpliedBy(tally);
    expect(implied.totals.optOuts).toBe(optOuts.length);
    const report = async () => (await (await fetch(info.kpiUrl)).json()) as Report;
    await waitFor('the KPIs to count every answer', async () => (kpiDifferences(await report(), implied).length === 0 ? true : undefined), 30_000).catch(async (error: Error) => {
      // Show the difference rather than a bare timeout.
      expect(kpiDifferences(await report(), implied)).toEqual([]);
      throw error;
    });

    // The stand-ins counted what AWS would bill for the same run.
    const { usage } = meter;
    const invocations = (name: string) => Object.entries(usage.lambda).find(([fn]) => fn.includes(name))?.[1].invocations ?? 0;
    expect(invocations('StartJourney')).toBeGreaterThanOrEqual(JOURNEYS);
    expect(invocations('SendStep')).toBeGreaterThanOrEqual(templateSends.length);
    expect(invocations('Webhook')).toBeGreaterThanOrEqual(simulator!.webhooksPosted);
    expect(usage.apiRequests).toBeGreaterThanOrEqual(simulator!.webhooksPosted);
    // Every execution enters at least one state per milestone.
    expect(usage.stateTransitions).toBeGreaterThan(JOURNEYS * 3);
    expect(usage.eventBridgeEvents).toBeGreaterThan(JOURNEYS + templateSends.length);
    expect(usage.sqs.sent).toBeGreaterThan(0);
    expect(usage.sqs.deletedMessages).toBeGreaterThan(0);
    expect(usage.sqs.deletedMessages).toBeLessThanOrEqual(usage.sqs.sent);
    expect(usage.dynamodb.writeUnits).toBeGreaterThan(templateSends.length);
    expect(usage.dynamodb.readUnits).toBeGreaterThan(0);
  }, 240_000);
});
