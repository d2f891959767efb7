import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV } from '#shared/env';
import { DOMAIN_EVENT, DOMAIN_EVENT_SOURCE } from '#shared/events/domain';
import { HELPDESK_EVENT, HELPDESK_EVENT_SOURCE } from '#shared/events/helpdesk';
import { MILESTONE_IDS } from '#shared/journey/milestones';
import { COUNTER_METRIC, COUNTERS, FIRST_RESPONSE_BOUNDS_SECONDS, METRIC_NAMESPACE } from '#shared/kpi/counters';
import { LANGUAGE_DIMENSION, TEMPLATE_DIMENSION, TEMPLATE_QUALITY_METRIC, VARIANT_DIMENSION } from '#shared/kpi/metrics';
import { TEMPLATE_LANGUAGES, templateVariantKeys, type TemplateVariantKey } from '#shared/templates/catalogue';
import { synthesizePosventa, type CloudFormationTemplate, type PosventaSynthesis } from '../../infra/synth';
import { startLocalDynamoDb, type LocalDynamoDb } from '../support/dynamodb-local';

/**
 * The dashboards and alarms read exactly the metrics the aggregator writes: the deployed bundle
 * of the KPI aggregator counts a batch holding every kind of event (against DynamoDB Local) and
 * its EMF output, as CloudWatch would read it from the log, is compared with every Posventa
 * metric the synthesized template's dashboards and alarms query: same namespace, name and
 * dimension set, both ways. CloudWatch matches nothing else: one extra dimension (Powertools'
 * default `service`) and every graph is empty.
 */

const ALARMS = {
  blockRate: 0.004,
  failureRate: 0.01,
  minimumSent: 200,
  day7ResponseRateFloor: 0.2,
  minimumDay7Delivered: 50,
  npsFloor: 10,
  minimumNpsAnswers: 40,
  templateQuality: 'RED',
  webhook5xxRate: 0.02,
  minimumWebhookRequests: 100,
} as const;

// ── A batch with every kind of event ─────────────────────────────────────────────────────

const AT = '2026-11-20T10:00:00.000Z';
let sequence = 0;
const next = (prefix: string) => `${prefix}-${++sequence}`;
type Detail = Record<string, unknown>;
interface BusEvent {
  source: string;
  type: string;
  detail: Detail;
}

/** Every journey event of one message's milestone × template × variant; each on its own order, so no per-journey count is deduplicated away. */
function journeyEvents(key: TemplateVariantKey): BusEvent[] {
  const domain = (type: string, extra: Detail = {}): BusEvent => ({
    source: DOMAIN_EVENT_SOURCE,
    type,
    detail: { eventId: next('event'), occurredAt: AT, orderId: next('order'), ...key, ...extra },
  });
  const delivered = (category: string, country?: string) => domain(DOMAIN_EVENT.messageDelivered, { pricing: { billable: true, category }, ...(country === undefined ? {} : { country }) });
  return [
    domain(DOMAIN_EVENT.messageSent),
    delivered('utility', 'AR'),
    delivered('marketing', 'BR'),
    delivered('authentication', 'MX'),
    delivered('service', 'ES'), // no service rate after 2026-10-01: unpriced
    delivered('referral_conversion'), // a category Meta may add: billable "other"
    domain(DOMAIN_EVENT.messageDelivered, { pricing: { billable: false, category: 'service' } }),
    domain(DOMAIN_EVENT.messageRead),
    ...[131026, 131049, 131050, 132001, 131000, 130472].map((errorCode) => domain(DOMAIN_EVENT.messageFailed, { errorCode })),
    domain(DOMAIN_EVENT.messageSkipped, { reason: 'holdout' }),
    domain(DOMAIN_EVENT.messageSkipped, { reason: 'not-opted-in' }),
    domain(DOMAIN_EVENT.replyReceived),
    ...[10, 8, 3].map((score) => domain(DOMAIN_EVENT.npsAnswered, { score })),
    domain(DOMAIN_EVENT.npsUnanswered),
    domain(DOMAIN_EVENT.optedIn),
    domain(DOMAIN_EVENT.optedOut),
    domain(DOMAIN_EVENT.ticketRequested, { reason: 'urgent-callback' }),
    domain(DOMAIN_EVENT.ticketRequested, { reason: 'detractor' }),
    domain(DOMAIN_EVENT.chatHandoffRequested),
    domain(DOMAIN_EVENT.bookingRequested),
    domain(DOMAIN_EVENT.leadCreated),
    domain(DOMAIN_EVENT.fallbackRequested),
    domain(DOMAIN_EVENT.repurchaseAttributed, { attribution: 'message', newOrderId: next('order'), revenue: { amount: 120, currency: 'EUR' }, holdout: false, cohort: { orderId: next('order'), purchasedAt: AT } }),
    ...helpdeskEvents(key),
  ];
}

