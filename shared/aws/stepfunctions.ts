import { ExecutionAlreadyExists, ExecutionDoesNotExist, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';

/** One client per container; AWS_ENDPOINT_URL_SFN points it at the local Step Functions. */
export const stepFunctions = new SFNClient({});

/**
 * The ARN an execution of this state machine gets under this name (Step Functions' own format),
 * known before the execution starts, so it can be recorded first.
 */
export function executionArnFor(stateMachineArn: string, name: string): string {
  const arn = stateMachineArn.replace(':stateMachine:', ':execution:');
  if (arn === stateMachineArn) throw new Error(`Not a state machine ARN: ${stateMachineArn}`);
  return `${arn}:${name}`;
}

/**
 * Starts the execution unless one with this name exists. Step Functions keeps names unique
 * per state machine, which is what makes "one journey per order" hold under retries.
 */
export async function startExecutionOnce(stateMachineArn: string, name: string, input: unknown): Promise<'started' | 'already-started'> {
  try {
    await stepFunctions.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    return 'started';
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) return 'already-started';
    throw error;
  }
}

/**
 * Stops an execution. Idempotent: an execution that already ended is left as it is, and one
 * that does not exist (recorded, then never started) is reported, not thrown.
 */
export async function stopExecution(executionArn: string, reason: { error: string; cause: string }): Promise<'stopped' | 'not-found'> {
  try {
    await stepFunctions.send(new StopExecutionCommand({ executionArn, error: reason.error, cause: reason.cause }));
    return 'stopped';
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return 'not-found';
    throw error;
  }
}
