import { randomBytes, randomUUID } from 'node:crypto';
import { GetItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { digest } from '#shared/events/public';
import { ENV } from '#shared/env';
import { DOMAIN_EVENT, type DomainEvent } from '#shared/events/domain';
import type { JourneyStore, SentMessage } from '#shared/journey/journey-store';
import { encodeMessageRef } from '#shared/whatsapp/callback-data';
import { signWebhookBody } from '#shared/whatsapp/signature';
import type { WebhookEffectsDeps } from '#shared/whatsapp/webhook-effects';
import { createEventBridgeService, type EventBridgeService } from '../../../local/eventbridge/service';
import type { BusEvent } from '../../../local/eventbridge/put-events';
import { createSecretsExtension } from '../../../local/secrets-extension';
import { startServer, type LocalServer } from '../../../local/servers';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../support/dynamodb-local';

/**
 * The webhook function itself (functions/webhook/handler.ts) against real components: DynamoDB
 * Local for marks, journeys and contacts, the local EventBridge behind the real SDK client, the
 * secrets extension for the app secret, and Meta's signatures over the exact bytes.
 */
const APP_SECRET = 'integration-app-secret';
const BUS = 'posventa-test';
const PHONE = '+34612345678';

let db: LocalDynamoDb;
let journeysTable: string;
let contactsTable: string;
let templatesTable: string;
let bus: EventBridgeService;
let servers: LocalServer[] = [];
let handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
let journeys: JourneyStore;
let storeModule: typeof import('#shared/aws/webhook-store');
let factsModule: typeof import('#shared/aws/message-facts');
let publishDomainEvents: typeof import('#shared/aws/eventbridge').publishDomainEvents;
let consentStore: import('#shared/consent/record').ConsentStore;
const onBus: BusEvent[] = [];

beforeAll(async () => {
  db = await startLocalDynamoDb();
  journeysTable = await db.createTable('journeys');
  contactsTable = await db.createTable('contacts');
  templatesTable = await db.createTable('templates');

  const eventBridgeServer = await startServer(0, 'EventBridge');
  const secretsServer = await startServer(0, 'Secrets extension');
  servers = [eventBridgeServer, secretsServer];
  bus = createEventBridgeService({
    buses: [BUS],
    clock: { now: () => new Date() },
    region: 'us-east-1',
    accountId: '000000000000',
    log: () => undefined,
    rules: [{ name: 'All', eventBusName: BUS, eventPattern: { source: ['posventa'] }, targets: [{ id: 'Recorder', deliver: async (event) => void onBus.push(event) }] }],
  });
  eventBridgeServer.serve(bus.listener);
  const sessionToken = randomBytes(8).toString('hex');
  secretsServer.serve(createSecretsExtension({ secrets: new Map([['app-secret', APP_SECRET]]), parameters: new Map([['verify-token', 'vt']]), sessionToken }));

  Object.assign(process.env, {
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridgeServer.url,
    AWS_SESSION_TOKEN: sessionToken,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(secretsServer.port),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    [ENV.eventBusName]: BUS,
    [ENV.metaAppSecretSecretId]: 'app-secret',
    [ENV.metaVerifyTokenParameter]: 'verify-token',
    [ENV.journeysTableName]: journeysTable,
    [ENV.contactsTableName]: contactsTable,
    [ENV.templatesTableName]: templatesTable,
    [ENV.unquotedReplyMaxAgeDays]: '7',
  });
  // Only now: the adapters create their SDK clients, and the handler reads its environment, on import.
  handler = (await import('../../../functions/webhook/handler')).handler as unknown as typeof handler;
  journeys = (await import('#shared/aws/journey-store')).dynamoJourneyStore(journeysTable);
  storeModule = await import('#shared/aws/webhook-store');
  factsModule = await import('#shared/aws/message-facts');
  publishDomainEvents = (await import('#shared/aws/eventbridge')).publishDomainEvents;
  consentStore = (await import('#shared/aws/consent-store')).dynamoConsentStore(contactsTable);
});

afterAll(async () => {
  await bus?.close();
  await Promise.all(servers.map((s) => s.close()));
  await db?.stop();
});

beforeEach(() => {
  onBus.length = 0;
});

const context = { functionName: 'webhook', awsRequestId: 'test', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const newWamid = () => `wamid.${randomBytes(24).toString('base64')}`;
let orderSeq = 0;
const newOrder = () => `ES-2026-${String(++orderSeq).padStart(6, '0')}-${randomUUID().slice(0, 4)}`;

function post(raw: string | Buffer, options: { signature?: string | null; base64?: boolean } = {}): Promise<APIGatewayProxyStructuredResultV2> {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8');
  const signature = options.signature === undefined ? signWebhookBody(bytes, APP_SECRET) : options.signature;
  const event = {
    version: '2.0',
    routeKey: 'POST /webhook',
    rawPath: '/webhook',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-hub-signature-256': signature }) },
    requestContext: { http: { method: 'POST', path: '/webhook' } },
    body: options.base64 ? bytes.toString('base64') : bytes.toString('utf8'),
    isBase64Encoded: options.base64 ?? false,
  } as unknown as APIGatewayProxyEventV2;
  return handler(event, context);
}

async function busSettled(): Promise<BusEvent[]> {
  await bus.idle();
  return [...onBus];
}

const envelope = (value: Record<string, unknown>, field = 'messages', time?: number) =>
  JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '102290129340398', ...(time === undefined ? {} : { time }), changes: [{ field, value: { messaging_product: 'whatsapp', ...value } }] }] });

