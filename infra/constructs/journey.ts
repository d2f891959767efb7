import { readFileSync } from 'node:fs';
import { Annotations, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV } from '#shared/env';
import { DEFAULT_JOURNEY_CONFIG, type JourneyConfig } from '#shared/journey/config';
import { repoPath } from '../paths';
import { grantGraphApi, graphApiEnvironment, type GraphApiAccess } from './graph-api';
import { PosventaFunction } from './function';
import { pinLogicalId } from './logical-id';
import { PosventaQueue } from './queue';

/** The placeholder the ASL uses as the send step's Task `Resource`. */
export const SEND_STEP_ARN_SUBSTITUTION = 'SendStepFunctionArn';

export interface JourneyProps {
  /** The bus stores put purchases on and the send step emits domain events to. */
  readonly eventBus: IEventBus;
  /** `source` of the purchase events. */
  readonly purchaseEventSource: string;
  /** `detail-type`s that start a journey. */
  readonly triggerDetailTypes: readonly string[];
  /** Journeys and their sent messages (read/write by the send step). */
  readonly journeysTable: ITable;
  /** Contacts and consent (read/write by the send step: consent check, frequency cap). */
  readonly contactsTable: ITable;
  /** Meta's status and quality of each template (the send step only queries it: which templates it may send). */
  readonly templatesTable: ITable;
  /** How the send step reaches the Graph API (version, sending number, token). */
  readonly graphApi: GraphApiAccess;
  /**
   * Milestones, send window, quiet days, holdout and variant weights, already validated
   * (`posventa.journey` in cdk.json); start-journey and the send step get it as JSON in
   * `JOURNEY_CONFIG`.
   *
   * @default DEFAULT_JOURNEY_CONFIG (7/30/60, 09:00–20:00, no quiet days, no holdout)
   */
  readonly journeyConfig?: JourneyConfig;
  /**
   * The journey's ASL, relative to the repository root; the local stack runs the same file.
   *
   * @default 'statemachines/journey.asl.json'
   */
  readonly definitionPath?: string;
  /**
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The purchase-to-messages path: a rule on the bus starts one execution per order through
 * the start-journey function; the execution waits for each milestone and runs the send step.
 * Invalid purchases end in a queue with the reason, never silently.
 */
export class Journey extends Construct {
  public readonly purchaseRule: Rule;
  /** Purchases EventBridge could not deliver to the start-journey function. */
  public readonly purchaseDeadLetterQueue: Queue;
  public readonly startJourneyFunction: PosventaFunction;
  /** Purchases the start-journey function failed on (after retries), with the error. */
  public readonly startJourneyFailures: Queue;
  public readonly sendStepFunction: PosventaFunction;
  public readonly stateMachine: StateMachine;
  public readonly stateMachineLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: JourneyProps) {
    super(scope, id);
    if (props.triggerDetailTypes.length === 0) throw new Error('Journey: props.triggerDetailTypes must list at least one detail-type');
    const definitionPath = props.definitionPath ?? 'statemachines/journey.asl.json';
    const definition = readDefinition(definitionPath);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const journeyConfig = journeyConfigJson(props.journeyConfig ?? DEFAULT_JOURNEY_CONFIG);

    // ── Send step: consent, caps, template, Graph API ─────────────────────────────────────
    if (props.graphApi.phoneNumberId === undefined) {
      Annotations.of(this).addWarningV2(
        'posventa:whatsappPhoneNumberIdMissing',
        'posventa.whatsappPhoneNumberId is not set in cdk.json: the stack deploys, but every send fails until you set it and deploy again.',
      );
    }
    this.sendStepFunction = new PosventaFunction(this, 'SendStepFunction', {
      entry: 'functions/send-step/handler.ts',
      description: 'Sends one journey milestone: checks consent, caps and send window, then calls the WhatsApp Cloud API',
      timeout: Duration.seconds(30),
      logRetention,
      readsSecrets: true,
      environment: {
        [ENV.journeysTableName]: props.journeysTable.tableName,
        [ENV.contactsTableName]: props.contactsTable.tableName,
        [ENV.templatesTableName]: props.templatesTable.tableName,
        [ENV.eventBusName]: props.eventBus.eventBusName,
        ...graphApiEnvironment(props.graphApi),
        [ENV.journeyConfig]: journeyConfig,
      },
    });
    props.journeysTable.grantReadWriteData(this.sendStepFunction);
    props.contactsTable.grantReadWriteData(this.sendStepFunction);
    // One Query per language (a minute's cache per container); it never writes Meta's record.
    props.templatesTable.grant(this.sendStepFunction, 'dynamodb:Query');
    props.eventBus.grantPutEventsTo(this.sendStepFunction);
    grantGraphApi(props.graphApi, this.sendStepFunction);

    // ── State machine: wait for each milestone, then send ─────────────────────────────────
    this.stateMachineLogGroup = new LogGroup(this, 'JourneyStateMachineLogGroup', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'JourneyStateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      comment: 'One execution per order: wait until each milestone is due, then run the send step.',
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: { [SEND_STEP_ARN_SUBSTITUTION]: this.sendStepFunction.function.functionArn },
      tracingEnabled: true,
      logs: {
        destination: this.stateMachineLogGroup,
        level: LogLevel.ALL,
        // Execution data holds the purchase, phone number included: log the steps, not the data.
        includeExecutionData: false,
      },
    });
    pinLogicalId(this.stateMachine, 'JourneyStateMachine');
    // The definition comes from a file, so CDK cannot see which functions it calls.
    this.sendStepFunction.function.grantInvoke(this.stateMachine);
    Validations.of(this.stateMachine).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${this.sendStepFunction.node.id}.Arn>:*]`,
        reason: 'Invoking the send step function by any version or alias ARN (grantInvoke adds "<arn>:*"); it is still that one function.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Step Functions log delivery (logs:CreateLogDelivery and related) and X-Ray (xray:PutTraceSegments and related) support no resource-level permissions.',
      },
    );

    // ── Start: purchase event → one execution per order ──────────────────────────────────
    this.startJourneyFunction = new PosventaFunction(this, 'StartJourneyFunction', {
      entry: 'functions/start-journey/handler.ts',
      description: 'Validates a purchase event and starts its journey (execution name = order id, so exactly once per order)',
      logRetention,
      environment: {
        [ENV.journeyStateMachineArn]: this.stateMachine.stateMachineArn,
        [ENV.journeyConfig]: journeyConfig,
        // The store's opt-in goes to the consent ledger, and the journey to the contact's index.
        [ENV.contactsTableName]: props.contactsTable.tableName,
        [ENV.journeysTableName]: props.journeysTable.tableName,
        // `Journey Started` (the cohorts) and `Repurchase Attributed`.
        [ENV.eventBusName]: props.eventBus.eventBusName,
      },
    });
    this.stateMachine.grantStartExecution(this.startJourneyFunction);
    // Consent ledger: strongly consistent reads, evidence query, transactional write.
    props.contactsTable.grantReadWriteData(this.startJourneyFunction);
    // Contact → journey index (PutItem), and attribution: the contact's deliveries and journeys
    // (Query), one conditional PutItem per attributed purchase.
    props.journeysTable.grantReadWriteData(this.startJourneyFunction);
    props.eventBus.grantPutEventsTo(this.startJourneyFunction);

    this.startJourneyFailures = new PosventaQueue(this, 'StartJourneyFailures', {
      deadLetterQueueOf: 'the start-journey function (async-invoke failures: invalid purchase events, with the reason)',
    }).queue;
    this.startJourneyFunction.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.startJourneyFailures),
    });

    this.purchaseDeadLetterQueue = new PosventaQueue(this, 'PurchaseCompletedDeadLetterQueue', {
      deadLetterQueueOf: 'the PurchaseCompletedRule target (purchases EventBridge could not hand to the start-journey function)',
    }).queue;
    this.purchaseRule = new Rule(this, 'PurchaseCompletedRule', {
      eventBus: props.eventBus,
      description: 'A completed purchase starts its post-purchase journey',
      eventPattern: {
        source: [props.purchaseEventSource],
        detailType: [...props.triggerDetailTypes],
      },
      targets: [
        new LambdaFunction(this.startJourneyFunction.function, {
          deadLetterQueue: this.purchaseDeadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
    pinLogicalId(this.purchaseRule, 'PurchaseCompletedRule');
  }
}

/**
 * Lambda allows 4 KB of environment variables per function, and the send step's other
 * variables take about 1 KB of it.
 */
export const MAX_JOURNEY_CONFIG_BYTES = 2_800;

function journeyConfigJson(config: JourneyConfig): string {
  const json = JSON.stringify(config);
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_JOURNEY_CONFIG_BYTES) {
    throw new Error(
      `Journey: props.journeyConfig (posventa.journey in cdk.json) is ${bytes} bytes as JSON, over the ${MAX_JOURNEY_CONFIG_BYTES} that fit in a Lambda environment; ` +
        'write yearly holidays once as "MM-DD" and list dated holidays for the coming year only',
    );
  }
  return json;
}

function readDefinition(definitionPath: string): string {
  const definition = readFileSync(repoPath(definitionPath), 'utf8');
  if (!definition.includes('${' + SEND_STEP_ARN_SUBSTITUTION + '}')) {
    throw new Error(`Journey: props.definitionPath "${definitionPath}" never uses \${${SEND_STEP_ARN_SUBSTITUTION}}, so the send step would not run`);
  }
  return definition;
}

