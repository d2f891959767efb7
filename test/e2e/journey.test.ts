import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELPDESK_EVENT } from '#shared/events/helpdesk';
import type { KpiReport } from '#shared/kpi/report';
import { signWebhookBody } from '#shared/whatsapp/signature';
import type { LocalStack } from '../../local/stack';
import { inboundTextWebhook, purchaseDetail, putHelpdeskEvents, putPurchase, startTestStack, type TestStack } from '../support/local-stack';
import { waitFor } from '../support/wait';

/**
 * One purchase through the whole local system: the real EventBridge client, the rules and
 * functions of the synthesized template, the real ASL on the virtual clock, DynamoDB Local,
 * the Meta simulator and signed status webhooks back through the webhook handler.
 */
const DAY_MS = 40;
const credentials = { accessKeyId: 'store', secretAccessKey: 'store' };

let running: TestStack;
let stack: LocalStack;

beforeAll(async () => {
  running = await startTestStack({ dayMs: DAY_MS });
  stack = running.stack;
}, 180_000);

afterAll(async () => {
  await running?.stop();
});

describe('local stack', () => {
  it('writes local.json with the documented keys', async () => {
    const written = JSON.parse(await readFile(join(running.stateDir, 'local.json'), 'utf8')) as Record<string, unknown>;
    for (const key of ['webhookUrl', 'eventBridgeEndpoint', 'stepFunctionsEndpoint', 'dynamoDbEndpoint', 'kpiUrl', 'metaAppSecret', 'metaVerifyToken', 'dayMs', 'eventBusName']) {
      expect(written, key).toHaveProperty(key);
    }
    expect(written.dayMs).toBe(DAY_MS);
  });

  it("answers Meta's verification handshake and refuses unsigned webhooks", async () => {
    const { webhookUrl } = stack.info;
    const ok = await fetch(`${webhookUrl}?hub.mode=subscribe&hub.verify_token=e2e-verify-token&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(`${webhookUrl}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
    expect(wrong.status).toBe(403);

    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
    const unsigned = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    const signed = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(body, 'e2e-app-secret') },
      body,
    });
    expect(signed.status).toBe(200);
  });

  it('runs one journey per order: day 7, 30 (and its reminder) and 60 sends reach Meta in order, statuses come back, KPIs count them', async () => {
    const { info, simulator } = stack;
    const detail = purchaseDetail('ORD-1001');
    // The store retries: the same event twice must still start one journey.
    for (let i = 0; i < 2; i += 1) expect(await putPurchase(info, detail)).toBe(0);

    // No simulated customer answers: the NPS survey gets its one reminder.
    const sends = await waitFor('four template sends', () => (simulator!.sends.length >= 4 ? simulator!.sends : undefined), 30_000);
    expect(sends.map((s) => (s.request as { template?: { name: string } }).template?.name)).toEqual([
      'posventa_day7_adoption',
      'posventa_day30_nps',
      'posventa_day30_nps_reminder',
      'posventa_day60_offer',
    ]);
    for (const send of sends) {
      const request = send.request as Record<string, any>;
      expect(send.bearerTokenValid).toBe(true);
      expect(request.messaging_product).toBe('whatsapp');
      expect(request.to).toBe('5491155550001');
      expect(request.type).toBe('template');
      expect(request.template.language.code).toBe('es');
      expect(request.template.components).toEqual([
        { type: 'body', parameters: [{ type: 'text', text: 'Lucía' }, { type: 'text', text: 'Cafetera Deluxe' }] },
      ]);
    }
    // Each milestone is sent no earlier than its day on the virtual clock, the reminder 48 h after the survey.
    const purchasedAt = Date.parse(detail.purchasedAt);
    sends.forEach((send, i) => expect(send.acceptedAt.getTime()).toBeGreaterThanOrEqual(purchasedAt + [7, 30, 32, 60][i]! * 86_400_000));
    expect(sends[2]!.acceptedAt.getTime() - sends[1]!.acceptedAt.getTime()).toBeGreaterThanOrEqual(48 * 3_600_000);

    const stepFunctions = new SFNClient({ endpoint: info.stepFunctionsEndpoint, region: info.region, credentials });
    const executions = await waitFor('the journey to succeed', async () => {
      const list = await stepFunctions.send(new ListExecutionsCommand({ stateMachineArn: info.stateMachineArn }));
      const all = list.executions ?? [];
      return all.length > 0 && all.every((e) => e.status === 'SUCCEEDED') ? all : undefined;
    });
    expect(executions.map((e) => e.name)).toEqual(['ORD-1001']);

    const messages = { day7: 1, day30: 2, day60: 1 } as const;
    const report = await waitFor('sent and delivered on every milestone', async () => {
      const response = await fetch(info.kpiUrl);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { byMilestone: Record<string, Record<string, number>> };
      const done = Object.entries(messages).every(([m, n]) => body.byMilestone[m]?.read === n) && body.byMilestone.day30?.npsUnanswered === 1;
      return done ? body : undefined;
    });
    for (const [milestone, n] of Object.entries(messages)) {
      // The send step's "sent" and the status webhook's "sent" are one event: counted once.
      expect(report.byMilestone[milestone]).toMatchObject({ sent: n, delivered: n, read: n });
    }
    // No reply to day 7: one fallback; no answer to the survey nor its reminder: "no answer" once.
    expect(report.byMilestone.day7).toMatchObject({ fallbacks: 1 });
    expect(report.byMilestone.day30).toMatchObject({ npsUnanswered: 1, npsAnswers: 0 });
    // Meta's pricing rides on the status webhooks: day 7 and 30 (and the reminder) are utility, day 60 marketing.
    const totals = (report as unknown as { totals: Record<string, number> }).totals;
    expect({ utility: totals.billableUtility, marketing: totals.billableMarketing }).toEqual({ utility: 3, marketing: 1 });
    expect(simulator!.sends).toHaveLength(4);
  });

  it('takes a customer reply to the day-30 message through the webhook once, even delivered twice', async () => {
    const { info, simulator } = stack;
    const day30 = simulator!.sends.find((s) => (s.request as { template?: { name: string } }).template?.name === 'posventa_day30_nps');
    expect(day30).toBeDefined();
    const { body, headers } = inboundTextWebhook(info, {
      from: day30!.waId,
      wamid: 'wamid.HBgNNTQ5MTE1NTU1MDAwMRUCABIYFEUyRUFCRUQ1QTBGNjc4M0RERjA1AA==',
      text: '10',
      at: stack.clock.now(),
      repliesTo: day30!.wamid,
    });
    for (let i = 0; i < 2; i += 1) expect((await fetch(info.webhookUrl, { method: 'POST', headers, body })).status).toBe(200);

    const report = await waitFor('the reply counted on day 30', async () => {
      const kpis = (await (await fetch(info.kpiUrl)).json()) as { byMilestone: Record<string, { replies: number }> };
      return kpis.byMilestone.day30?.replies === 1 ? kpis : undefined;
    });
    // Give a duplicate a chance to be counted, then check it was not.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const again = (await (await fetch(info.kpiUrl)).json()) as typeof report;
    expect(again.byMilestone.day30?.replies).toBe(1);
    expect(again.byMilestone.day7?.replies ?? 0).toBe(0);
  });

  it('rejects KPI queries with bad dates with a clear 400', async () => {
    const response = await fetch(`${stack.info.kpiUrl}?from=2026-13-01`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/from/);
  });
});

