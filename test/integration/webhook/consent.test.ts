import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { digest } from '#shared/events/public';
import { virtualClock } from '#shared/clock';
import { OPT_OUT_BUTTON_PAYLOAD } from '#shared/consent/keywords';
import type { ConsentStore } from '#shared/consent/record';
import { CONSENT_CONFIRMATIONS } from '#shared/consent/confirmations';
import { ENV } from '#shared/env';
import { DOMAIN_EVENT } from '#shared/events/domain';
import type { ContactJourneyIndex } from '#shared/journey/contact-journeys';
import type { JourneyStore, SentMessage } from '#shared/journey/journey-store';
import { signWebhookBody } from '#shared/whatsapp/signature';
import { createEventBridgeService, type EventBridgeService } from '../../../local/eventbridge/service';
import type { BusEvent } from '../../../local/eventbridge/put-events';
import { createMetaSimulator, type MetaSimulator } from '../../../local/meta-simulator';
import { createSecretsExtension } from '../../../local/secrets-extension';
import { startServer, type LocalServer } from '../../../local/servers';
import { createStepFunctionsService, type StepFunctionsService } from '../../../local/stepfunctions';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../support/dynamodb-local';

/**
 * Opt-out and opt-in through the webhook function itself, against real components: DynamoDB
 * Local (ledger, index, marks), the local EventBridge, the local Step Functions (real SDK
 * StopExecution on running executions), and the Meta simulator over HTTP for confirmations,
 * reached through a proxy that can answer 503 like a Graph API outage.
 */
