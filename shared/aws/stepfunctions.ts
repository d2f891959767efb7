import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

/** One client per container; AWS_ENDPOINT_URL_SFN points it at the local Step Functions. */
export const stepFunctions = new SFNClient({});

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
