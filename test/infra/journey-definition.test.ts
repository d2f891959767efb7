import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { SEND_STEP_ARN_SUBSTITUTION } from '../../infra/constructs/journey';
import { repoPath } from '../../infra/paths';

const source = readFileSync(repoPath('statemachines/journey.asl.json'), 'utf8');

/** What CloudFormation does with DefinitionSubstitutions at deploy time. */
function substituted(definition: string): unknown {
  const arn = 'arn:aws:lambda:us-east-1:123456789012:function:Posventa-SendStepFunction';
  return JSON.parse(definition.replaceAll('${' + SEND_STEP_ARN_SUBSTITUTION + '}', arn));
}

describe('statemachines/journey.asl.json', () => {
  it('uses only the substitutions the CDK app provides', () => {
    const placeholders = new Set([...source.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1]));
    expect([...placeholders]).toEqual([SEND_STEP_ARN_SUBSTITUTION]);
  });

  it('is valid Amazon States Language once substituted (paths and ARNs checked)', () => {
    const { isValid, errorsText } = aslValidator(substituted(source), { checkPaths: true, checkArn: true });
    expect(isValid, errorsText('\n')).toBe(true);
  });

  it('is JSONPath, the language aws-local-stepfunctions runs the same file in', () => {
    expect((JSON.parse(source) as { QueryLanguage?: string }).QueryLanguage ?? 'JSONPath').toBe('JSONPath');
  });
});
