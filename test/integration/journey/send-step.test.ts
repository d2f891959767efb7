import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, virtualClock } from '#shared/clock';
import { consentChangeOfPurchase, consentChangeOfText, type ConsentChange } from '#shared/consent/changes';
import type { ConsentStore } from '#shared/consent/record';
import { DOMAIN_EVENT, type DomainEvent } from '#shared/events/domain';
import type { PurchaseDetail } from '#shared/events/purchase';
import { DEFAULT_JOURNEY_CONFIG } from '#shared/journey/config';
import type { JourneyStore } from '#shared/journey/journey-store';
import type { SendOutcome, SendStepDeps, SendStepInput } from '#shared/journey/send-step';
import { journeyExecution } from '#shared/journey/start';
import { cachedAvailability } from '#shared/templates/status';
import { chooseTemplate } from '#shared/templates/variants';
import { signWebhookBody } from '#shared/whatsapp/signature';
import type { WebhookEffectsDeps } from '#shared/whatsapp/webhook-effects';
import { createStepFunctionsService, type StepFunctionsService } from '../../../local/stepfunctions';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../support/dynamodb-local';

/**
 * The send step's decisions end to end below the handler: the real journey ASL on the local
 * Step Functions (virtual clock), the real send-step logic and DynamoDB adapters against
 * DynamoDB Local, and the real Graph client talking HTTP to a fake Graph API.
 */

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const SEND_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:posventa-send-step`;
const JOURNEY = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:posventa-journey`;
/** Long enough that a step's real latency (a few DynamoDB calls) is minutes of virtual time, not days. */
const DAY_MS_LOCAL = 100;
const HOUR = 3_600_000;

const APP_SECRET = 'send-step-test-secret';
const definition = JSON.parse(readFileSync(new URL('../../../statemachines/journey.asl.json', import.meta.url), 'utf8').replaceAll('${SendStepFunctionArn}', SEND_ARN)) as object;
const clock = virtualClock(Date.now(), DAY_MS_LOCAL);

interface GraphRequest {
  to: string;
  template: string;
  at: number;
  answer: number | 'ok';
}
const graphRequests: GraphRequest[] = [];
/** Meta error codes the next sends of `<digits>/<template>` get, in order; then success. */
const graphErrors = new Map<string, number[]>();
const published: DomainEvent[] = [];
const outcomes: Array<{ input: SendStepInput; outcome: SendOutcome; at: number }> = [];

