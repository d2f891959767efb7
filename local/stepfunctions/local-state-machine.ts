import type { RunOptions, StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';
import { DAY_MS, type VirtualClock } from '#shared/clock';
import { asAslDefinition } from './asl';
import type { Engine } from './engine';
import { createExecutionHistory, type EngineEvent, type ExecutionHistory } from './history';
import { taskResourcesByName } from './task-resources';
import { LOCAL_WAIT_RESOURCE, toVirtualTime } from './virtual-time';
import { createWaitHandler } from './wait-task';

/**
 * One state machine made runnable by the engine on the virtual clock: the real definition
 * goes through the mechanical rewrite, every Task is routed to `invokeTask` (or to the local
 * wait), and an execution's end is reported as the status Step Functions would show.
 */

/** Runs the Task's resource; throws an Error whose `name` is the error Step Functions should see. */
export type InvokeTask = (resourceArn: string, input: unknown) => Promise<unknown>;

export type ExecutionEnd =
  | { status: 'SUCCEEDED'; output: string }
  | { status: 'FAILED' | 'TIMED_OUT'; error: string; cause: string }
  | { status: 'ABORTED' };

export interface RunningExecution {
  ended: Promise<ExecutionEnd>;
  /** What GetExecutionHistory answers; absent when the state machine keeps no history. */
  history?: ExecutionHistory;
  /** Aborts the execution and its pending waits at once; an in-flight task call runs to its end. */
  stop(): void;
}

/** What the context object ($$) tells the definition about its execution. */
export interface ExecutionIdentity {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  stateMachineName: string;
  startTime: Date;
}

export interface LocalStateMachine {
  run(input: unknown, identity: ExecutionIdentity): RunningExecution;
}

type JsonValue = Parameters<StateMachine['run']>[0];
type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

export function prepareStateMachine(
  engine: Engine,
  definition: unknown,
  options: {
    clock: VirtualClock;
    invokeTask: InvokeTask;
    /** Told of every wait and task call, so the owner knows when nothing is pending. */
    track: <T>(work: Promise<T>) => Promise<T>;
    where: string;
    /** Told of every state entered and every retry: the state transitions Step Functions bills. */
    onStateTransition?: () => void;
    /** Keep each execution's history for GetExecutionHistory (memory grows with every state entered). */
    keepHistory?: boolean;
  },
): LocalStateMachine {
  const { clock, invokeTask, track, where, onStateTransition, keepHistory = false } = options;
  const rewritten = toVirtualTime(asAslDefinition(definition, where), { dayMs: clock.dayMs });
  const local = rewritten.definition;
  const waitStates: ReadonlySet<string> = new Set(rewritten.waitStates);
  const resources = taskResourcesByName(local);
  // Validates the definition (states, paths, ARNs) now, so a bad ASL fails at startup.
  const machine = new engine(local as unknown as StateMachineDefinition, { validationOptions: { checkPaths: true } });

  return {
    run(input, identity) {
      const stopping = new AbortController();
      const handlers: LocalHandlers = {};
      const wait = createWaitHandler(clock, stopping.signal);
      for (const [state, resource] of resources) {
        handlers[state] =
          resource === LOCAL_WAIT_RESOURCE
            ? (waitInput) => track(wait(waitInput))
            : (taskInput) => track(invokeAsLambda(invokeTask, resource, taskInput));
      }
      const execution = machine.run(input as JsonValue, {
        overrides: { taskResourceLocalHandlers: handlers },
        noThrowOnAbort: true,
        context: contextObject(input, identity),
      });
      const history = keepHistory ? createExecutionHistory({ waitStates, virtualTimeOf: (realMs) => virtualTimeOf(clock, realMs) }) : undefined;
      if (onStateTransition !== undefined || history !== undefined) void followEvents(execution.eventLogs, { onStateTransition, history });
      const ended = execution.result.then(
        (output): ExecutionEnd =>
          stopping.signal.aborted ? { status: 'ABORTED' } : { status: 'SUCCEEDED', output: JSON.stringify(output ?? null) },
        (error: unknown): ExecutionEnd => (stopping.signal.aborted ? { status: 'ABORTED' } : failureOf(error)),
      );
      return {
        ended,
        ...(history === undefined ? {} : { history }),
        stop() {
          stopping.abort();
          execution.abort();
        },
      };
    },
  };
}

/**
 * The engine's event log has one reader: it counts transitions (a rewritten Wait is entered
 * once, like the Wait it stands for, so the count is the definition's) and keeps the history.
 */
async function followEvents(events: AsyncGenerator<EngineEvent>, to: { onStateTransition: (() => void) | undefined; history: ExecutionHistory | undefined }): Promise<void> {
  for await (const event of events) {
    if (to.onStateTransition !== undefined && (event.type === 'StateEntered' || event.type === 'StateRetried')) to.onStateTransition();
    to.history?.record(event);
  }
}

/** The engine stamps its events in real time; the history shows the virtual time they happened at. */
function virtualTimeOf(clock: VirtualClock, realMs: number): Date {
  return new Date(clock.epochMs + ((realMs - clock.epochMs) * DAY_MS) / clock.dayMs);
}

/**
 * The engine keeps these fields but sets Execution.StartTime itself, to the real time: a
 * definition that reads $$.Execution.StartTime sees real time locally (the journey does not).
 */
function contextObject(input: unknown, identity: ExecutionIdentity): NonNullable<RunOptions['context']> {
  return {
    Execution: {
      Id: identity.executionArn,
      Name: identity.name,
      Input: input as JsonValue,
      StartTime: identity.startTime.toISOString(),
    },
    StateMachine: { Id: identity.stateMachineArn, Name: identity.stateMachineName },
  };
}

/** Payloads cross a Lambda boundary as JSON both ways, and failures look like a Lambda's. */
async function invokeAsLambda(invokeTask: InvokeTask, resource: string, input: unknown): Promise<JsonValue> {
  try {
    return asJson(await invokeTask(resource, asJson(input))) as JsonValue;
  } catch (thrown) {
    throw asLambdaError(thrown);
  }
}

/**
 * The error keeps its name (Retry and Catch match on it, as on a Lambda's errorType) and
 * carries the Cause a Lambda function error has: a JSON string with errorType, errorMessage, trace.
 */
function asLambdaError(thrown: unknown): Error {
  const errorType = thrown instanceof Error ? thrown.name : 'Error';
  const errorMessage = thrown instanceof Error ? thrown.message : String(thrown);
  const trace = thrown instanceof Error && thrown.stack ? thrown.stack.split('\n') : [];
  const error = new Error(JSON.stringify({ errorType, errorMessage, trace }));
  error.name = errorType;
  return error;
}

function failureOf(error: unknown): ExecutionEnd {
  if (error instanceof Error && error.name === 'ExecutionTimeoutError') {
    return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution ran past its TimeoutSeconds' };
  }
  // The engine wraps the failing state's error in an ExecutionError; Step Functions reports the inner one.
  const failure = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (failure instanceof Error) return { status: 'FAILED', error: failure.name, cause: failure.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(failure) };
}

function asJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}
