import { readFileSync } from 'node:fs';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { virtualClock } from '#shared/clock';
import { consentChangeOfPurchase } from '#shared/consent/changes';
import { DOMAIN_EVENT, type DomainEvent } from '#shared/events/domain';
import type { PurchaseDetail } from '#shared/events/purchase';
import { DEFAULT_JOURNEY_CONFIG } from '#shared/journey/config';
import type { FollowUpDeps } from '#shared/journey/follow-up';
import type { SendStepInput } from '#shared/journey/send-step';
import { journeyExecution } from '#shared/journey/start';
import { decodeMessageRef } from '#shared/whatsapp/callback-data';
import type { TemplateMessage } from '#shared/whatsapp/graph-client';
import { signWebhookBody } from '#shared/whatsapp/signature';
import type { WebhookEffectsDeps } from '#shared/whatsapp/webhook-effects';
import { createStepFunctionsService, type StepFunctionsService } from '../../../local/stepfunctions';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../support/dynamodb-local';
import { startFaultGraph, type AcceptedSend, type Fault, type FaultGraph } from '../../resilience/support/fault-graph';

/**
 * Sends the journey could not confirm, reconciled with Meta's statuses, end to end below the
 * handlers: the real journey ASL on the local Step Functions (virtual clock), the real send,
 * follow-up and reconciliation steps and DynamoDB adapters on DynamoDB Local, the real Graph
 * client over HTTP to the fault graph (which takes a message and cuts or stalls the answer, or
 * cuts before taking it), and Meta's `sent` statuses through the real, signed webhook intake.
 */

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const SEND_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:posventa-send-step`;
const JOURNEY = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:posventa-journey`;
const DAY_MS_LOCAL = 100;
const HOUR = 3_600_000;
/**
 * The reconciliation wait, longer than the 6 h default: at 100 ms a day, 6 h is 25 ms of real
 * time, less than a loaded machine may take to take in Meta's status webhook; 48 h is 200 ms.
 */
const CHECK_HOURS = 48;
const APP_SECRET = 'reconcile-test-secret';
/** Short, so a stalled answer is given up quickly (3 virtual days at this day length: the journey just runs later). */
const GRAPH_TIMEOUT_MS = 300;

const definition = JSON.parse(readFileSync(new URL('../../../statemachines/journey.asl.json', import.meta.url), 'utf8').replaceAll('${SendStepFunctionArn}', SEND_ARN)) as object;
const clock = virtualClock(Date.now(), DAY_MS_LOCAL);

/** Phones (digits) whose accepted messages Meta reports with a `sent` status, within the wait. */
const reported = new Set<string>();
const statusPosted = new Set<string>();
/** Phones (digits) whose next send step dies (times out) once, after or before calling Meta. */
const dies = new Map<string, 'after-meta' | 'before-meta'>();
const published: DomainEvent[] = [];

let db: LocalDynamoDb;
let graph: FaultGraph;
let service: StepFunctionsService;
let journeysTable: string;
let recordOptIn: (purchase: PurchaseDetail) => Promise<unknown>;
let deliverWebhook: (body: object) => Promise<number>;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  graph = await startFaultGraph();
  graph.useClock(() => clock.now().getTime());
  const [journeyStore, { dynamoConsentStore }, { dynamoMarketingPauses }, { dynamoMessageFacts, dynamoNpsAnswers }, webhookStore, { runSendStep }, { runFollowUpStep }, { sendTemplate }, { recordConsentChange }, { receiveWebhook }] =
    await Promise.all([
      import('#shared/aws/journey-store'),
      import('#shared/aws/consent-store'),
      import('#shared/aws/marketing-pause'),
      import('#shared/aws/message-facts'),
      import('#shared/aws/webhook-store'),
      import('#shared/journey/send-step'),
      import('#shared/journey/follow-up'),
      import('#shared/whatsapp/graph-client'),
      import('#shared/consent/record'),
      import('#shared/whatsapp/webhook-post'),
    ]);
  let contactsTable: string;
  [journeysTable, contactsTable] = await Promise.all([db.createTable('journeys'), db.createTable('contacts')]);
  const consent = dynamoConsentStore(contactsTable);
  const journeys = journeyStore.dynamoJourneyStore(journeysTable, { consentTableName: contactsTable });
  recordOptIn = (purchase) => recordConsentChange(consentChangeOfPurchase(purchase)!, { store: consent, clock });
  const publish = async (events: DomainEvent[]) => void published.push(...events);
  const webhookDeps: WebhookEffectsDeps = {
    journeys,
    marks: webhookStore.dynamoWebhookMarks(journeysTable),
    contacts: webhookStore.dynamoContactFacts(contactsTable),
    facts: dynamoMessageFacts(journeysTable),
    publish,
    consent: { store: consent, clock, journeys: { journeysOf: async () => [] }, stopJourney: async () => undefined },
    unquotedReplyMaxAgeMs: 7 * 86_400_000,
  };
  deliverWebhook = async (value) => {
    const raw = Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '5491100000000', phone_number_id: '100000000000001' }, ...value } }] }] }));
    return (await receiveWebhook(raw, signWebhookBody(raw, APP_SECRET), APP_SECRET, webhookDeps)).statusCode;
  };

  const graphApi = { baseUrl: graph.url, version: 'v23.0', phoneNumberId: '100000000000001', accessToken: 'token', timeoutMs: GRAPH_TIMEOUT_MS };
  const send = async (message: TemplateMessage) => {
    const dying = dies.get(message.to.slice(1));
    if (dying === undefined) return sendTemplate(graphApi, message);
    dies.delete(message.to.slice(1));
    if (dying === 'after-meta') await sendTemplate(graphApi, message);
    // The step hangs past its timeout: Step Functions fails the task with States.Timeout and retries it.
    throw Object.assign(new Error('Task timed out'), { name: 'States.Timeout' });
  };
  const deps: FollowUpDeps = {
    clock,
    journeys,
    consent,
    pauses: dynamoMarketingPauses(contactsTable),
    config: { ...DEFAULT_JOURNEY_CONFIG, followUps: { ...DEFAULT_JOURNEY_CONFIG.followUps, unconfirmedCheckHours: CHECK_HOURS } },
    send,
    publish,
    followUps: dynamoMessageFacts(journeysTable),
    npsAnswers: dynamoNpsAnswers(journeysTable),
  };
  service = await createStepFunctionsService({
    stateMachines: [{ arn: JOURNEY, name: 'posventa-journey', definition }],
    clock,
    region: REGION,
    accountId: ACCOUNT,
    invokeTask: async (resource, input) => {
      if (resource !== SEND_ARN) throw new Error(`unexpected task ${resource}`);
      if ((input as { step?: string }).step !== 'follow-up') return runSendStep(input as SendStepInput, deps);
      // Meta posts its statuses seconds after it takes a message: within any wait, however slow this machine is.
      await reportAcceptedSends();
      return runFollowUpStep(input as Parameters<typeof runFollowUpStep>[0], deps);
    },
  });
}, 120_000);

