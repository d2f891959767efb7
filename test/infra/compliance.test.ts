import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '#shared/env';
import { synthesizePosventa, type PosventaSynthesis } from '../../infra/synth';

interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    conclusion: string;
    violations: Array<{ ruleName: string; severity: string; violatingConstructs: Array<{ constructPath: string }> }>;
  }>;
}

// One synthesis with every check `cdk synth` runs and cdk.json's settings as they are;
// bundling is skipped (no check reads the bundles), which keeps this file at a few seconds.
let synthesis: PosventaSynthesis;
let report: ValidationReport;

beforeAll(() => {
  synthesis = synthesizePosventa({ checks: true, context: { 'aws:cdk:bundling-stacks': [] } });
  report = JSON.parse(readFileSync(join(synthesis.assemblyDir, 'validation-report.json'), 'utf8')) as ValidationReport;
});
afterAll(() => rmSync(synthesis.assemblyDir, { recursive: true, force: true }));

describe('compliance', () => {
  it('has no unacknowledged cdk-nag AwsSolutions finding (synthesis would have thrown)', () => {
    const awsSolutions = report.pluginReports.filter((r) => r.pluginName === 'AwsSolutions');
    const findings = awsSolutions.flatMap((r) => r.violations.map((v) => `${v.ruleName} ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`));
    expect(findings).toEqual([]);
    expect(awsSolutions.every((r) => r.conclusion === 'success')).toBe(true);
  });

  it('passes the CDK CloudFormation template validation', () => {
    const errors = report.pluginReports
      .filter((r) => r.pluginName !== 'AwsSolutions' && r.pluginName !== 'Construct Annotations')
      .flatMap((r) => r.violations.filter((v) => v.severity === 'error' || v.severity === 'fatal').map((v) => v.ruleName));
    expect(errors).toEqual([]);
  });

  it('writes every acknowledged exception, with its reason, into the template', () => {
    const acknowledged = Object.values(synthesis.template.Resources).flatMap(
      (r) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Array<{ id: string; reason: string }>,
    );
    expect(new Set(acknowledged.map((a) => a.id.replace(/\[.*$/, '')))).toEqual(
      new Set(['AwsSolutions-L1', 'AwsSolutions-IAM5', 'AwsSolutions-SQS3', 'AwsSolutions-SMG4', 'AwsSolutions-APIG4']),
    );
    for (const { id, reason } of acknowledged) expect(reason.length, id).toBeGreaterThan(40);
  });

  it('warns, and sets no phone number id, while cdk.json leaves whatsappPhoneNumberId empty', () => {
    const warnings = report.pluginReports.flatMap((r) => r.violations.map((v) => v.ruleName));
    expect(warnings).toContain('Annotation::posventa:whatsappPhoneNumberIdMissing');
    expect(synthesis.template.Resources.SendStepFunction?.Properties?.Environment.Variables).not.toHaveProperty(ENV.whatsappPhoneNumberId);
  });
});