/**
 * A store's helpdesk puts its ticket events on the bus with the real EventBridge client; the
 * rule of the synthesized template takes them to the KPI queue and the aggregator, and
 * `GET /kpis` reports the reopened rate and the time to first response.
 */
describe('helpdesk events through the local stack', () => {
  const kpis = async (): Promise<KpiReport> => (await (await fetch(stack.info.kpiUrl)).json()) as KpiReport;

  it('counts tickets opened, reopened and closed once per ticket, and the time to first response', async () => {
    const journey = { orderId: 'ORD-77', contactId: 'CUST-77', milestone: 'day30', template: 'posventa_day30_nps', variant: 'A' };
    const at = (minute: number, second = 0) => new Date(Date.UTC(2026, 3, 7, 12, minute, second)).toISOString();
    const tickets = ['T-1', 'T-2', 'T-3', 'T-4'];
    expect(await putHelpdeskEvents(stack.info, [
      ...tickets.map((ticketId) => ({ type: HELPDESK_EVENT.ticketOpened, detail: { ticketId, occurredAt: at(0), ...journey } })),
      // Replies 30 s, 90 s, 4 min and 20 min after the customer's message (one reply has no journey).
      { type: HELPDESK_EVENT.agentReplied, detail: { ticketId: 'T-1', occurredAt: at(1, 30), customerMessageAt: at(1), ...journey } },
      { type: HELPDESK_EVENT.agentReplied, detail: { ticketId: 'T-2', occurredAt: at(2, 30), customerMessageAt: at(1), ...journey } },
      { type: HELPDESK_EVENT.agentReplied, detail: { ticketId: 'T-3', occurredAt: at(5), customerMessageAt: at(1), ...journey } },
      { type: HELPDESK_EVENT.agentReplied, detail: { ticketId: 'T-4', occurredAt: at(21), customerMessageAt: at(1) } },
      // A follow-up reply measures nothing.
      { type: HELPDESK_EVENT.agentReplied, detail: { ticketId: 'T-1', occurredAt: at(3) } },
      ...tickets.map((ticketId) => ({ type: HELPDESK_EVENT.ticketClosed, detail: { ticketId, occurredAt: at(30), ...journey } })),
      // T-1 is reopened twice: one reopened ticket.
      { type: HELPDESK_EVENT.ticketReopened, detail: { ticketId: 'T-1', occurredAt: at(40), ...journey } },
      { type: HELPDESK_EVENT.ticketReopened, detail: { ticketId: 'T-1', occurredAt: at(50), ...journey } },
    ])).toBe(0);
    // The helpdesk retries a delivery, and another system uses the same detail-type under its own source.
    expect(await putHelpdeskEvents(stack.info, [
      { type: HELPDESK_EVENT.ticketOpened, detail: { ticketId: 'T-1', occurredAt: at(0), ...journey } },
      { type: HELPDESK_EVENT.agentReplied, detail: { ticketId: 'T-1', occurredAt: at(1, 30), customerMessageAt: at(1), ...journey } },
      { type: HELPDESK_EVENT.ticketOpened, detail: { ticketId: 'OTHER-1', occurredAt: at(0) }, source: 'another.system' },
    ])).toBe(0);

    const report = await waitFor('the helpdesk events counted', async () => {
      const body = await kpis();
      return body.totals.ticketsOpened === 4 && body.totals.ticketsClosed === 4 && body.totals.ticketsReopened === 1 && body.totals.firstResponses === 4 ? body : undefined;
    });
    // Give the duplicates a chance to be counted, then check they were not.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const again = await kpis();
    expect(again.totals).toEqual(report.totals);
    expect(again.totals).toMatchObject({
      ticketsOpened: 4,
      ticketsReopened: 1,
      ticketsClosed: 4,
      firstResponses: 4,
      firstResponseSeconds: 30 + 90 + 240 + 1_200,
      firstResponseLe60: 1,
      firstResponseLe120: 1,
      firstResponseLe300: 1,
      firstResponseLe1800: 1,
    });
    expect(again.kpis.reopenedRate).toBe(0.25);
    expect(again.kpis.firstResponseMeanSeconds).toBe(390);
    // p90: rank 3.6 of 4 falls in (600, 1800], where the fourth value is: 600 + 1200 × 0.6.
    expect(again.kpis.firstResponseP90Seconds).toBeCloseTo(1_320, 9);
    // Kept per template where the helpdesk named the journey: 3 of the 4 first responses.
    expect(again.byTemplate.posventa_day30_nps?.totals).toMatchObject({ ticketsOpened: 4, firstResponses: 3 });
  });

  it('does not count an invalid helpdesk event: it goes back to the queue (and, in the end, to its DLQ)', async () => {
    const before = await kpis();
    expect(await putHelpdeskEvents(stack.info, [{ type: HELPDESK_EVENT.ticketOpened, detail: { occurredAt: '2026-04-07T12:00:00Z' } }])).toBe(0);
    const queue = stack.queues.get('KpiEventsQueue')!;
    const held = await waitFor('the invalid event held in the KPI queue', () =>
      queue.messages().find((m) => m.receiveCount > 0 && m.body.includes('"Ticket Opened"') && !m.body.includes('ticketId')),
    );
    expect(held.inFlight).toBe(true);
    expect((await kpis()).totals.ticketsOpened).toBe(before.totals.ticketsOpened);
  });
});

