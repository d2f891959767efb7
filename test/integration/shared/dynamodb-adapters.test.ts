import { ConditionalCheckFailedException, GetItemCommand, ScanCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent, RepurchaseAttributedDetail } from '#shared/events/domain';
import type { PurchaseDetail } from '#shared/events/purchase';
import type { JourneyStore, MessageClaim } from '#shared/journey/journey-store';
import { attributePurchase, type AttributionDeps } from '#shared/journey/repurchase';
import { planCounterWrites, type CountedEvent, type CounterKey, type WritePlan } from '#shared/kpi/aggregation';
import { COUNTERS, type Counter } from '#shared/kpi/counters';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../support/dynamodb-local';

/**
 * The DynamoDB adapters of shared/aws/ against the real DynamoDB Local, in one file so the
 * JVM starts once: the journey store (its claim is what prevents double sends) and the KPI
 * store (its counts must stay exact under replays and races).
 */

type KpiStore = typeof import('#shared/aws/kpi-store');

let db: LocalDynamoDb;
let store: JourneyStore;
let kpiStore: KpiStore;
let tableName: string;
let orderSeq = 0;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  // Only now that the environment points at DynamoDB Local: the adapters create their client on import.
  const { dynamoJourneyStore } = await import('#shared/aws/journey-store');
  kpiStore = await import('#shared/aws/kpi-store');
  tableName = await db.createTable('journeys');
  store = dynamoJourneyStore(tableName);
});

afterAll(async () => {
  await db?.stop();
});

const newOrder = () => `ES-2026-${String(++orderSeq).padStart(6, '0')}`;
const claimOf = (orderId: string, claimedAt = '2026-03-08T09:00:00.000Z'): MessageClaim => ({
  orderId,
  milestone: 'day7',
  template: 'posventa_day7_adoption',
  variant: 'A',
  claimedAt,
});
const itemOf = async (orderId: string, milestone = 'day7') =>
  (await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `ORDER#${orderId}` }, sk: { S: `MESSAGE#${milestone}` } }, ConsistentRead: true }))).Item;

