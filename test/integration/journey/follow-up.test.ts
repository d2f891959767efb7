import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { virtualClock } from '#shared/clock';
import { consentChangeOfPurchase, type ConsentChange } from '#shared/consent/changes';
import type { ConsentStore } from '#shared/consent/record';
import { DOMAIN_EVENT, type DomainEvent } from '#shared/events/domain';
import type { PurchaseDetail } from '#shared/events/purchase';
import { DEFAULT_JOURNEY_CONFIG } from '#shared/journey/config';
import type { FollowUpDeps, FollowUpInput } from '#shared/journey/follow-up';
import type { JourneyStore } from '#shared/journey/journey-store';
import type { SendStepInput } from '#shared/journey/send-step';
import { journeyExecution } from '#shared/journey/start';
import { cachedAvailability } from '#shared/templates/status';
import { signWebhookBody } from '#shared/whatsapp/signature';
import type { WebhookEffectsDeps } from '#shared/whatsapp/webhook-effects';
import { createStepFunctionsService, type StepFunctionsService } from '../../../local/stepfunctions';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../support/dynamodb-local';

/**
 * What follows a sent message, end to end below the handlers: the real journey ASL on the
 * local Step Functions (virtual clock), the real send and follow-up steps and DynamoDB
 * adapters on DynamoDB Local, the real Graph client over HTTP to a fake Graph API, and the
 * real webhook intake and effects for what Meta and the customers send back (signed bodies):
 * customers who answer right away, who never answer, who opt out; Meta's `failed` statuses.
 */

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const SEND_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:posventa-send-step`;
const JOURNEY = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:posventa-journey`;
const DAY_MS_LOCAL = 100;
const HOUR = 3_600_000;
const APP_SECRET = 'follow-up-test-secret';

const definition = JSON.parse(readFileSync(new URL('../../../statemachines/journey.asl.json', import.meta.url), 'utf8').replaceAll('${SendStepFunctionArn}', SEND_ARN)) as object;
const clock = virtualClock(Date.now(), DAY_MS_LOCAL);

/** What a simulated customer or Meta does after a send of `<template>` to a phone: answer, or fail it. */
type Reaction = { reply: string } | { failWith: number } | { optOut: true };
const reactions = new Map<string, Reaction[]>();
const reactionKey = (phone: string, template: string) => `${phone}/${template}`;

interface GraphRequest {
  to: string;
  template: string;
  wamid: string;
  at: number;
}
const graphRequests: GraphRequest[] = [];
const published: DomainEvent[] = [];
const pendingReactions: Array<Promise<unknown>> = [];