afterAll(async () => {
  await service?.close();
  await graph?.close();
  await db?.stop();
});

/** Meta's `sent` status of every message it took for a reporting phone, once, signed, through the real webhook. */
async function reportAcceptedSends(): Promise<void> {
  for (const send of graph.accepted) {
    if (!reported.has(send.to) || statusPosted.has(send.wamid)) continue;
    statusPosted.add(send.wamid);
    const status = { id: send.wamid, status: 'sent', timestamp: String(Math.floor(send.acceptedAt / 1000)), recipient_id: send.to, biz_opaque_callback_data: send.callbackData };
    expect(await deliverWebhook({ statuses: [status] })).toBe(200);
  }
}

let orderSeq = 0;
function purchaseFor(phone: string): PurchaseDetail {
  const now = clock.now().toISOString();
  return {
    orderId: `RC-${++orderSeq}`,
    purchasedAt: now,
    customer: { id: `C-${phone}`, phone, name: 'Lucía', locale: 'es-AR', timezone: 'America/Argentina/Buenos_Aires', optIn: { source: 'checkout-checkbox', at: now } },
    items: [{ sku: 'CAF-DLX', name: 'Cafetera Deluxe' }],
  };
}

async function runJourney(purchase: PurchaseDetail): Promise<string> {
  await recordOptIn(purchase);
  const { name, input } = journeyExecution(purchase, DEFAULT_JOURNEY_CONFIG, clock.now());
  const started = service.startExecution({ stateMachineArn: JOURNEY, name, input: JSON.stringify(input) });
  if (!started.ok) throw new Error(started.error.message);
  for (;;) {
    const described = service.describeExecution({ executionArn: started.value.executionArn });
    if (!described.ok) throw new Error(described.error.message);
    if (described.value.status !== 'RUNNING') return described.value.status;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function messageRecord(orderId: string, milestone: string) {
  const { Item } = await db.client.send(new GetItemCommand({ TableName: journeysTable, Key: { pk: { S: `ORDER#${orderId}` }, sk: { S: `MESSAGE#${milestone}` } }, ConsistentRead: true }));
  return Item;
}

const day7 = <T extends { to: string; callbackData: string | undefined }>(list: readonly T[], phone: string) =>
  list.filter((r) => r.to === phone.slice(1) && decodeMessageRef(r.callbackData)?.milestone === 'day7');
/** Day-7 requests that reached the fault graph: a request cut before it was read has no body to tell its milestone, and only day 7 meets faults here. */
const day7Requests = (phone: string) => graph.arrived.filter((r) => r.to === phone.slice(1) && (r.fault === 'cut-before-accept' || decodeMessageRef(r.callbackData)?.milestone === 'day7'));
const day7SentIds = (orderId: string) => new Set(published.filter((e) => e.type === DOMAIN_EVENT.messageSent && e.detail.orderId === orderId && e.detail.milestone === 'day7').map((e) => e.detail.eventId));

/** Each scenario: a phone, the faults its first requests meet, whether Meta reports what it took, and how its step dies. */
function scenario(n: number, faults: Fault[], options: { reported?: boolean; dies?: 'after-meta' | 'before-meta' } = {}) {
  const phone = `+54911556${String(800 + n).padStart(5, '0')}`;
  graph.script(phone.slice(1), faults);
  if (options.reported !== false) reported.add(phone.slice(1));
  if (options.dies !== undefined) dies.set(phone.slice(1), options.dies);
  return { phone, purchase: purchaseFor(phone) };
}

/** Meta took the message: recorded sent under its wamid, sent once, counted once, and followed up like any send. */
async function expectTakenOnce(phone: string, orderId: string): Promise<AcceptedSend> {
  const accepted = day7(graph.accepted, phone);
  expect(accepted).toHaveLength(1);
  const [send] = accepted as [AcceptedSend];
  expect(day7Requests(phone)).toHaveLength(1);
  expect(await messageRecord(orderId, 'day7')).toMatchObject({ status: { S: 'sent' }, wamid: { S: send.wamid } });
  expect([...day7SentIds(orderId)]).toEqual([`${send.wamid}:sent`]);
  // The day-7 follow-up ran as after any send: nobody answered, so a fallback was asked for.
  expect((await messageRecord(orderId, 'day7'))?.followUpResult?.S).toBe('fallback-requested');
  return send;
}

describe('unconfirmed sends reconciled with Meta’s statuses through the journey ASL, the webhook and DynamoDB Local', () => {
  it('Meta took it (answer cut or stalled, or the step died after calling Meta) and reported it: recorded sent with Meta’s wamid, never resent', async () => {
    const cases = [scenario(1, ['accept-then-cut']), scenario(2, ['accept-then-stall']), scenario(3, [], { dies: 'after-meta' })];
    expect(await Promise.all(cases.map(({ purchase }) => runJourney(purchase)))).toEqual(cases.map(() => 'SUCCEEDED'));
    for (const { phone, purchase } of cases) {
      const send = await expectTakenOnce(phone, purchase.orderId);
      // Sent when Meta says it was (its first status), and the webhook finds replies to it by its wamid.
      expect((await messageRecord(purchase.orderId, 'day7'))?.sentAt?.S).toBe(new Date(Math.floor(send.acceptedAt / 1000) * 1000).toISOString());
      // The journey went on: day 30 (and its reminder) and day 60 once each.
      expect(graph.acceptedTo(phone.slice(1)).map((s) => decodeMessageRef(s.callbackData)?.milestone).sort()).toEqual(['day30', 'day30', 'day60', 'day7']);
    }
  });

  it('Meta did not take it (cut before, or the step died before calling Meta): resent exactly once, after the wait, and recorded sent', async () => {
    const cases = [scenario(11, ['cut-before-accept']), scenario(12, [], { dies: 'before-meta' })];
    expect(await Promise.all(cases.map(({ purchase }) => runJourney(purchase)))).toEqual(cases.map(() => 'SUCCEEDED'));
    const [cut, died] = cases as [(typeof cases)[number], (typeof cases)[number]];

    // Cut before Meta took it: two requests, one message; the second at least the wait after the first.
    const [first, second] = day7Requests(cut.phone);
    expect(day7Requests(cut.phone).map((r) => r.fault)).toEqual(['cut-before-accept', 'none']);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(CHECK_HOURS * HOUR);
    const [resent] = day7(graph.accepted, cut.phone);
    expect(day7(graph.accepted, cut.phone)).toHaveLength(1);
    expect(await messageRecord(cut.purchase.orderId, 'day7')).toMatchObject({ status: { S: 'sent' }, wamid: { S: resent!.wamid } });
    expect([...day7SentIds(cut.purchase.orderId)]).toEqual([`${resent!.wamid}:sent`]);

    // Died before calling Meta (its claim left behind): the retried step found the claim, and the message went once, after the wait.
    const sends = day7(graph.accepted, died.phone);
    expect(sends).toHaveLength(1);
    expect(day7Requests(died.phone)).toHaveLength(1);
    expect(sends[0]!.acceptedAt - Date.parse(died.purchase.purchasedAt)).toBeGreaterThanOrEqual(7 * 24 * HOUR + CHECK_HOURS * HOUR);
    expect((await messageRecord(died.purchase.orderId, 'day7'))?.status?.S).toBe('sent');
  });

  it('resends at most twice when Meta never reports anything, then leaves the message unconfirmed; the journey goes on', async () => {
    const { phone, purchase } = scenario(21, ['cut-before-accept', 'cut-before-accept', 'cut-before-accept'], { reported: false });
    expect(await runJourney(purchase)).toBe('SUCCEEDED');
    expect(day7Requests(phone).map((r) => r.fault)).toEqual(['cut-before-accept', 'cut-before-accept', 'cut-before-accept']);
    expect(day7(graph.accepted, phone)).toEqual([]);
    expect(await messageRecord(purchase.orderId, 'day7')).toMatchObject({ status: { S: 'unconfirmed' } });
    expect(day7SentIds(purchase.orderId).size).toBe(0);
    expect(graph.acceptedTo(phone.slice(1)).map((s) => decodeMessageRef(s.callbackData)?.milestone).sort()).toEqual(['day30', 'day30', 'day60']);
  });
});
