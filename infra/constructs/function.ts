import { existsSync } from 'node:fs';
import { isAbsolute, normalize } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IGrantable, IPrincipal } from 'aws-cdk-lib/aws-iam';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsLogLevel,
  ParamsAndSecretsVersions,
  Runtime,
  Tracing,
  type CfnFunction,
} from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EnvName } from '#shared/env';
import { REPO_ROOT, repoPath } from '../paths';
import { pinLogicalId } from './logical-id';

/** CloudFormation metadata key holding the handler's repo-relative entry; the local stack reads it. */
export const ENTRY_METADATA_KEY = 'posventa:entry';

/**
 * Lets bundled CommonJS dependencies call `require` inside the ESM bundle. The alias keeps the
 * banner's binding from clashing with any `createRequire` the bundle itself declares.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as posventaCreateRequire } from 'node:module'; const require = posventaCreateRequire(import.meta.url);";

/** The SDK's default credential chain, replaced in every bundle by the environment's credentials. */
const SDK_CREDENTIAL_CHAIN = '@aws-sdk/credential-provider-node';
const LAMBDA_CREDENTIALS = 'shared/aws/lambda-credentials.ts';

export interface PosventaFunctionProps {
  /**
   * The handler file, relative to the repository root, e.g. `functions/webhook/handler.ts`.
   * It exports `handler`. Recorded on the function as `posventa:entry` metadata so the local
   * stack runs the very bundle the template deploys.
   */
  readonly entry: string;

  /** What the function does, shown in the Lambda console. */
  readonly description: string;

  /**
   * Environment variables. Names come from `ENV` in shared/env.ts, so the handlers and the
   * local stack read the same ones; values are never secrets (pass a secret's ARN instead).
   *
   * @default - only NODE_OPTIONS
   */
  readonly environment?: Readonly<Partial<Record<EnvName, string>>>;

  /**
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;

  /**
   * Memory in MB; on Lambda, CPU grows with it.
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * How long CloudWatch keeps the function's logs.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;

  /**
   * Adds the AWS Parameters and Secrets Lambda Extension, for functions that read a secret or
   * parameter at runtime (shared/aws/secrets.ts). Grant the read separately.
   *
   * @default false
   */
  readonly readsSecrets?: boolean;
}

/**
 * One Lambda function with every Posventa default: Node.js 22 on arm64, an ESM bundle built
 * locally by esbuild with all dependencies (AWS SDK included, pinned by the lock file),
 * minified with source maps, X-Ray tracing, its own log group with retention, and a role that
 * may write only to that log group until the stack grants more.
 */
export class PosventaFunction extends Construct implements IGrantable {
  /** The Lambda function; its logical id is this construct's id. */
  public readonly function: NodejsFunction;
  /** The execution role; grant to the function itself (it is `IGrantable`). */
  public readonly role: Role;
  /** Where the function logs. */
  public readonly logGroup: LogGroup;
  /** The repo-relative handler file. */
  public readonly entry: string;
  public readonly grantPrincipal: IPrincipal;

  constructor(scope: Construct, id: string, props: PosventaFunctionProps) {
    super(scope, id);
    validateProps(id, props);
    this.entry = normalize(props.entry);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      // Logs follow the function: deleting the stack should not leave orphaned groups behind.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Our own role rather than AWSLambdaBasicExecutionRole, which may write to every log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${id} (${this.entry})`,
    });
    this.grantPrincipal = this.role;
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: repoPath(this.entry),
      handler: 'handler',
      description: props.description,
      projectRoot: REPO_ROOT,
      depsLockFilePath: repoPath('package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      paramsAndSecrets: props.readsSecrets
        ? ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
            cacheEnabled: true,
            logLevel: ParamsAndSecretsLogLevel.WARN,
          })
        : undefined,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        // Stack traces need names and lines, not the sources: a map a third the size to load.
        sourcesContent: false,
        // Bundle the SDK too: the version is the lock file's, not whatever the runtime ships.
        bundleAwsSDK: true,
        esbuildArgs: { [`--alias:${SDK_CREDENTIAL_CHAIN}`]: repoPath(LAMBDA_CREDENTIALS) },
        externalModules: [],
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
      },
    });
    pinLogicalId(this.function, id);
    (this.function.node.defaultChild as CfnFunction).addMetadata(ENTRY_METADATA_KEY, this.entry);

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 on purpose: the design pins nodejs22.x, the runtime the bundles target (node22) and are measured on, in support until April 2027. Moving to a newer runtime is a deliberate change.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
  }
}

function validateProps(id: string, props: PosventaFunctionProps): void {
  const { entry, timeout, memorySize } = props;
  if (isAbsolute(entry) || !/^functions\/[a-z0-9-]+\/handler\.ts$/.test(normalize(entry))) {
    throw new Error(`PosventaFunction ${id}: props.entry must be repo-relative, like "functions/<name>/handler.ts" (got "${entry}")`);
  }
  if (!existsSync(repoPath(entry))) {
    throw new Error(`PosventaFunction ${id}: props.entry "${entry}" does not exist under ${REPO_ROOT}`);
  }
  if (timeout !== undefined && (timeout.toSeconds() < 1 || timeout.toSeconds() > 900)) {
    throw new Error(`PosventaFunction ${id}: props.timeout must be between 1 second and 15 minutes (got ${timeout.toHumanString()})`);
  }
  if (memorySize !== undefined && (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10_240)) {
    throw new Error(`PosventaFunction ${id}: props.memorySize must be a whole number of MB from 128 to 10240 (got ${memorySize})`);
  }
}