async function sentMessage(milestone: SentMessage['milestone'], sentAt = '2026-03-01T09:00:00.000Z', phone = PHONE): Promise<SentMessage> {
  const template = { day7: 'posventa_day7_adoption', day30: 'posventa_day30_nps', day60: 'posventa_day60_offer' }[milestone];
  const message: SentMessage = { wamid: newWamid(), orderId: newOrder(), milestone, template, variant: 'A', phone, sentAt };
  await journeys.recordSentMessage(message);
  return message;
}

const statusOf = (message: SentMessage, status: string, timestamp: number, withCallback = true) => ({
  id: message.wamid,
  status,
  timestamp: String(timestamp),
  recipient_id: message.phone.slice(1),
  ...(withCallback ? { biz_opaque_callback_data: encodeMessageRef(message) } : {}),
});

const reply = (body: Record<string, unknown>, from = PHONE.slice(1), timestamp = 1772961000) => ({
  contacts: [{ profile: { name: 'María José' }, wa_id: from, user_id: 'ES.1234567890123456' }],
  messages: [{ from, id: newWamid(), timestamp: String(timestamp), ...body }],
});

const types = (events: readonly BusEvent[]) => events.map((e) => e['detail-type']).sort();

async function webhookMarks(): Promise<number> {
  const scan = await db.client.send(new ScanCommand({ TableName: journeysTable, FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': { S: 'WEBHOOK#' } } }));
  return scan.Count ?? 0;
}

describe('webhook handler: signatures', () => {
  it('accepts a signed body that API Gateway hands over base64-encoded', async () => {
    const message = await sentMessage('day7');
    const raw = envelope({ statuses: [statusOf(message, 'delivered', 1772960402)] });
    expect((await post(raw, { base64: true })).statusCode).toBe(200);
    expect(types(await busSettled())).toEqual([DOMAIN_EVENT.messageDelivered]);
  });

  it('refuses a base64 body signed over its base64 text, and stores nothing', async () => {
    const message = await sentMessage('day7');
    const raw = Buffer.from(envelope({ statuses: [statusOf(message, 'delivered', 1772960402)] }));
    const before = await webhookMarks();
    expect((await post(raw, { base64: true, signature: signWebhookBody(raw.toString('base64'), APP_SECRET) })).statusCode).toBe(401);
    expect((await post(raw, { signature: null })).statusCode).toBe(401);
    expect((await post(raw, { signature: signWebhookBody(raw, 'not-the-secret') })).statusCode).toBe(401);
    expect(await webhookMarks()).toBe(before);
    expect(await busSettled()).toEqual([]);
  });

  it('answers 400 to a signed malformed envelope and stores nothing', async () => {
    const before = await webhookMarks();
    const response = await post(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messages: [{ type: 'text' }] } }] }] }));
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/messages.*id/s);
    expect(await webhookMarks()).toBe(before);
  });
});