describe('dynamoJourneyStore (shared/aws/journey-store.ts)', () => {
  it('claims once; a second claim gets the existing claim back', async () => {
    const orderId = newOrder();
    expect(await store.claimMessage(claimOf(orderId, '2026-03-08T09:00:00.000Z'))).toEqual({ claimed: true });
    expect(await store.claimMessage(claimOf(orderId, '2026-03-08T09:05:00.000Z'))).toEqual({
      claimed: false,
      existing: { status: 'claimed', claimedAt: '2026-03-08T09:00:00.000Z', template: 'posventa_day7_adoption', variant: 'A' },
    });
    expect(await itemOf(orderId)).toMatchObject({ status: { S: 'claimed' }, template: { S: 'posventa_day7_adoption' }, variant: { S: 'A' } });
  });

  it('lets exactly one of 10 concurrent claims win', async () => {
    const orderId = newOrder();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.claimMessage(claimOf(orderId, `2026-03-08T09:00:0${i}.000Z`))));
    const winners = results.map((r, i) => [r, i] as const).filter(([r]) => r.claimed);
    expect(winners).toHaveLength(1);
    const winnerAt = `2026-03-08T09:00:0${winners[0]![1]}.000Z`;
    for (const result of results.filter((r) => !r.claimed)) expect(result).toEqual({ claimed: false, existing: { status: 'claimed', claimedAt: winnerAt, template: 'posventa_day7_adoption', variant: 'A' } });
  });

  it('keeps milestones of one order apart', async () => {
    const orderId = newOrder();
    expect(await store.claimMessage(claimOf(orderId))).toEqual({ claimed: true });
    expect(await store.claimMessage({ ...claimOf(orderId), milestone: 'day30', template: 'posventa_day30_nps' })).toEqual({ claimed: true });
  });

  it('answers a claim after recordSent with the sent record and its wamid', async () => {
    const orderId = newOrder();
    await store.claimMessage(claimOf(orderId));
    await store.recordSent(orderId, 'day7', 'wamid.HBgLMzQ2MTIzNDU2NzgVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA', '2026-03-08T09:00:01.000Z');
    expect(await store.claimMessage(claimOf(orderId))).toEqual({
      claimed: false,
      existing: { status: 'sent', wamid: 'wamid.HBgLMzQ2MTIzNDU2NzgVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA', sentAt: '2026-03-08T09:00:01.000Z' },
    });
  });

  it('releases a claim so a later attempt can claim again', async () => {
    const orderId = newOrder();
    await store.claimMessage(claimOf(orderId));
    await store.releaseClaim(orderId, 'day7');
    expect(await itemOf(orderId)).toBeUndefined();
    expect(await store.claimMessage(claimOf(orderId))).toEqual({ claimed: true });
  });

  it('releases an unconfirmed claim only for the claim it names (a retried reconciliation never frees a later claim), and never a sent message', async () => {
    const orderId = newOrder();
    await store.claimMessage(claimOf(orderId, '2026-03-08T09:00:00.000Z'));
    await store.recordUnconfirmed(orderId, 'day7', { reason: 'no answer', unconfirmedAt: '2026-03-08T09:00:10.000Z' });
    expect(await store.claimMessage(claimOf(orderId))).toEqual({
      claimed: false,
      existing: { status: 'unconfirmed', reason: 'no answer', unconfirmedAt: '2026-03-08T09:00:10.000Z', claimedAt: '2026-03-08T09:00:00.000Z', template: 'posventa_day7_adoption', variant: 'A' },
    });
    await store.releaseUnconfirmed(orderId, 'day7', '2026-03-08T08:00:00.000Z');
    expect(await itemOf(orderId)).toMatchObject({ status: { S: 'unconfirmed' } });
    await store.releaseUnconfirmed(orderId, 'day7', '2026-03-08T09:00:00.000Z');
    expect(await itemOf(orderId)).toBeUndefined();
    // Again (a retried step), and after the resend's own claim: nothing happens.
    await store.releaseUnconfirmed(orderId, 'day7', '2026-03-08T09:00:00.000Z');
    await store.claimMessage(claimOf(orderId, '2026-03-08T15:00:00.000Z'));
    await store.releaseUnconfirmed(orderId, 'day7', '2026-03-08T09:00:00.000Z');
    expect(await itemOf(orderId)).toMatchObject({ status: { S: 'claimed' }, claimedAt: { S: '2026-03-08T15:00:00.000Z' } });
    await store.recordSent(orderId, 'day7', 'wamid.sent', '2026-03-08T15:00:01.000Z');
    await store.releaseUnconfirmed(orderId, 'day7', '2026-03-08T15:00:00.000Z');
    expect(await itemOf(orderId)).toMatchObject({ status: { S: 'sent' } });
  });

  it('refuses to release a message that was sent (ConditionalCheckFailed) and keeps it', async () => {
    const orderId = newOrder();
    await store.claimMessage(claimOf(orderId));
    await store.recordSent(orderId, 'day7', 'wamid.sent', '2026-03-08T09:00:01.000Z');
    await expect(store.releaseClaim(orderId, 'day7')).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect(await itemOf(orderId)).toMatchObject({ status: { S: 'sent' }, wamid: { S: 'wamid.sent' } });
  });

  it('refuses to release a message that failed, or one never claimed', async () => {
    const failed = newOrder();
    await store.claimMessage(claimOf(failed));
    await store.recordFailed(failed, 'day7', { reason: 'Message undeliverable', failedAt: '2026-03-08T12:00:00.000Z', errorCode: 131026 });
    await expect(store.releaseClaim(failed, 'day7')).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await expect(store.releaseClaim(newOrder(), 'day7')).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('records a failure with its Meta code, and a claim afterwards gets it back', async () => {
    const orderId = newOrder();
    await store.claimMessage(claimOf(orderId));
    await store.recordFailed(orderId, 'day7', { reason: 'Message undeliverable', failedAt: '2026-03-08T12:00:00.000Z', errorCode: 131026 });
    expect(await itemOf(orderId)).toMatchObject({ status: { S: 'failed' }, reason: { S: 'Message undeliverable' }, failedAt: { S: '2026-03-08T12:00:00.000Z' }, errorCode: { N: '131026' } });
    expect(await store.claimMessage(claimOf(orderId))).toEqual({
      claimed: false,
      existing: { status: 'failed', reason: 'Message undeliverable', failedAt: '2026-03-08T12:00:00.000Z', errorCode: 131026 },
    });
  });

  it('records a failure without a code, leaving errorCode out', async () => {
    const orderId = newOrder();
    await store.claimMessage(claimOf(orderId));
    await store.recordFailed(orderId, 'day7', { reason: 'Graph API answered HTTP 401', failedAt: '2026-03-08T12:00:00.000Z' });
    expect(await itemOf(orderId)).not.toHaveProperty('errorCode');
    expect(await store.claimMessage(claimOf(orderId))).toEqual({
      claimed: false,
      existing: { status: 'failed', reason: 'Graph API answered HTTP 401', failedAt: '2026-03-08T12:00:00.000Z' },
    });
  });

  it('stores order ids with separators and non-ASCII characters under their own key', async () => {
    const orderId = `PED #2026/ñ-${++orderSeq}`;
    expect(await store.claimMessage(claimOf(orderId))).toEqual({ claimed: true });
    expect(await itemOf(orderId)).toBeDefined();
  });
});