let db: LocalDynamoDb;
let graph: Server;
let service: StepFunctionsService;
let consent: ConsentStore;
let journeys: JourneyStore;
let journeysTable: string;
let recordConsent: (change: ConsentChange) => Promise<unknown>;
let deliverWebhook: (body: object) => Promise<number>;
let deliverTemplateStatus: (value: { event: string; message_template_name: string; message_template_language: string }, time: number) => Promise<number>;
/** Real time as the send step's template cache sees it (shared/templates/status.ts); the test moves it. */
let cacheNowMs = 0;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  const [
    journeyStoreModule,
    { dynamoConsentStore },
    { dynamoMarketingPauses },
    { dynamoMessageFacts, dynamoNpsAnswers },
    webhookStore,
    { runSendStep },
    { runFollowUp },
    { sendTemplate },
    { recordConsentChange },
    { receiveWebhook },
    { dynamoTemplateStatusStore },
  ] = await Promise.all([
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
      import('#shared/aws/template-status-store'),
    ]);
  let contactsTable: string;
  let templatesTable: string;
  [journeysTable, contactsTable, templatesTable] = await Promise.all([db.createTable('journeys'), db.createTable('contacts'), db.createTable('templates')]);
  const templateStatus = dynamoTemplateStatusStore(templatesTable);
  consent = dynamoConsentStore(contactsTable);
  journeys = journeyStoreModule.dynamoJourneyStore(journeysTable, { consentTableName: contactsTable });
  recordConsent = (change) => recordConsentChange(change, { store: consent, clock });
  const publish = async (events: DomainEvent[]) => void published.push(...events);

  const webhookDeps: WebhookEffectsDeps = {
    journeys,
    marks: webhookStore.dynamoWebhookMarks(journeysTable),
    contacts: webhookStore.dynamoContactFacts(contactsTable),
    facts: dynamoMessageFacts(journeysTable),
    npsAnswers: dynamoNpsAnswers(journeysTable),
    publish,
    consent: { store: consent, clock, journeys: { journeysOf: async () => [] }, stopJourney: async () => undefined },
    templates: templateStatus,
    unquotedReplyMaxAgeMs: 7 * 86_400_000,
  };
  deliverTemplateStatus = async (value, time) => {
    const raw = Buffer.from(
      JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', time, changes: [{ field: 'message_template_status_update', value: { message_template_id: 77, reason: 'NONE', ...value } }] }] }),
    );
    return (await receiveWebhook(raw, signWebhookBody(raw, APP_SECRET), APP_SECRET, webhookDeps)).statusCode;
  };
  deliverWebhook = async (value) => {
    const raw = Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '5491100000000', phone_number_id: '100000000000001' }, ...value } }] }] }));
    return (await receiveWebhook(raw, signWebhookBody(raw, APP_SECRET), APP_SECRET, webhookDeps)).statusCode;
  };

  graph = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to: string; template: { name: string }; biz_opaque_callback_data?: string };
      const wamid = `wamid.FU${graphRequests.length + 1}`;
      graphRequests.push({ to: body.to, template: body.template.name, wamid, at: clock.now().getTime() });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: wamid }] }));
      const reaction = reactions.get(reactionKey(`+${body.to}`, body.template.name))?.shift();
      if (reaction !== undefined) pendingReactions.push(react(reaction, body.to, wamid, body.biz_opaque_callback_data));
    });
  });
  await new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', resolve));
  const graphApi = { baseUrl: `http://127.0.0.1:${(graph.address() as AddressInfo).port}`, version: 'v23.0', phoneNumberId: '100000000000001', accessToken: 'token' };

  const deps: FollowUpDeps = {
    clock,
    journeys,
    consent,
    pauses: dynamoMarketingPauses(contactsTable),
    config: DEFAULT_JOURNEY_CONFIG,
    send: (message) => sendTemplate(graphApi, message),
    publish,
    followUps: dynamoMessageFacts(journeysTable),
    npsAnswers: dynamoNpsAnswers(journeysTable),
    templateAvailability: cachedAvailability(templateStatus, { nowMs: () => cacheNowMs }),
  };
  service = await createStepFunctionsService({
    stateMachines: [{ arn: JOURNEY, name: 'posventa-journey', definition }],
    clock,
    region: REGION,
    accountId: ACCOUNT,
    invokeTask: async (resource, input) => {
      if (resource !== SEND_ARN) throw new Error(`unexpected task ${resource}`);
      if ((input as { step?: string }).step !== 'follow-up') return runSendStep(input as SendStepInput, deps);
      // The customers and Meta below answer within the follow-up's wait, however slow this machine is.
      await Promise.all(pendingReactions);
      return runFollowUp(input as FollowUpInput, deps);
    },
  });
}, 120_000);

afterAll(async () => {
  await service?.close();
  await new Promise((resolve) => graph?.close(resolve));
  await db?.stop();
});

/**
 * Meta's answer comes a moment after the send; the webhook finds the journey by the wamid the
 * send step records right after Meta's answer, so the reaction waits for that record.
 */
async function react(reaction: Reaction, to: string, wamid: string, callbackData: string | undefined): Promise<void> {
  while ((await journeys.messageByWamid(wamid)) === undefined) await new Promise((resolve) => setTimeout(resolve, 2));
  const timestamp = String(Math.floor(clock.now().getTime() / 1000));
  if ('optOut' in reaction) {
    // Recorded, but the execution is not stopped (StopExecution lost the race): the journey itself must hold.
    await recordConsent({ contact: { phone: `+${to}` }, action: 'opt-out', scopes: ['utility', 'marketing'], source: 'keyword', actor: 'customer', at: clock.now().toISOString(), evidenceId: `keyword:${wamid}.stop` });
    return;
  }
  const value =
    'reply' in reaction
      ? { contacts: [{ profile: { name: 'Cliente' }, wa_id: to }], messages: [{ from: to, id: `${wamid}.reply`, timestamp, type: 'text', text: { body: reaction.reply }, context: { id: wamid } }] }
      : { statuses: [{ id: wamid, status: 'failed', timestamp, recipient_id: to, ...(callbackData === undefined ? {} : { biz_opaque_callback_data: callbackData }), errors: [{ code: reaction.failWith, title: 'simulated' }] }] };
  expect(await deliverWebhook(value)).toBe(200);
}