describe('webhook handler: deliveries kept under the contact (repurchase attribution)', () => {
  it('keeps a delivered journey message under its recipient, a read-only one at the read time, and finds the last one in a window', async () => {
    // Recent times: the delivery records carry a 60-day TTL, and DynamoDB Local deletes expired items.
    const at = (daysAgo: number, plusSeconds = 0) => new Date(Math.floor(Date.now() / 86_400_000 - daysAgo) * 86_400_000 + 9 * 3_600_000 + plusSeconds * 1000);
    const seconds = (date: Date) => date.getTime() / 1000;
    const iso = (date: Date) => date.toISOString();
    const day7Sent = at(20);
    const day30Read = at(1);
    const phone = `+3461${String(Date.now()).slice(-7)}`;
    const day7 = await sentMessage('day7', iso(day7Sent), phone);
    const day30 = await sentMessage('day30', iso(day30Read), phone);
    expect((await post(envelope({ statuses: [statusOf(day7, 'delivered', seconds(at(20, 2))), statusOf(day7, 'read', seconds(at(20, 60)))] })))).toMatchObject({ statusCode: 200 });
    // Only `read` (Meta sends no `delivered` when both happen at once), and without callback data.
    expect((await post(envelope({ statuses: [statusOf(day30, 'read', seconds(day30Read), false)] })))).toMatchObject({ statusCode: 200 });
    // Meta's duplicate changes nothing.
    expect((await post(envelope({ statuses: [statusOf(day7, 'delivered', seconds(at(20, 2)))] })))).toMatchObject({ statusCode: 200 });

    const query = await db.client.send(
      new QueryCommand({ TableName: journeysTable, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :d)', ExpressionAttributeValues: { ':pk': { S: `CONTACT#${phone}` }, ':d': { S: 'DELIVERED#' } } }),
    );
    expect(query.Items?.map((item) => [item.deliveredAt?.S, item.orderId?.S, item.milestone?.S]).sort()).toEqual([
      [iso(at(20, 2)), day7.orderId, 'day7'],
      [iso(day30Read), day30.orderId, 'day30'],
    ]);
    const log = (await import('#shared/aws/journey-store')).dynamoDeliveryLog(journeysTable);
    expect(await log.lastDeliveredTo(phone, iso(at(23)), iso(new Date(day30Read.getTime() - 1)))).toMatchObject({ orderId: day7.orderId, milestone: 'day7' });
    expect(await log.lastDeliveredTo(phone, iso(at(23)), iso(day30Read))).toEqual({
      orderId: day30.orderId,
      milestone: 'day30',
      template: 'posventa_day30_nps',
      variant: 'A',
      deliveredAt: iso(day30Read),
    });
    expect(await log.lastDeliveredTo(phone, iso(at(19)), iso(at(2)))).toBeUndefined();
  });
});

describe('webhook handler: exactly-once statuses', () => {
  it('publishes a status once when Meta delivers the webhook twice', async () => {
    const message = await sentMessage('day30');
    const raw = envelope({ statuses: [statusOf(message, 'sent', 1772960400), statusOf(message, 'delivered', 1772960402)] });
    expect((await post(raw)).statusCode).toBe(200);
    expect((await post(raw)).statusCode).toBe(200);
    const events = await busSettled();
    expect(types(events)).toEqual([DOMAIN_EVENT.messageDelivered, DOMAIN_EVENT.messageSent]);
    expect(events.map((e) => e.detail.eventId).sort()).toEqual([digest(`${message.wamid}:delivered`), digest(`${message.wamid}:sent`)].sort());
  });

  it('has one effect when 8 identical deliveries arrive at once; each is 200 or asked to retry, and the retries are 200', async () => {
    const message = await sentMessage('day7');
    const raw = envelope({ statuses: [statusOf(message, 'read', 1772960460)] });
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(raw)));
    // A read is two units (read, and the delivery it implies): concurrent deliveries may each hold
    // one and see the other in progress, so all of them may be asked to retry.
    for (const answer of answers) expect([200, 503]).toContain(answer.statusCode);
    const retries = await Promise.all(answers.filter((a) => a.statusCode !== 200).map(() => post(raw)));
    for (const retry of retries) expect(retry.statusCode).toBe(200);
    expect(types(await busSettled())).toEqual([DOMAIN_EVENT.messageDelivered, DOMAIN_EVENT.messageRead]);
  });

  it('counts delivered once when read arrives first: read implies delivered, the late delivered is a duplicate', async () => {
    const message = await sentMessage('day60');
    expect((await post(envelope({ statuses: [statusOf(message, 'read', 1772960460)] }))).statusCode).toBe(200);
    expect((await post(envelope({ statuses: [statusOf(message, 'delivered', 1772960402)] }))).statusCode).toBe(200);
    expect((await post(envelope({ statuses: [statusOf(message, 'sent', 1772960400)] }))).statusCode).toBe(200);
    const events = await busSettled();
    expect(types(events)).toEqual([DOMAIN_EVENT.messageDelivered, DOMAIN_EVENT.messageRead, DOMAIN_EVENT.messageSent]);
    expect(events.find((e) => e['detail-type'] === DOMAIN_EVENT.messageDelivered)?.detail).toMatchObject({ eventId: digest(`${message.wamid}:delivered`), inferredFrom: 'read' });
  });

  it("a delivered with Meta's pricing after its read's implied delivery is published once more, under the delivery's id, so the billing reaches the KPIs", async () => {
    const message = await sentMessage('day60');
    const pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' };
    expect((await post(envelope({ statuses: [statusOf(message, 'read', 1772960460)] }))).statusCode).toBe(200);
    expect((await post(envelope({ statuses: [{ ...statusOf(message, 'delivered', 1772960402), pricing }] }))).statusCode).toBe(200);
    // Meta's retry of either changes nothing.
    expect((await post(envelope({ statuses: [{ ...statusOf(message, 'delivered', 1772960402), pricing }] }))).statusCode).toBe(200);
    expect((await post(envelope({ statuses: [statusOf(message, 'read', 1772960460)] }))).statusCode).toBe(200);
    const deliveries = (await busSettled()).filter((e) => e['detail-type'] === DOMAIN_EVENT.messageDelivered).map((e) => e.detail);
    expect(deliveries).toEqual([
      expect.objectContaining({ eventId: digest(`${message.wamid}:delivered`), inferredFrom: 'read' }),
      expect.objectContaining({ eventId: digest(`${message.wamid}:delivered`), pricing: { billable: true, model: 'PMP', type: 'regular', category: 'marketing' } }),
    ]);
    expect(deliveries[0]).not.toHaveProperty('pricing');
    expect(deliveries[1]).not.toHaveProperty('inferredFrom');
  });

  it('a delivered without pricing after the implied delivery stays a duplicate', async () => {
    const message = await sentMessage('day7');
    expect((await post(envelope({ statuses: [statusOf(message, 'read', 1772960460)] }))).statusCode).toBe(200);
    expect((await post(envelope({ statuses: [statusOf(message, 'delivered', 1772960402)] }))).statusCode).toBe(200);
    expect(types(await busSettled())).toEqual([DOMAIN_EVENT.messageDelivered, DOMAIN_EVENT.messageRead]);
  });

  it('a read is not held up by its delivered in flight elsewhere: 200, and the delivered is published once, by its own delivery', async () => {
    const message = await sentMessage('day7');
    const marks = storeModule.dynamoWebhookMarks(journeysTable);
    // The `delivered` webhook of this message is being handled by another delivery right now.
    const inFlight = await marks.claim(`${message.wamid}#delivered`);
    if (!inFlight.claimed) throw new Error('expected to hold the delivered mark');
    expect((await post(envelope({ statuses: [statusOf(message, 'read', 1772960460)] }))).statusCode).toBe(200);
    expect(types(await busSettled())).toEqual([DOMAIN_EVENT.messageRead]);
    // That delivery fails and gives its claim back; Meta's retry of it publishes the delivered.
    await marks.release(`${message.wamid}#delivered`, inFlight.token);
    expect((await post(envelope({ statuses: [statusOf(message, 'delivered', 1772960402)] }))).statusCode).toBe(200);
    const events = await busSettled();
    expect(types(events)).toEqual([DOMAIN_EVENT.messageDelivered, DOMAIN_EVENT.messageRead]);
    expect(events.find((e) => e['detail-type'] === DOMAIN_EVENT.messageDelivered)?.detail).not.toHaveProperty('inferredFrom');
  });

  it('sent, delivered and read of one message posted at the same moment: every event once, after Meta’s retries', async () => {
    const message = await sentMessage('day30');
    const bodies = [statusOf(message, 'sent', 1772960400), statusOf(message, 'delivered', 1772960402), statusOf(message, 'read', 1772960460)].map((s) => envelope({ statuses: [s] }));
    let answers = await Promise.all(bodies.map((raw) => post(raw)));
    for (let round = 0; round < 5 && answers.some((a) => a.statusCode !== 200); round += 1) {
      answers = await Promise.all(bodies.map((raw, i) => (answers[i]!.statusCode === 200 ? answers[i]! : post(raw))));
    }
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200]);
    expect(types(await busSettled())).toEqual([DOMAIN_EVENT.messageDelivered, DOMAIN_EVENT.messageRead, DOMAIN_EVENT.messageSent]);
  });

  it('finds the journey of a status without callback data through the wamid recorded at send time', async () => {
    const message = await sentMessage('day30');
    expect((await post(envelope({ statuses: [statusOf(message, 'delivered', 1772960402, false)] }))).statusCode).toBe(200);
    const [event] = await busSettled();
    expect(event?.detail).toMatchObject({ eventId: digest(`${message.wamid}:delivered`), orderId: message.orderId, milestone: 'day30', template: 'posventa_day30_nps', variant: 'A' });
    expect(JSON.stringify(event)).not.toContain(PHONE.slice(1));
  });

  it('ignores (200) a status of a message no journey sent', async () => {
    const stranger: SentMessage = { wamid: newWamid(), orderId: 'x', milestone: 'day7', template: 't', variant: 'A', phone: PHONE, sentAt: '' };
    expect((await post(envelope({ statuses: [statusOf(stranger, 'delivered', 1772960402, false)] }))).statusCode).toBe(200);
    expect(await busSettled()).toEqual([]);
  });

  it('publishes a batch of more than 10 events in several PutEvents calls, all once', async () => {
    const messages = await Promise.all(Array.from({ length: 12 }, () => sentMessage('day7')));
    const raw = envelope({ statuses: messages.flatMap((m) => [statusOf(m, 'sent', 1772960400), statusOf(m, 'delivered', 1772960402)]) });
    expect((await post(raw)).statusCode).toBe(200);
    expect((await post(raw)).statusCode).toBe(200);
    const events = await busSettled();
    expect(events).toHaveLength(24);
    expect(new Set(events.map((e) => e.detail.eventId)).size).toBe(24);
  });
});

