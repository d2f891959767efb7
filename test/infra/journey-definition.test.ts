import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { SEND_STEP_ARN_SUBSTITUTION } from '../../infra/constructs/journey';
import { repoPath } from '../../infra/paths';
import { toVirtualTime } from '../../local/stepfunctions/virtual-time';

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

  it('sends again at the send step’s retryAt when it defers, through a plain Wait the local rewrite keeps exact', () => {
    type State = { Type: string; Next?: string; End?: boolean; Default?: string; TimestampPath?: string; Choices?: Array<Record<string, unknown>> };
    const definition = JSON.parse(source) as { States: Record<string, { ItemProcessor?: { States: Record<string, State> } }> };
    const states = definition.States.EachMilestone!.ItemProcessor!.States;
    expect(states.SendMessage).toMatchObject({ Next: 'DeferredOrDone' });
    expect(states.DeferredOrDone).toMatchObject({
      Type: 'Choice',
      Choices: [expect.objectContaining({ And: expect.arrayContaining([{ Variable: '$.outcome.status', StringEquals: 'deferred' }]), Next: 'WaitUntilRetry' }), expect.anything()],
      Default: 'MilestoneDone',
    });
    // TimestampPath only (no InputPath / OutputPath): local/stepfunctions/virtual-time.ts rewrites it mechanically.
    expect(states.WaitUntilRetry).toEqual({ Type: 'Wait', TimestampPath: '$.outcome.retryAt', Next: 'SendMessage' });
    expect(() => toVirtualTime(JSON.parse(source), { dayMs: 100 })).not.toThrow();
    expect(toVirtualTime(JSON.parse(source), { dayMs: 100 }).waitStates.sort()).toEqual(['WaitUntilDue', 'WaitUntilFollowUp', 'WaitUntilRetry']);
  });

  it('follows a sent message up at its followUpAt with the send step’s function in its follow-up role, and loops on its outcome', () => {
    type State = { Type: string; Next?: string; Resource?: string; Parameters?: Record<string, unknown>; ResultPath?: string; Choices?: Array<Record<string, unknown>> };
    const definition = JSON.parse(source) as { States: Record<string, { ItemProcessor?: { States: Record<string, State> } }> };
    const states = definition.States.EachMilestone!.ItemProcessor!.States;
    expect(states.DeferredOrDone!.Choices![1]).toEqual({ Variable: '$.outcome.followUpAt', IsPresent: true, Next: 'WaitUntilFollowUp' });
    expect(states.WaitUntilFollowUp).toEqual({ Type: 'Wait', TimestampPath: '$.outcome.followUpAt', Next: 'FollowUp' });
    expect(states.FollowUp).toMatchObject({
      Type: 'Task',
      Resource: states.SendMessage!.Resource,
      Parameters: { step: 'follow-up', 'orderId.$': '$.orderId', 'purchase.$': '$.purchase', 'milestone.$': '$.milestone', 'outcome.$': '$.outcome' },
      ResultPath: '$.outcome',
      Next: 'DeferredOrDone',
    });
  });
});
