import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { applyCounterWrites } from '#shared/aws/kpi-store';
import { clockFromEnv } from '#shared/clock';
import { ENV, requireEnv } from '#shared/env';
import { addOf, planCounterWrites, type CountedEvent } from '#shared/kpi/aggregation';
import { readQueuedEvents } from '#shared/kpi/batch';
import { COUNTER_DEFINITIONS, METRIC_NAMESPACE, MILESTONE_DIMENSION, type Counter } from '#shared/kpi/counters';
import { createLogger } from '#shared/log';

const logger = createLogger('kpi-aggregator');
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'kpi-aggregator' });
const clock = clockFromEnv();
const tableName = requireEnv(ENV.kpiTableName);
const timeZone = process.env[ENV.reportingTimeZone] || 'UTC';
const UNIT = { Count: MetricUnit.Count, Seconds: MetricUnit.Seconds, None: MetricUnit.NoUnit } as const;

/** One EMF metric per milestone × counter per batch, not per event: at load, log lines cost. */
function emitMetrics(counted: readonly CountedEvent[]): void {
  const totals = new Map<string, { milestone: string; counter: Counter; amount: number }>();
  for (const event of counted) {
    for (const [counter, amount] of Object.entries(addOf(event)) as Array<[Counter, number]>) {
      const id = `${event.key.milestone}|${counter}`;
      const total = totals.get(id) ?? { milestone: event.key.milestone, counter, amount: 0 };
      total.amount += amount;
      totals.set(id, total);
    }
  }
  for (const { milestone, counter, amount } of totals.values()) {
    // A single metric is flushed at once, with its own dimension.
    const { metric: name, unit } = COUNTER_DEFINITIONS[counter];
    const metric = metrics.singleMetric();
    metric.addDimension(MILESTONE_DIMENSION, milestone);
    metric.addMetric(name, UNIT[unit], amount);
  }
}

/** Counts a batch with one write per distinct counter key; reports only the messages that failed. */
async function aggregate(event: SQSEvent): Promise<SQSBatchResponse> {
  const batch = readQueuedEvents(event.Records, timeZone);
  const failed = new Set(batch.unreadable.map((u) => u.messageId));
  for (const unreadable of batch.unreadable) logger.error('unreadable event: it goes back to the queue, then to its DLQ under the same message id', { ...unreadable });

  const messagesOf = new Map<string, string[]>();
  for (const { event: counted, messageId } of batch.counted) {
    messagesOf.set(counted.eventId, [...(messagesOf.get(counted.eventId) ?? []), messageId]);
  }
  const nowSeconds = Math.floor(clock.now().getTime() / 1000);
  for (const plan of planCounterWrites(batch.counted.map((c) => c.event))) {
    try {
      emitMetrics(await applyCounterWrites(tableName, plan, nowSeconds));
    } catch (error) {
      logger.error('counter write failed; messages go back to the queue', { error: error as Error, events: plan.events.length });
      for (const counted of plan.events) for (const messageId of messagesOf.get(counted.eventId) ?? []) failed.add(messageId);
    }
  }
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}

export const handler = middy(aggregate).use(injectLambdaContext(logger));
