import {
  GetItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  TransactionCanceledException,
  type AttributeValue,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { isMilestoneId } from '../journey/milestones';
import { planCounterWrites, UNATTRIBUTED, type CountedEvent, type CounterKey, type WritePlan } from '../kpi/aggregation';
import { COUNTERS, type Counter } from '../kpi/counters';
import type { CounterRow } from '../kpi/report';
import { dynamodb, queryPartition } from './dynamodb';

/** How long an event id is remembered for dedupe: longer than SQS retention and Meta's retries. */
const DEDUPE_TTL_SECONDS = 30 * 86_400;
const COUNTS_PREFIX = 'COUNTS#';
/** One item lists the days that have counters, so a report queries those days' partitions instead of scanning markers. */
const DAYS_INDEX_KEY: Record<string, AttributeValue> = { pk: { S: 'DAYS' }, sk: { S: 'COUNTS' } };
/** How many day partitions a report reads at once. */
const DAY_QUERY_CONCURRENCY = 8;

const counterItemKey = (key: CounterKey): Record<string, AttributeValue> => ({
  pk: { S: `${COUNTS_PREFIX}${key.day}` },
  sk: { S: `${key.milestone}#${key.template}#${key.variant}` },
});

function transactItems(tableName: string, plan: WritePlan, nowSeconds: number): TransactWriteItem[] {
  const markers: TransactWriteItem[] = plan.events.map(({ eventId }) => ({
    Put: {
      TableName: tableName,
      Item: { pk: { S: `EVENT#${eventId}` }, sk: { S: 'COUNTED' }, expiresAt: { N: String(nowSeconds + DEDUPE_TTL_SECONDS) } },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }));
  const counters: TransactWriteItem[] = plan.increments.map(({ key, add }) => {
    const entries = Object.entries(add) as Array<[Counter, number]>;
    return {
      Update: {
        TableName: tableName,
        Key: counterItemKey(key),
        UpdateExpression: `SET milestone = :milestone, template = :template, variant = :variant, #day = :day ADD ${entries.map(([c]) => `#${c} :${c}`).join(', ')}`,
        ExpressionAttributeNames: { '#day': 'day', ...Object.fromEntries(entries.map(([c]) => [`#${c}`, c])) },
        ExpressionAttributeValues: {
          ':milestone': { S: key.milestone },
          ':template': { S: key.template },
          ':variant': { S: key.variant },
          ':day': { S: key.day },
          ...Object.fromEntries(entries.map(([c, n]) => [`:${c}`, { N: String(n) }])),
        },
      },
    };
  });
  return [...markers, ...counters];
}

/** Days this container has put in the index, per table: the index is written once per day, not once per batch. */
const indexedDays = new Map<string, Set<string>>();

/**
 * Adds the plan's days to the days index before their counters are written, so a reader never
 * misses counted rows; a batch that fails after this leaves at most a listed day with no rows.
 */
async function indexDays(tableName: string, plan: WritePlan): Promise<void> {
  const known = indexedDays.get(tableName) ?? new Set<string>();
  const missing = [...new Set(plan.increments.map(({ key }) => key.day))].filter((day) => !known.has(day));
  if (missing.length === 0) return;
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: DAYS_INDEX_KEY,
      UpdateExpression: 'ADD #days :days',
      ExpressionAttributeNames: { '#days': 'days' },
      ExpressionAttributeValues: { ':days': { SS: missing } },
    }),
  );
  for (const day of missing) known.add(day);
  indexedDays.set(tableName, known);
}

/**
 * Applies one write plan atomically: the event markers and the counter additions land
 * together or not at all. Events already counted (their marker exists) are dropped and the
 * rest retried, so a replay never counts twice. Returns the events that were new.
 */
export async function applyCounterWrites(tableName: string, plan: WritePlan, nowSeconds: number): Promise<CountedEvent[]> {
  await indexDays(tableName, plan);
  let current: WritePlan | undefined = plan;
  while (current !== undefined) {
    try {
      await dynamodb.send(new TransactWriteItemsCommand({ TransactItems: transactItems(tableName, current, nowSeconds) }));
      return current.events;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      // Markers come first in the transaction, so reason i belongs to event i.
      const alreadyCounted = new Set<CountedEvent>(current.events.filter((_, index) => reasons[index]?.Code === 'ConditionalCheckFailed'));
      // Any other reason (a conflict with a concurrent batch) is transient: let the batch retry.
      if (alreadyCounted.size === 0) throw error;
      // Fewer events than a plan that fitted: the re-plan is a single plan (or none).
      const remaining: CountedEvent[] = current.events.filter((event) => !alreadyCounted.has(event));
      current = planCounterWrites(remaining)[0];
    }
  }
  return [];
}

/** Days (YYYY-MM-DD, inclusive) a report covers; either end may be open. */
export interface DayRange {
  from?: string;
  to?: string;
}

/**
 * The counter rows of the days in `range`: one GetItem for the days index, then one Query per
 * listed day (paged). Dedupe markers are never read, however many there are.
 */
export async function readCounterRows(tableName: string, range: DayRange = {}): Promise<CounterRow[]> {
  const index = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: DAYS_INDEX_KEY }));
  const days = (index.Item?.days?.SS ?? []).filter((day) => (range.from === undefined || day >= range.from) && (range.to === undefined || day <= range.to)).sort();
  const rows: CounterRow[] = [];
  for (let start = 0; start < days.length; start += DAY_QUERY_CONCURRENCY) {
    const pages = await Promise.all(days.slice(start, start + DAY_QUERY_CONCURRENCY).map((day) => readDayRows(tableName, day)));
    rows.push(...pages.flat());
  }
  return rows;
}

async function readDayRows(tableName: string, day: string): Promise<CounterRow[]> {
  const rows: CounterRow[] = [];
  for (const item of await queryPartition(tableName, `${COUNTS_PREFIX}${day}`)) {
    const milestone = item.milestone?.S ?? '';
    if (!isMilestoneId(milestone) && milestone !== UNATTRIBUTED) continue;
    rows.push({
      key: { day, milestone, template: item.template?.S ?? '', variant: item.variant?.S ?? '' },
      counts: Object.fromEntries(COUNTERS.map((c) => [c, Number(item[c]?.N ?? 0)])),
    });
  }
  return rows;
}