let orderSeq = 0;
function purchaseFor(phone: string, locale = 'es-AR'): PurchaseDetail {
  const now = clock.now().toISOString();
  return {
    orderId: `FU-${++orderSeq}`,
    purchasedAt: now,
    customer: { id: `C-${phone}`, phone, name: 'Lucía', locale, timezone: 'America/Argentina/Buenos_Aires', optIn: { source: 'checkout-checkbox', at: now } },
    items: [{ sku: 'CAF-DLX', name: 'Cafetera Deluxe' }],
  };
}

async function startJourney(purchase: PurchaseDetail): Promise<string> {
  await recordConsent(consentChangeOfPurchase(purchase)!);
  const { name, input } = journeyExecution(purchase, DEFAULT_JOURNEY_CONFIG, clock.now());
  const started = service.startExecution({ stateMachineArn: JOURNEY, name, input: JSON.stringify(input) });
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

async function followUpResult(orderId: string, milestone: string): Promise<string | undefined> {
  const { Item } = await db.client.send(new GetItemCommand({ TableName: journeysTable, Key: { pk: { S: `ORDER#${orderId}` }, sk: { S: `MESSAGE#${milestone}` } }, ConsistentRead: true }));
  return Item?.followUpResult?.S;
}

const requestsTo = (phone: string) => graphRequests.filter((r) => r.to === phone.slice(1));
const templatesSentTo = (phone: string) => requestsTo(phone).map((r) => r.template);
const eventsOf = (orderId: string, type: string) => published.filter((e) => e.type === type && 'orderId' in e.detail && e.detail.orderId === orderId);

describe('the post-send follow-up through the journey ASL, the webhook and DynamoDB Local', () => {
  it('reminds once, then records no answer; a reply or an opt-out prevents the reminder; day 7 without a reply asks for one fallback; Meta’s failed statuses are repaired', async () => {
    const phones = {
      silent: '+5491155550201',
      answers: '+5491155550202',
      optsOut: '+5491155550203',
      limited: '+5491155550204',
      stopped: '+5491155550205',
    };
    reactions.set(reactionKey(phones.answers, 'posventa_day7_adoption_b'), [{ reply: '1' }]);
    reactions.set(reactionKey(phones.answers, 'posventa_day7_adoption'), [{ reply: '1' }]);
    reactions.set(reactionKey(phones.answers, 'posventa_day30_nps'), [{ reply: '9' }]);
    reactions.set(reactionKey(phones.optsOut, 'posventa_day30_nps'), [{ optOut: true }]);
    reactions.set(reactionKey(phones.limited, 'posventa_day60_offer'), [{ failWith: 131049 }, { failWith: 131049 }]);
    reactions.set(reactionKey(phones.stopped, 'posventa_day60_offer'), [{ failWith: 131050 }]);

    const purchases = Object.fromEntries(Object.entries(phones).map(([who, phone]) => [who, purchaseFor(phone)])) as Record<keyof typeof phones, PurchaseDetail>;
    const executions = await Promise.all(Object.values(purchases).map(startJourney));
    expect(await Promise.all(executions.map(untilEnded))).toEqual(executions.map(() => 'SUCCEEDED'));
    await Promise.all(pendingReactions);

    // No answer to the survey: exactly one reminder, no sooner than 48 h after it, then "no answer" once.
    const silent = purchases.silent;
    const silentSends = requestsTo(phones.silent);
    expect(silentSends.map((r) => r.template).filter((t) => t.startsWith('posventa_day30'))).toEqual(['posventa_day30_nps', 'posventa_day30_nps_reminder']);
    const [survey, reminder] = silentSends.filter((r) => r.template.startsWith('posventa_day30'));
    expect(reminder!.at - survey!.at).toBeGreaterThanOrEqual(48 * HOUR);
    expect(eventsOf(silent.orderId, DOMAIN_EVENT.npsUnanswered).map((e) => e.detail)).toEqual([
      expect.objectContaining({ eventId: `nps-unanswered:${silent.orderId}:day30`, milestone: 'day30', template: 'posventa_day30_nps', wamid: survey!.wamid, reminded: true }),
    ]);
    const unanswered = eventsOf(silent.orderId, DOMAIN_EVENT.npsUnanswered)[0]!;
    expect(Date.parse(unanswered.detail.occurredAt) - reminder!.at).toBeGreaterThanOrEqual(48 * HOUR);
    expect(eventsOf(silent.orderId, DOMAIN_EVENT.messageSent).map((e) => [e.detail.milestone, e.detail.template, e.detail.variant])).toContainEqual(['day30', 'posventa_day30_nps_reminder', 'A']);
    expect(await followUpResult(silent.orderId, 'day30')).toBe('no-answer');
    // …and its day-7 message, never answered, asked for one fallback.
    expect(eventsOf(silent.orderId, DOMAIN_EVENT.fallbackRequested).map((e) => [e.detail.milestone, (e.detail as { reason?: string }).reason])).toEqual([['day7', expect.stringMatching(/^no reply/)]]);
    expect(await followUpResult(silent.orderId, 'day7')).toBe('fallback-requested');

    // Answered right away (day 7 and the survey): no reminder, no "no answer", no fallback.
    const answers = purchases.answers;
    expect(templatesSentTo(phones.answers).filter((t) => t.startsWith('posventa_day30'))).toEqual(['posventa_day30_nps']);
    expect(eventsOf(answers.orderId, DOMAIN_EVENT.npsAnswered)).toHaveLength(1);
    expect(eventsOf(answers.orderId, DOMAIN_EVENT.npsUnanswered)).toEqual([]);
    expect(eventsOf(answers.orderId, DOMAIN_EVENT.fallbackRequested)).toEqual([]);
    expect([await followUpResult(answers.orderId, 'day7'), await followUpResult(answers.orderId, 'day30')]).toEqual(['replied', 'replied']);

    // Opted out after the survey (the execution was not stopped): no reminder, and nothing more.
    const optsOut = purchases.optsOut;
    expect(templatesSentTo(phones.optsOut).filter((t) => t.startsWith('posventa_day30'))).toEqual(['posventa_day30_nps']);
    expect(eventsOf(optsOut.orderId, DOMAIN_EVENT.npsUnanswered).map((e) => e.detail)).toEqual([expect.objectContaining({ reminded: false, reminderSkipped: 'opted-out' })]);
    expect(templatesSentTo(phones.optsOut)).not.toContain('posventa_day60_offer');

    // 131049 in a failed status on the marketing message: resent no sooner than 24 h, then 48 h after each failure, once per gap.
    const offers = requestsTo(phones.limited).filter((r) => r.template === 'posventa_day60_offer');
    expect(offers).toHaveLength(3);
    expect(offers[1]!.at - offers[0]!.at).toBeGreaterThanOrEqual(24 * HOUR - 1_000);
    expect(offers[2]!.at - offers[1]!.at).toBeGreaterThanOrEqual(48 * HOUR - 1_000);
    const limited = purchases.limited;
    expect(eventsOf(limited.orderId, DOMAIN_EVENT.messageFailed).map((e) => e.detail.errorCode)).toEqual([131049, 131049]);
    expect(eventsOf(limited.orderId, DOMAIN_EVENT.messageSent).filter((e) => e.detail.milestone === 'day60')).toHaveLength(3);
    expect(eventsOf(limited.orderId, DOMAIN_EVENT.fallbackRequested).filter((e) => e.detail.milestone === 'day60')).toEqual([]);
    expect(await followUpResult(limited.orderId, 'day60')).toBe('no-failure');

    // 131050 in a failed status: a marketing opt-out with its evidence, once; utility untouched; no fallback.
    const stopped = purchases.stopped;
    const state = await consent.readState(phones.stopped);
    expect(state?.scopes.marketing).toMatchObject({ status: 'opted-out', source: 'send-error-131050' });
    expect(state?.scopes.utility).toMatchObject({ status: 'opted-in' });
    const evidence = (await consent.listEvidence(phones.stopped)).filter((e) => e.source === 'send-error-131050');
    expect(evidence).toHaveLength(1);
    expect(evidence[0]).toMatchObject({ evidenceId: `send-error-131050:${requestsTo(phones.stopped).at(-1)!.wamid}`, orderId: stopped.orderId });
    expect(eventsOf(stopped.orderId, DOMAIN_EVENT.fallbackRequested).filter((e) => e.detail.milestone === 'day60')).toEqual([]);
    expect(await followUpResult(stopped.orderId, 'day60')).toBe('marketing-opt-out');
  });

  it('sends no reminder while Meta has it paused in the customer’s language (no answer, with the reason), and sends it again once reinstated', async () => {
    // Brazilian customers: the reminder is paused in pt_BR only.
    const [first, second] = [purchaseFor('+5511955550211', 'pt-BR'), purchaseFor('+5511955550212', 'pt-BR')];
    const t0 = Math.floor(Date.now() / 1000);
    expect(await deliverTemplateStatus({ event: 'PAUSED', message_template_name: 'posventa_day30_nps_reminder', message_template_language: 'pt_BR' }, t0)).toBe(200);
    cacheNowMs += 60_000;
    expect(await untilEnded(await startJourney(first))).toBe('SUCCEEDED');
    expect(templatesSentTo(first.customer.phone).filter((t) => t.startsWith('posventa_day30'))).toEqual(['posventa_day30_nps']);
    expect(eventsOf(first.orderId, DOMAIN_EVENT.npsUnanswered).map((e) => e.detail)).toEqual([expect.objectContaining({ reminded: false, reminderSkipped: 'template-unavailable' })]);
    const { Item } = await db.client.send(new GetItemCommand({ TableName: journeysTable, Key: { pk: { S: `ORDER#${first.orderId}` }, sk: { S: 'MESSAGE#day30' } }, ConsistentRead: true }));
    expect(Item?.followUpDetail?.S).toBe(`reminder not sent: template-unavailable (posventa_day30_nps_reminder PAUSED at Meta since ${new Date(t0 * 1000).toISOString()})`);

    expect(await deliverTemplateStatus({ event: 'APPROVED', message_template_name: 'posventa_day30_nps_reminder', message_template_language: 'pt_BR' }, t0 + 1)).toBe(200);
    cacheNowMs += 60_000;
    expect(await untilEnded(await startJourney(second))).toBe('SUCCEEDED');
    expect(templatesSentTo(second.customer.phone).filter((t) => t.startsWith('posventa_day30'))).toEqual(['posventa_day30_nps', 'posventa_day30_nps_reminder']);
    expect(eventsOf(second.orderId, DOMAIN_EVENT.npsUnanswered).map((e) => e.detail)).toEqual([expect.objectContaining({ reminded: true })]);
  });

  it('sends promoters (9–10 to the survey or its reminder) the day-60 review / referral message, everyone else the offer', async () => {
    const phones = { ten: '+5491155550221', nineToReminder: '+5491155550222', eight: '+5491155550223', silent: '+5491155550224' };
    reactions.set(reactionKey(phones.ten, 'posventa_day30_nps'), [{ reply: '10' }]);
    reactions.set(reactionKey(phones.nineToReminder, 'posventa_day30_nps_reminder'), [{ reply: '9' }]);
    reactions.set(reactionKey(phones.eight, 'posventa_day30_nps'), [{ reply: '8' }]);
    const purchases = Object.fromEntries(Object.entries(phones).map(([who, phone]) => [who, purchaseFor(phone)])) as Record<keyof typeof phones, PurchaseDetail>;
    const executions = await Promise.all(Object.values(purchases).map(startJourney));
    expect(await Promise.all(executions.map(untilEnded))).toEqual(executions.map(() => 'SUCCEEDED'));

    const day60Of = (phone: string) => templatesSentTo(phone).filter((t) => t.startsWith('posventa_day60'));
    expect(Object.values(phones).map(day60Of)).toEqual([['posventa_day60_referral'], ['posventa_day60_referral'], ['posventa_day60_offer'], ['posventa_day60_offer']]);
    // KPIs count the referral message under its own template and variant.
    expect(eventsOf(purchases.ten.orderId, DOMAIN_EVENT.messageSent).filter((e) => e.detail.milestone === 'day60').map((e) => [e.detail.template, e.detail.variant])).toEqual([
      ['posventa_day60_referral', 'P'],
    ]);
  });
});
