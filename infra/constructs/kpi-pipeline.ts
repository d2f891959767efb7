import { Duration } from 'aws-cdk-lib';
import { HttpMethod, PayloadFormatVersion, type HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '#shared/env';
import { DOMAIN_EVENT_SOURCE } from '#shared/events/domain';
import { HELPDESK_EVENT_TYPES } from '#shared/events/helpdesk';
import { PosventaFunction } from './function';
import { pinLogicalId } from './logical-id';
import { PosventaQueue } from './queue';

/** Path of the KPI API. */
export const KPI_PATH = '/kpis';

/** Receives before a message is moved to the dead-letter queue. */
const MAX_RECEIVE_COUNT = 5;

export interface KpiPipelineProps {
  /** The bus Posventa's domain events are on. */
  readonly eventBus: IEventBus;
  /** Aggregates and dedupe markers. */
  readonly kpiTable: ITable;
  /** `source` of the store's helpdesk events (shared/events/helpdesk.ts). */
  readonly helpdeskEventSource: string;
  /** IANA time zone KPI days are cut in. */
  readonly reportingTimeZone: string;
  /** The API `GET /kpis` is added to. */
  readonly httpApi: HttpApi;
  /**
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * Counting and reporting: every domain event goes through a queue to the aggregator, which
 * writes each batch with one write per distinct counter key and emits the CloudWatch
 * metrics the dashboards graph; `GET /kpis` reads the aggregates back as JSON.
 */
export class KpiPipeline extends Construct {
  public readonly domainEventsRule: Rule;
  /** The helpdesk's ticket events, counted with the domain events (reopened rate, first response). */
  public readonly helpdeskEventsRule: Rule;
  public readonly queue: Queue;
  /** Events that failed `maxReceiveCount` times, or that EventBridge could not enqueue. */
  public readonly deadLetterQueue: Queue;
  public readonly aggregatorFunction: PosventaFunction;
  public readonly apiFunction: PosventaFunction;

  constructor(scope: Construct, id: string, props: KpiPipelineProps) {
    super(scope, id);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const environment = {
      [ENV.kpiTableName]: props.kpiTable.tableName,
      [ENV.reportingTimeZone]: props.reportingTimeZone,
    };

    // ── Aggregator: rule → queue → batches ────────────────────────────────────────────────
    this.aggregatorFunction = new PosventaFunction(this, 'KpiAggregatorFunction', {
      entry: 'functions/kpi-aggregator/handler.ts',
      description: 'Counts domain events into KPI aggregates (one write per counter key per batch) and emits the KPI metrics',
      timeout: Duration.seconds(30),
      logRetention,
      environment,
    });
    props.kpiTable.grantReadWriteData(this.aggregatorFunction);

    this.deadLetterQueue = new PosventaQueue(this, 'KpiEventsDeadLetterQueue', {
      deadLetterQueueOf: `KpiEventsQueue (events the aggregator failed ${MAX_RECEIVE_COUNT} times, invalid ones included) and of the DomainEventsToKpiRule and HelpdeskEventsToKpiRule targets`,
    }).queue;
    this.queue = new PosventaQueue(this, 'KpiEventsQueue', {
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
      // Six times the aggregator's timeout, as Lambda recommends for SQS event sources.
      visibilityTimeout: Duration.seconds(180),
    }).queue;

    // Same dead-letter queue as the queue's redrive: its messages are the event as the queue
    // would have had it, so one redrive back to KpiEventsQueue recovers both kinds.
    const toQueue = () => new SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(24) });
    this.domainEventsRule = new Rule(this, 'DomainEventsToKpiRule', {
      eventBus: props.eventBus,
      description: "Every Posventa domain event is counted by the KPI aggregator",
      eventPattern: { source: [DOMAIN_EVENT_SOURCE] },
      targets: [toQueue()],
    });
    pinLogicalId(this.domainEventsRule, 'DomainEventsToKpiRule');
    this.helpdeskEventsRule = new Rule(this, 'HelpdeskEventsToKpiRule', {
      eventBus: props.eventBus,
      description: "The store's helpdesk events (tickets opened, reopened, closed; agent replies) are counted by the KPI aggregator",
      eventPattern: { source: [props.helpdeskEventSource], detailType: [...HELPDESK_EVENT_TYPES] },
      targets: [toQueue()],
    });
    pinLogicalId(this.helpdeskEventsRule, 'HelpdeskEventsToKpiRule');

    this.aggregatorFunction.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(2),
        reportBatchItemFailures: true,
      }),
    );

    // ── KPI API ───────────────────────────────────────────────────────────────────────────
    this.apiFunction = new PosventaFunction(this, 'KpiApiFunction', {
      entry: 'functions/kpi-api/handler.ts',
      description: 'GET /kpis: KPI totals, rates and breakdowns as JSON',
      logRetention,
      environment,
    });
    // The report reads the days index and each day's partition; it never scans the markers.
    props.kpiTable.grant(this.apiFunction, 'dynamodb:GetItem', 'dynamodb:Query');

    // KPIs are business data: callers sign with SigV4 (IAM), like any other AWS API.
    props.httpApi.addRoutes({
      path: KPI_PATH,
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('KpiApiIntegration', this.apiFunction.function, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      }),
      authorizer: new HttpIamAuthorizer(),
    });
  }
}
