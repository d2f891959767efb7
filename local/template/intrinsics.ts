/** A CloudFormation resource as it appears in a synthesized template. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
}

export interface LocalAccount {
  region: string;
  accountId: string;
}

/**
 * What `Ref` and `Fn::GetAtt` mean for each resource type locally. Local physical names are
 * the logical ids: unique in the template and stable across synths.
 */
function refOf(logicalId: string, resource: CfnResource, account: LocalAccount): string {
  const { region, accountId } = account;
  switch (resource.Type) {
    case 'AWS::Events::EventBus':
      return String(resource.Properties?.Name ?? logicalId);
    case 'AWS::SSM::Parameter':
      return String(resource.Properties?.Name ?? logicalId);
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${region}:${accountId}:stateMachine:${logicalId}`;
    case 'AWS::SecretsManager::Secret':
      return `arn:aws:secretsmanager:${region}:${accountId}:secret:${logicalId}`;
    case 'AWS::SQS::Queue':
      return `https://sqs.${region}.amazonaws.com/${accountId}/${logicalId}`;
    default:
      return logicalId;
  }
}

function attributeOf(logicalId: string, resource: CfnResource, attribute: string, account: LocalAccount): string {
  const { region, accountId } = account;
  const arns: Record<string, string> = {
    'AWS::Lambda::Function': `arn:aws:lambda:${region}:${accountId}:function:${logicalId}`,
    'AWS::SQS::Queue': `arn:aws:sqs:${region}:${accountId}:${logicalId}`,
    'AWS::DynamoDB::Table': `arn:aws:dynamodb:${region}:${accountId}:table/${logicalId}`,
    'AWS::Events::EventBus': `arn:aws:events:${region}:${accountId}:event-bus/${refOf(logicalId, resource, account)}`,
    'AWS::StepFunctions::StateMachine': refOf(logicalId, resource, account),
    'AWS::SNS::Topic': `arn:aws:sns:${region}:${accountId}:${logicalId}`,
  };
  if (attribute === 'Arn' && arns[resource.Type] !== undefined) return arns[resource.Type]!;
  if (attribute === 'Name' || attribute === 'QueueName') return refOf(logicalId, resource, account).split(/[:/]/).pop()!;
  throw new Error(`Local stack cannot resolve Fn::GetAtt ${logicalId}.${attribute} (${resource.Type})`);
}

/** Resolves the intrinsic functions CDK emits into the plain values the local stack uses. */
export function resolveIntrinsics(value: unknown, template: CfnTemplate, account: LocalAccount): unknown {
  const resolve = (v: unknown): unknown => resolveIntrinsics(v, template, account);
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length !== 1) return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
  const [[fn, arg]] = entries as [[string, unknown]];
  switch (fn) {
    case 'Ref': {
      const name = String(arg);
      const pseudo: Record<string, string> = {
        'AWS::Region': account.region,
        'AWS::AccountId': account.accountId,
        'AWS::Partition': 'aws',
        'AWS::URLSuffix': 'amazonaws.com',
        'AWS::StackName': 'Posventa',
      };
      if (pseudo[name] !== undefined) return pseudo[name];
      const resource = template.Resources[name];
      if (resource === undefined) throw new Error(`Local stack cannot resolve Ref ${name}: not a resource of the template`);
      return refOf(name, resource, account);
    }
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = (Array.isArray(arg) ? arg : String(arg).split('.')) as [string, string];
      const resource = template.Resources[logicalId];
      if (resource === undefined) throw new Error(`Local stack cannot resolve Fn::GetAtt ${logicalId}: not a resource of the template`);
      return attributeOf(logicalId, resource, attribute, account);
    }
    case 'Fn::Join': {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((p) => String(resolve(p))).join(separator);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [unknown, unknown];
      return (resolve(list) as unknown[])[Number(resolve(index))];
    }
    case 'Fn::Split': {
      const [separator, source] = arg as [string, unknown];
      return String(resolve(source)).split(separator);
    }
    case 'Fn::Sub': {
      const [text, variables] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, unknown>];
      return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
        if (variables[name] !== undefined) return String(resolve(variables[name]));
        const [id, attribute] = name.split('.');
        return String(resolve(attribute === undefined ? { Ref: id } : { 'Fn::GetAtt': [id, attribute] }));
      });
    }
    default:
      if (fn.startsWith('Fn::') || fn === 'Condition') throw new Error(`Local stack cannot resolve ${fn}`);
      return { [fn]: resolve(arg) };
  }
}