describe('webhook handler: replies', () => {
  it('a day-30 detractor quoting our message: Reply Received, NPS Answered, Ticket Requested, promotions paused, service window', async () => {
    const message = await sentMessage('day30');
    const payload = reply({ type: 'text', text: { body: ' 3 ' }, context: { from: '34910000000', id: message.wamid } });
    expect((await post(envelope(payload))).statusCode).toBe(200);
    const events = await busSettled();
    expect(types(events)).toEqual([DOMAIN_EVENT.npsAnswered, DOMAIN_EVENT.replyReceived, DOMAIN_EVENT.ticketRequested]);
    const inboundWamid = payload.messages[0]!.id;
    for (const event of events) expect(event.detail).toMatchObject({ orderId: message.orderId, milestone: 'day30', wamid: digest(message.wamid), inboundWamid: digest(inboundWamid), matchedBy: 'context' });
    expect(events.find((e) => e['detail-type'] === DOMAIN_EVENT.npsAnswered)?.detail).toMatchObject({ score: 3, npsCategory: 'detractor', eventId: digest(`${inboundWamid}:nps`) });
    expect(events.find((e) => e['detail-type'] === DOMAIN_EVENT.ticketRequested)?.detail).toMatchObject({ reason: 'detractor' });
    expect(JSON.stringify(events)).not.toContain(PHONE.slice(1));

    const contact = (sk: string) => db.client.send(new GetItemCommand({ TableName: contactsTable, Key: { pk: { S: `CONTACT#${PHONE}` }, sk: { S: sk } }, ConsistentRead: true }));
    expect((await contact('PAUSED#marketing')).Item).toMatchObject({ reason: { S: 'nps-detractor' }, orderId: { S: message.orderId } });
    expect((await contact('SERVICE_WINDOW')).Item).toMatchObject({ lastInboundAt: { S: '2026-03-08T09:10:00.000Z' }, bsuid: { S: 'ES.1234567890123456' } });
  });

  it('a reply without context is matched to the last journey message sent to that phone', async () => {
    const phone = '+34600111222';
    await sentMessage('day7', '2026-03-01T09:00:00.000Z', phone);
    const latest = await sentMessage('day60', '2026-03-05T09:00:00.000Z', phone);
    expect((await post(envelope(reply({ type: 'text', text: { body: '¡Sí!' } }, phone.slice(1))))).statusCode).toBe(200);
    const events = await busSettled();
    expect(types(events)).toEqual([DOMAIN_EVENT.leadCreated, DOMAIN_EVENT.replyReceived]);
    for (const event of events) expect(event.detail).toMatchObject({ orderId: latest.orderId, milestone: 'day60', matchedBy: 'last-message' });
  });

  it('a reply without context more than unquotedReplyMaxAgeDays after the last journey message answers nothing', async () => {
    const phone = '+34600333444';
    await sentMessage('day60', '2026-02-28T09:00:00.000Z', phone);
    // 8 days and 10 minutes later (the limit is 7 days).
    expect((await post(envelope(reply({ type: 'text', text: { body: 'Sí' } }, phone.slice(1))))).statusCode).toBe(200);
    expect(await busSettled()).toEqual([]);
  });

  it('a quick-reply tap (button) with its payload, delivered twice at once, creates one lead', async () => {
    const message = await sentMessage('day60');
    const raw = envelope(reply({ type: 'button', button: { payload: 'D60_YES', text: 'Quiero la oferta' }, context: { id: message.wamid } }));
    const answers = await Promise.all([post(raw), post(raw), post(raw)]);
    for (const answer of answers) expect([200, 503]).toContain(answer.statusCode);
    await Promise.all(answers.filter((a) => a.statusCode !== 200).map(() => post(raw)));
    expect(types(await busSettled())).toEqual([DOMAIN_EVENT.leadCreated, DOMAIN_EVENT.replyReceived]);
  });

  it('a message from someone with no journey: 200, no event, but the service window is recorded', async () => {
    const phone = '+34699000111';
    expect((await post(envelope(reply({ type: 'text', text: { body: 'hola' } }, phone.slice(1))))).statusCode).toBe(200);
    expect(await busSettled()).toEqual([]);
    const item = await db.client.send(new GetItemCommand({ TableName: contactsTable, Key: { pk: { S: `CONTACT#${phone}` }, sk: { S: 'SERVICE_WINDOW' } }, ConsistentRead: true }));
    expect(item.Item?.lastInboundAt?.S).toBe('2026-03-08T09:10:00.000Z');
  });

  it('keeps the latest inbound time when an older message arrives late', async () => {
    const phone = '+34699000222';
    await post(envelope(reply({ type: 'text', text: { body: 'segundo' } }, phone.slice(1), 1772962000)));
    await post(envelope(reply({ type: 'text', text: { body: 'primero' } }, phone.slice(1), 1772961000)));
    const item = await db.client.send(new GetItemCommand({ TableName: contactsTable, Key: { pk: { S: `CONTACT#${phone}` }, sk: { S: 'SERVICE_WINDOW' } }, ConsistentRead: true }));
    expect(item.Item?.lastInboundAt?.S).toBe('2026-03-08T09:26:40.000Z');
  });
});