/**
 * Repurchase attribution end to end: a purchase, its day-7 message delivered (a signed status
 * webhook from the simulator, kept under the contact by the webhook), a second purchase of the
 * same customer a day later, sent twice by the store, and `GET /kpis` counting one attributed
 * repurchase with its revenue. (The day-60 "bought again" skip is decided by the send step and
 * tested there: on this fast virtual clock the first journey may end before the second purchase.)
 */
describe('repurchase attribution through the local stack', () => {
  const kpis = async (): Promise<KpiReport> => (await (await fetch(stack.info.kpiUrl)).json()) as KpiReport;
  const phone = '+5491155550077';

  it('attributes a second purchase a day after a delivered day-7 message to it, once, with its revenue', async () => {
    const { info } = stack;
    const before = await kpis();
    expect(await putPurchase(info, purchaseDetail('ORD-2001', { phone, id: 'CUST-2001' }, stack.clock.now()))).toBe(0);
    const dynamodb = new DynamoDBClient({ endpoint: info.dynamoDbEndpoint, region: info.region, credentials });
    const journeysTable = (await dynamodb.send(new ListTablesCommand({}))).TableNames?.find((name) => /journeys/i.test(name));
    expect(journeysTable).toBeDefined();
    const delivered = await waitFor('the day-7 delivery kept under the contact', async () => {
      const page = await dynamodb.send(
        new QueryCommand({ TableName: journeysTable, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)', ExpressionAttributeValues: { ':pk': { S: `CONTACT#${phone}` }, ':d': { S: 'DELIVERED#' } } }),
      );
      return page.Items?.[0];
    }, 30_000);
    expect(delivered).toMatchObject({ orderId: { S: 'ORD-2001' }, milestone: { S: 'day7' } });

    const purchasedAt = new Date(Date.parse(delivered.deliveredAt!.S!) + 86_400_000);
    const second = { ...purchaseDetail('ORD-2002', { phone, id: 'CUST-2001' }, purchasedAt), total: { amount: 45_000, currency: 'ARS' } };
    // The store sends the second purchase twice: one journey, one attribution.
    for (let i = 0; i < 2; i += 1) expect(await putPurchase(info, second)).toBe(0);

    const stepFunctions = new SFNClient({ endpoint: info.stepFunctionsEndpoint, region: info.region, credentials });
    await waitFor('both journeys to end', async () => {
      const all = (await stepFunctions.send(new ListExecutionsCommand({ stateMachineArn: info.stateMachineArn }))).executions ?? [];
      const ours = all.filter((e) => e.name === 'ORD-2001' || e.name === 'ORD-2002');
      return ours.length === 2 && ours.every((e) => e.status === 'SUCCEEDED') ? ours : undefined;
    }, 60_000);
    const report = await waitFor('the repurchase counted', async () => {
      const body = await kpis();
      const { repurchases, cohortRepurchasers, cohortMessaged } = body.totals;
      return repurchases > before.totals.repurchases && cohortRepurchasers > before.totals.cohortRepurchasers && cohortMessaged >= before.totals.cohortMessaged + 2 ? body : undefined;
    });
    // Let duplicates reach the aggregator, then check nothing counted twice.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = await kpis();
    expect(after.totals).toEqual(report.totals);
    expect(after.totals.repurchases - before.totals.repurchases).toBe(1);
    expect(after.totals.repurchaseRevenue - before.totals.repurchaseRevenue).toBe(45_000);
    expect(after.byMilestone.day7.repurchases - before.byMilestone.day7.repurchases).toBe(1);
    expect(after.totals.cohortRepurchasers - before.totals.cohortRepurchasers).toBe(1);
    expect(after.totals.cohortMessaged - before.totals.cohortMessaged).toBe(2);
    expect(after.kpis.repurchaseRate).toBe(after.totals.cohortRepurchasers / after.totals.cohortMessaged);
    // The simulator's Argentine deliveries are priced (example rates): cost per attributed repurchase follows.
    expect(after.kpis.costUsd).toBeGreaterThan(0);
    expect(after.cost.perAttributedRepurchase).toBeCloseTo(after.kpis.costUsd / after.totals.repurchases, 12);
  });
});
