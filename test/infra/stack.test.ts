import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV, type EnvName } from '#shared/env';
import { DOMAIN_EVENT_SOURCE } from '#shared/events/domain';
import { HELPDESK_EVENT_SOURCE } from '#shared/events/helpdesk';
import { COUNTERS, COUNTER_METRIC, METRIC_NAMESPACE } from '#shared/kpi/counters';
import { milestoneValuesOf } from '#shared/kpi/metrics';
import { ALARM_DEFAULTS, TEMPLATE_QUALITY_SCORE } from '#shared/kpi/targets';
import { ENTRY_METADATA_KEY } from '../../infra/constructs/function';
import { SEND_STEP_ARN_SUBSTITUTION } from '../../infra/constructs/journey';
import { repoPath } from '../../infra/paths';
import { CONFIG_CONTEXT_KEY, parseConfig } from '../../infra/config';
import { readCdkJsonContext, synthesizePosventa, type CloudFormationTemplate, type PosventaSynthesis } from '../../infra/synth';

// One synthesis for the whole file, with real esbuild bundles (a few seconds). The checks
// (cdk-nag, template validation) have their own file.
const PHONE_NUMBER_ID = '109876543210987';
let synthesis: PosventaSynthesis;
let json: CloudFormationTemplate;
let template: Template;

beforeAll(() => {
  synthesis = synthesizePosventa({ checks: false, config: { whatsappPhoneNumberId: PHONE_NUMBER_ID } });
  json = synthesis.template;
  template = Template.fromJSON(json as unknown as Record<string, unknown>);
});
afterAll(() => rmSync(synthesis.assemblyDir, { recursive: true, force: true }));

const getAtt = (logicalId: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [logicalId, attribute] });
const ref = (logicalId: string) => ({ Ref: logicalId });

function resource(logicalId: string) {
  const found = json.Resources[logicalId];
  if (found === undefined) throw new Error(`No resource ${logicalId} in the template`);
  return found;
}

/** Statements of the policies attached to a function's role. */
function statementsOf(functionLogicalId: string): Array<{ Action: string | string[]; Resource: unknown }> {
  const role = (resource(functionLogicalId).Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties?.Roles as unknown[]).some((x) => JSON.stringify(x) === JSON.stringify(ref(role))))
    .flatMap((r) => r.Properties?.PolicyDocument.Statement);
}

function actionsOn(functionLogicalId: string, target: unknown): string[] {
  const targetJson = JSON.stringify(target);
  return statementsOf(functionLogicalId)
    .filter((s) => JSON.stringify(s.Resource).includes(targetJson))
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

const FUNCTIONS = {
  StartJourneyFunction: 'functions/start-journey/handler.ts',
  SendStepFunction: 'functions/send-step/handler.ts',
  WebhookFunction: 'functions/webhook/handler.ts',
  KpiAggregatorFunction: 'functions/kpi-aggregator/handler.ts',
  KpiApiFunction: 'functions/kpi-api/handler.ts',
} as const;

describe('event bus', () => {
  it('is named from the config and archives Posventa domain events', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'posventa' });
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: getAtt('EventBus'),
      EventPattern: { source: [DOMAIN_EVENT_SOURCE] },
    });
  });
});