describe('webhook handler: facts for the journey’s follow-up step', () => {
  it('records a reply on the message it answers, and a failed status with Meta’s code, once, for the follow-up to read', async () => {
    const facts = factsModule.dynamoMessageFacts(journeysTable);
    const survey = await sentMessage('day30');
    const offer = await sentMessage('day60');
    expect(await facts.factsOf(survey.wamid)).toEqual({});

    const answer = envelope(reply({ type: 'text', text: { body: '9' }, context: { id: survey.wamid } }));
    for (let i = 0; i < 2; i += 1) expect((await post(answer)).statusCode).toBe(200);
    const failed = { ...statusOf(offer, 'failed', 1772960500), errors: [{ code: 131049, title: 'This message was not delivered to maintain healthy ecosystem engagement.' }] };
    expect((await post(envelope({ statuses: [failed] }))).statusCode).toBe(200);
    await busSettled();

    expect(await facts.factsOf(survey.wamid)).toEqual({ repliedAt: '2026-03-08T09:10:00.000Z' });
    expect(await facts.factsOf(offer.wamid)).toEqual({ failure: { code: 131049, at: new Date(1772960500 * 1000).toISOString() } });
  });

  it('does not take a consent keyword for an answer', async () => {
    const facts = factsModule.dynamoMessageFacts(journeysTable);
    const survey = await sentMessage('day30', '2026-03-01T09:00:00.000Z', '+34600333444');
    expect((await post(envelope(reply({ type: 'text', text: { body: 'BAJA' }, context: { id: survey.wamid } }, '34600333444')))).statusCode).toBe(200);
    await busSettled();
    expect(await facts.factsOf(survey.wamid)).toEqual({});
  });
});