const APP_SECRET = 'consent-app-secret';
const ACCESS_TOKEN = 'consent-access-token';
const PHONE_NUMBER_ID = '100000000000077';
const BUS = 'posventa-consent-test';
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:journey-under-test`;

let db: LocalDynamoDb;
let journeysTable: string;
let contactsTable: string;
let templatesTable: string;
let bus: EventBridgeService;
let stepFunctions: StepFunctionsService;
let simulator: MetaSimulator;
let servers: LocalServer[] = [];
let graphDown = false;
let handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
let journeys: JourneyStore;
let index: ContactJourneyIndex;
let consent: ConsentStore;
let recordPurchaseOptIn: (phone: string, orderId: string) => Promise<void>;
const onBus: BusEvent[] = [];

beforeAll(async () => {
  db = await startLocalDynamoDb();
  journeysTable = await db.createTable('journeys');
  contactsTable = await db.createTable('contacts');
  templatesTable = await db.createTable('templates');

  const [eventBridgeServer, secretsServer, sfnServer, simulatorServer, graphProxy] = await Promise.all(
    ['EventBridge', 'Secrets extension', 'Step Functions', 'Meta simulator', 'Graph proxy'].map((name) => startServer(0, name)),
  );
  servers = [eventBridgeServer!, secretsServer!, sfnServer!, simulatorServer!, graphProxy!];

  bus = createEventBridgeService({
    buses: [BUS],
    clock: { now: () => new Date() },
    region: REGION,
    accountId: ACCOUNT,
    log: () => undefined,
    rules: [{ name: 'All', eventBusName: BUS, eventPattern: { source: ['posventa'] }, targets: [{ id: 'Recorder', deliver: async (event) => void onBus.push(event) }] }],
  });
  eventBridgeServer!.serve(bus.listener);

  // Real time: the journeys under test wait 30 days, so they are RUNNING until stopped.
  const clock = virtualClock(Date.now(), 86_400_000);
  stepFunctions = await createStepFunctionsService({
    stateMachines: [{ arn: MACHINE_ARN, name: 'journey-under-test', definition: { StartAt: 'Day30', States: { Day30: { Type: 'Wait', Seconds: 30 * 86_400, End: true } } } }],
    clock,
    region: REGION,
    accountId: ACCOUNT,
    invokeTask: () => Promise.reject(new Error('no tasks here')),
  });
  sfnServer!.serve(stepFunctions.listener);

  simulator = createMetaSimulator({
    accessToken: ACCESS_TOKEN,
    appSecret: APP_SECRET,
    phoneNumberId: PHONE_NUMBER_ID,
    webhookUrl: 'http://127.0.0.1:9/never',
    clock,
    // No status webhooks during the test.
    statusDelaysSeconds: { sent: 1e9, delivered: 1e9, read: 1e9 },
    log: () => undefined,
  });
  simulatorServer!.serve(simulator.listener);
  graphProxy!.serve((req: IncomingMessage, res: ServerResponse) => {
    if (graphDown) return void res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 2, message: 'Service temporarily unavailable' } }));
    simulator.listener(req, res);
  });

  const sessionToken = randomBytes(8).toString('hex');
  secretsServer!.serve(
    createSecretsExtension({ secrets: new Map([['app-secret', APP_SECRET], ['access-token', ACCESS_TOKEN]]), parameters: new Map([['verify-token', 'vt']]), sessionToken }),
  );

  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridgeServer!.url,
    AWS_ENDPOINT_URL_SFN: sfnServer!.url,
    AWS_SESSION_TOKEN: sessionToken,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(secretsServer!.port),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    [ENV.eventBusName]: BUS,
    [ENV.metaAppSecretSecretId]: 'app-secret',
    [ENV.metaVerifyTokenParameter]: 'verify-token',
    [ENV.journeysTableName]: journeysTable,
    [ENV.contactsTableName]: contactsTable,
    [ENV.templatesTableName]: templatesTable,
    [ENV.unquotedReplyMaxAgeDays]: '7',
    [ENV.graphApiBaseUrl]: graphProxy!.url,
    [ENV.graphApiVersion]: 'v23.0',
    [ENV.whatsappPhoneNumberId]: PHONE_NUMBER_ID,
    [ENV.metaAccessTokenSecretId]: 'access-token',
  });
  handler = (await import('../../../functions/webhook/handler')).handler as unknown as typeof handler;
  const journeyStore = await import('#shared/aws/journey-store');
  journeys = journeyStore.dynamoJourneyStore(journeysTable);
  index = journeyStore.dynamoContactJourneyIndex(journeysTable);
  consent = (await import('#shared/aws/consent-store')).dynamoConsentStore(contactsTable);
  const { recordConsentChange } = await import('#shared/consent/record');
  recordPurchaseOptIn = async (phone, orderId) => {
    await recordConsentChange(
      { contact: { phone }, action: 'opt-in', scopes: ['utility', 'marketing'], source: 'purchase-event', actor: 'store', at: '2026-03-01T08:00:00.000Z', evidenceId: `purchase-event:${orderId}`, orderId, detail: 'checkout' },
      { store: consent, clock: { now: () => new Date() } },
    );
  };
});

afterAll(async () => {
  simulator?.close();
  await stepFunctions?.close();
  await bus?.close();
  await Promise.all(servers.map((s) => s.close()));
  await db?.stop();
});

beforeEach(() => {
  onBus.length = 0;
  graphDown = false;
});

const context = { functionName: 'webhook', awsRequestId: 'test', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const newWamid = () => `wamid.${randomBytes(24).toString('base64')}`;
let phoneSeq = 0;
/** A fresh contact per test, so ledgers and journeys do not mix. */
const newPhone = () => `+3461${String(Date.now() % 1_000_000).padStart(6, '0')}${String(++phoneSeq).padStart(2, '0')}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

function post(raw: string): Promise<APIGatewayProxyStructuredResultV2> {
  const event = {
    version: '2.0',
    routeKey: 'POST /webhook',
    rawPath: '/webhook',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWebhookBody(raw, APP_SECRET) },
    requestContext: { http: { method: 'POST', path: '/webhook' } },
    body: raw,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  return handler(event, context);
}

const envelope = (value: Record<string, unknown>, field = 'messages') =>
  JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field, value: { messaging_product: 'whatsapp', ...value } }] }] });

const inbound = (phone: string, body: Record<string, unknown>, wamid = newWamid(), timestamp = nowSeconds()) =>
  envelope({ contacts: [{ profile: { name: 'María' }, wa_id: phone.slice(1) }], messages: [{ from: phone.slice(1), id: wamid, timestamp: String(timestamp), ...body }] });