// The real time: DynamoDB Local runs TTL, so markers stamped with a past "now" would expire mid-test.
const NOW_SECONDS = Math.floor(Date.now() / 1000);
const key = (overrides: Partial<CounterKey> = {}): CounterKey => ({ day: '2026-03-08', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A', ...overrides });
const day30 = key({ milestone: 'day30', template: 'posventa_day30_nps' });
const event = (eventId: string, counter: Counter, k: CounterKey = key()): CountedEvent => ({ eventId, counter, key: k });
const onePlan = (events: CountedEvent[]): WritePlan => {
  const plans = planCounterWrites(events);
  expect(plans).toHaveLength(1);
  return plans[0]!;
};

async function countersOf(table: string, k: CounterKey): Promise<Record<string, number>> {
  const { Item } = await db.client.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: `COUNTS#${k.day}` }, sk: { S: `${k.milestone}#${k.template}#${k.variant}` } }, ConsistentRead: true }),
  );
  const counts: Record<string, number> = {};
  for (const counter of ['sent', 'delivered', 'read', 'failed', 'replies']) if (Item?.[counter]?.N !== undefined) counts[counter] = Number(Item[counter].N);
  return counts;
}

/**
 * What SQS redelivery does for a batch whose transaction was cancelled by a conflict: apply it
 * again, later. (DynamoDB Local serialises transactions, so here the loser of a race usually
 * meets the winner's markers and takes applyCounterWrites' own re-plan path instead.)
 */
async function applyWithRedelivery(table: string, plan: WritePlan): Promise<{ counted: CountedEvent[]; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { counted: await kpiStore.applyCounterWrites(table, plan, NOW_SECONDS), attempts: attempt };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || attempt >= 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
  }
}