describe('tables', () => {
  it.each(['ContactsTable', 'JourneysTable', 'KpiTable', 'TemplatesTable'])('%s: pk/sk strings, on demand, PITR, SSE, TTL on expiresAt, no GSI', (logicalId) => {
    const table = resource(logicalId);
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(table.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(table.Properties?.GlobalSecondaryIndexes).toBeUndefined();
    expect(table.DeletionPolicy).toBe('Retain');
  });

  it('ContactsTable (consent evidence) is deletion-protected', () => {
    expect(resource('ContactsTable').Properties?.DeletionProtectionEnabled).toBe(true);
  });
});

describe('journey', () => {
  it('PurchaseCompletedRule matches the store source and detail-type and targets start-journey with a DLQ and retries', () => {
    expect(resource('PurchaseCompletedRule').Properties).toMatchObject({
      EventBusName: ref('EventBus'),
      EventPattern: { source: ['posventa.store'], 'detail-type': ['Purchase Completed'] },
      Targets: [
        {
          Arn: getAtt('StartJourneyFunction'),
          DeadLetterConfig: { Arn: getAtt('PurchaseCompletedDeadLetterQueue') },
          RetryPolicy: { MaximumRetryAttempts: expect.any(Number), MaximumEventAgeInSeconds: expect.any(Number) },
        },
      ],
    });
  });

  it('start-journey retries twice, then puts the failed event and its reason on StartJourneyFailures', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref('StartJourneyFunction'),
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: getAtt('StartJourneyFailures') } },
    });
    expect(actionsOn('StartJourneyFunction', getAtt('StartJourneyFailures'))).toContain('sqs:SendMessage');
  });

  it('JourneyStateMachine is STANDARD, runs the ASL file with the send step ARN substituted, logs ALL without data, traces', () => {
    const stateMachine = resource('JourneyStateMachine');
    const definition = stateMachine.Properties?.DefinitionString as string;
    expect(definition).toBe(readFileSync(repoPath('statemachines/journey.asl.json'), 'utf8'));
    expect(definition).toContain('"Resource": "${' + SEND_STEP_ARN_SUBSTITUTION + '}"');
    expect(definition).toMatch(/"Type":\s*"Wait"/);
    expect(stateMachine.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      DefinitionSubstitutions: { [SEND_STEP_ARN_SUBSTITUTION]: getAtt('SendStepFunction') },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('the state machine may invoke the send step, and start-journey may start it', () => {
    const role = (resource('JourneyStateMachine').Properties?.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [ref(role)],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: Match.arrayWith([getAtt('SendStepFunction')]) })]),
      },
    });
    expect(actionsOn('StartJourneyFunction', ref('JourneyStateMachine'))).toContain('states:StartExecution');
  });

  it('start-journey records the purchase opt-in (contacts), indexes the journey and attributes the purchase (journeys), and puts its events', () => {
    expect(actionsOn('StartJourneyFunction', getAtt('ContactsTable'))).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem']));
    expect(actionsOn('StartJourneyFunction', getAtt('JourneysTable'))).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query']));
    expect(actionsOn('StartJourneyFunction', getAtt('EventBus'))).toContain('events:PutEvents');
  });

  it('the send step reads/writes journeys and contacts, puts events, and reads the access token', () => {
    for (const table of ['JourneysTable', 'ContactsTable']) {
      expect(actionsOn('SendStepFunction', getAtt(table))).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query']));
    }
    expect(actionsOn('SendStepFunction', getAtt('EventBus'))).toContain('events:PutEvents');
    expect(actionsOn('SendStepFunction', ref('MetaAccessToken'))).toContain('secretsmanager:GetSecretValue');
    expect(actionsOn('SendStepFunction', ref('MetaAppSecret'))).toEqual([]);
  });

  it('the send step only queries the templates table (which templates Meta sends); the webhook only updates it', () => {
    expect(actionsOn('SendStepFunction', getAtt('TemplatesTable'))).toEqual(['dynamodb:Query']);
    expect(actionsOn('WebhookFunction', getAtt('TemplatesTable'))).toEqual(['dynamodb:UpdateItem']);
    for (const id of ['StartJourneyFunction', 'KpiAggregatorFunction', 'KpiApiFunction']) expect(actionsOn(id, getAtt('TemplatesTable'))).toEqual([]);
  });
});