describe('webhook handler: customers Meta names by BSUID only', () => {
  const bsuidOnly = (bsuid: string, body: Record<string, unknown>) => ({
    contacts: [{ profile: { name: 'Usuario' }, user_id: bsuid }],
    messages: [{ from_user_id: bsuid, id: newWamid(), timestamp: '1772961000', ...body }],
  });

  it('an opt-out from a BSUID-only message reaches the phone-keyed consent the send step reads, once a sent status named both', async () => {
    const phone = '+34611222333';
    const bsuid = 'ES.7000000000000001';
    const message = await sentMessage('day7', '2026-03-01T09:00:00.000Z', phone);
    const sent = { ...statusOf(message, 'sent', 1772960400), recipient_user_id: bsuid };
    expect((await post(envelope({ statuses: [sent] }))).statusCode).toBe(200);
    expect((await post(envelope(bsuidOnly(bsuid, { type: 'text', text: { body: 'BAJA' } })))).statusCode).toBe(200);
    const state = await consentStore.readState(phone);
    expect(state).toMatchObject({ phone, bsuid });
    expect(state?.scopes.marketing.status).toBe('opted-out');
    expect(state?.scopes.utility.status).toBe('opted-out');
    expect(await consentStore.readState(bsuid)).toBeUndefined();
    const events = await busSettled();
    expect(types(events)).toContain(DOMAIN_EVENT.optedOut);
    expect(JSON.stringify(events)).not.toContain(phone.slice(1));
  });

  it('a BSUID-only reply without context is matched to the last journey message sent to the linked phone', async () => {
    const phone = '+34611222444';
    const bsuid = 'ES.7000000000000002';
    const linked = envelope({ contacts: [{ wa_id: phone.slice(1), user_id: bsuid }], messages: [{ from: phone.slice(1), from_user_id: bsuid, id: newWamid(), timestamp: '1772950000', type: 'text', text: { body: 'hola' } }] });
    expect((await post(linked)).statusCode).toBe(200);
    const message = await sentMessage('day30', '2026-03-07T09:00:00.000Z', phone);
    expect((await post(envelope(bsuidOnly(bsuid, { type: 'text', text: { body: '10' } })))).statusCode).toBe(200);
    const events = await busSettled();
    expect(types(events)).toEqual([DOMAIN_EVENT.npsAnswered, DOMAIN_EVENT.replyReceived]);
    for (const event of events) expect(event.detail).toMatchObject({ orderId: message.orderId, matchedBy: 'last-message' });
  });

  it('a BSUID never seen beside a phone stays keyed by the BSUID', async () => {
    const bsuid = 'ES.7000000000000003';
    expect((await post(envelope(bsuidOnly(bsuid, { type: 'text', text: { body: 'STOP' } })))).statusCode).toBe(200);
    expect((await consentStore.readState(bsuid))?.scopes.marketing.status).toBe('opted-out');
  });
});