describe('applyCounterWrites (shared/aws/kpi-store.ts)', () => {
  it('adds a plan’s counts and marks its events, with a TTL on the markers', async () => {
    const table = await db.createTable('kpi');
    const events = [event('w1:sent', 'sent'), event('w1:delivered', 'delivered'), event('w2:sent', 'sent'), event('w3:sent', 'sent', day30)];
    expect(await kpiStore.applyCounterWrites(table, onePlan(events), NOW_SECONDS)).toEqual(events);
    expect(await countersOf(table, key())).toEqual({ sent: 2, delivered: 1 });
    expect(await countersOf(table, day30)).toEqual({ sent: 1 });

    const marker = await db.client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'EVENT#w1:sent' }, sk: { S: 'COUNTED' } } }));
    const expiresAt = Number(marker.Item?.expiresAt?.N);
    expect(expiresAt - NOW_SECONDS).toBeGreaterThanOrEqual(14 * 86_400); // longer than SQS retention
  });

  it('counts the same plan once when it is applied twice; the second returns []', async () => {
    const table = await db.createTable('kpi');
    const plan = onePlan([event('w1:sent', 'sent'), event('w1:delivered', 'delivered'), event('w1:read', 'read')]);
    expect(await kpiStore.applyCounterWrites(table, plan, NOW_SECONDS)).toHaveLength(3);
    expect(await kpiStore.applyCounterWrites(table, plan, NOW_SECONDS)).toEqual([]);
    expect(await countersOf(table, key())).toEqual({ sent: 1, delivered: 1, read: 1 });
  });

  it('counts only the new events of a plan that mixes new and already-counted ones', async () => {
    const table = await db.createTable('kpi');
    await kpiStore.applyCounterWrites(table, onePlan([event('w1:sent', 'sent'), event('w2:sent', 'sent'), event('w1:delivered', 'delivered')]), NOW_SECONDS);

    const mixed = [
      event('w1:sent', 'sent'), // counted
      event('w3:sent', 'sent'), // new
      event('w1:delivered', 'delivered'), // counted
      event('w2:delivered', 'delivered'), // new
      event('w2:sent', 'sent'), // counted
      event('w4:failed', 'failed', day30), // new, another key
    ];
    const counted = await kpiStore.applyCounterWrites(table, onePlan(mixed), NOW_SECONDS);
    expect(counted.map((e) => e.eventId)).toEqual(['w3:sent', 'w2:delivered', 'w4:failed']);
    expect(await countersOf(table, key())).toEqual({ sent: 3, delivered: 2 });
    expect(await countersOf(table, day30)).toEqual({ failed: 1 });
  });

  it('writes nothing when every event of the plan was counted, even on a key it never wrote', async () => {
    const table = await db.createTable('kpi');
    await kpiStore.applyCounterWrites(table, onePlan([event('w1:sent', 'sent')]), NOW_SECONDS);
    expect(await kpiStore.applyCounterWrites(table, onePlan([event('w1:sent', 'sent', day30)]), NOW_SECONDS)).toEqual([]);
    expect(await countersOf(table, day30)).toEqual({});
  });

  it('applies a full plan of 100 items (DynamoDB’s transaction limit) in one transaction', async () => {
    const table = await db.createTable('kpi');
    const plans = planCounterWrites(Array.from({ length: 99 }, (_, i) => event(`w${i}:sent`, 'sent')));
    expect(plans).toHaveLength(1);
    expect(await kpiStore.applyCounterWrites(table, plans[0]!, NOW_SECONDS)).toHaveLength(99);
    expect(await countersOf(table, key())).toEqual({ sent: 99 });
  });

  it('never double counts when two overlapping plans race (final counts exact)', async () => {
    const table = await db.createTable('kpi');
    const expected: Record<string, number> = { sent: 0, delivered: 0, read: 0 };
    const everyEvent = new Map<string, CountedEvent>();

    for (let round = 0; round < 8; round++) {
      // Two batches that share some events (a webhook delivered twice, an SQS redelivery).
      const a = Array.from({ length: 12 }, (_, i) => event(`r${round}-w${i}:sent`, 'sent'));
      const shared = Array.from({ length: 8 }, (_, i) => event(`r${round}-w${i}:delivered`, 'delivered'));
      const b = Array.from({ length: 6 }, (_, i) => event(`r${round}-w${i}:read`, 'read'));
      const planA = onePlan([...a, ...shared]);
      const planB = onePlan([...shared, ...b, a[0]!, a[1]!]);
      for (const e of [...a, ...shared, ...b]) everyEvent.set(e.eventId, e);
      expected.sent! += a.length;
      expected.delivered! += shared.length;
      expected.read! += b.length;

      const [resultA, resultB] = await Promise.all([applyWithRedelivery(table, planA), applyWithRedelivery(table, planB)]);
      // Each event is reported as newly counted by exactly one of the two.
      const idsA = resultA.counted.map((e) => e.eventId);
      const idsB = resultB.counted.map((e) => e.eventId);
      expect(idsA.filter((id) => idsB.includes(id)), `round ${round}`).toEqual([]);
      expect(new Set([...idsA, ...idsB]).size, `round ${round}`).toBe(a.length + shared.length + b.length);
    }

    expect(await countersOf(table, key())).toEqual(expected);
    // One marker per distinct event, no more.
    const markers = await db.client.send(new ScanCommand({ TableName: table, FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': { S: 'EVENT#' } } }));
    expect(markers.Count).toBe(everyEvent.size);
  });
});

describe('readCounterRows (shared/aws/kpi-store.ts)', () => {
  /** Every counter of shared/kpi/counters.ts, 0 unless given. */
  const allCounters = (counts: Partial<Record<Counter, number>>) => ({ ...Object.fromEntries(COUNTERS.map((c) => [c, 0])), ...counts });

  it('returns one row per counter key with numeric counts (0 for untouched counters), and no markers', async () => {
    const table = await db.createTable('kpi');
    const nextDay = key({ day: '2026-03-09', variant: 'B' });
    await kpiStore.applyCounterWrites(
      table,
      onePlan([event('w1:sent', 'sent'), event('w1:delivered', 'delivered'), event('w2:sent', 'sent'), event('w3:failed', 'failed', day30), event('w4:read', 'read', nextDay)]),
      NOW_SECONDS,
    );
    await kpiStore.applyCounterWrites(table, onePlan([event('w1:reply', 'replies')]), NOW_SECONDS);

    const rows = await kpiStore.readCounterRows(table);
    expect(rows).toHaveLength(3);
    expect(rows).toEqual(
      expect.arrayContaining([
        { key: key(), counts: allCounters({ sent: 2, delivered: 1, replies: 1 }) },
        { key: day30, counts: allCounters({ failed: 1 }) },
        { key: nextDay, counts: allCounters({ read: 1 }) },
      ]),
    );
    for (const row of rows) for (const value of Object.values(row.counts)) expect(typeof value).toBe('number');
  });

  it('returns [] for a table with no counters', async () => {
    expect(await kpiStore.readCounterRows(await db.createTable('kpi'))).toEqual([]);
  });

  it('reads every page of a day whose counters exceed one query page', async () => {
    const table = await db.createTable('kpi');
    // 650 keys of ~1.8 KB each (the template name is in the sort key, at most 1 KB, and in an
    // attribute) in one day: ~1.2 MB, so DynamoDB pages the query (1 MB per page).
    const padding = 'p'.repeat(900);
    const events = Array.from({ length: 650 }, (_, i) => event(`w${i}:sent`, 'sent', key({ template: `${padding}-${i}` })));
    for (const plan of planCounterWrites(events)) await kpiStore.applyCounterWrites(table, plan, NOW_SECONDS);

    const rows = await kpiStore.readCounterRows(table);
    expect(rows).toHaveLength(650);
    expect(rows.reduce((n, r) => n + (r.counts.sent ?? 0), 0)).toBe(650);
  });

  it('reads only the days of the range, each listed once in the days index', async () => {
    const table = await db.createTable('kpi');
    const days = ['2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04'];
    for (const [i, day] of days.entries()) {
      // Two batches a day: the index lists each day once.
      await kpiStore.applyCounterWrites(table, onePlan([event(`d${i}-w1:sent`, 'sent', key({ day }))]), NOW_SECONDS);
      await kpiStore.applyCounterWrites(table, onePlan([event(`d${i}-w2:sent`, 'sent', key({ day }))]), NOW_SECONDS);
    }

    const inRange = await kpiStore.readCounterRows(table, { from: '2026-04-02', to: '2026-04-03' });
    expect(inRange.map((r) => r.key.day).sort()).toEqual(['2026-04-02', '2026-04-03']);
    expect(inRange.every((r) => r.counts.sent === 2)).toBe(true);
    expect((await kpiStore.readCounterRows(table, { from: '2026-04-04' })).map((r) => r.key.day)).toEqual(['2026-04-04']);
    expect((await kpiStore.readCounterRows(table, { to: '2026-04-01' })).map((r) => r.key.day)).toEqual(['2026-04-01']);
    expect(await kpiStore.readCounterRows(table, { from: '2026-05-01' })).toEqual([]);

    const index = await db.client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'DAYS' }, sk: { S: 'COUNTS' } } }));
    expect(index.Item?.days?.SS?.sort()).toEqual(days);
  });
});

