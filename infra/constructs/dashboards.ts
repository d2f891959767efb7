import { Aws, Duration } from 'aws-cdk-lib';
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
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { MILESTONE_IDS } from '#shared/journey/milestones';
import { COUNTERS, COUNTER_DEFINITIONS, METRIC_NAMESPACE, MILESTONE_DIMENSION } from '#shared/kpi/counters';
import type { PosventaFunction } from './function';

export interface DashboardsProps {
  /** Functions whose errors are graphed. */
  readonly functions: readonly PosventaFunction[];
  /** Dead-letter queues by name; each gets an alarm when anything lands in it. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** The journey state machine; failed executions raise an alarm. */
  readonly journeyStateMachine: IStateMachine;
  /**
   * E-mail address subscribed to the alarm topic.
   *
   * @default - no subscription; subscribe to `alarmTopic` yourself
   */
  readonly alarmEmail?: string;
}

/**
 * The "Post-sale board" CloudWatch dashboard (KPI counters per milestone, errors, dead-letter
 * queues, journeys) and the alarms that page someone through the SNS `alarmTopic`.
 */
export class Dashboards extends Construct {
  public readonly postSaleBoard: Dashboard;
  public readonly alarmTopic: Topic;
  /** One per dead-letter queue, plus failed journeys. */
  public readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: DashboardsProps) {
    super(scope, id);
    if (props.functions.length === 0) throw new Error('Dashboards: props.functions must list the functions to graph');

    // ── Alarms ────────────────────────────────────────────────────────────────────────────
    // No KMS key: CloudWatch cannot publish to a topic under the AWS managed SNS key, and alarm
    // notifications carry alarm names and metric values only, no customer data.
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'Posventa alarms', enforceSSL: true });
    if (props.alarmEmail !== undefined) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));

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
    for (const alarm of alarms) alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    this.alarms = alarms;

    // ── Post-sale board ───────────────────────────────────────────────────────────────────
    // Dashboard names allow no spaces; the title widget carries the display name.
    this.postSaleBoard = new Dashboard(this, 'PostSaleBoard', {
      dashboardName: `${Aws.STACK_NAME}-post-sale-board`,
      defaultInterval: Duration.days(7),
    });
    const counterGraphs: IWidget[] = COUNTERS.map(
      (counter) =>
        new GraphWidget({
          title: `${COUNTER_DEFINITIONS[counter].title} per milestone`,
          width: 6,
          left: MILESTONE_IDS.map(
            (milestone) =>
              new Metric({
                namespace: METRIC_NAMESPACE,
                metricName: COUNTER_DEFINITIONS[counter].metric,
                dimensionsMap: { [MILESTONE_DIMENSION]: milestone },
                statistic: Stats.SUM,
                period: Duration.hours(1),
                label: milestone,
              }),
          ),
        }),
    );
    this.postSaleBoard.addWidgets(
      new TextWidget({
        markdown: '# Post-sale board\nPost-purchase WhatsApp journeys: what was sent, delivered, read and answered, per milestone; and what failed.',
        width: 24,
        height: 2,
      }),
    );
    this.postSaleBoard.addWidgets(...counterGraphs);
    this.postSaleBoard.addWidgets(
      new GraphWidget({
        title: 'Lambda errors',
        width: 8,
        left: props.functions.map((fn) => fn.function.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM, label: fn.node.id })),
      }),
      new GraphWidget({
        title: 'Dead-letter queues (messages waiting)',
        width: 8,
        left: Object.entries(props.deadLetterQueues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: Stats.MAXIMUM, label: name }),
        ),
      }),
      new GraphWidget({
        title: 'Journeys',
        width: 8,
        left: [
          props.journeyStateMachine.metricStarted({ period: Duration.hours(1), label: 'started' }),
          props.journeyStateMachine.metricSucceeded({ period: Duration.hours(1), label: 'completed' }),
          props.journeyStateMachine.metricFailed({ period: Duration.hours(1), label: 'failed' }),
        ],
      }),
    );
    this.postSaleBoard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 }));
  }
}