async function busSettled(): Promise<BusEvent[]> {
  await bus.idle();
  return [...onBus];
}

/** A contact with running journeys (and one indexed whose execution never started), and a sent day-30 message. */
async function contactWithJourneys(phone: string, locale = 'es-AR'): Promise<{ running: string[]; last: SentMessage }> {
  const running: string[] = [];
  for (const n of [1, 2]) {
    const orderId = `ORD-${randomUUID().slice(0, 8)}`;
    const started = stepFunctions.startExecution({ stateMachineArn: MACHINE_ARN, name: orderId, input: '{}' });
    if (!started.ok) throw new Error('could not start');
    running.push(started.value.executionArn);
    await index.recordJourney(phone, { orderId, executionArn: started.value.executionArn, locale, purchasedAt: `2026-03-0${n}T10:00:00.000Z` }, new Date(Date.now() + 86_400_000));
  }
  const neverStarted = `ORD-${randomUUID().slice(0, 8)}`;
  await index.recordJourney(phone, { orderId: neverStarted, executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:journey-under-test:${neverStarted}`, locale: 'pt-BR', purchasedAt: '2026-01-01T00:00:00.000Z' }, new Date(Date.now() + 86_400_000));
  const last: SentMessage = { wamid: newWamid(), orderId: 'ORD-LAST', milestone: 'day30', template: 'posventa_day30_nps', variant: 'B', phone, sentAt: new Date(Date.now() - 3_600_000).toISOString() };
  await journeys.recordSentMessage(last);
  await recordPurchaseOptIn(phone, 'ORD-LAST');
  return { running, last };
}

const statusOf = (arn: string) => {
  const described = stepFunctions.describeExecution({ executionArn: arn });
  return described.ok ? described.value.status : 'MISSING';
};
const textsTo = (phone: string) => simulator.sends.filter((s) => s.waId === phone.slice(1) && s.request.type === 'text');
const textBody = (send: (typeof simulator.sends)[number]) => (send.request as { text: { body: string } }).text.body;

async function evidenceCount(phone: string): Promise<number> {
  const page = await db.client.send(
    new QueryCommand({ TableName: contactsTable, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)', ExpressionAttributeValues: { ':pk': { S: `CONTACT#${phone}` }, ':e': { S: 'EVIDENCE#' } }, ConsistentRead: true }),
  );
  return page.Count ?? 0;
}

describe('opt-out by keyword', () => {
  it('"BAJA": opted out before the answer, journeys stopped, one Spanish confirmation, one attributed Opted Out, no reply events', async () => {
    const phone = newPhone();
    const { running, last } = await contactWithJourneys(phone);
    const wamid = newWamid();
    const response = await post(inbound(phone, { type: 'text', text: { body: ' ¡Baja! ' } }, wamid));
    expect(response.statusCode).toBe(200);

    // (a) The ledger holds the opt-out by the time the webhook has answered.
    const state = await consent.readState(phone);
    expect(state?.scopes.utility).toMatchObject({ status: 'opted-out', source: 'keyword', evidenceId: `keyword:${wamid}` });
    expect(state?.scopes.marketing).toMatchObject({ status: 'opted-out', source: 'keyword' });
    const trail = await consent.listEvidence(phone);
    expect(trail.find((e) => e.evidenceId === `keyword:${wamid}`)).toMatchObject({ action: 'opt-out', messageId: wamid, text: ' ¡Baja! ', actor: 'customer' });

    // (b) Every running journey of the contact is stopped; the one that never started is fine.
    for (const arn of running) expect(statusOf(arn)).toBe('ABORTED');

    // (c) One confirmation, free-form text, in the language of the contact's latest purchase.
    const texts = textsTo(phone);
    expect(texts).toHaveLength(1);
    expect(textBody(texts[0]!)).toBe(CONSENT_CONFIRMATIONS['opt-out'].es);

    // (d) One event, attributed to the last journey message; no reply classification.
    const events = await busSettled();
    expect(events.map((e) => e['detail-type'])).toEqual([DOMAIN_EVENT.optedOut]);
    expect(events[0]!.detail).toMatchObject({
      eventId: digest(`${wamid}:opted-out`),
      orderId: 'ORD-LAST',
      milestone: 'day30',
      template: 'posventa_day30_nps',
      variant: 'B',
      wamid: digest(last.wamid),
      matchedBy: 'last-message',
      source: 'keyword',
      scopes: ['utility', 'marketing'],
    });
    expect(JSON.stringify(events)).not.toContain(phone.slice(1));
  });

  it('the same opt-out delivered twice, and three times at once: one evidence, one confirmation, one event', async () => {
    const phone = newPhone();
    await contactWithJourneys(phone);
    const raw = inbound(phone, { type: 'text', text: { body: 'STOP' } });
    expect((await post(raw)).statusCode).toBe(200);
    expect((await post(raw)).statusCode).toBe(200);
    const concurrent = await Promise.all([post(raw), post(raw), post(raw)]);
    for (const answer of concurrent) expect(answer.statusCode).toBe(200);

    expect(await evidenceCount(phone)).toBe(2); // the purchase opt-in and this opt-out
    expect(textsTo(phone)).toHaveLength(1);
    expect((await busSettled()).filter((e) => e['detail-type'] === DOMAIN_EVENT.optedOut)).toHaveLength(1);
  });

  it('a first copy that fails at the confirmation (Graph 503) leaves the opt-out in force; Meta’s retry confirms once and emits once', async () => {
    const phone = newPhone();
    const { running } = await contactWithJourneys(phone);
    const raw = inbound(phone, { type: 'text', text: { body: 'parar' } });
    graphDown = true;
    expect((await post(raw)).statusCode).toBe(500);
    expect((await consent.readState(phone))?.scopes.utility.status).toBe('opted-out');
    for (const arn of running) expect(statusOf(arn)).toBe('ABORTED');
    expect(textsTo(phone)).toHaveLength(0);

    graphDown = false;
    expect((await post(raw)).statusCode).toBe(200);
    expect((await post(raw)).statusCode).toBe(200);
    expect(textsTo(phone)).toHaveLength(1);
    expect(await evidenceCount(phone)).toBe(2);
    const events = (await busSettled()).filter((e) => e['detail-type'] === DOMAIN_EVENT.optedOut);
    // Published by the failed attempt and again by the retry, under one id: consumers count it once.
    expect(new Set(events.map((e) => e.detail.eventId)).size).toBe(1);
  });

  it('a caption is not a message to us: an image captioned "STOP" opts nobody out', async () => {
    const phone = newPhone();
    const { running } = await contactWithJourneys(phone);
    expect((await post(inbound(phone, { type: 'image', image: { id: 'media-1', mime_type: 'image/jpeg', sha256: 'x', caption: 'STOP' } }))).statusCode).toBe(200);
    expect((await consent.readState(phone))?.scopes.utility.status).toBe('opted-in');
    for (const arn of running) expect(statusOf(arn)).toBe('RUNNING');
    expect(textsTo(phone)).toHaveLength(0);
    expect((await busSettled()).map((e) => e['detail-type'])).not.toContain(DOMAIN_EVENT.optedOut);
  });

  it('STOP from someone with no journey message: recorded, confirmed in Spanish, and the event is emitted without attribution', async () => {
    const phone = newPhone();
    const wamid = newWamid();
    expect((await post(inbound(phone, { type: 'text', text: { body: 'Stop' } }, wamid))).statusCode).toBe(200);
    expect((await consent.readState(phone))?.scopes.marketing.status).toBe('opted-out');
    expect(textsTo(phone).map(textBody)).toEqual([CONSENT_CONFIRMATIONS['opt-out'].es]);
    const [event] = await busSettled();
    expect(event?.['detail-type']).toBe(DOMAIN_EVENT.optedOut);
    expect(event?.detail).toMatchObject({ eventId: digest(`${wamid}:opted-out`), source: 'keyword' });
    expect(event?.detail.milestone).toBeUndefined();
  });
});

describe('opt-out by quick reply', () => {
  it('the opt-out button, quoting our message: attributed by context, confirmed in English for an en-US customer', async () => {
    const phone = newPhone();
    const { running, last } = await contactWithJourneys(phone, 'en-US');
    const wamid = newWamid();
    const raw = inbound(phone, { type: 'button', button: { payload: OPT_OUT_BUTTON_PAYLOAD, text: 'Unsubscribe' }, context: { from: '15550000000', id: last.wamid } }, wamid);
    expect((await post(raw)).statusCode).toBe(200);
    expect((await consent.readState(phone))?.scopes.utility).toMatchObject({ status: 'opted-out', source: 'quick-reply' });
    for (const arn of running) expect(statusOf(arn)).toBe('ABORTED');
    expect(textsTo(phone).map(textBody)).toEqual([CONSENT_CONFIRMATIONS['opt-out'].en]);
    const events = await busSettled();
    expect(events.map((e) => e['detail-type'])).toEqual([DOMAIN_EVENT.optedOut]);
    expect(events[0]!.detail).toMatchObject({ eventId: digest(`${wamid}:opted-out`), wamid: digest(last.wamid), matchedBy: 'context', milestone: 'day30', source: 'quick-reply' });
  });
});

describe("Meta's user_preferences", () => {
  it('stop: marketing only — utility stays opted in, journeys keep running, nothing is sent; delivered twice, one event', async () => {
    const phone = newPhone();
    const { running } = await contactWithJourneys(phone);
    const raw = envelope({ contacts: [{ wa_id: phone.slice(1) }], user_preferences: [{ wa_id: phone.slice(1), detail: 'User requested to stop marketing messages', category: 'marketing_messages', value: 'stop', timestamp: nowSeconds() }] }, 'user_preferences');
    expect((await post(raw)).statusCode).toBe(200);
    expect((await post(raw)).statusCode).toBe(200);

    const state = await consent.readState(phone);
    expect(state?.scopes.marketing).toMatchObject({ status: 'opted-out', source: 'meta-user-preferences' });
    expect(state?.scopes.utility).toMatchObject({ status: 'opted-in', source: 'purchase-event' });
    expect(await evidenceCount(phone)).toBe(2);
    for (const arn of running) expect(statusOf(arn)).toBe('RUNNING');
    expect(textsTo(phone)).toHaveLength(0);
    const events = await busSettled();
    expect(events.map((e) => e['detail-type'])).toEqual([DOMAIN_EVENT.optedOut]);
    expect(events[0]!.detail).toMatchObject({ source: 'meta-user-preferences', scopes: ['marketing'], milestone: 'day30', orderId: 'ORD-LAST' });
    expect(JSON.stringify(events)).not.toContain(phone.slice(1));
    for (const arn of running) stepFunctions.stopExecution({ executionArn: arn });
  });
});

describe('opt back in', () => {
  it('ALTA after BAJA: both scopes opted in again, a confirmation, an Opted In event', async () => {
    const phone = newPhone();
    await contactWithJourneys(phone, 'pt-BR');
    expect((await post(inbound(phone, { type: 'text', text: { body: 'BAJA' } }, newWamid(), nowSeconds() - 60))).statusCode).toBe(200);
    const wamid = newWamid();
    // A later message (Meta's seconds): at the same second the opt-out would win the tie.
    expect((await post(inbound(phone, { type: 'text', text: { body: 'alta' } }, wamid))).statusCode).toBe(200);
    const state = await consent.readState(phone);
    expect(state?.scopes.utility).toMatchObject({ status: 'opted-in', source: 'keyword', evidenceId: `keyword:${wamid}` });
    expect(state?.scopes.marketing.status).toBe('opted-in');
    expect(textsTo(phone).map(textBody)).toEqual([CONSENT_CONFIRMATIONS['opt-out'].pt_BR, CONSENT_CONFIRMATIONS['opt-in'].pt_BR]);
    const events = await busSettled();
    expect(events.map((e) => e['detail-type'])).toEqual([DOMAIN_EVENT.optedOut, DOMAIN_EVENT.optedIn]);
    expect(events[1]!.detail).toMatchObject({ eventId: digest(`${wamid}:opted-in`), scopes: ['utility', 'marketing'] });
  });
});