describe('repurchase attribution on DynamoDB (shared/journey/repurchase.ts over shared/aws/journey-store.ts)', () => {
  const phone = '+5491155550123';
  const purchase = (orderId: string, purchasedAt: string, amount: number): PurchaseDetail => ({
    orderId,
    purchasedAt,
    customer: { id: 'C-9', phone, name: 'Lucía', locale: 'es-AR', timezone: 'America/Argentina/Buenos_Aires' },
    items: [{ sku: 'CAF-DLX', name: 'Cafetera Deluxe' }],
    total: { amount, currency: 'ARS' },
  });

  it('attributes one purchase once under 8 concurrent handlings that see different facts; all publish the recorded one', async () => {
    const { dynamoAttributionStore, dynamoContactJourneyIndex, dynamoDeliveryLog } = await import('#shared/aws/journey-store');
    const index = dynamoContactJourneyIndex(tableName);
    const deliveries = dynamoDeliveryLog(tableName);
    const first = purchase(newOrder(), '2026-03-01T12:00:00-03:00', 189_999);
    await index.recordJourney(phone, { orderId: first.orderId, executionArn: 'arn:execution', locale: 'es-AR', purchasedAt: first.purchasedAt }, new Date('2026-06-01T00:00:00Z'));
    await deliveries.recordDelivered(phone, { orderId: first.orderId, milestone: 'day7', template: 'posventa_day7_adoption', variant: 'B', deliveredAt: '2026-03-08T12:00:05.000Z' });
    const second = purchase(newOrder(), '2026-03-11T10:00:00-03:00', 45_000);

    const published: DomainEvent[] = [];
    const deps = (attributionWindowDays: number): AttributionDeps => ({
      deliveries,
      journeys: index,
      attributions: dynamoAttributionStore(tableName),
      settings: { attributionWindowDays, repurchaseWindowDays: 60 },
      publish: async (events) => void published.push(...events),
    });
    // A 5-day window sees the day-7 message (2 days 22 h before); a 1-day window does not.
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => attributePurchase(second, false, deps(i % 2 === 0 ? 5 : 1))));

    const stored = await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `ORDER#${second.orderId}` }, sk: { S: 'ATTRIBUTION' } }, ConsistentRead: true }));
    const recorded = JSON.parse(stored.Item?.detail?.S ?? 'null') as RepurchaseAttributedDetail;
    expect(recorded).toMatchObject({ eventId: `repurchase:${second.orderId}`, newOrderId: second.orderId, orderId: first.orderId, revenue: { amount: 45_000, currency: 'ARS' }, holdout: false });
    expect(['message', 'journey']).toContain(recorded.attribution);
    for (const result of results) expect(result).toEqual(recorded);
    expect(published.map((e) => e.detail)).toEqual(Array(8).fill(recorded));

    // Handled again later with the 5-day window, the purchase keeps its first attribution.
    expect(await attributePurchase(second, false, deps(5))).toEqual(recorded);
  });

  it('attributes to the last message delivered in the window, and not to one delivered after the purchase', async () => {
    const { dynamoAttributionStore, dynamoContactJourneyIndex, dynamoDeliveryLog } = await import('#shared/aws/journey-store');
    const other = '+5491155550456';
    const deliveries = dynamoDeliveryLog(tableName);
    const first = newOrder();
    await deliveries.recordDelivered(other, { orderId: first, milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A', deliveredAt: '2026-03-08T12:00:05.000Z' });
    await deliveries.recordDelivered(other, { orderId: first, milestone: 'day30', template: 'posventa_day30_nps', variant: 'A', deliveredAt: '2026-03-31T12:00:05.000Z' });
    const purchaseAt = { ...purchase(newOrder(), '2026-03-31T09:00:00-03:00', 10), customer: { ...purchase('x', '2026-03-31T09:00:00-03:00', 10).customer, phone: other } };
    const attribution = await attributePurchase(purchaseAt, false, {
      deliveries,
      journeys: dynamoContactJourneyIndex(tableName),
      attributions: dynamoAttributionStore(tableName),
      settings: { attributionWindowDays: 30, repurchaseWindowDays: 60 },
      publish: async () => undefined,
    });
    // 12:00:05 UTC on the 31st is after the purchase (12:00 UTC): the day-7 message gets it.
    expect(attribution).toMatchObject({ attribution: 'message', orderId: first, milestone: 'day7', deliveredAt: '2026-03-08T12:00:05.000Z' });
  });
});

