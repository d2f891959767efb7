import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONFIG_CONTEXT_KEY, parseConfig, type PosventaConfig, type PosventaConfigInput } from './config';
import { ENTRY_METADATA_KEY } from './constructs/function';
import { repoPath } from './paths';
import { PosventaStack } from './stack';

/** The stack's construct id, and its name when deployed. */
export const STACK_ID = 'Posventa';

/** The CloudFormation template, as far as programs reading it rely on its shape. */
export interface CloudFormationTemplate {
  readonly Resources: Record<string, CloudFormationResource>;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Description?: string }>;
  readonly Mappings?: Record<string, unknown>;
  readonly [section: string]: unknown;
}

export interface CloudFormationResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
  readonly [attribute: string]: unknown;
}

/**
 * Adds the compliance checks `cdk synth` runs: cdk-nag's AwsSolutions pack. Every exception
 * is acknowledged next to the construct it concerns, with its reason, and the template
 * keeps them (`cdk_nag` metadata on each resource) as the audit trail.
 */
export function addComplianceChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
}

/** The context cdk.json gives the CLI (feature flags and `posventa`), for in-process apps. */
export function readCdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(repoPath('cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export interface SynthesizePosventaOptions {
  /**
   * Directory the cloud assembly (template, bundles) is written to.
   *
   * @default - a new temporary directory
   */
  readonly outdir?: string;
  /**
   * Settings merged key by key over cdk.json's `posventa` context.
   *
   * @default - cdk.json's settings as they are
   */
  readonly config?: PosventaConfigInput;
  /**
   * Run the checks `cdk synth` runs: cdk-nag's AwsSolutions pack and CDK's built-in
   * CloudFormation template validation. Synthesis throws, with the report in the message,
   * if either finds an error that is not acknowledged. Off, synthesis takes about a second
   * instead of five (bundling aside).
   *
   * @default true
   */
  readonly checks?: boolean;
  /**
   * Extra CDK context, over cdk.json's (e.g. `{ 'aws:cdk:bundling-stacks': [] }` to skip bundling).
   *
   * @default - none
   */
  readonly context?: Record<string, unknown>;
}

/** One Lambda function of the synthesized template, enough for another runtime to run its bundle. */
export interface SynthesizedFunction {
  readonly logicalId: string;
  /** Repo-relative handler source, e.g. `functions/webhook/handler.ts`. */
  readonly entry: string;
  /** Absolute directory of the bundle (`index.mjs` and its source map); the sources if bundling was skipped. */
  readonly bundleDir: string;
  /** `index.handler`: the export `handler` of `index.mjs`. */
  readonly handler: string;
  /** Environment as in the template: values may be CloudFormation intrinsics (`Ref`, `Fn::GetAtt`). */
  readonly environment: Readonly<Record<string, unknown>>;
}

export interface PosventaSynthesis {
  readonly template: CloudFormationTemplate;
  /** Absolute directory of the cloud assembly. */
  readonly assemblyDir: string;
  /** Absolute path of the template file. */
  readonly templatePath: string;
  /** The config the stack was built with, defaults applied. */
  readonly config: PosventaConfig;
  /** Every Lambda function, with its bundle. */
  readonly functions: readonly SynthesizedFunction[];
}

/**
 * Synthesizes the Posventa stack in process, as `cdk synth` would (same cdk.json context,
 * same bundles, asset metadata on), for tests and the local stack.
 */
export function synthesizePosventa(options: SynthesizePosventaOptions = {}): PosventaSynthesis {
  const outdir = resolve(options.outdir ?? mkdtempSync(join(tmpdir(), 'posventa-cdk-')));
  const cdkJsonContext = readCdkJsonContext();
  const checks = options.checks ?? true;
  const app = new App({
    outdir,
    builtinCloudFormationValidation: checks,
    context: {
      ...cdkJsonContext,
      // The CLI turns these on; in process we must, so the template says where each bundle is.
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:enable-path-metadata': true,
      // Failed checks throw with the report in the error, instead of printing it to stderr.
      '@aws-cdk/core:appMode': 'inmemory',
      ...options.context,
    },
  });
  const fromCdkJson = cdkJsonContext[CONFIG_CONTEXT_KEY];
  const config = parseConfig(options.config === undefined ? fromCdkJson : { ...asObject(fromCdkJson), ...options.config });
  const stack = new PosventaStack(app, STACK_ID, { config });
  if (checks) addComplianceChecks(app);

  const assembly = app.synth();
  const artifact = assembly.getStackArtifact(stack.artifactId);
  const template = artifact.template as CloudFormationTemplate;
  return {
    template,
    assemblyDir: assembly.directory,
    templatePath: artifact.templateFullPath,
    config,
    functions: functionsOf(template, assembly.directory),
  };
}

function functionsOf(template: CloudFormationTemplate, assemblyDir: string): SynthesizedFunction[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function' && resource.Metadata?.[ENTRY_METADATA_KEY] !== undefined)
    .map(([logicalId, resource]) => {
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (typeof assetPath !== 'string') throw new Error(`synthesizePosventa: ${logicalId} has no aws:asset:path metadata (was bundling skipped?)`);
      return {
        logicalId,
        entry: resource.Metadata?.[ENTRY_METADATA_KEY] as string,
        bundleDir: resolve(assemblyDir, assetPath),
        handler: resource.Properties?.Handler as string,
        environment: (resource.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>,
      };
    });
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
