import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VirtualClock } from '#shared/clock';
import { awsJsonListener } from '../aws-json';
import { loadEngine } from './engine';
import { type ExecutionRegistry, type RegisteredStateMachine, createExecutionRegistry } from './executions';
import { type InvokeTask, prepareStateMachine } from './local-state-machine';
import { isStateMachineArn } from './names';
import { stepFunctionsOperations } from './operations';
import { createWorkTracker } from './work-tracker';

/**
 * The local Step Functions: the real state machine definitions run in aws-local-stepfunctions
 * on the virtual clock, behind the AWS JSON 1.0 endpoint the SDK's SFNClient talks to.
 */

export type { InvokeTask } from './local-state-machine';
export type { HistoryEvent } from './history';
export type {
  ExecutionDescription,
  GetExecutionHistoryRequest,
  ExecutionStatus,
  ExecutionSummary,
  ListExecutionsRequest,
  StartExecutionRequest,
  StopExecutionRequest,
} from './executions';
export type { Outcome, StepFunctionsError, StepFunctionsErrorName } from './outcome';

export interface StepFunctionsServiceOptions {
  /** Definitions with their substitutions already applied (parsed JSON). */
  stateMachines: Array<{ arn: string; name: string; definition: object }>;
  /**
   * Runs every Task that is not a rewritten Wait. To fail the task, throw an Error whose
   * `name` is the Step Functions error (Retry and Catch match it, as a Lambda's errorType).
   */
  invokeTask: InvokeTask;
  /** Shared with every handler, so waits and the handlers' own "now" agree. */
  clock: VirtualClock;
  region: string;
  accountId: string;
  /** @default no logging */
  log?: (line: string) => void;
  /** Told of every state transition Step Functions would bill (metering). */
  onStateTransition?: () => void;
  /**
   * Keep every execution's history for GetExecutionHistory. It grows with every state entered
   * (about 60 events per journey), so a long simulation turns it off.
   * @default true
   */
  executionHistory?: boolean;
}

export interface StepFunctionsService {
  /** Mount on its own HTTP port; point AWS_ENDPOINT_URL_SFN at it. */
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  startExecution: ExecutionRegistry['startExecution'];
  describeExecution: ExecutionRegistry['describeExecution'];
  stopExecution: ExecutionRegistry['stopExecution'];
  listExecutions: ExecutionRegistry['listExecutions'];
  getExecutionHistory: ExecutionRegistry['getExecutionHistory'];
  /** Resolves when no execution is running and no task call is in flight. */
  idle(): Promise<void>;
  /** Aborts every running execution, refuses new ones, and resolves once in-flight task calls end. */
  close(): Promise<void>;
}

export async function createStepFunctionsService(options: StepFunctionsServiceOptions): Promise<StepFunctionsService> {
  checkStateMachines(options.stateMachines);
  const log = options.log ?? (() => {});
  const engine = await loadEngine();
  const tracker = createWorkTracker();

  const stateMachines: RegisteredStateMachine[] = options.stateMachines.map(({ arn, name, definition }) => ({
    arn,
    name,
    machine: prepareStateMachine(engine, definition, {
      clock: options.clock,
      invokeTask: options.invokeTask,
      track: (work) => tracker.track(work),
      where: `state machine ${name}`,
      ...(options.onStateTransition === undefined ? {} : { onStateTransition: options.onStateTransition }),
      keepHistory: options.executionHistory ?? true,
    }),
  }));
  const registry = createExecutionRegistry({
    stateMachines,
    clock: options.clock,
    region: options.region,
    accountId: options.accountId,
    tracker,
    log,
  });

  return {
    listener: awsJsonListener({ name: 'stepfunctions', targetPrefix: 'AWSStepFunctions', protocolVersion: '1.0', operations: stepFunctionsOperations(registry), log }),
    startExecution: (request) => registry.startExecution(request),
    describeExecution: (request) => registry.describeExecution(request),
    stopExecution: (request) => registry.stopExecution(request),
    listExecutions: (request) => registry.listExecutions(request),
    getExecutionHistory: (request) => registry.getExecutionHistory(request),
    idle: () => tracker.idle(),
    close: async () => {
      registry.close();
      await tracker.idle();
    },
  };
}

function checkStateMachines(stateMachines: StepFunctionsServiceOptions['stateMachines']): void {
  const seen = new Set<string>();
  for (const { arn, name } of stateMachines) {
    if (!isStateMachineArn(arn) || !arn.endsWith(`:stateMachine:${name}`)) {
      throw new Error(
        `createStepFunctionsService: stateMachines[].arn "${arn}" must be arn:aws:states:<region>:<account>:stateMachine:${name}`,
      );
    }
    if (seen.has(arn)) throw new Error(`createStepFunctionsService: state machine "${arn}" is listed twice`);
    seen.add(arn);
  }
}