describe('webhook and HTTP API', () => {
  it('routes GET and POST /webhook to the webhook function and GET /kpis (IAM-signed) to the KPI API, payload 2.0', () => {
    const routes = Object.values(json.Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
    expect(routes.map((r) => r.Properties?.RouteKey).sort()).toEqual(['GET /kpis', 'GET /webhook', 'POST /webhook']);

    const integrationTarget = (routeKey: string) => {
      const route = routes.find((r) => r.Properties?.RouteKey === routeKey);
      const integrationId = route?.Properties?.Target['Fn::Join'][1][1].Ref as string;
      const integration = resource(integrationId).Properties;
      expect(integration?.PayloadFormatVersion).toBe('2.0');
      return integration?.IntegrationUri;
    };
    expect(integrationTarget('GET /webhook')).toEqual(getAtt('WebhookFunction'));
    expect(integrationTarget('POST /webhook')).toEqual(getAtt('WebhookFunction'));
    expect(integrationTarget('GET /kpis')).toEqual(getAtt('KpiApiFunction'));
    expect(routes.find((r) => r.Properties?.RouteKey === 'GET /kpis')?.Properties?.AuthorizationType).toBe('AWS_IAM');
  });

  it('the $default stage auto-deploys and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: ref('HttpApi'),
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('the stage throttles every route at the configured rate and burst', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 } });
  });

  it('has no CORS: no browser page may call the API', () => {
    for (const api of Object.values(json.Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Api')) expect(api.Properties).not.toHaveProperty('CorsConfiguration');
  });

  it('access logs hold request metadata only: no body, no query string (verify token), no headers beyond the user agent', () => {
    const stage = Object.values(json.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage');
    const format = stage?.Properties?.AccessLogSettings.Format as string;
    const variables = [...format.matchAll(/\$context\.[\w.]+/g)].map(([v]) => v).sort();
    expect(variables).toEqual(
      [
        '$context.error.message',
        '$context.identity.sourceIp',
        '$context.identity.userAgent',
        '$context.integrationErrorMessage',
        '$context.integrationStatus',
        '$context.requestId',
        '$context.requestTime',
        '$context.responseLatency',
        '$context.responseLength',
        '$context.routeKey',
        '$context.status',
      ].sort(),
    );
  });

  it('outputs the webhook URL', () => {
    expect(json.Outputs?.WebhookUrl?.Value).toEqual({ 'Fn::Join': ['', [getAtt('HttpApi', 'ApiEndpoint'), '/webhook']] });
  });

  it('the webhook function puts events, uses both tables, reads the app secret, the verify token and the access token (confirmations)', () => {
    expect(actionsOn('WebhookFunction', getAtt('EventBus'))).toContain('events:PutEvents');
    for (const table of ['JourneysTable', 'ContactsTable']) {
      expect(actionsOn('WebhookFunction', getAtt(table))).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem']));
    }
    expect(actionsOn('WebhookFunction', ref('MetaAppSecret'))).toContain('secretsmanager:GetSecretValue');
    expect(JSON.stringify(statementsOf('WebhookFunction'))).toMatch(/ssm:GetParameter"/);
    expect(actionsOn('WebhookFunction', ref('MetaAccessToken'))).toContain('secretsmanager:GetSecretValue');
  });

  it('the webhook function may stop journey executions (opt-out) and nothing else on the state machine', () => {
    const onStates = statementsOf('WebhookFunction').filter((s) => JSON.stringify(s.Action).includes('states:'));
    expect(onStates.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))).toEqual(['states:StopExecution']);
    const resource = JSON.stringify(onStates[0]?.Resource);
    expect(resource).toContain(':execution:');
    expect(resource).toContain(JSON.stringify(ref('JourneyStateMachine')));
  });
});

describe('secrets', () => {
  it('Meta credentials are created with generated placeholders and say how to set them', () => {
    for (const logicalId of ['MetaAppSecret', 'MetaAccessToken']) {
      const secret = resource(logicalId).Properties;
      expect(secret?.GenerateSecretString).toBeDefined();
      expect(secret?.SecretString).toBeUndefined();
      expect(secret?.Description).toContain('put-secret-value');
    }
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/posventa/meta/verify-token', Type: 'String' });
  });

  it('functions that read them get the Parameters and Secrets extension; the others do not', () => {
    const layered = Object.keys(FUNCTIONS).filter((id) => resource(id).Properties?.Layers !== undefined);
    expect(layered.sort()).toEqual(['SendStepFunction', 'WebhookFunction']);
  });
});

