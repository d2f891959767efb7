import { Aws, Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  Metric,
  Stats,
  TextWidget,
  TreatMissingData,
  type HorizontalAnnotation,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { MILESTONE_IDS } from '#shared/journey/milestones';
import { COUNTERS, COUNTER_DEFINITIONS, METRIC_NAMESPACE } from '#shared/kpi/counters';
import { milestoneDimensions, milestoneValuesOf, TEMPLATE_QUALITY_METRIC, templateDimensions, templateQualityDimensions } from '#shared/kpi/metrics';
import { ALARM_DEFAULTS, KPI_TARGETS, TEMPLATE_QUALITY_SCORE, type AlarmThresholds } from '#shared/kpi/targets';
import { TEMPLATE_LANGUAGES, templateVariantKeys, type TemplateVariantKey } from '#shared/templates/catalogue';
import type { PosventaFunction } from './function';
import { counterMetric, counterSum, counterTerm, mathOf, metricTerm } from './kpi-metrics';

export interface DashboardsProps {
  /** Functions whose errors are graphed. */
  readonly functions: readonly PosventaFunction[];
  /** Dead-letter queues by name; each gets an alarm when anything lands in it. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** The journey state machine; failed executions raise an alarm. */
  readonly journeyStateMachine: IStateMachine;
  /** The HTTP API Meta posts webhooks to: its 5xx answers raise an alarm. */
  readonly httpApi: IHttpApi;
  /**
   * Thresholds and minimum volumes of the KPI and webhook alarms (cdk.json `posventa.alarms`).
   *
   * @default ALARM_DEFAULTS (shared/kpi/targets.ts)
   */
  readonly alarmThresholds?: AlarmThresholds;
  /**
   * Templates the "Template centre" shows, each under the variants it goes out under; their
   * names in every catalogue language get a quality alarm.
   *
   * @default templateVariantKeys() of the catalogue (shared/templates/catalogue.ts)
   */
  readonly templates?: readonly TemplateVariantKey[];
  /**
   * E-mail address subscribed to the alarm topic.
   *
   * @default - no subscription; subscribe to `alarmTopic` yourself
   */
  readonly alarmEmail?: string;
}

/** Counts are graphed per hour; KPI rates per day, the period the alarms judge them over. */
const HOUR = Duration.hours(1);
const DAY = Duration.days(1);
const WEBHOOK_PERIOD = Duration.minutes(5);
const WEBHOOK_EVALUATION_PERIODS = 3;

const percent = (fraction: number) => Math.round(fraction * 100_000) / 1000;
const target = (value: number, label: string): HorizontalAnnotation => ({ value, label, color: '#2ca02c' });
const alarmLine = (value: number, label: string): HorizontalAnnotation => ({ value, label, color: '#d62728' });

/**
 * The CloudWatch dashboards "Post-sale board" (the KPIs of DESIGN.md §4, operations, every
 * counter per milestone) and "Template centre" (per template and variant), and the alarms that
 * page someone through the SNS `alarmTopic`. Every KPI metric is built from shared/kpi/metrics.ts,
 * the names and dimension sets the aggregator emits.
 */
export class Dashboards extends Construct {
  public readonly postSaleBoard: Dashboard;
  public readonly templateCentre: Dashboard;
  public readonly alarmTopic: Topic;
  /** Every alarm, all sending to `alarmTopic`. */
  public readonly alarms: readonly Alarm[];
  /** One per catalogue template × language. */
  public readonly templateQualityAlarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: DashboardsProps) {
    super(scope, id);
    if (props.functions.length === 0) throw new Error('Dashboards: props.functions must list the functions to graph');
    const thresholds = props.alarmThresholds ?? ALARM_DEFAULTS;
    const templates = props.templates ?? templateVariantKeys();
    if (templates.length === 0) throw new Error('Dashboards: props.templates must list at least one template (or be left out for the catalogue)');

    // ── Alarm topic ───────────────────────────────────────────────────────────────────────
    // No KMS key: CloudWatch cannot publish to a topic under the AWS managed SNS key, and alarm
    // notifications carry alarm names and metric values only, no customer data.
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'Posventa alarms', enforceSSL: true });
    if (props.alarmEmail !== undefined) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));

    // ── KPI expressions (shared by graphs and alarms) ─────────────────────────────────────
    const sentAll = counterSum('sent', DAY);
    const failureRate = (label: string, failures: 'failed' | 'failedUndeliverable', minimumSent: number) =>
      mathOf({ failed: counterSum(failures, DAY), sent: sentAll }, (e) => `IF(${e.sent} >= ${minimumSent}, ${e.failed} / ${e.sent}, 0)`, { label, period: DAY });
    const day7 = { responders: counterSum('responders', DAY, ['day7']), delivered: counterSum('delivered', DAY, ['day7']) };
    const nps = { promoters: counterSum('npsPromoters', DAY), detractors: counterSum('npsDetractors', DAY), answers: counterSum('npsAnswers', DAY) };

    // ── Alarms ────────────────────────────────────────────────────────────────────────────
    const alarms: Alarm[] = [];
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarms.push(
        new Alarm(this, `${name}Alarm`, {
          alarmDescription: `Messages are waiting in ${name}: something failed and was set aside. Read them, fix the cause, redrive.`,
          metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: Stats.MAXIMUM }),
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          threshold: 0,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    alarms.push(
      new Alarm(this, 'JourneyExecutionsFailedAlarm', {
        alarmDescription: 'A journey execution failed: that order will get no more messages. See the state machine execution history.',
        metric: props.journeyStateMachine.metricFailed({ period: Duration.minutes(5), statistic: Stats.SUM }),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: 0,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    // Rate alarms judge a day only with enough volume: below it the expression is a value that never breaches.
    alarms.push(
      new Alarm(this, 'BlockRateAlarm', {
        alarmDescription: `Blocked or undeliverable messages (131026) above ${percent(thresholds.blockRate)} % of those sent over a day (judged from ${thresholds.minimumSent} sent). Meta lowers the number's quality and limits when customers block it: check the templates' copy and whom they go to.`,
        metric: failureRate('Block rate', 'failedUndeliverable', thresholds.minimumSent),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: thresholds.blockRate,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'FailureRateAlarm', {
        alarmDescription: `Failed messages (130472 excluded) above ${percent(thresholds.failureRate)} % of those sent over a day (judged from ${thresholds.minimumSent} sent). The Template centre shows which template and which failure bucket.`,
        metric: failureRate('Failure rate', 'failed', thresholds.minimumSent),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: thresholds.failureRate,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'Day7ResponseRateAlarm', {
        alarmDescription: `Day-7 journeys that replied below ${percent(thresholds.day7ResponseRateFloor)} % of day-7 messages delivered over a day (judged from ${thresholds.minimumDay7Delivered} delivered; the target is ${percent(KPI_TARGETS.day7ResponseRate)} %).`,
        metric: mathOf(day7, (e) => `IF(${e.delivered} >= ${thresholds.minimumDay7Delivered}, ${e.responders} / ${e.delivered}, 1)`, { label: 'Day-7 response rate', period: DAY }),
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        threshold: thresholds.day7ResponseRateFloor,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'NpsFloorAlarm', {
        alarmDescription: `NPS below ${thresholds.npsFloor} over a day (judged from ${thresholds.minimumNpsAnswers} answers; the target is +${KPI_TARGETS.nps}). Detractors opened tickets: read them.`,
        metric: mathOf(nps, (e) => `IF(${e.answers} >= ${thresholds.minimumNpsAnswers}, 100 * (${e.promoters} - ${e.detractors}) / ${e.answers}, 100)`, { label: 'NPS', period: DAY }),
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        threshold: thresholds.npsFloor,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      // API Gateway's 5xx count catches every 5xx Meta gets: a crashed or timed-out function, and
      // the webhook's own 503 (another delivery holds the message). The KPI API shares the API; its traffic is small.
      new Alarm(this, 'Webhook5xxRateAlarm', {
        alarmDescription: `5xx answers above ${percent(thresholds.webhook5xxRate)} % of the HTTP API's requests (Meta's webhooks, and GET /kpis) for ${WEBHOOK_EVALUATION_PERIODS} periods of 5 minutes in a row (judged from ${thresholds.minimumWebhookRequests} requests). Meta retries, then drops webhooks: see the webhook function's logs and errors.`,
        metric: mathOf(
          {
            errors: metricTerm('serverErrors', props.httpApi.metricServerError({ period: WEBHOOK_PERIOD, statistic: Stats.SUM })),
            requests: metricTerm('requests', props.httpApi.metricCount({ period: WEBHOOK_PERIOD, statistic: Stats.SUM })),
          },
          (e) => `IF(${e.requests} >= ${thresholds.minimumWebhookRequests}, ${e.errors} / ${e.requests}, 0)`,
          { label: 'HTTP API 5xx rate', period: WEBHOOK_PERIOD },
        ),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: thresholds.webhook5xxRate,
        evaluationPeriods: WEBHOOK_EVALUATION_PERIODS,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    // A quality rating is a state: the metric has a point only when Meta changes it, and between
    // changes the alarm keeps its state (missing data ignored). One alarm per language: each
    // language of a template is its own template at Meta, with its own rating.
    const qualityScore = TEMPLATE_QUALITY_SCORE[thresholds.templateQuality];
    const qualityMetric = (template: string, language: string) =>
      new Metric({ namespace: METRIC_NAMESPACE, metricName: TEMPLATE_QUALITY_METRIC, dimensionsMap: templateQualityDimensions(template, language), statistic: Stats.MAXIMUM, period: Duration.minutes(5), label: language });
    const templateNames = [...new Set(templates.map((t) => t.template))];
    this.templateQualityAlarms = templateNames.flatMap((template) =>
      TEMPLATE_LANGUAGES.map(
        (language) =>
          new Alarm(this, `TemplateQuality-${template}-${language}`, {
            alarmDescription: `Meta rates template ${template} (${language}) ${thresholds.templateQuality} or worse (0 GREEN, 1 YELLOW, 2 RED). Meta pauses a template whose quality stays low: review its copy and who receives it.`,
            metric: qualityMetric(template, language),
            comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            threshold: qualityScore,
            evaluationPeriods: 1,
            treatMissingData: TreatMissingData.IGNORE,
          }),
      ),
    );
    alarms.push(...this.templateQualityAlarms);
    for (const alarm of alarms) alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    this.alarms = alarms;

    // ── Post-sale board ───────────────────────────────────────────────────────────────────
    // Dashboard names allow no spaces; the title widget carries the display name.
    this.postSaleBoard = new Dashboard(this, 'PostSaleBoard', { dashboardName: `${Aws.STACK_NAME}-post-sale-board`, defaultInterval: Duration.days(30) });
    this.postSaleBoard.addWidgets(
      new TextWidget({
        markdown: [
          '# Post-sale board',
          'The KPIs of the post-purchase WhatsApp journeys, per day, from the metrics the KPI aggregator emits as it counts events (by the time it counts them, not by the day the KPI API files them under). `GET /kpis` gives the exact figures for any days; the Template centre, the same per template and variant.',
        ].join('\n\n'),
        width: 24,
        height: 3,
      }),
    );
    this.postSaleBoard.addWidgets(
      new GraphWidget({
        title: 'NPS (day-30 survey)',
        width: 6,
        left: [mathOf(nps, (e) => `100 * (${e.promoters} - ${e.detractors}) / ${e.answers}`, { label: 'NPS', period: DAY })],
        right: [mathOf({ answers: nps.answers }, (e) => e.answers, { label: 'answers', period: DAY })],
        leftYAxis: { min: -100, max: 100, showUnits: false },
        leftAnnotations: [target(KPI_TARGETS.nps, `target +${KPI_TARGETS.nps}`), alarmLine(thresholds.npsFloor, `alarm below ${thresholds.npsFloor}`)],
      }),
      new GraphWidget({
        title: 'Day-7 response rate (%)',
        width: 6,
        left: [mathOf(day7, (e) => `100 * ${e.responders} / ${e.delivered}`, { label: 'responders / delivered', period: DAY })],
        leftYAxis: { min: 0, showUnits: false },
        leftAnnotations: [target(percent(KPI_TARGETS.day7ResponseRate), 'target'), alarmLine(percent(thresholds.day7ResponseRateFloor), 'alarm below')],
      }),
      new GraphWidget({
        title: '60-day repurchase (%)',
        width: 6,
        left: [
          mathOf({ repurchasers: counterSum('cohortRepurchasers', DAY), journeys: counterSum('cohortMessaged', DAY) }, (e) => `100 * ${e.repurchasers} / ${e.journeys}`, {
            label: 'messaged group',
            period: DAY,
          }),
          mathOf({ repurchasers: counterSum('holdoutRepurchasers', DAY), journeys: counterSum('cohortHoldout', DAY) }, (e) => `100 * ${e.repurchasers} / ${e.journeys}`, {
            label: 'holdout',
            period: DAY,
          }),
        ],
        leftYAxis: { min: 0, showUnits: false },
        leftAnnotations: [target(percent(KPI_TARGETS.repurchaseRate.low), 'target from'), target(percent(KPI_TARGETS.repurchaseRate.high), 'target to')],
      }),
      new TextWidget({
        markdown: [
          '### What the repurchase rate divides by',
          'Here: journeys with a repurchase **counted that day** (when the purchase was attributed) / journeys **started that day**. Those are different cohorts: a repurchase comes up to `repurchaseWindowDays` after its journey started, so a day\'s figure is not a cohort\'s rate, and only a range much longer than the window approaches it.',
          '`GET /kpis` files both counts under the **journey\'s purchase day**, so its `repurchaseRate` is the rate of the cohorts the dates choose (a cohort younger than the window is still filling). Read the rate there; read the trend here.',
        ].join('\n\n'),
        width: 6,
        height: 6,
      }),
    );
    const failureRatePercent = (label: string, failures: 'failed' | 'failedUndeliverable') =>
      mathOf({ failed: counterSum(failures, DAY), sent: sentAll }, (e) => `100 * ${e.failed} / ${e.sent}`, { label, period: DAY });
    this.postSaleBoard.addWidgets(
      new GraphWidget({
        title: 'Reopened tickets (%)',
        width: 6,
        left: [mathOf({ reopened: counterSum('ticketsReopened', DAY), opened: counterSum('ticketsOpened', DAY) }, (e) => `100 * ${e.reopened} / ${e.opened}`, { label: 'reopened / opened', period: DAY })],
        leftYAxis: { min: 0, showUnits: false },
        leftAnnotations: [alarmLine(percent(KPI_TARGETS.reopenedRate), 'target at most')],
      }),
      new GraphWidget({
        title: 'Time to first response, mean (minutes)',
        width: 6,
        left: [mathOf({ seconds: counterSum('firstResponseSeconds', DAY), responses: counterSum('firstResponses', DAY) }, (e) => `${e.seconds} / ${e.responses} / 60`, { label: 'mean', period: DAY })],
        leftYAxis: { min: 0, showUnits: false },
        leftAnnotations: [alarmLine(KPI_TARGETS.firstResponseSeconds / 60, 'target at most')],
      }),
      new GraphWidget({
        title: 'Opt-outs',
        width: 6,
        left: milestoneValuesOf('optOuts').map((m) => counterMetric('optOuts', milestoneDimensions(m), DAY, m)),
        stacked: true,
      }),
      new GraphWidget({
        title: 'Failure and block rates (%)',
        width: 6,
        left: [failureRatePercent('failed / sent', 'failed'), failureRatePercent('blocked or undeliverable / sent', 'failedUndeliverable')],
        leftYAxis: { min: 0, showUnits: false },
        leftAnnotations: [alarmLine(percent(thresholds.failureRate), 'failure alarm'), alarmLine(percent(thresholds.blockRate), 'block alarm')],
      }),
    );
    this.postSaleBoard.addWidgets(
      new GraphWidget({
        title: 'Messages',
        width: 12,
        left: (['sent', 'delivered', 'read', 'replies', 'failed'] as const).map((counter) =>
          mathOf({ total: counterSum(counter, HOUR) }, (e) => e.total, { label: COUNTER_DEFINITIONS[counter].title, period: HOUR }),
        ),
      }),
      new GraphWidget({
        title: 'WhatsApp cost (USD, price table of shared/kpi/whatsapp-prices.ts)',
        width: 12,
        left: MILESTONE_IDS.map((m) => mathOf({ cost: counterTerm(`cost_${m}`, 'costMicroUsd', milestoneDimensions(m), DAY) }, (e) => `${e.cost} / 1000000`, { label: m, period: DAY })),
        stacked: true,
      }),
    );
    this.postSaleBoard.addWidgets(
      new GraphWidget({
        title: 'Lambda errors',
        width: 6,
        left: props.functions.map((fn) => fn.function.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM, label: fn.node.id })),
      }),
      new GraphWidget({
        title: 'Dead-letter queues (messages waiting)',
        width: 6,
        left: Object.entries(props.deadLetterQueues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: Stats.MAXIMUM, label: name }),
        ),
      }),
      new GraphWidget({
        title: 'Journeys',
        width: 6,
        left: [
          props.journeyStateMachine.metricStarted({ period: HOUR, label: 'started' }),
          props.journeyStateMachine.metricSucceeded({ period: HOUR, label: 'completed' }),
          props.journeyStateMachine.metricFailed({ period: HOUR, label: 'failed' }),
        ],
      }),
      new GraphWidget({
        title: 'HTTP API (webhook and KPI API)',
        width: 6,
        left: [props.httpApi.metricCount({ period: WEBHOOK_PERIOD, statistic: Stats.SUM, label: 'requests' })],
        right: [
          props.httpApi.metricServerError({ period: WEBHOOK_PERIOD, statistic: Stats.SUM, label: '5xx' }),
          props.httpApi.metricClientError({ period: WEBHOOK_PERIOD, statistic: Stats.SUM, label: '4xx' }),
        ],
      }),
    );
    this.postSaleBoard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 6 }));
    this.postSaleBoard.addWidgets(new TextWidget({ markdown: '## Every counter, per milestone\n"unattributed": counts no journey message explains (an opt-out before the first message, a ticket without a journey) and the journeys\' cohorts.', width: 24, height: 2 }));
    this.postSaleBoard.addWidgets(
      ...COUNTERS.map(
        (counter): IWidget =>
          new GraphWidget({
            title: COUNTER_DEFINITIONS[counter].title,
            width: 6,
            left: milestoneValuesOf(counter).map((m) => counterMetric(counter, milestoneDimensions(m), HOUR, m)),
          }),
      ),
    );

    // ── Template centre ───────────────────────────────────────────────────────────────────
    this.templateCentre = new Dashboard(this, 'TemplateCentre', { dashboardName: `${Aws.STACK_NAME}-template-centre`, defaultInterval: Duration.days(30) });
    this.templateCentre.addWidgets(
      new TextWidget({
        markdown: [
          '# Template centre',
          'Per template and the variant it went out under (a reminder goes out under the customer\'s variant): messages, rates, failures and cost, then Meta\'s quality rating per language. Blocked: failed with 131026 (undeliverable, or the customer blocked the number). Cost: billable deliveries priced by shared/kpi/whatsapp-prices.ts.',
        ].join('\n\n'),
        width: 24,
        height: 2,
      }),
    );
    for (const key of templates) {
      const dims = templateDimensions(key);
      const term = (id: string, counter: Parameters<typeof counterTerm>[1], period: Duration) => counterTerm(id, counter, dims, period);
      const name = `${key.template} · ${key.variant}`;
      this.templateCentre.addWidgets(
        new GraphWidget({
          title: `${name}: messages`,
          width: 6,
          left: (['sent', 'delivered', 'read', 'replies'] as const).map((counter) => counterMetric(counter, dims, HOUR, counter)),
        }),
        new GraphWidget({
          title: `${name}: rates (%)`,
          width: 6,
          left: [
            mathOf({ delivered: term('delivered', 'delivered', DAY), sent: term('sent', 'sent', DAY) }, (e) => `100 * ${e.delivered} / ${e.sent}`, { label: 'delivered / sent', period: DAY }),
            mathOf({ read: term('read', 'read', DAY), delivered: term('delivered', 'delivered', DAY) }, (e) => `100 * ${e.read} / ${e.delivered}`, { label: 'read / delivered', period: DAY }),
            mathOf({ replies: term('replies', 'replies', DAY), delivered: term('delivered', 'delivered', DAY) }, (e) => `100 * ${e.replies} / ${e.delivered}`, { label: 'replies / delivered', period: DAY }),
            mathOf({ optOuts: term('optOuts', 'optOuts', DAY), delivered: term('delivered', 'delivered', DAY) }, (e) => `100 * ${e.optOuts} / ${e.delivered}`, { label: 'opt-outs / delivered', period: DAY }),
          ],
          leftYAxis: { min: 0, showUnits: false },
        }),
        new GraphWidget({
          title: `${name}: failures`,
          width: 6,
          left: [counterMetric('failed', dims, HOUR, 'failed'), counterMetric('failedUndeliverable', dims, HOUR, 'blocked or undeliverable')],
          right: [
            mathOf({ failed: term('failed', 'failed', DAY), sent: term('sent', 'sent', DAY) }, (e) => `100 * ${e.failed} / ${e.sent}`, { label: 'failed / sent (%)', period: DAY }),
            mathOf({ blocked: term('blocked', 'failedUndeliverable', DAY), sent: term('sent', 'sent', DAY) }, (e) => `100 * ${e.blocked} / ${e.sent}`, { label: 'blocked / sent (%)', period: DAY }),
          ],
        }),
        new GraphWidget({
          title: `${name}: cost (USD)`,
          width: 6,
          left: [mathOf({ cost: term('cost', 'costMicroUsd', DAY) }, (e) => `${e.cost} / 1000000`, { label: 'USD per day', period: DAY })],
        }),
      );
    }
    this.templateCentre.addWidgets(
      ...templateNames.map(
        (template): IWidget =>
          new GraphWidget({
            title: `${template}: quality (0 GREEN, 1 YELLOW, 2 RED)`,
            width: 8,
            left: TEMPLATE_LANGUAGES.map((language) => qualityMetric(template, language)),
            leftYAxis: { min: 0, max: 2, showUnits: false },
            leftAnnotations: [
              { value: TEMPLATE_QUALITY_SCORE.YELLOW, label: 'YELLOW', color: '#ff7f0e' },
              { value: TEMPLATE_QUALITY_SCORE.RED, label: 'RED', color: '#d62728' },
            ],
          }),
      ),
    );
    this.templateCentre.addWidgets(new AlarmStatusWidget({ title: 'Template quality alarms', alarms: [...this.templateQualityAlarms], width: 24, height: 4 }));
  }
}