describe('dynamoTemplateStatusStore (shared/aws/template-status-store.ts): order-safe, duplicate-safe', () => {
  type Store = import('#shared/templates/status').TemplateStatusStore;
  let templates: Store;
  let templateSeq = 0;
  beforeAll(async () => {
    const { dynamoTemplateStatusStore } = await import('#shared/aws/template-status-store');
    templates = dynamoTemplateStatusStore(await db.createTable('templates'));
  });
  /** A template name of its own per test: they share the table. */
  const newTemplate = () => `posventa_test_${++templateSeq}`;
  const status = (template: string, value: string, at: string, reason?: string) =>
    ({ kind: 'status', template, language: 'es', value, at, ...(reason === undefined ? {} : { reason }) }) as const;
  const quality = (template: string, value: string, at: string) => ({ kind: 'quality', template, language: 'es', value, at }) as const;
  const standingOf = async (template: string, language = 'es') => (await templates.standingsIn(language)).find((s) => s.template === template);

  it('keeps the latest change by Meta’s time: a late older webhook never undoes a newer one', async () => {
    const name = newTemplate();
    expect(await templates.record(status(name, 'APPROVED', '2026-03-01T10:00:00.000Z'))).toEqual({ recorded: true });
    expect(await templates.record(status(name, 'PAUSED', '2026-03-05T10:00:00.000Z'))).toEqual({ recorded: true });
    // Meta's delivery of the day-3 approval arrives last.
    expect(await templates.record(status(name, 'APPROVED', '2026-03-03T10:00:00.000Z'))).toEqual({ recorded: false });
    expect(await standingOf(name)).toEqual({ template: name, language: 'es', status: { value: 'PAUSED', at: '2026-03-05T10:00:00.000Z' } });
    // Reinstated later: approved again, and the pause's reason does not linger.
    await templates.record(status(name, 'REJECTED', '2026-03-06T10:00:00.000Z', 'INCORRECT_CATEGORY'));
    expect((await standingOf(name))?.status).toEqual({ value: 'REJECTED', at: '2026-03-06T10:00:00.000Z', reason: 'INCORRECT_CATEGORY' });
    await templates.record(status(name, 'APPROVED', '2026-03-07T10:00:00.000Z'));
    expect((await standingOf(name))?.status).toEqual({ value: 'APPROVED', at: '2026-03-07T10:00:00.000Z' });
  });

  it('takes a duplicate (also 8 at once) as a no-op, and orders two changes in one second by caution, in either order', async () => {
    const name = newTemplate();
    const paused = status(name, 'PAUSED', '2026-03-05T10:00:00.000Z');
    const results = await Promise.all(Array.from({ length: 8 }, () => templates.record(paused)));
    expect(results.filter((r) => r.recorded)).toHaveLength(1);
    expect(await templates.record(paused)).toEqual({ recorded: false });
    expect((await standingOf(name))?.status).toEqual({ value: 'PAUSED', at: paused.at });

    // Meta's times are whole seconds: APPROVED and PAUSED in the same second end PAUSED whichever comes last.
    const other = newTemplate();
    await templates.record(status(other, 'PAUSED', '2026-03-05T10:00:00.000Z'));
    expect(await templates.record(status(other, 'APPROVED', '2026-03-05T10:00:00.000Z'))).toEqual({ recorded: false });
    const third = newTemplate();
    await templates.record(status(third, 'APPROVED', '2026-03-05T10:00:00.000Z'));
    expect(await templates.record(status(third, 'PAUSED', '2026-03-05T10:00:00.000Z'))).toEqual({ recorded: true });
    expect([(await standingOf(other))?.status?.value, (await standingOf(third))?.status?.value]).toEqual(['PAUSED', 'PAUSED']);
  });

  it('keeps status and quality apart (each ordered by its own time), and each language apart', async () => {
    const name = newTemplate();
    await templates.record(quality(name, 'RED', '2026-03-05T10:00:00.000Z'));
    // An older status still lands: it is another kind of change.
    expect(await templates.record(status(name, 'APPROVED', '2026-03-04T10:00:00.000Z'))).toEqual({ recorded: true });
    expect(await templates.record(quality(name, 'GREEN', '2026-03-04T12:00:00.000Z'))).toEqual({ recorded: false });
    await templates.record({ ...status(name, 'PAUSED', '2026-03-06T10:00:00.000Z'), language: 'pt_BR' });
    expect(await standingOf(name)).toEqual({
      template: name,
      language: 'es',
      status: { value: 'APPROVED', at: '2026-03-04T10:00:00.000Z' },
      quality: { value: 'RED', at: '2026-03-05T10:00:00.000Z' },
    });
    expect(await standingOf(name, 'pt_BR')).toEqual({ template: name, language: 'pt_BR', status: { value: 'PAUSED', at: '2026-03-06T10:00:00.000Z' } });
    expect(await standingOf(name, 'en')).toBeUndefined();
  });

  it('is read at most once a minute per language through the cache, and a change shows after that minute', async () => {
    const { cachedAvailability } = await import('#shared/templates/status');
    const name = newTemplate();
    const reads: string[] = [];
    let now = 1_000_000;
    const availability = cachedAvailability({ standingsIn: (language) => (reads.push(language), templates.standingsIn(language)) }, { nowMs: () => now });
    expect((await availability('es')).unavailable.has(name)).toBe(false);
    await templates.record(status(name, 'PAUSED', '2026-03-05T10:00:00.000Z'));
    now += 59_999;
    const burst = await Promise.all(Array.from({ length: 20 }, () => availability('es')));
    expect(burst.every((a) => !a.unavailable.has(name))).toBe(true);
    expect(reads).toEqual(['es']);
    await availability('en');
    now += 1;
    expect((await availability('es')).unavailable.get(name)).toBe(`${name} PAUSED at Meta since 2026-03-05T10:00:00.000Z`);
    expect(reads).toEqual(['es', 'en', 'es']);
  });
});