/** The helpdesk's events, attributed to a journey message or not, with one first response in each histogram bucket. */
function helpdeskEvents(key?: TemplateVariantKey): BusEvent[] {
  const helpdesk = (type: string, extra: Detail = {}): BusEvent => ({ source: HELPDESK_EVENT_SOURCE, type, detail: { ticketId: next('ticket'), occurredAt: AT, ...key, ...extra } });
  const seconds = [...FIRST_RESPONSE_BOUNDS_SECONDS, FIRST_RESPONSE_BOUNDS_SECONDS.at(-1)! + 1];
  return [
    helpdesk(HELPDESK_EVENT.ticketOpened),
    helpdesk(HELPDESK_EVENT.ticketReopened),
    helpdesk(HELPDESK_EVENT.ticketClosed),
    ...seconds.map((s) => helpdesk(HELPDESK_EVENT.agentReplied, { customerMessageAt: new Date(Date.parse(AT) - s * 1000).toISOString() })),
  ];
}

/** Events no journey message explains: consent before any message, cohorts, tickets without a journey. */
function unattributedEvents(): BusEvent[] {
  const domain = (type: string, detail: Detail): BusEvent => ({ source: DOMAIN_EVENT_SOURCE, type, detail: { eventId: next('event'), occurredAt: AT, ...detail } });
  return [
    domain(DOMAIN_EVENT.optedIn, {}),
    domain(DOMAIN_EVENT.optedOut, {}),
    domain(DOMAIN_EVENT.journeyStarted, { orderId: next('order'), holdout: false }),
    domain(DOMAIN_EVENT.journeyStarted, { orderId: next('order'), holdout: true }),
    domain(DOMAIN_EVENT.repurchaseAttributed, { orderId: next('order'), attribution: 'journey', newOrderId: next('order'), holdout: true, cohort: { orderId: next('order'), purchasedAt: AT } }),
    ...helpdeskEvents(),
  ];
}

/** Meta's quality ratings of every catalogue template in every language, and one UNKNOWN (no point on the scale). */
function qualityEvents(): BusEvent[] {
  const names = [...new Set(templateVariantKeys().map((k) => k.template))];
  const ratings = ['GREEN', 'YELLOW', 'RED'];
  const rated = names.flatMap((template, t) =>
    TEMPLATE_LANGUAGES.map((language, l) => ({ template, language, quality: ratings[(t + l) % ratings.length]! })),
  );
  return [...rated, { template: names[0]!, language: 'es', quality: 'UNKNOWN' }].map(({ template, language, quality }) => ({
    source: DOMAIN_EVENT_SOURCE,
    type: DOMAIN_EVENT.templateQualityChanged,
    detail: { eventId: next('quality'), occurredAt: AT, template, language, templateId: next('id'), quality },
  }));
}

const EVENTS: BusEvent[] = [...templateVariantKeys().flatMap(journeyEvents), ...unattributedEvents(), ...qualityEvents()];