describe('webhook handler: other fields', () => {
  it('publishes a template status change once; takes user_preferences to the ledger (marketing); answers 200 to fields it does not handle', async () => {
    const template = envelope({ event: 'PAUSED', message_template_id: 42, message_template_name: 'posventa_day60_offer', message_template_language: 'es', reason: null }, 'message_template_status_update', 1772965000);
    expect((await post(template)).statusCode).toBe(200);
    expect((await post(template)).statusCode).toBe(200);
    const prefs = envelope({ user_preferences: [{ wa_id: PHONE.slice(1), category: 'marketing_messages', value: 'stop', timestamp: 1772963000 }] }, 'user_preferences');
    expect((await post(prefs)).statusCode).toBe(200);
    expect((await post(envelope({ event: 'THROUGHPUT_UPGRADE' }, 'phone_number_quality_update'))).statusCode).toBe(200);
    const events = await busSettled();
    expect(events.map((e) => [e['detail-type'], e.detail.status])).toEqual([
      [DOMAIN_EVENT.templateStatusChanged, 'PAUSED'],
      [DOMAIN_EVENT.optedOut, undefined],
    ]);
    expect((await consentStore.readState(PHONE))?.scopes.marketing).toMatchObject({ status: 'opted-out', source: 'meta-user-preferences' });
    // Kept for the send step: the template × language's status at Meta's time.
    const { dynamoTemplateStatusStore } = await import('#shared/aws/template-status-store');
    expect(await dynamoTemplateStatusStore(templatesTable).standingsIn('es')).toEqual([
      { template: 'posventa_day60_offer', language: 'es', status: { value: 'PAUSED', at: '2026-03-08T10:16:40.000Z' } },
    ]);
  });
});

