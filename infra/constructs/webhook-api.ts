import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV } from '#shared/env';
import { grantGraphApi, graphApiEnvironment, type GraphApiAccess } from './graph-api';
import { PosventaFunction } from './function';
import { pinLogicalId } from './logical-id';

/** Path Meta posts webhooks to (and verifies with GET). */
export const WEBHOOK_PATH = '/webhook';

export interface WebhookApiProps {
  /** Where the webhook function puts domain events. */
  readonly eventBus: IEventBus;
  readonly journeysTable: ITable;
  readonly contactsTable: ITable;
  /** Meta's status and quality of each template, written from the template webhooks (UpdateItem only). */
  readonly templatesTable: ITable;
  /** Key of the X-Hub-Signature-256 HMAC. */
  readonly appSecret: ISecret;
  /** Verify token Meta's GET handshake must echo. */
  readonly verifyToken: IStringParameter;
  /** The journey state machine: an opt-out stops the contact's executions (StopExecution only). */
  readonly journeyStateMachine: IStateMachine;
  /**
   * How the webhook reaches the Graph API, to confirm an opt-out or opt-in. Without a phone
   * number id, consent is still recorded and journeys stopped, but not confirmed.
   */
  readonly graphApi: GraphApiAccess;
  /**
   * Steady requests per second and burst of the `$default` stage (every route). Above them
   * API Gateway answers 429 without invoking anything; Meta retries throttled webhooks.
   *
   * @default { rateLimit: 1000, burstLimit: 2000 }
   */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Days after a journey message that a reply quoting no message still answers it.
   *
   * @default 7
   */
  readonly unquotedReplyMaxAgeDays?: number;
  /**
   * Retention of the webhook function's and the API's access logs.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The public HTTP API (payload format 2.0) and Meta's webhook on it: `GET /webhook` answers
 * Meta's verification handshake, `POST /webhook` takes signed notifications in. Other
 * constructs add their routes to `httpApi`.
 */
export class WebhookApi extends Construct {
  public readonly httpApi: HttpApi;
  public readonly stage: HttpStage;
  public readonly accessLogGroup: LogGroup;
  public readonly webhookFunction: PosventaFunction;
  /** `https://…/webhook`, the callback URL to give Meta. */
  public readonly webhookUrl: string;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const throttle = props.throttle ?? { rateLimit: 1000, burstLimit: 2000 };
    if (!(throttle.rateLimit > 0) || !(throttle.burstLimit > 0)) {
      throw new Error(`WebhookApi: props.throttle needs rateLimit and burstLimit above 0 (got ${JSON.stringify(throttle)})`);
    }
    const unquotedReplyMaxAgeDays = props.unquotedReplyMaxAgeDays ?? 7;
    if (!(unquotedReplyMaxAgeDays > 0)) throw new Error(`WebhookApi: props.unquotedReplyMaxAgeDays must be above 0 (got ${unquotedReplyMaxAgeDays})`);

    // ── Webhook function ──────────────────────────────────────────────────────────────────
    this.webhookFunction = new PosventaFunction(this, 'WebhookFunction', {
      entry: 'functions/webhook/handler.ts',
      description: "Meta's WhatsApp webhook: verifies the signature, parses, dedupes, records consent, emits domain events",
      logRetention,
      readsSecrets: true,
      environment: {
        [ENV.eventBusName]: props.eventBus.eventBusName,
        [ENV.journeysTableName]: props.journeysTable.tableName,
        [ENV.contactsTableName]: props.contactsTable.tableName,
        [ENV.templatesTableName]: props.templatesTable.tableName,
        [ENV.metaAppSecretSecretId]: props.appSecret.secretArn,
        [ENV.metaVerifyTokenParameter]: props.verifyToken.parameterName,
        [ENV.unquotedReplyMaxAgeDays]: String(unquotedReplyMaxAgeDays),
        ...graphApiEnvironment(props.graphApi),
      },
    });
    props.eventBus.grantPutEventsTo(this.webhookFunction);
    props.journeysTable.grantReadWriteData(this.webhookFunction);
    props.contactsTable.grantReadWriteData(this.webhookFunction);
    // Conditional updates only (an older change never overwrites a newer one); it never reads the record.
    props.templatesTable.grant(this.webhookFunction, 'dynamodb:UpdateItem');
    props.appSecret.grantRead(this.webhookFunction);
    props.verifyToken.grantRead(this.webhookFunction);
    grantGraphApi(props.graphApi, this.webhookFunction);
    // Executions are named after orders, so the grant covers the state machine's executions (`…:execution:<name>:*`).
    props.journeyStateMachine.grantExecution(this.webhookFunction, 'states:StopExecution');
    const stateMachineArn = JSON.stringify(Stack.of(this).resolve(props.journeyStateMachine.stateMachineArn));
    Validations.of(this.webhookFunction).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",${stateMachineArn}]}]}:*]`,
      reason: 'An opt-out stops any of the contact\'s journey executions, whose names (order ids) are known only at run time; the grant is StopExecution on that one state machine\'s executions.',
    });

    // ── HTTP API and its stage ────────────────────────────────────────────────────────────
    // No CORS: Meta and the KPI clients call server to server; no browser page may call it.
    // Payloads: HTTP APIs take at most 10 MB (fixed by AWS); the webhook refuses more than
    // 256 KB itself (413) before parsing anything.
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Posventa: Meta webhook and KPI API',
      // The default stage is created below, to give it access logs.
      createDefaultStage: false,
    });
    pinLogicalId(this.httpApi, 'HttpApi');

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      // Request metadata only: no body (phone numbers) and no query string (the verify token).
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            error: '$context.error.message',
            sourceIp: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });

    // ── Routes ────────────────────────────────────────────────────────────────────────────
    const routes = this.httpApi.addRoutes({
      path: WEBHOOK_PATH,
      methods: [HttpMethod.GET, HttpMethod.POST],
      integration: new HttpLambdaIntegration('WebhookIntegration', this.webhookFunction.function, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      }),
    });
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'Meta calls the webhook without AWS credentials; the function authenticates every POST by its X-Hub-Signature-256 HMAC and GET by the verify token.',
      });
    }

    this.webhookUrl = `${this.httpApi.apiEndpoint}${WEBHOOK_PATH}`;
  }
}