describe('KPI pipeline', () => {
  it('DomainEventsToKpiRule sends every Posventa event to KpiEventsQueue, with a DLQ', () => {
    expect(resource('DomainEventsToKpiRule').Properties).toMatchObject({
      EventBusName: ref('EventBus'),
      EventPattern: { source: [DOMAIN_EVENT_SOURCE] },
      Targets: [{ Arn: getAtt('KpiEventsQueue'), DeadLetterConfig: { Arn: getAtt('KpiEventsDeadLetterQueue') } }],
    });
  });

  it("HelpdeskEventsToKpiRule sends the helpdesk's four ticket events to the same queue, with the same DLQ", () => {
    expect(resource('HelpdeskEventsToKpiRule').Properties).toMatchObject({
      EventBusName: ref('EventBus'),
      EventPattern: { source: [HELPDESK_EVENT_SOURCE], 'detail-type': ['Ticket Opened', 'Ticket Reopened', 'Ticket Closed', 'Agent Replied'] },
      Targets: [{ Arn: getAtt('KpiEventsQueue'), DeadLetterConfig: { Arn: getAtt('KpiEventsDeadLetterQueue') } }],
    });
  });

  it('KpiEventsQueue is encrypted, SSL-only, and redrives to KpiEventsDeadLetterQueue after 5 receives', () => {
    expect(resource('KpiEventsQueue').Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: getAtt('KpiEventsDeadLetterQueue'), maxReceiveCount: 5 },
    });
    for (const queue of ['KpiEventsQueue', 'KpiEventsDeadLetterQueue', 'StartJourneyFailures', 'PurchaseCompletedDeadLetterQueue']) {
      expect(resource(queue).Properties?.SqsManagedSseEnabled).toBe(true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [ref(queue)],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    }
  });

  it('the aggregator reads the queue in batches of 100 within 2 s and reports item failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: getAtt('KpiEventsQueue'),
      FunctionName: ref('KpiAggregatorFunction'),
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('the aggregator writes the KPI table; the KPI API only reads it', () => {
    expect(actionsOn('KpiAggregatorFunction', getAtt('KpiTable'))).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:Query']));
    const apiActions = actionsOn('KpiApiFunction', getAtt('KpiTable'));
    expect(apiActions).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:GetItem']));
    expect(apiActions.filter((a) => /Put|Update|Delete|Write|Scan/.test(a))).toEqual([]);
  });
});