const sqsEvent = (events: readonly BusEvent[]): SQSEvent => ({
  Records: events.map((event, index) => ({
    messageId: `message-${index}`,
    receiptHandle: `receipt-${index}`,
    body: JSON.stringify({ version: '0', id: `bus-${index}`, source: event.source, 'detail-type': event.type, account: '111111111111', time: AT, region: 'us-east-1', resources: [], detail: event.detail }),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'events', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:111111111111:KpiEventsQueue',
    awsRegion: 'us-east-1',
  })),
});

const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'KpiAggregatorFunction',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:KpiAggregatorFunction',
  memoryLimitInMB: '512',
  awsRequestId: 'request-1',
  logGroupName: '/aws/lambda/KpiAggregatorFunction',
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

// ── Metric identities ────────────────────────────────────────────────────────────────────

/** Namespace, name and the exact dimension set with values: what CloudWatch matches a query on. */
const identity = (namespace: string, name: string, dimensions: Record<string, string>) =>
  `${namespace} ${name} ${JSON.stringify(Object.fromEntries(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b))))}`;

interface EmfDocument {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit?: string }> }> };
  [key: string]: unknown;
}

/** The metrics an EMF document creates: one per metric × dimension set, the values read from its top level. */
function emfMetrics(document: EmfDocument): Array<{ id: string; name: string; dimensionNames: string[]; value: number }> {
  return document._aws.CloudWatchMetrics.flatMap(({ Namespace, Dimensions, Metrics }) =>
    Dimensions.flatMap((set) =>
      Metrics.map(({ Name }) => ({
        id: identity(Namespace, Name, Object.fromEntries(set.map((d) => [d, String(document[d])]))),
        name: Name,
        dimensionNames: set,
        value: document[Name] as number,
      })),
    ),
  );
}

/** The dashboard body as JSON: tokens (region, queue names…) become a placeholder inside their strings. */
function dashboardBody(body: unknown): { widgets: Array<{ type: string; properties: { metrics?: unknown[][] } }> } {
  const join = (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return JSON.parse(join[1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(join[0]));
}

/** Every metric (not expression) a dashboard's graphs query, in Posventa's namespace. */
function dashboardMetrics(template: CloudFormationTemplate): string[] {
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::CloudWatch::Dashboard')
    .flatMap((r) => dashboardBody(r.Properties?.DashboardBody).widgets)
    .flatMap((w) => w.properties.metrics ?? [])
    .filter((entry) => typeof entry[0] === 'string' && entry[0] === METRIC_NAMESPACE)
    .map((entry) => {
      const [namespace, name, ...rest] = entry as string[];
      const pairs = rest.filter((x) => typeof x === 'string');
      const dimensions: Record<string, string> = {};
      for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i]!] = pairs[i + 1]!;
      return identity(namespace!, name!, dimensions);
    });
}

interface CfnMetric {
  Namespace: string;
  MetricName: string;
  Dimensions?: Array<{ Name: string; Value: string }>;
}
const cfnIdentity = (m: CfnMetric) => identity(m.Namespace, m.MetricName, Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, d.Value])));

/** Every metric an alarm reads, single or inside metric math, in Posventa's namespace. */
function alarmMetrics(template: CloudFormationTemplate): string[] {
  return Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .flatMap((r) => {
      const p = r.Properties ?? {};
      if (p.MetricName !== undefined) return [p as CfnMetric];
      return (p.Metrics as Array<{ MetricStat?: { Metric: CfnMetric } }>).flatMap((m) => (m.MetricStat === undefined ? [] : [m.MetricStat.Metric]));
    })
    .filter((m) => m.Namespace === METRIC_NAMESPACE)
    .map(cfnIdentity);
}

// ── One synthesis, one real aggregation ─────────────────────────────────────────────────

let synthesis: PosventaSynthesis;
let dynamo: LocalDynamoDb;
let response: SQSBatchResponse;
let documents: EmfDocument[];

