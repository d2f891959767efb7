import type { StateMachine } from 'aws-local-stepfunctions';

/**
 * An execution's history as GetExecutionHistory answers it: the engine's event log turned into
 * Step Functions' history event types (`TaskStateEntered`, `MapIterationStarted`…) with their
 * `…EventDetails`, stamped on the virtual clock. Waits the local rewrite turned into Tasks are
 * reported as the Waits they stand for, so a reader sees the definition CDK deploys.
 */

/** One entry of the engine's event log (the package does not export its type). */
export type EngineEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  /** The `…EventDetails` field of this type, under its wire name (e.g. `stateExitedEventDetails`). */
  details?: { name: string; value: Record<string, unknown> };
}

export interface ExecutionHistory {
  readonly events: readonly HistoryEvent[];
  record(log: EngineEvent): void;
}

export interface HistoryOptions {
  /** States of the definition that are rewritten Waits (local/stepfunctions/virtual-time.ts). */
  waitStates: ReadonlySet<string>;
  /** The virtual time of a real epoch millisecond (the engine stamps events in real time). */
  virtualTimeOf: (realMs: number) => Date;
}

export function createExecutionHistory(options: HistoryOptions): ExecutionHistory {
  const events: HistoryEvent[] = [];
  return {
    events,
    record(log) {
      const event = historyEventOf(log, options.waitStates);
      if (event === undefined) return;
      const id = events.length + 1;
      events.push({ id, previousEventId: id - 1, timestamp: options.virtualTimeOf(log.timestamp), ...event });
    },
  };
}

type EventShape = Pick<HistoryEvent, 'type' | 'details'>;

const json = (value: unknown): string => JSON.stringify(value ?? null);
const withDetails = (type: string, name: string, value: Record<string, unknown>): EventShape => ({ type, details: { name, value } });
const causeText = (cause: unknown): string => (typeof cause === 'string' ? cause : json(cause));

/**
 * Retries and catches have no event of their own in Step Functions (a retried Task shows as a
 * failure, then the task again), so the engine's `StateRetried` and `StateCaught` are left out.
 */
function historyEventOf(log: EngineEvent, waitStates: ReadonlySet<string>): EventShape | undefined {
  switch (log.type) {
    case 'ExecutionStarted':
      return withDetails('ExecutionStarted', 'executionStartedEventDetails', { input: json(log.input), inputDetails: { truncated: false } });
    case 'ExecutionSucceeded':
      return withDetails('ExecutionSucceeded', 'executionSucceededEventDetails', { output: json(log.output), outputDetails: { truncated: false } });
    case 'ExecutionFailed':
      return withDetails('ExecutionFailed', 'executionFailedEventDetails', { error: log.Error, cause: causeText(log.Cause) });
    case 'ExecutionAborted':
      return withDetails('ExecutionAborted', 'executionAbortedEventDetails', {});
    case 'ExecutionTimeout':
      return withDetails('ExecutionTimedOut', 'executionTimedOutEventDetails', {});
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
      return withDetails(log.type, `${lowerFirst(log.type)}EventDetails`, { name: log.parentState.name, index: log.index });
    case 'MapIterationFailed':
      return withDetails(log.type, 'mapIterationFailedEventDetails', { name: log.parentState.name, index: log.index });
    case 'StateEntered':
      return withDetails(`${stateTypeOf(log.state, waitStates)}StateEntered`, 'stateEnteredEventDetails', { name: log.state.name, input: json(log.state.input) });
    case 'StateExited':
      return withDetails(`${stateTypeOf(log.state, waitStates)}StateExited`, 'stateExitedEventDetails', { name: log.state.name, output: json(log.state.output) });
    case 'StateFailed':
      // Step Functions reports a failing Lambda task as TaskFailed, with the function's error.
      if (log.state.type === 'Task') return withDetails('TaskFailed', 'taskFailedEventDetails', { resourceType: 'lambda', resource: 'invoke', error: log.Error, cause: causeText(log.Cause) });
      return withDetails(`${log.state.type}StateFailed`, 'stateFailedEventDetails', { name: log.state.name, error: log.Error, cause: causeText(log.Cause) });
    default:
      return undefined;
  }
}

function stateTypeOf(state: { name: string; type: string }, waitStates: ReadonlySet<string>): string {
  return waitStates.has(state.name) ? 'Wait' : state.type;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