describe('applyWebhook with the DynamoDB marks: failures between mark and publish', () => {
  const deps = (publish: WebhookEffectsDeps['publish'], nowMs?: () => number): WebhookEffectsDeps => ({
    journeys,
    marks: storeModule.dynamoWebhookMarks(journeysTable, nowMs === undefined ? {} : { nowMs }),
    contacts: storeModule.dynamoContactFacts(contactsTable),
    facts: factsModule.dynamoMessageFacts(journeysTable),
    publish,
    consent: {
      store: consentStore,
      clock: { now: () => new Date() },
      journeys: { journeysOf: async () => [] },
      stopJourney: async () => undefined,
    },
    unquotedReplyMaxAgeMs: 7 * 86_400_000,
  });

  it('a failed publish releases the claims, so Meta’s retry publishes, once', async () => {
    const { receiveWebhook } = await import('#shared/whatsapp/webhook-post');
    const message = await sentMessage('day7');
    const raw = Buffer.from(envelope({ statuses: [statusOf(message, 'delivered', 1772960402)] }));
    const header = signWebhookBody(raw, APP_SECRET);
    const failing = await receiveWebhook(raw, header, APP_SECRET, deps(async () => Promise.reject(new Error('EventBridge refused 1 of 1 events'))));
    expect(failing.statusCode).toBe(500);
    const published: DomainEvent[] = [];
    const publish = async (events: DomainEvent[]) => {
      published.push(...events);
      await publishDomainEvents(BUS, events);
    };
    expect((await receiveWebhook(raw, header, APP_SECRET, deps(publish))).statusCode).toBe(200);
    expect((await receiveWebhook(raw, header, APP_SECRET, deps(publish))).statusCode).toBe(200);
    // What the webhook hands the publisher: natural ids; the bus gets their digests.
    expect(published.map((e) => e.detail.eventId)).toEqual([`${message.wamid}:delivered`]);
    expect(types(await busSettled())).toEqual([DOMAIN_EVENT.messageDelivered]);
  });

  it('a holder that died after claiming blocks retries only until its lease runs out', async () => {
    const marks = storeModule.dynamoWebhookMarks(journeysTable, { nowMs: () => 1_000_000, leaseMs: 60_000 });
    const key = `${newWamid()}#delivered`;
    expect(await marks.claim(key)).toMatchObject({ claimed: true });
    // The holder crashed: no done, no release.
    expect(await marks.claim(key)).toEqual({ claimed: false, state: 'in-progress' });
    const later = storeModule.dynamoWebhookMarks(journeysTable, { nowMs: () => 1_000_000 + 60_001 });
    const takeover = await later.claim(key);
    expect(takeover).toMatchObject({ claimed: true });
    if (takeover.claimed) await later.markDone(key, takeover.token);
    expect(await later.claim(key)).toEqual({ claimed: false, state: 'done' });
    const afterLongTime = storeModule.dynamoWebhookMarks(journeysTable, { nowMs: () => 9_000_000_000 });
    expect(await afterLongTime.claim(key)).toEqual({ claimed: false, state: 'done' });
  });

  it('the overtaken holder cannot mark done or release the new holder’s claim', async () => {
    const key = `${newWamid()}#read`;
    const early = storeModule.dynamoWebhookMarks(journeysTable, { nowMs: () => 1_000_000 });
    const late = storeModule.dynamoWebhookMarks(journeysTable, { nowMs: () => 2_000_000 });
    const first = await early.claim(key);
    const second = await late.claim(key);
    if (!first.claimed || !second.claimed) throw new Error('expected both claims (the first lease ran out)');
    await early.release(key, first.token);
    await early.markDone(key, first.token);
    expect(await late.claim(key)).toEqual({ claimed: false, state: 'in-progress' });
  });
});