let db: LocalDynamoDb;
let graph: Server;
let service: StepFunctionsService;
let consent: ConsentStore;
let recordConsent: (change: ConsentChange) => Promise<unknown>;
let journeys: JourneyStore;
let journeysTable: string;
let sendStepDeps: SendStepDeps;
let sendStep: (input: SendStepInput, deps: SendStepDeps) => Promise<SendOutcome>;
/** Real time as the send step's template cache sees it (shared/templates/status.ts); the test moves it. */
let cacheNowMs = 0;
let postTemplateWebhook: (field: 'message_template_status_update' | 'message_template_quality_update', value: Record<string, unknown>, time: number) => Promise<number>;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  const [{ dynamoJourneyStore }, { dynamoConsentStore }, { dynamoMarketingPauses }, { runSendStep }, { sendTemplate }, { recordConsentChange }, { dynamoTemplateStatusStore }, webhookStore, { dynamoMessageFacts }, { receiveWebhook }] =
    await Promise.all([
      import('#shared/aws/journey-store'),
      import('#shared/aws/consent-store'),
      import('#shared/aws/marketing-pause'),
      import('#shared/journey/send-step'),
      import('#shared/whatsapp/graph-client'),
      import('#shared/consent/record'),
      import('#shared/aws/template-status-store'),
      import('#shared/aws/webhook-store'),
      import('#shared/aws/message-facts'),
      import('#shared/whatsapp/webhook-post'),
    ]);
  let contactsTable: string;
  let templatesTable: string;
  [journeysTable, contactsTable, templatesTable] = await Promise.all([db.createTable('journeys'), db.createTable('contacts'), db.createTable('templates')]);
  consent = dynamoConsentStore(contactsTable);
  recordConsent = (change) => recordConsentChange(change, { store: consent, clock });
  const templateStatus = dynamoTemplateStatusStore(templatesTable);

  // Meta's template webhooks through the real intake and effects, signed, into the templates table.
  const webhookDeps: WebhookEffectsDeps = {
    journeys: dynamoJourneyStore(journeysTable),
    marks: webhookStore.dynamoWebhookMarks(journeysTable),
    contacts: webhookStore.dynamoContactFacts(contactsTable),
    facts: dynamoMessageFacts(journeysTable),
    publish: async (events) => void published.push(...events),
    consent: { store: consent, clock, journeys: { journeysOf: async () => [] }, stopJourney: async () => undefined },
    templates: templateStatus,
    unquotedReplyMaxAgeMs: 7 * DAY_MS,
  };
  postTemplateWebhook = async (field, value, time) => {
    const raw = Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', time, changes: [{ field, value }] }] }));
    return (await receiveWebhook(raw, signWebhookBody(raw, APP_SECRET), APP_SECRET, webhookDeps)).statusCode;
  };

  graph = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to: string; template: { name: string } };
      const code = graphErrors.get(`${body.to}/${body.template.name}`)?.shift();
      graphRequests.push({ to: body.to, template: body.template.name, at: clock.now().getTime(), answer: code ?? 'ok' });
      res.writeHead(code === undefined ? 200 : 400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          code === undefined
            ? { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: `wamid.${graphRequests.length}` }] }
            : { error: { message: `(#${code}) simulated`, type: 'OAuthException', code, fbtrace_id: 'A1' } },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', resolve));
  const graphApi = { baseUrl: `http://127.0.0.1:${(graph.address() as AddressInfo).port}`, version: 'v23.0', phoneNumberId: '100000000000001', accessToken: 'token' };

  journeys = dynamoJourneyStore(journeysTable, { consentTableName: contactsTable });
  sendStep = runSendStep;
  const deps: SendStepDeps = (sendStepDeps = {
    clock,
    journeys,
    consent,
    pauses: dynamoMarketingPauses(contactsTable),
    // The send step's decisions alone: what follows a sent message is test/integration/journey/follow-up.test.ts's.
    config: { ...DEFAULT_JOURNEY_CONFIG, followUps: { day7NoReplyHours: 0, npsReminderHours: 0, npsNoAnswerHours: 0, marketingStatusCheckHours: 0, unconfirmedCheckHours: 0 } },
    send: (message) => sendTemplate(graphApi, message),
    publish: async (events) => void published.push(...events),
    templateAvailability: cachedAvailability(templateStatus, { nowMs: () => cacheNowMs }),
  });
  service = await createStepFunctionsService({
    stateMachines: [{ arn: JOURNEY, name: 'posventa-journey', definition }],
    clock,
    region: REGION,
    accountId: ACCOUNT,
    invokeTask: async (resource, input) => {
      if (resource !== SEND_ARN) throw new Error(`unexpected task ${resource}`);
      const outcome = await runSendStep(input as SendStepInput, deps);
      outcomes.push({ input: input as SendStepInput, outcome, at: clock.now().getTime() });
      return outcome;
    },
  });
}, 120_000);

afterAll(async () => {
  await service?.close();
  await new Promise((resolve) => graph?.close(resolve));
  await db?.stop();
});

let orderSeq = 0;
function purchaseFor(phone: string, withOptIn = true): PurchaseDetail {
  const now = clock.now().toISOString();
  return {
    orderId: `AR-${++orderSeq}`,
    purchasedAt: now,
    customer: {
      id: `C-${phone}`,
      phone,
      name: 'Lucía',
      locale: 'es-AR',
      timezone: 'America/Argentina/Buenos_Aires',
      ...(withOptIn ? { optIn: { source: 'checkout-checkbox', at: now } } : {}),
    },
    items: [{ sku: 'CAF-DLX', name: 'Cafetera Deluxe' }],
  };
}

/** What start-journey does: record the purchase opt-in, start the execution named after the order. */
async function startJourney(purchase: PurchaseDetail, options: { holdout?: boolean } = {}): Promise<string> {
  const optIn = consentChangeOfPurchase(purchase);
  if (optIn !== undefined) await recordConsent(optIn);
  const { name, input } = journeyExecution(purchase, DEFAULT_JOURNEY_CONFIG, clock.now());
  const started = service.startExecution({
    stateMachineArn: JOURNEY,
    name,
    input: JSON.stringify({ ...input, holdout: options.holdout ?? input.holdout }),
  });
  if (!started.ok) throw new Error(started.error.message);
  return started.value.executionArn;
}

