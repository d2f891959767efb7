import {
  ScanCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  type AttributeValue,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { isMilestoneId } from '../journey/milestones';
import { planCounterWrites, UNATTRIBUTED, type CountedEvent, type CounterKey, type WritePlan } from '../kpi/aggregation';
import { COUNTERS, type Counter } from '../kpi/counters';
import type { CounterRow } from '../kpi/report';
import { dynamodb } from './dynamodb';

/** How long an event id is remembered for dedupe: longer than SQS retention and Meta's retries. */
const DEDUPE_TTL_SECONDS = 30 * 86_400;
const COUNTS_PREFIX = 'COUNTS#';

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

/**
 * Applies one write plan atomically: the event markers and the counter additions land
 * together or not at all. Events already counted (their marker exists) are dropped and the
 * rest retried, so a replay never counts twice. Returns the events that were new.
 */
export async function applyCounterWrites(tableName: string, plan: WritePlan, nowSeconds: number): Promise<CountedEvent[]> {
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

/** Every counter row. A scan is fine at skeleton scale; the KPI issue replaces it with per-day queries. */
export async function readCounterRows(tableName: string): Promise<CounterRow[]> {
  const rows: CounterRow[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: { ':prefix': { S: COUNTS_PREFIX } },
        ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
      }),
    );
    for (const item of page.Items ?? []) {
      const milestone = item.milestone?.S ?? '';
      if (!isMilestoneId(milestone) && milestone !== UNATTRIBUTED) continue;
      rows.push({
        key: { day: item.day?.S ?? '', milestone, template: item.template?.S ?? '', variant: item.variant?.S ?? '' },
        counts: Object.fromEntries(COUNTERS.map((c) => [c, Number(item[c]?.N ?? 0)])),
      });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return rows;
}