beforeAll(async () => {
  synthesis = synthesizePosventa({ checks: false, config: { whatsappPhoneNumberId: '109876543210987', alarms: ALARMS } });
  dynamo = await startLocalDynamoDb();
  process.env[ENV.kpiTableName] = await dynamo.createTable('kpi');
  process.env[ENV.reportingTimeZone] = 'UTC';
  const aggregator = synthesis.functions.find((fn) => fn.entry === 'functions/kpi-aggregator/handler.ts');
  if (aggregator === undefined) throw new Error('no KPI aggregator in the template');
  const { handler } = (await import(pathToFileURL(join(aggregator.bundleDir, 'index.mjs')).href)) as { handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> };

  // Powertools writes EMF with its own Console on process.stdout, as Lambda's log capture reads it.
  const written: string[] = [];
  const capture = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    response = await handler(sqsEvent(EVENTS), lambdaContext);
  } finally {
    capture.mockRestore();
  }
  documents = written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line): line is EmfDocument => '_aws' in line);
});

afterAll(async () => {
  await dynamo?.stop();
  if (synthesis !== undefined) rmSync(synthesis.assemblyDir, { recursive: true, force: true });
});

const emitted = () => documents.flatMap(emfMetrics);
const emittedIds = () => new Set(emitted().map((m) => m.id));

describe('the KPI aggregator (deployed bundle) emits', () => {
  it('every counter and the template quality, having counted the whole batch', () => {
    expect(response.batchItemFailures).toEqual([]);
    const names = new Set(emitted().map((m) => m.name));
    for (const counter of COUNTERS) expect(names, counter).toContain(COUNTER_METRIC[counter]);
    expect(names).toContain(TEMPLATE_QUALITY_METRIC);
  });

  it('only the dimensions the dashboards query (no Powertools `service`), under Posventa', () => {
    const allowed = [['Milestone'], ['Milestone', TEMPLATE_DIMENSION, VARIANT_DIMENSION], [TEMPLATE_DIMENSION, LANGUAGE_DIMENSION]].map((set) => JSON.stringify(set));
    for (const metric of emitted()) expect(allowed).toContain(JSON.stringify(metric.dimensionNames));
    for (const document of documents) expect(document._aws.CloudWatchMetrics.map((m) => m.Namespace)).toEqual([METRIC_NAMESPACE]);
  });

  it('one line per dimension values per batch, with the sums of its events', () => {
    const lines = documents.map((d) => JSON.stringify(d._aws.CloudWatchMetrics[0]!.Dimensions[0]!.map((name) => d[name])));
    expect(new Set(lines).size).toBe(lines.length);
    const sent = (dimension: string) => emitted().filter((m) => m.name === COUNTER_METRIC.sent && m.dimensionNames.includes(dimension));
    const sentEvents = EVENTS.filter((e) => e.type === DOMAIN_EVENT.messageSent).length;
    expect(sent('Milestone').filter((m) => !m.dimensionNames.includes(TEMPLATE_DIMENSION)).reduce((sum, m) => sum + m.value, 0)).toBe(sentEvents);
    expect(sent(TEMPLATE_DIMENSION).reduce((sum, m) => sum + m.value, 0)).toBe(sentEvents);
  });
});

describe('the dashboards and alarms', () => {
  it('query only metrics the aggregator emits, with the same namespace, name and dimensions', () => {
    const emittedSet = emittedIds();
    const queried = [...new Set([...dashboardMetrics(synthesis.template), ...alarmMetrics(synthesis.template)])];
    expect(queried.length).toBeGreaterThan(0);
    expect(queried.filter((id) => !emittedSet.has(id))).toEqual([]);
  });

  it('show every metric the aggregator emits (every counter per milestone, the Template centre per template and variant, quality per language)', () => {
    const shown = new Set(dashboardMetrics(synthesis.template));
    expect([...emittedIds()].filter((id) => !shown.has(id))).toEqual([]);
  });

  it('alarm on template quality per catalogue template and language', () => {
    const quality = alarmMetrics(synthesis.template).filter((id) => id.includes(` ${TEMPLATE_QUALITY_METRIC} `));
    const names = new Set(templateVariantKeys().map((k) => k.template));
    expect(quality).toHaveLength(names.size * TEMPLATE_LANGUAGES.length);
  });
});

