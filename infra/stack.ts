import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type Archive } from 'aws-cdk-lib/aws-events';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DOMAIN_EVENT_SOURCE } from '#shared/events/domain';
import type { PosventaConfig } from './config';
import type { GraphApiAccess } from './constructs/graph-api';
import { Dashboards } from './constructs/dashboards';
import { Journey } from './constructs/journey';
import { KPI_PATH, KpiPipeline } from './constructs/kpi-pipeline';
import { pinLogicalId } from './constructs/logical-id';
import { MetaCredentials } from './constructs/meta-credentials';
import { PosventaTable } from './constructs/tables';
import { WebhookApi } from './constructs/webhook-api';

export interface PosventaStackProps extends StackProps {
  /** The `posventa` context from cdk.json, validated and defaulted by `parseConfig`. */
  readonly config: PosventaConfig;
}

/**
 * Everything Posventa runs on, in one stack: purchases in on the bus, journeys through Step
 * Functions, WhatsApp out through the send step, Meta's webhooks in through the HTTP API,
 * KPIs out to DynamoDB, CloudWatch and `GET /kpis`.
 */
export class PosventaStack extends Stack {
  public readonly eventBus: EventBus;
  /** Posventa's own events, kept for replay. */
  public readonly eventArchive: Archive;
  public readonly contactsTable: Table;
  public readonly journeysTable: Table;
  public readonly kpiTable: Table;
  public readonly templatesTable: Table;
  public readonly metaCredentials: MetaCredentials;
  public readonly journey: Journey;
  public readonly webhookApi: WebhookApi;
  public readonly kpiPipeline: KpiPipeline;
  public readonly dashboards: Dashboards;

