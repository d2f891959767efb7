import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { applyCounterWrites } from '#shared/aws/kpi-store';
import { clockFromEnv } from '#shared/clock';
import { ENV, requireEnv } from '#shared/env';
import { planCounterWrites, type CountedEvent } from '#shared/kpi/aggregation';
import { readQueuedEvents } from '#shared/kpi/batch';
import { METRIC_NAMESPACE } from '#shared/kpi/counters';
import { counterMetricLines, templateQualityLines, type MetricLine } from '#shared/kpi/metrics';
import { createLogger } from '#shared/log';

const logger = createLogger('kpi-aggregator');
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'kpi-aggregator' });
// Powertools adds a `service` dimension to every metric (singleMetric too). CloudWatch matches a
// query only to the exact dimension set, so the dashboards' {Milestone} would never see
// {service, Milestone}: the metrics carry only the dimensions shared/kpi/metrics.ts gives them.
metrics.clearDefaultDimensions();
const clock = clockFromEnv();
const tableName = requireEnv(ENV.kpiTableName);
const timeZone = process.env[ENV.reportingTimeZone] || 'UTC';
const UNIT = { Count: MetricUnit.Count, Seconds: MetricUnit.Seconds, None: MetricUnit.NoUnit } as const;

/** One EMF document per line: its dimension set and its metrics. */
function publish(lines: readonly MetricLine[]): void {
  for (const { dimensions, values } of lines) {
    for (const [name, value] of Object.entries(dimensions)) metrics.addDimension(name, value);
    for (const { name, unit, value } of values) metrics.addMetric(name, UNIT[unit], value);
    metrics.publishStoredMetrics();
  }
}

/** Counts a batch with one write per distinct counter key; reports only the messages that failed. */
async function aggregate(event: SQSEvent): Promise<SQSBatchResponse> {
  const batch = readQueuedEvents(event.Records, timeZone);
  publish(templateQualityLines(batch.qualities));
  const failed = new Set(batch.unreadable.map((u) => u.messageId));
  for (const unreadable of batch.unreadable) logger.error('unreadable event: it goes back to the queue, then to its DLQ under the same message id', { ...unreadable });

  const messagesOf = new Map<string, string[]>();
  for (const { event: counted, messageId } of batch.counted) {
    messagesOf.set(counted.eventId, [...(messagesOf.get(counted.eventId) ?? []), messageId]);
  }
  const nowSeconds = Math.floor(clock.now().getTime() / 1000);
  const newlyCounted: CountedEvent[] = [];
  for (const plan of planCounterWrites(batch.counted.map((c) => c.event))) {
    try {
      newlyCounted.push(...(await applyCounterWrites(tableName, plan, nowSeconds)));
    } catch (error) {
      logger.error('counter write failed; messages go back to the queue', { error: error as Error, events: plan.events.length });
      for (const counted of plan.events) for (const messageId of messagesOf.get(counted.eventId) ?? []) failed.add(messageId);
    }
  }
  // After every write, so a batch makes one line per dimension values however many transactions it took.
  publish(counterMetricLines(newlyCounted));
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}

export const handler = middy(aggregate).use(injectLambdaContext(logger));
