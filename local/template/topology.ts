import { join } from 'node:path';
import type { LocalTable } from '../dynamodb';
import type { LocalFunction } from '../lambda/runtime';
import { resolveIntrinsics, type CfnResource, type CfnTemplate, type LocalAccount } from './intrinsics';

/** Everything the local stack runs, read from the synthesized template (never written by hand). */
export interface Topology {
  buses: string[];
  tables: LocalTable[];
  functions: LocalFunction[];
  queues: Array<{ name: string; arn: string; visibilityTimeoutMs: number; deadLetter?: { arn: string; maxReceiveCount: number } }>;
  rules: Array<{ name: string; eventBusName: string; eventPattern: object; targets: Array<{ id: string; arn: string }> }>;
  eventSourceMappings: Array<{ queueArn: string; functionName: string; batchSize: number; maximumBatchingWindowMs: number; reportBatchItemFailures: boolean }>;
  asyncInvokeConfigs: Array<{ functionName: string; maximumRetryAttempts: number; onFailureArn?: string }>;
  stateMachines: Array<{ name: string; arn: string; definition: object }>;
  routes: Array<{ method: string; path: string; functionName: string }>;
}

export interface TopologyOptions extends LocalAccount {
  /** The cloud assembly directory, where asset paths are relative to. */
  assemblyDir: string;
  /** Environment every function gets locally on top of its own (endpoints, credentials, clock). */
  functionEnvironment: Record<string, string>;
}

function byType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

const lastSegment = (arnOrName: string): string => arnOrName.split(/[:/]/).pop() ?? arnOrName;

export function readTopology(template: CfnTemplate, options: TopologyOptions): Topology {
  const resolve = <T>(value: unknown): T => resolveIntrinsics(value, template, options) as T;
  const props = (resource: CfnResource): Record<string, unknown> => resource.Properties ?? {};

  const functions = byType(template, 'AWS::Lambda::Function')
    .filter(([, r]) => typeof r.Metadata?.['aws:asset:path'] === 'string')
    .map(([id, r]): LocalFunction => {
      const p = props(r);
      const [file, exportName] = String(p.Handler).split('.') as [string, string];
      const variables = resolve<Record<string, string>>((p.Environment as { Variables?: unknown } | undefined)?.Variables ?? {});
      return {
        name: id,
        arn: resolve<string>({ 'Fn::GetAtt': [id, 'Arn'] }),
        bundlePath: join(options.assemblyDir, String(r.Metadata?.['aws:asset:path']), `${file}.mjs`),
        exportName,
        environment: { ...variables, ...options.functionEnvironment, AWS_LAMBDA_FUNCTION_NAME: id },
        timeoutMs: Number(p.Timeout ?? 3) * 1000,
        memoryMb: Number(p.MemorySize ?? 128),
      };
    });

  const integrations = new Map(
    byType(template, 'AWS::ApiGatewayV2::Integration').map(([id, r]) => [id, lastSegment(resolve<string>(props(r).IntegrationUri))]),
  );

  return {
    buses: byType(template, 'AWS::Events::EventBus').map(([id]) => resolve<string>({ Ref: id })),
    tables: byType(template, 'AWS::DynamoDB::Table').map(([id, r]) => {
      const p = props(r);
      const ttl = p.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
      return {
        name: id,
        definition: {
          KeySchema: p.KeySchema as LocalTable['definition']['KeySchema'],
          AttributeDefinitions: p.AttributeDefinitions as LocalTable['definition']['AttributeDefinitions'],
          ...(p.GlobalSecondaryIndexes === undefined ? {} : { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes as LocalTable['definition']['GlobalSecondaryIndexes'] }),
          BillingMode: 'PAY_PER_REQUEST',
        },
        ...(ttl?.Enabled && ttl.AttributeName !== undefined ? { timeToLiveAttribute: ttl.AttributeName } : {}),
      };
    }),
    functions,
    queues: byType(template, 'AWS::SQS::Queue').map(([id, r]) => {
      const p = props(r);
      const redrive = p.RedrivePolicy === undefined ? undefined : resolve<{ deadLetterTargetArn: string; maxReceiveCount: number }>(p.RedrivePolicy);
      return {
        name: id,
        arn: resolve<string>({ 'Fn::GetAtt': [id, 'Arn'] }),
        visibilityTimeoutMs: Number(p.VisibilityTimeout ?? 30) * 1000,
        ...(redrive === undefined ? {} : { deadLetter: { arn: redrive.deadLetterTargetArn, maxReceiveCount: Number(redrive.maxReceiveCount) } }),
      };
    }),
    rules: byType(template, 'AWS::Events::Rule')
      .filter(([, r]) => props(r).EventPattern !== undefined && props(r).State !== 'DISABLED')
      .map(([id, r]) => {
        const p = props(r);
        return {
          name: id,
          eventBusName: lastSegment(resolve<string>(p.EventBusName ?? 'default')),
          eventPattern: resolve<object>(p.EventPattern),
          targets: resolve<Array<{ Id: string; Arn: string }>>(p.Targets ?? []).map((t) => ({ id: t.Id, arn: t.Arn })),
        };
      }),
    eventSourceMappings: byType(template, 'AWS::Lambda::EventSourceMapping').map(([, r]) => {
      const p = props(r);
      return {
        queueArn: resolve<string>(p.EventSourceArn),
        functionName: lastSegment(resolve<string>(p.FunctionName)),
        batchSize: Number(p.BatchSize ?? 10),
        maximumBatchingWindowMs: Number(p.MaximumBatchingWindowInSeconds ?? 0) * 1000,
        reportBatchItemFailures: ((p.FunctionResponseTypes as string[] | undefined) ?? []).includes('ReportBatchItemFailures'),
      };
    }),
    asyncInvokeConfigs: byType(template, 'AWS::Lambda::EventInvokeConfig').map(([, r]) => {
      const p = props(r);
      const onFailure = (p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination;
      return {
        functionName: lastSegment(resolve<string>(p.FunctionName)),
        maximumRetryAttempts: Number(p.MaximumRetryAttempts ?? 2),
        ...(onFailure === undefined ? {} : { onFailureArn: resolve<string>(onFailure) }),
      };
    }),
    stateMachines: byType(template, 'AWS::StepFunctions::StateMachine').map(([id, r]) => {
      const p = props(r);
      const substitutions = resolve<Record<string, string>>(p.DefinitionSubstitutions ?? {});
      const text = String(resolve<string>(p.DefinitionString)).replace(/\$\{([^}]+)\}/g, (whole, name: string) => substitutions[name] ?? whole);
      return { name: id, arn: resolve<string>({ Ref: id }), definition: JSON.parse(text) as object };
    }),
    routes: byType(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => {
      const p = props(r);
      const [method, path] = String(p.RouteKey).split(' ') as [string, string];
      const integrationId = resolve<string>(p.Target).replace(/^integrations\//, '');
      const functionName = integrations.get(integrationId);
      if (functionName === undefined) throw new Error(`Route ${String(p.RouteKey)} targets unknown integration ${integrationId}`);
      return { method, path, functionName };
    }),
  };
}