  constructor(scope: Construct, id: string, { config, ...stackProps }: PosventaStackProps) {
    super(scope, id, {
      description: 'Posventa: post-purchase WhatsApp journeys (day 7, 30, 60) with consent records and KPIs',
      ...stackProps,
    });
    const logRetention = config.logRetentionDays as RetentionDays;

    // ── Event bus ─────────────────────────────────────────────────────────────────────────
    this.eventBus = new EventBus(this, 'EventBus', {
      eventBusName: config.eventBusName,
      description: 'Purchases from the store in; Posventa domain events (sent, delivered, replies, consent…) out',
    });
    pinLogicalId(this.eventBus, 'EventBus');
    this.eventArchive = this.eventBus.archive('DomainEventsArchive', {
      description: 'Posventa domain events, for replay after a fix (e.g. to rebuild KPI aggregates)',
      eventPattern: { source: [DOMAIN_EVENT_SOURCE] },
      retention: config.eventArchiveRetentionDays === 0 ? undefined : Duration.days(config.eventArchiveRetentionDays),
    });

    // ── Tables ────────────────────────────────────────────────────────────────────────────
    this.contactsTable = new PosventaTable(this, 'ContactsTable', { purpose: 'Contacts and consent evidence', protect: true }).table;
    this.journeysTable = new PosventaTable(this, 'JourneysTable', { purpose: 'Journeys and sent messages' }).table;
    this.kpiTable = new PosventaTable(this, 'KpiTable', { purpose: 'KPI aggregates and dedupe markers' }).table;
    // Its own table, so the send step's grant is a read of these items only and the webhook's one update.
    this.templatesTable = new PosventaTable(this, 'TemplatesTable', { purpose: "Templates' status and quality at Meta, per language" }).table;

    // ── Meta credentials (placeholders; the deployer puts the real values) ───────────────
    this.metaCredentials = new MetaCredentials(this, 'MetaCredentials', {
      verifyTokenParameterName: config.verifyTokenParameterName,
    });
    const graphApi: GraphApiAccess = {
      version: config.graphApiVersion,
      ...(config.whatsappPhoneNumberId === undefined ? {} : { phoneNumberId: config.whatsappPhoneNumberId }),
      accessToken: this.metaCredentials.accessToken,
    };

    // ── Journey: purchase → start-journey → state machine → send step ────────────────────
    this.journey = new Journey(this, 'Journey', {
      eventBus: this.eventBus,
      purchaseEventSource: config.purchaseEventSource,
      triggerDetailTypes: config.journeyTriggerDetailTypes,
      journeysTable: this.journeysTable,
      contactsTable: this.contactsTable,
      templatesTable: this.templatesTable,
      graphApi,
      journeyConfig: config.journey,
      logRetention,
    });

    // ── Webhook: Meta → HTTP API → webhook function → domain events ──────────────────────
    this.webhookApi = new WebhookApi(this, 'WebhookApi', {
      eventBus: this.eventBus,
      journeysTable: this.journeysTable,
      contactsTable: this.contactsTable,
      templatesTable: this.templatesTable,
      appSecret: this.metaCredentials.appSecret,
      verifyToken: this.metaCredentials.verifyToken,
      journeyStateMachine: this.journey.stateMachine,
      graphApi,
      logRetention,
      unquotedReplyMaxAgeDays: config.unquotedReplyMaxAgeDays,
      throttle: config.httpApiThrottle,
    });

    // ── KPIs: domain events → queue → aggregator → table + metrics; GET /kpis ────────────
    this.kpiPipeline = new KpiPipeline(this, 'KpiPipeline', {
      eventBus: this.eventBus,
      kpiTable: this.kpiTable,
      helpdeskEventSource: config.helpdeskEventSource,
      reportingTimeZone: config.reportingTimeZone,
      httpApi: this.webhookApi.httpApi,
      logRetention,
    });

    // ── Dashboard and alarms ──────────────────────────────────────────────────────────────
    this.dashboards = new Dashboards(this, 'Dashboards', {
      functions: [
        this.journey.startJourneyFunction,
        this.journey.sendStepFunction,
        this.webhookApi.webhookFunction,
        this.kpiPipeline.aggregatorFunction,
        this.kpiPipeline.apiFunction,
      ],
      deadLetterQueues: {
        PurchaseCompletedDeadLetterQueue: this.journey.purchaseDeadLetterQueue,
        StartJourneyFailures: this.journey.startJourneyFailures,
        KpiEventsDeadLetterQueue: this.kpiPipeline.deadLetterQueue,
      },
      journeyStateMachine: this.journey.stateMachine,
      httpApi: this.webhookApi.httpApi,
      alarmThresholds: config.alarms,
      alarmEmail: config.alarmEmail,
    });

    // ── Outputs ───────────────────────────────────────────────────────────────────────────
    new CfnOutput(this, 'WebhookUrl', {
      description: "Callback URL for Meta's webhook settings (with the verify token from VerifyTokenParameterName)",
      value: this.webhookApi.webhookUrl,
    });
    new CfnOutput(this, 'KpiUrl', {
      description: 'KPI API (IAM-signed GET), e.g. ?from=2026-01-01&to=2026-01-31',
      value: `${this.webhookApi.httpApi.apiEndpoint}${KPI_PATH}`,
    });
    new CfnOutput(this, 'EventBusName', { description: 'Put purchase events here', value: this.eventBus.eventBusName });
    new CfnOutput(this, 'MetaAppSecretArn', { description: 'Put the Meta app secret here', value: this.metaCredentials.appSecret.secretArn });
    new CfnOutput(this, 'MetaAccessTokenArn', { description: 'Put the WhatsApp access token here', value: this.metaCredentials.accessToken.secretArn });
    new CfnOutput(this, 'VerifyTokenParameterName', { description: 'Webhook verify token', value: this.metaCredentials.verifyToken.parameterName });
    const dashboardUrl = (name: string) => `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${name}`;
    new CfnOutput(this, 'DashboardUrl', { description: 'The "Post-sale board" CloudWatch dashboard', value: dashboardUrl(this.dashboards.postSaleBoard.dashboardName) });
    new CfnOutput(this, 'TemplateCentreUrl', { description: 'The "Template centre" CloudWatch dashboard', value: dashboardUrl(this.dashboards.templateCentre.dashboardName) });
    new CfnOutput(this, 'AlarmTopicArn', { description: 'Subscribe to be told when something fails', value: this.dashboards.alarmTopic.topicArn });
  }
}