async function untilEnded(executionArn: string): Promise<string> {
  for (;;) {
    const described = service.describeExecution({ executionArn });
    if (!described.ok) throw new Error(described.error.message);
    if (described.value.status !== 'RUNNING') return described.value.status;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function claimedAtOf(orderId: string): Promise<number> {
  const { Item } = await db.client.send(new GetItemCommand({ TableName: journeysTable, Key: { pk: { S: `ORDER#${orderId}` }, sk: { S: 'MESSAGE#day60' } }, ConsistentRead: true }));
  return Date.parse(Item?.claimedAt?.S ?? '');
}

const requestsTo = (phone: string) => graphRequests.filter((r) => r.to === phone.slice(1));
const eventsOf = (orderId: string) => published.filter((e) => 'orderId' in e.detail && e.detail.orderId === orderId);
const skipsOf = (orderId: string) => eventsOf(orderId).filter((e) => e.type === DOMAIN_EVENT.messageSkipped).map((e) => [e.detail.milestone, (e.detail as { reason?: string }).reason]);

describe('the journey ASL over the real send step, DynamoDB Local and Graph over HTTP', () => {
  it('decides per contact: holdout, opt-out, no opt-in send nothing; caps hold across journeys; Meta errors are handled', async () => {
    const phones = {
      holdout: '+5491155550101',
      optedOut: '+5491155550102',
      noOptIn: '+5491155550103',
      twoOrders: '+5491155550104',
      limited: '+5491155550105',
      stopped: '+5491155550106',
    };
    const holdout = purchaseFor(phones.holdout);
    const optedOut = purchaseFor(phones.optedOut);
    const noOptIn = purchaseFor(phones.noOptIn, false);
    const [first, second] = [purchaseFor(phones.twoOrders), purchaseFor(phones.twoOrders)];
    const limited = purchaseFor(phones.limited);
    const stopped = purchaseFor(phones.stopped);
    graphErrors.set(`${phones.limited.slice(1)}/posventa_day60_offer`, [131049, 131049]);
    graphErrors.set(`${phones.stopped.slice(1)}/posventa_day60_offer`, [131050]);

    // Opted in at checkout, then wrote STOP (before the journey runs, whatever the machine's speed).
    await recordConsent(consentChangeOfPurchase(optedOut)!);
    await recordConsent({ contact: { phone: phones.optedOut }, action: 'opt-out', scopes: ['utility', 'marketing'], source: 'keyword', actor: 'customer', at: clock.now().toISOString(), evidenceId: 'keyword:wamid.stop-1' });

    const executions = [
      await startJourney(holdout, { holdout: true }),
      await startJourney(optedOut),
      await startJourney(noOptIn),
      await startJourney(first),
      await startJourney(second),
      await startJourney(limited),
      await startJourney(stopped),
    ];

    const statuses = await Promise.all(executions.map(untilEnded));
    expect(statuses).toEqual(executions.map(() => 'SUCCEEDED'));

    // Holdout: enrolled, never messaged; every milestone skipped as `holdout` (the KPI's control group).
    expect(requestsTo(phones.holdout)).toEqual([]);
    expect(skipsOf(holdout.orderId)).toEqual([['day7', 'holdout'], ['day30', 'holdout'], ['day60', 'holdout']]);
    // Opted out, and never opted in: nothing sent, each skip with its reason.
    expect(requestsTo(phones.optedOut)).toEqual([]);
    expect(skipsOf(optedOut.orderId)).toEqual([['day7', 'opted-out'], ['day30', 'opted-out'], ['day60', 'opted-out']]);
    expect(requestsTo(phones.noOptIn)).toEqual([]);
    expect(skipsOf(noOptIn.orderId)).toEqual([['day7', 'no-opt-in'], ['day30', 'no-opt-in'], ['day60', 'no-opt-in']]);

    // Two journeys of one contact: both day-7 messages (utility); one NPS survey (90 days);
    // one day-60 offer inside 7 days, the other deferred and sent after the cap.
    const pair = requestsTo(phones.twoOrders);
    // (This phone's day-7 variant is B: variants are assigned per customer.)
    expect(pair.map((r) => r.template)).toEqual(['posventa_day7_adoption_b', 'posventa_day7_adoption_b', 'posventa_day30_nps', 'posventa_day60_offer', 'posventa_day60_offer']);
    expect([...skipsOf(first.orderId), ...skipsOf(second.orderId)]).toEqual([['day30', 'nps-recently-asked']]);
    const [, offer2] = pair.filter((r) => r.template === 'posventa_day60_offer');
    // The cap runs from the first offer's claim (its send follows after one DynamoDB transaction).
    const firstClaimedAt = Math.min(...(await Promise.all([first.orderId, second.orderId].map(claimedAtOf))));
    expect(offer2!.at - firstClaimedAt).toBeGreaterThanOrEqual(7 * DAY_MS);
    const deferred = outcomes.filter((o) => o.outcome.status === 'deferred' && o.input.purchase.customer.phone === phones.twoOrders);
    expect(deferred.map((o) => o.outcome)).toEqual([expect.objectContaining({ reason: 'frequency-cap', capDeferrals: 1 })]);
    const sentOffers = published.filter((e) => e.type === DOMAIN_EVENT.messageSent && e.detail.milestone === 'day60' && [first.orderId, second.orderId].includes(e.detail.orderId));
    expect(sentOffers).toHaveLength(2);

    // 131049 twice: retried no sooner than 24 h, then 48 h later, then sent.
    const tries = requestsTo(phones.limited).filter((r) => r.template === 'posventa_day60_offer');
    expect(tries.map((r) => r.answer)).toEqual([131049, 131049, 'ok']);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(24 * HOUR);
    expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(48 * HOUR);
    expect(eventsOf(limited.orderId).filter((e) => e.type === DOMAIN_EVENT.messageFailed)).toEqual([]);

    // 131050: failed, and recorded as a marketing opt-out; utility consent untouched; no e-mail fallback.
    const state = await consent.readState(phones.stopped);
    expect(state?.scopes.marketing).toMatchObject({ status: 'opted-out', source: 'send-error-131050' });
    expect(state?.scopes.utility).toMatchObject({ status: 'opted-in' });
    expect(eventsOf(stopped.orderId).map((e) => [e.type, e.detail.milestone])).toEqual([
      [DOMAIN_EVENT.messageSent, 'day7'],
      [DOMAIN_EVENT.messageSent, 'day30'],
      [DOMAIN_EVENT.messageFailed, 'day60'],
    ]);
  });
});

describe('an opt-out racing the send step', () => {
  it('committed between the decision and the claim: the claim fails, the step decides again and skips; Meta gets nothing', async () => {
    const phone = '+5491155550177';
    const purchase = purchaseFor(phone);
    await recordConsent(consentChangeOfPurchase(purchase)!);
    let raced = false;
    // The customer's BAJA commits right after the step has read consent (opted in), before its claim.
    const racingConsent: ConsentStore = {
      ...consent,
      async readState(contact) {
        const state = await consent.readState(contact);
        if (!raced) {
          raced = true;
          await recordConsent(consentChangeOfText({ contact: { phone }, messageId: 'wamid.race-baja', at: clock.now().toISOString(), text: 'BAJA' })!);
        }
        return state;
      },
    };
    const outcome = await sendStep({ orderId: purchase.orderId, purchase, milestone: 'day7', dueAt: clock.now().toISOString() }, { ...sendStepDeps, consent: racingConsent });

    expect(raced).toBe(true);
    expect(outcome).toMatchObject({ status: 'skipped', reason: 'opted-out' });
    expect(requestsTo(phone)).toEqual([]);
    const { Item } = await db.client.send(new GetItemCommand({ TableName: journeysTable, Key: { pk: { S: `ORDER#${purchase.orderId}` }, sk: { S: 'MESSAGE#day7' } }, ConsistentRead: true }));
    expect(Item?.status?.S).toBe('skipped');
  });

  it('a claim holds the consent version it was decided on', async () => {
    const phone = '+5491155550178';
    const purchase = purchaseFor(phone);
    await recordConsent(consentChangeOfPurchase(purchase)!);
    const version = (await consent.readState(phone))!.version;
    const claim = (orderId: string, v: number) => ({ orderId, milestone: 'day7' as const, template: 'posventa_day7_adoption', variant: 'A', claimedAt: clock.now().toISOString(), consent: { phone, version: v } });
    expect(await journeys.claimMessage(claim('GUARD-stale', version - 1))).toEqual({ claimed: false, consentChanged: true });
    expect(await journeys.claimMessageUnderCaps(claim('GUARD-stale', version + 1), [])).toEqual({ claimed: false, consentChanged: true });
    expect(await journeys.claimMessage(claim('GUARD-current', version))).toEqual({ claimed: true });
    const { Item } = await db.client.send(new GetItemCommand({ TableName: journeysTable, Key: { pk: { S: 'ORDER#GUARD-current' }, sk: { S: 'MESSAGE#day7' } }, ConsistentRead: true }));
    expect(Item?.consentVersion?.N).toBe(String(version));
    // Nothing of the failed claims was written.
    const stale = await db.client.send(new GetItemCommand({ TableName: journeysTable, Key: { pk: { S: 'ORDER#GUARD-stale' }, sk: { S: 'MESSAGE#day7' } }, ConsistentRead: true }));
    expect(stale.Item).toBeUndefined();
  });
});

describe('template status at Meta, recorded from its webhooks, decides what the send step sends', () => {
  /** Meta's id of each template (a template's languages share it). */
  const TEMPLATE_IDS: Record<string, number> = { posventa_day7_adoption: 1689556908129801, posventa_day7_adoption_b: 1689556908129802, posventa_day60_offer: 1689556908129803 };
  const statusValue = (name: string, event: string, language = 'es', reason: string | null = 'NONE') => ({
    event,
    message_template_id: TEMPLATE_IDS[name],
    message_template_name: name,
    message_template_language: language,
    reason,
  });
  const messageRecord = async (orderId: string, milestone: string) =>
    (await db.client.send(new GetItemCommand({ TableName: journeysTable, Key: { pk: { S: `ORDER#${orderId}` }, sk: { S: `MESSAGE#${milestone}` } }, ConsistentRead: true }))).Item;
  const templatesSentTo = (phone: string, orderStart: number) => requestsTo(phone).filter((r) => r.at >= orderStart).map((r) => r.template);

  it('a paused or rejected variant falls back to the other (recorded on the message); with none left, skip `template-unavailable`; re-approved, it is sent again', async () => {
    const phone = '+5491155550111';
    const assigned = chooseTemplate('day7', { phone }, { unavailable: new Map() });
    if (assigned.status !== 'chosen') throw new Error('day 7 always has a variant');
    const [own, other] = assigned.variant === 'A' ? ['posventa_day7_adoption', 'posventa_day7_adoption_b'] : ['posventa_day7_adoption_b', 'posventa_day7_adoption'];
    const otherVariant = assigned.variant === 'A' ? 'B' : 'A';

    // Meta pauses the customer's day-7 variant in Spanish (approved in English), and rejects the
    // Spanish day-60 offer; a late, older approval of that offer arrives after the rejection.
    const t0 = Math.floor(Date.now() / 1000);
    expect(await postTemplateWebhook('message_template_status_update', statusValue(own, 'APPROVED', 'es'), t0 - 3_600)).toBe(200);
    expect(await postTemplateWebhook('message_template_status_update', statusValue(own, 'PAUSED', 'es'), t0)).toBe(200);
    expect(await postTemplateWebhook('message_template_status_update', statusValue(own, 'APPROVED', 'en'), t0)).toBe(200);
    expect(await postTemplateWebhook('message_template_status_update', statusValue('posventa_day60_offer', 'REJECTED', 'es', 'INCORRECT_CATEGORY'), t0)).toBe(200);
    expect(await postTemplateWebhook('message_template_status_update', statusValue('posventa_day60_offer', 'REJECTED', 'es', 'INCORRECT_CATEGORY'), t0)).toBe(200);
    expect(await postTemplateWebhook('message_template_status_update', statusValue('posventa_day60_offer', 'APPROVED', 'es'), t0 - 60)).toBe(200);
    // The send step's containers see it once their minute of cache is over.
    cacheNowMs += 60_000;

    const first = purchaseFor(phone);
    const firstStart = clock.now().getTime();
    expect(await untilEnded(await startJourney(first))).toBe('SUCCEEDED');
    expect(templatesSentTo(phone, firstStart)).toEqual([other, 'posventa_day30_nps']);
    expect(await messageRecord(first.orderId, 'day7')).toMatchObject({
      status: { S: 'sent' },
      template: { S: other },
      variant: { S: otherVariant },
      assignedVariant: { S: assigned.variant },
      standInReason: { S: `${own} PAUSED at Meta since ${new Date(t0 * 1000).toISOString()}` },
    });
    // KPIs count the message under the variant that was sent.
    expect(eventsOf(first.orderId).find((e) => e.type === DOMAIN_EVENT.messageSent && e.detail.milestone === 'day7')?.detail).toMatchObject({ template: other, variant: otherVariant });
    expect(skipsOf(first.orderId)).toEqual([['day60', 'template-unavailable']]);
    const skipped = eventsOf(first.orderId).find((e) => e.type === DOMAIN_EVENT.messageSkipped);
    expect((skipped?.detail as { detail?: string }).detail).toBe(
      `no template of day60 can be sent now: posventa_day60_offer REJECTED at Meta since ${new Date(t0 * 1000).toISOString()} (INCORRECT_CATEGORY)`,
    );

    // Meta approves both again (a later webhook); after the cache's minute they are sent again.
    expect(await postTemplateWebhook('message_template_status_update', statusValue(own, 'REINSTATED', 'es'), t0 + 60)).toBe(200);
    expect(await postTemplateWebhook('message_template_status_update', statusValue('posventa_day60_offer', 'APPROVED', 'es'), t0 + 60)).toBe(200);
    cacheNowMs += 60_000;
    const second = purchaseFor(phone);
    const secondStart = clock.now().getTime();
    expect(await untilEnded(await startJourney(second))).toBe('SUCCEEDED');
    // Day 30 is inside the first survey's 90 days: skipped for that, not for its template.
    expect(templatesSentTo(phone, secondStart)).toEqual([own, 'posventa_day60_offer']);
    expect(await messageRecord(second.orderId, 'day7')).not.toHaveProperty('assignedVariant');
  });
});

describe('dynamoJourneyStore caps (shared/aws/journey-store.ts) on DynamoDB Local', () => {
  const take = (at: string) => ({ cap: 'marketing' as const, phone: '+5491155550199', at, lastAtOrBefore: new Date(Date.parse(at) - 7 * DAY_MS).toISOString(), expiresAt: new Date(Date.parse(at) + 8 * DAY_MS).toISOString() });
  const claim = (orderId: string, claimedAt: string) => ({ orderId, milestone: 'day60' as const, template: 'posventa_day60_offer', variant: 'A', claimedAt });

  it('lets one of 8 concurrent marketing claims of one contact through; the others see when the cap was taken', async () => {
    const at = '2026-05-01T12:00:00.000Z';
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => journeys.claimMessageUnderCaps(claim(`CAP-${i}`, at), [take(at)])));
    expect(results.filter((r) => r.claimed)).toHaveLength(1);
    for (const result of results.filter((r) => !r.claimed)) {
      // A race may also end as a conflict, which the state machine retries.
      if ('capped' in result) expect(result).toEqual({ claimed: false, capped: 'marketing', lastAt: at });
      else expect(result).toEqual({ claimed: false, conflict: true });
    }
    const winner = results.findIndex((r) => r.claimed);

    // Its own retry passes (same order × milestone); after 7 days another order passes.
    await journeys.releaseClaim(`CAP-${winner}`, 'day60');
    expect(await journeys.claimMessageUnderCaps(claim(`CAP-${winner}`, '2026-05-02T12:00:00.000Z'), [take('2026-05-02T12:00:00.000Z')])).toEqual({ claimed: true });
    expect(await journeys.claimMessageUnderCaps(claim('CAP-late', '2026-05-09T11:59:59.999Z'), [take('2026-05-09T11:59:59.999Z')])).toEqual({ claimed: false, capped: 'marketing', lastAt: '2026-05-02T12:00:00.000Z' });
    expect(await journeys.claimMessageUnderCaps(claim('CAP-late', '2026-05-09T12:00:00.000Z'), [take('2026-05-09T12:00:00.000Z')])).toEqual({ claimed: true });
    // A claim that exists wins over the cap: a retried step learns what it did.
    expect(await journeys.claimMessageUnderCaps(claim('CAP-late', '2026-05-09T12:00:05.000Z'), [take('2026-05-09T12:00:05.000Z')])).toEqual({
      claimed: false,
      existing: { status: 'claimed', claimedAt: '2026-05-09T12:00:00.000Z', template: 'posventa_day60_offer', variant: 'A' },
    });
  });

  it('records a skip once and answers a second one with the first', async () => {
    const skip = { orderId: 'SKIP-1', milestone: 'day7' as const, template: 'posventa_day7_adoption', variant: 'A', reason: 'holdout', detail: 'control group', skippedAt: '2026-05-01T12:00:00.000Z' };
    expect(await journeys.recordSkipped(skip)).toEqual({ recorded: true });
    expect(await journeys.recordSkipped({ ...skip, reason: 'opted-out', skippedAt: '2026-05-01T13:00:00.000Z' })).toEqual({
      recorded: false,
      existing: { status: 'skipped', reason: 'holdout', detail: 'control group', skippedAt: '2026-05-01T12:00:00.000Z' },
    });
  });
});