describe('dynamoNpsAnswers (shared/aws/message-facts.ts)', () => {
  it('keeps the order’s latest answer by the customer’s time: a corrected score wins, a late earlier one does not', async () => {
    const { dynamoNpsAnswers } = await import('#shared/aws/message-facts');
    const answers = dynamoNpsAnswers(tableName);
    const orderId = newOrder();
    expect(await answers.npsAnswerOf(orderId)).toBeUndefined();
    await answers.recordNpsAnswer(orderId, { score: 6, at: '2026-04-07T12:00:00.000Z' });
    await answers.recordNpsAnswer(orderId, { score: 9, at: '2026-04-07T12:01:00.000Z' });
    await answers.recordNpsAnswer(orderId, { score: 6, at: '2026-04-07T12:00:00.000Z' });
    expect(await answers.npsAnswerOf(orderId)).toEqual({ score: 9, at: '2026-04-07T12:01:00.000Z' });
  });
});

describe('taken messages (shared/aws/message-facts.ts): Meta’s statuses kept under their order', () => {
  it('keeps each wamid once, with its earliest status time, whatever the order and repeats; lists them by order', async () => {
    const { dynamoMessageFacts } = await import('#shared/aws/message-facts');
    const facts = dynamoMessageFacts(tableName);
    const orderId = newOrder();
    const ref = { orderId, milestone: 'day7' as const, template: 'posventa_day7_adoption', variant: 'A' };
    expect(await facts.takenOf(orderId)).toEqual([]);
    // `read` overtakes `sent`, and Meta repeats `sent`.
    await facts.recordTaken({ ...ref, wamid: 'wamid.one', at: '2026-03-08T09:01:00.000Z' });
    await facts.recordTaken({ ...ref, wamid: 'wamid.one', at: '2026-03-08T09:00:00.000Z' });
    await facts.recordTaken({ ...ref, wamid: 'wamid.one', at: '2026-03-08T09:00:00.000Z' });
    await facts.recordTaken({ ...ref, milestone: 'day30', template: 'posventa_day30_nps', wamid: 'wamid.two', at: '2026-04-01T12:00:00.000Z' });
    await facts.recordTaken({ ...ref, orderId: newOrder(), wamid: 'wamid.other-order', at: '2026-03-08T09:00:00.000Z' });
    const taken = await facts.takenOf(orderId);
    expect(taken.sort((a, b) => a.wamid.localeCompare(b.wamid))).toEqual([
      { ...ref, wamid: 'wamid.one', at: '2026-03-08T09:00:00.000Z' },
      { ...ref, milestone: 'day30', template: 'posventa_day30_nps', wamid: 'wamid.two', at: '2026-04-01T12:00:00.000Z' },
    ]);
    // Beside the order's message records, never mistaken for one.
    expect(await itemOf(orderId)).toBeUndefined();
  });
});
