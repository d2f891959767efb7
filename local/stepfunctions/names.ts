/** ARNs and execution names, checked the way Step Functions checks them. */

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:\s]+$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:\s]+:[^:\s]+$/;

/**
 * Per the StartExecution docs: 1–80 characters, and none of: white space, brackets < > { } [ ],
 * wildcards ? *, the characters " # % \ ^ | ~ ` $ & , ; : /, or control characters.
 */
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/u;

export function isStateMachineArn(arn: string): boolean {
  return STATE_MACHINE_ARN.test(arn);
}

export function isExecutionArn(arn: string): boolean {
  return EXECUTION_ARN.test(arn);
}

export function isValidExecutionName(name: string): boolean {
  return EXECUTION_NAME.test(name);
}

export function executionArnOf(where: { region: string; accountId: string; stateMachineName: string }, name: string): string {
  return `arn:aws:states:${where.region}:${where.accountId}:execution:${where.stateMachineName}:${name}`;
}