describe('functions', () => {
  // cdk.json's journey settings, validated and defaulted, as the functions parse them again.
  const journeyConfig = JSON.stringify(parseConfig(readCdkJsonContext()[CONFIG_CONTEXT_KEY]).journey);
  const expectedEnvironment: Record<keyof typeof FUNCTIONS, Partial<Record<EnvName, unknown>>> = {
    StartJourneyFunction: {
      [ENV.journeyStateMachineArn]: ref('JourneyStateMachine'),
      [ENV.journeyConfig]: journeyConfig,
      [ENV.contactsTableName]: ref('ContactsTable'),
      [ENV.journeysTableName]: ref('JourneysTable'),
      [ENV.eventBusName]: ref('EventBus'),
    },
    SendStepFunction: {
      [ENV.journeyConfig]: journeyConfig,
      [ENV.journeysTableName]: ref('JourneysTable'),
      [ENV.contactsTableName]: ref('ContactsTable'),
      [ENV.templatesTableName]: ref('TemplatesTable'),
      [ENV.eventBusName]: ref('EventBus'),
      [ENV.graphApiVersion]: 'v23.0',
      [ENV.whatsappPhoneNumberId]: PHONE_NUMBER_ID,
      [ENV.metaAccessTokenSecretId]: ref('MetaAccessToken'),
    },
    WebhookFunction: {
      [ENV.eventBusName]: ref('EventBus'),
      [ENV.journeysTableName]: ref('JourneysTable'),
      [ENV.contactsTableName]: ref('ContactsTable'),
      [ENV.templatesTableName]: ref('TemplatesTable'),
      [ENV.metaAppSecretSecretId]: ref('MetaAppSecret'),
      [ENV.metaVerifyTokenParameter]: ref('MetaVerifyTokenParameter'),
      [ENV.unquotedReplyMaxAgeDays]: '7',
      [ENV.graphApiVersion]: 'v23.0',
      [ENV.whatsappPhoneNumberId]: PHONE_NUMBER_ID,
      [ENV.metaAccessTokenSecretId]: ref('MetaAccessToken'),
    },
    KpiAggregatorFunction: { [ENV.kpiTableName]: ref('KpiTable'), [ENV.reportingTimeZone]: 'UTC' },
    KpiApiFunction: { [ENV.kpiTableName]: ref('KpiTable'), [ENV.reportingTimeZone]: 'UTC' },
  };

  it.each(Object.entries(expectedEnvironment))('%s gets exactly its variables from shared/env.ts', (logicalId, expected) => {
    const variables = resource(logicalId).Properties?.Environment.Variables as Record<string, unknown>;
    const ours = Object.fromEntries(Object.entries(variables).filter(([name]) => (Object.values(ENV) as string[]).includes(name)));
    expect(ours).toEqual(expected);
    const others = Object.keys(variables).filter((name) => !(name in ours));
    expect(others.filter((name) => name !== 'NODE_OPTIONS' && !/^(PARAMETERS_SECRETS_EXTENSION|SECRETS_MANAGER|SSM_PARAMETER_STORE)_/.test(name))).toEqual([]);
  });

  it('no environment variable carries a secret value', () => {
    const environments = JSON.stringify(Object.keys(FUNCTIONS).map((id) => resource(id).Properties?.Environment));
    expect(environments).not.toContain('{{resolve:');
    expect(environments).not.toContain('SecretString');
    for (const id of Object.keys(FUNCTIONS)) {
      const variables = resource(id).Properties?.Environment.Variables as Record<string, unknown>;
      for (const [name, value] of Object.entries(variables)) {
        // Secret and token variables hold where to read them (an ARN, a parameter name), never the value.
        if ((Object.values(ENV) as string[]).includes(name) && /SECRET|TOKEN/.test(name)) {
          expect(value, name).toEqual({ Ref: expect.stringMatching(/^Meta/) });
        }
      }
    }
  });

  it('every function is Node.js 22 on arm64, traced, with source maps and its own log group', () => {
    const lambdas = Object.entries(json.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(lambdas.map(([id]) => id).sort()).toEqual(Object.keys(FUNCTIONS).sort());
    for (const [, fn] of lambdas) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
        Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
      });
      const logGroup = resource(fn.Properties?.LoggingConfig.LogGroup.Ref as string);
      expect(logGroup.Properties?.RetentionInDays).toBe(30);
    }
  });

  it('every log group has a retention, and every function and state machine is traced (X-Ray)', () => {
    const logGroups = Object.entries(json.Resources).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup');
    expect(logGroups.length).toBeGreaterThanOrEqual(Object.keys(FUNCTIONS).length + 2); // + state machine, + API access logs
    for (const [id, group] of logGroups) expect(group.Properties?.RetentionInDays, id).toBe(30);
    for (const [id, fn] of Object.entries(json.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function')) expect(fn.Properties?.TracingConfig, id).toEqual({ Mode: 'Active' });
    const machines = Object.entries(json.Resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
    expect(machines.length).toBeGreaterThan(0);
    for (const [id, machine] of machines) expect(machine.Properties?.TracingConfiguration, id).toEqual({ Enabled: true });
  });

  it('every function records its repo-relative entry and its bundle, an ESM index.mjs, for the local stack', () => {
    for (const [logicalId, entry] of Object.entries(FUNCTIONS)) {
      const metadata = resource(logicalId).Metadata;
      expect(metadata?.[ENTRY_METADATA_KEY]).toBe(entry);
      expect(existsSync(repoPath(entry))).toBe(true);
      expect(metadata?.['aws:asset:path']).toMatch(/^asset\./);
    }
    expect(synthesis.functions.map((f) => [f.logicalId, f.entry])).toEqual(expect.arrayContaining(Object.entries(FUNCTIONS)));
    for (const fn of synthesis.functions) {
      const bundle = readFileSync(join(fn.bundleDir, 'index.mjs'), 'utf8');
      expect(bundle.startsWith('import { createRequire')).toBe(true);
      expect(existsSync(join(fn.bundleDir, 'index.mjs.map'))).toBe(true);
      expect(bundle).not.toMatch(/from\s*"@aws-sdk\//);
    }
  });

  it("bundles take the role's credentials from the environment, without the SDK's default chain (profiles, SSO, web identity)", () => {
    for (const fn of synthesis.functions) {
      const bundle = readFileSync(join(fn.bundleDir, 'index.mjs'), 'utf8');
      expect(bundle, fn.logicalId).toContain('AWS_SECRET_ACCESS_KEY');
      for (const onlyInTheChain of ['sso_start_url', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) {
        expect(bundle, `${fn.logicalId}: ${onlyInTheChain}`).not.toContain(onlyInTheChain);
      }
    }
  });
});

describe('dashboards and alarms', () => {
  // test/infra/metrics.test.ts checks every KPI metric they query against the aggregator's real EMF output.
  it('are the "Post-sale board" and the "Template centre", with every counter per milestone and Lambda errors on the board', () => {
    const bodies = Object.values(json.Resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Dashboard')
      .map((d) => JSON.stringify(d.Properties?.DashboardBody));
    expect(bodies).toHaveLength(2);
    const [board, centre] = [bodies.find((b) => b.includes('# Post-sale board')), bodies.find((b) => b.includes('# Template centre'))];
    expect(board).toBeDefined();
    expect(centre).toBeDefined();
    for (const counter of COUNTERS) {
      for (const milestone of milestoneValuesOf(counter)) {
        expect(board).toContain(JSON.stringify([METRIC_NAMESPACE, COUNTER_METRIC[counter], 'Milestone', milestone]).slice(1, -1).replaceAll('"', '\\"'));
      }
    }
    expect(board).toContain('\\"AWS/Lambda\\",\\"Errors\\"');
    expect(board).toContain('\\"AWS/ApiGateway\\",\\"5xx\\"');
  });

  it('alarm thresholds default to ALARM_DEFAULTS (shared/kpi/targets.ts)', () => {
    const threshold = (prefix: string) => Object.entries(json.Resources).find(([id, r]) => r.Type === 'AWS::CloudWatch::Alarm' && id.startsWith(`Dashboards${prefix}`))?.[1].Properties?.Threshold;
    expect(threshold('BlockRateAlarm')).toBe(ALARM_DEFAULTS.blockRate);
    expect(threshold('FailureRateAlarm')).toBe(ALARM_DEFAULTS.failureRate);
    expect(threshold('Day7ResponseRateAlarm')).toBe(ALARM_DEFAULTS.day7ResponseRateFloor);
    expect(threshold('NpsFloorAlarm')).toBe(ALARM_DEFAULTS.npsFloor);
    expect(threshold('Webhook5xxRateAlarm')).toBe(ALARM_DEFAULTS.webhook5xxRate);
    expect(threshold('TemplateQuality')).toBe(TEMPLATE_QUALITY_SCORE[ALARM_DEFAULTS.templateQuality]);
  });

  it('every alarm notifies the alarm topic', () => {
    const alarms = Object.values(json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(10);
    for (const alarm of alarms) expect(resource(alarm.Properties?.AlarmActions[0].Ref as string).Type).toBe('AWS::SNS::Topic');
  });

  it('alarms on every dead-letter queue and on failed journeys, to the alarm topic', () => {
    const alarms = Object.values(json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    const queueAlarms = alarms.filter((a) => a.Properties?.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(queueAlarms.map((a) => a.Properties?.Dimensions[0].Value['Fn::GetAtt'][0]).sort()).toEqual([
      'KpiEventsDeadLetterQueue',
      'PurchaseCompletedDeadLetterQueue',
      'StartJourneyFailures',
    ]);
    const failedJourneys = alarms.filter((a) => a.Properties?.MetricName === 'ExecutionsFailed');
    expect(failedJourneys).toHaveLength(1);
    for (const alarm of [...queueAlarms, ...failedJourneys]) {
      expect(alarm.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [{ Ref: expect.any(String) }] });
      expect(resource(alarm.Properties?.AlarmActions[0].Ref as string).Type).toBe('AWS::SNS::Topic');
    }
  });
});

describe('template snapshot', () => {
  // Asset hashes change with any byte of any bundle; everything else is the infrastructure.
  const normalise = (value: unknown): unknown => JSON.parse(JSON.stringify(value).replace(/[0-9a-f]{64}/g, '<asset-hash>'));

  it('matches test/infra/__snapshots__/template.json (after a deliberate change: npx vitest run test/infra/stack.test.ts -u)', async () => {
    await expect(`${JSON.stringify(normalise(json), null, 2)}\n`).toMatchFileSnapshot('__snapshots__/template.json');
  });
});