describe('alarm thresholds follow cdk.json posventa.alarms', () => {
  const alarm = (prefix: string) => {
    const found = Object.entries(synthesis.template.Resources).filter(([id, r]) => r.Type === 'AWS::CloudWatch::Alarm' && id.startsWith(`Dashboards${prefix}`));
    expect(found, prefix).toHaveLength(1);
    return found[0]![1].Properties as { Threshold: number; ComparisonOperator: string; EvaluationPeriods: number; TreatMissingData: string; AlarmActions: unknown[]; Metrics?: Array<{ Expression?: string }> };
  };
  const expression = (p: ReturnType<typeof alarm>) => p.Metrics?.find((m) => m.Expression !== undefined)?.Expression ?? '';

  it.each([
    ['BlockRateAlarm', ALARMS.blockRate, 'GreaterThanThreshold', `>= ${ALARMS.minimumSent}`],
    ['FailureRateAlarm', ALARMS.failureRate, 'GreaterThanThreshold', `>= ${ALARMS.minimumSent}`],
    ['Day7ResponseRateAlarm', ALARMS.day7ResponseRateFloor, 'LessThanThreshold', `>= ${ALARMS.minimumDay7Delivered}`],
    ['NpsFloorAlarm', ALARMS.npsFloor, 'LessThanThreshold', `>= ${ALARMS.minimumNpsAnswers}`],
    ['Webhook5xxRateAlarm', ALARMS.webhook5xxRate, 'GreaterThanThreshold', `>= ${ALARMS.minimumWebhookRequests}`],
  ])('%s: threshold %s, judged only above its minimum volume', (prefix, threshold, operator, minimum) => {
    const properties = alarm(prefix);
    expect(properties).toMatchObject({ Threshold: threshold, ComparisonOperator: operator, TreatMissingData: 'notBreaching' });
    expect(expression(properties)).toMatch(/^IF\(/);
    expect(expression(properties)).toContain(minimum);
    expect(properties.AlarmActions).toHaveLength(1);
  });

  it('the webhook alarm wants 3 bad 5-minute periods in a row; the day-7 alarm reads day-7 metrics only', () => {
    expect(alarm('Webhook5xxRateAlarm').EvaluationPeriods).toBe(3);
    expect(expression(alarm('Day7ResponseRateAlarm'))).not.toMatch(/day30|day60/);
  });

  it('template quality alarms fire at the configured rating (RED = 2) and keep their state between ratings', () => {
    const quality = Object.entries(synthesis.template.Resources).filter(([id, r]) => r.Type === 'AWS::CloudWatch::Alarm' && id.startsWith('DashboardsTemplateQuality'));
    expect(quality.length).toBeGreaterThan(0);
    for (const [, r] of quality) {
      expect(r.Properties).toMatchObject({ Threshold: 2, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'ignore' });
      expect(r.Properties?.Metrics).toMatchObject([{ MetricStat: { Stat: 'Maximum' } }]);
    }
  });
});

// Milestones the boards know, so a new milestone without graphs fails here too.
it('the milestones on the boards are the journey milestones', () => {
  const milestones = new Set(emitted().flatMap((m) => (m.dimensionNames.length === 1 && m.dimensionNames[0] === 'Milestone' ? [m.id.match(/"Milestone":"(\w+)"/)![1]!] : [])));
  expect([...milestones].sort()).toEqual([...MILESTONE_IDS, 'unattributed'].sort());
});
