import { randomUUID } from 'node:crypto';
import type { VirtualClock } from '#shared/clock';
import type { ExecutionHistory, HistoryEvent } from './history';
import type { ExecutionEnd, LocalStateMachine } from './local-state-machine';
import { executionArnOf, isExecutionArn, isStateMachineArn, isValidExecutionName } from './names';
import { type Outcome, refusal, success } from './outcome';
import type { WorkTracker } from './work-tracker';

/**
 * The executions of the local Step Functions: start, describe, stop and list them with the
 * rules and answers of the real service (Standard workflows), timed on the virtual clock.
 */

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

export type ExecutionSummary = Pick<
  ExecutionDescription,
  'executionArn' | 'stateMachineArn' | 'name' | 'status' | 'startDate' | 'stopDate'
>;

export interface StartExecutionRequest {
  stateMachineArn: string;
  /** Defaults to a UUID, as in AWS. */
  name?: string;
  /** JSON text; defaults to "{}". */
  input?: string;
}

export interface StopExecutionRequest {
  executionArn: string;
  error?: string;
  cause?: string;
}

export interface ListExecutionsRequest {
  stateMachineArn: string;
  statusFilter?: ExecutionStatus;
  /** 1–1000; 0 or absent means 100, as in AWS. */
  maxResults?: number;
  nextToken?: string;
}

export interface GetExecutionHistoryRequest {
  executionArn: string;
  /** 1–1000; 0 or absent means 100, as in AWS. */
  maxResults?: number;
  reverseOrder?: boolean;
  nextToken?: string;
  /** false leaves input and output out of the details, as in AWS. @default true */
  includeExecutionData?: boolean;
}

export interface RegisteredStateMachine {
  arn: string;
  name: string;
  machine: LocalStateMachine;
}

export interface ExecutionRegistry {
  startExecution(request: StartExecutionRequest): Outcome<{ executionArn: string; startDate: Date }>;
  describeExecution(request: { executionArn: string }): Outcome<ExecutionDescription>;
  stopExecution(request: StopExecutionRequest): Outcome<{ stopDate: Date }>;
  listExecutions(request: ListExecutionsRequest): Outcome<{ executions: ExecutionSummary[]; nextToken?: string }>;
  /** Refused (ValidationException) for an execution whose history the service does not keep. */
  getExecutionHistory(request: GetExecutionHistoryRequest): Outcome<{ events: HistoryEvent[]; nextToken?: string }>;
  /** Aborts every running execution and refuses new ones. */
  close(): void;
}

const DEFAULT_PAGE_SIZE = 100;

export function createExecutionRegistry(options: {
  stateMachines: RegisteredStateMachine[];
  clock: VirtualClock;
  region: string;
  accountId: string;
  tracker: WorkTracker;
  log: (line: string) => void;
}): ExecutionRegistry {
  const { clock, region, accountId, tracker, log } = options;
  const machines = new Map(options.stateMachines.map((machine) => [machine.arn, machine]));
  const executions = new Map<string, ExecutionDescription>();
  /** Per state machine, in start order (ListExecutions answers newest first). */
  const executionsByMachine = new Map<string, ExecutionDescription[]>();
  const stoppers = new Map<string, () => void>();
  const histories = new Map<string, ExecutionHistory>();
  let closed = false;

  function findMachine(arn: string): Outcome<RegisteredStateMachine> {
    if (!isStateMachineArn(arn)) return refusal('InvalidArn', `Invalid Arn: '${arn}'`);
    const machine = machines.get(arn);
    return machine ? success(machine) : refusal('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  }

  function findExecution(arn: string): Outcome<ExecutionDescription> {
    if (!isExecutionArn(arn)) return refusal('InvalidArn', `Invalid Arn: '${arn}'`);
    const execution = executions.get(arn);
    return execution ? success(execution) : refusal('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  }

  function finish(execution: ExecutionDescription, end: ExecutionEnd): void {
    // StopExecution already closed it; the engine's late answer changes nothing.
    if (execution.status !== 'RUNNING') return;
    stoppers.delete(execution.executionArn);
    execution.status = end.status;
    execution.stopDate = clock.now();
    if (end.status === 'SUCCEEDED') execution.output = end.output;
    if (end.status === 'FAILED' || end.status === 'TIMED_OUT') {
      execution.error = end.error;
      execution.cause = end.cause;
    }
    // Names only: inputs and causes may hold personal data.
    log(`[stepfunctions] ${execution.name} ${end.status}${end.status === 'FAILED' ? ` (${end.error})` : ''}`);
  }

  function abort(execution: ExecutionDescription, error?: string, cause?: string): void {
    execution.status = 'ABORTED';
    execution.stopDate = clock.now();
    if (error !== undefined) execution.error = error;
    if (cause !== undefined) execution.cause = cause;
    stoppers.get(execution.executionArn)?.();
    stoppers.delete(execution.executionArn);
    log(`[stepfunctions] ${execution.name} ABORTED`);
  }

  return {
    startExecution({ stateMachineArn, name = randomUUID(), input = '{}' }) {
      if (closed) return refusal('ServiceUnavailable', 'The local Step Functions service is shutting down');
      const found = findMachine(stateMachineArn);
      if (!found.ok) return found;
      const machine = found.value;
      if (!isValidExecutionName(name)) return refusal('InvalidName', `Invalid Name: '${name}'`);
      let parsedInput: unknown;
      try {
        parsedInput = JSON.parse(input);
      } catch {
        return refusal('InvalidExecutionInput', `Invalid State Machine Execution Input: '${input.slice(0, 200)}'`);
      }

      const executionArn = executionArnOf({ region, accountId, stateMachineName: machine.name }, name);
      const existing = executions.get(executionArn);
      if (existing) {
        // Standard workflows: the same name and input while still running is the same request.
        if (existing.status === 'RUNNING' && existing.input === input) {
          return success({ executionArn, startDate: existing.startDate });
        }
        return refusal('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
      }

      const execution: ExecutionDescription = {
        executionArn,
        stateMachineArn,
        name,
        status: 'RUNNING',
        startDate: clock.now(),
        input,
      };
      executions.set(executionArn, execution);
      const siblings = executionsByMachine.get(stateMachineArn) ?? [];
      siblings.push(execution);
      executionsByMachine.set(stateMachineArn, siblings);

      const running = machine.machine.run(parsedInput, {
        executionArn,
        name,
        stateMachineArn,
        stateMachineName: machine.name,
        startTime: execution.startDate,
      });
      stoppers.set(executionArn, running.stop);
      if (running.history !== undefined) histories.set(executionArn, running.history);
      void tracker.track(running.ended.then((end) => finish(execution, end)));
      log(`[stepfunctions] ${name} RUNNING`);
      return success({ executionArn, startDate: execution.startDate });
    },

    describeExecution({ executionArn }) {
      const found = findExecution(executionArn);
      return found.ok ? success({ ...found.value }) : found;
    },

    stopExecution({ executionArn, error, cause }) {
      const found = findExecution(executionArn);
      if (!found.ok) return found;
      const execution = found.value;
      if (execution.status === 'RUNNING') abort(execution, error, cause);
      // Stopping a closed execution changes nothing; it answers with the time it closed.
      return success({ stopDate: execution.stopDate ?? clock.now() });
    },

    listExecutions({ stateMachineArn, statusFilter, maxResults, nextToken }) {
      const found = findMachine(stateMachineArn);
      if (!found.ok) return found;
      const newestFirst = [...(executionsByMachine.get(stateMachineArn) ?? [])].reverse();
      let start = 0;
      if (nextToken !== undefined) {
        // The token names the last execution returned, so new starts never shift a page.
        const after = newestFirst.findIndex((execution) => execution.executionArn === decodeToken(nextToken));
        if (after < 0) return refusal('InvalidToken', `Invalid Token: '${nextToken}'`);
        start = after + 1;
      }
      const matching = newestFirst
        .slice(start)
        .filter((execution) => statusFilter === undefined || execution.status === statusFilter);
      const page = matching.slice(0, maxResults || DEFAULT_PAGE_SIZE);
      const last = page.at(-1);
      return success({
        executions: page.map(({ executionArn, name, status, startDate, stopDate }) => ({
          executionArn,
          stateMachineArn,
          name,
          status,
          startDate,
          ...(stopDate && { stopDate }),
        })),
        ...(matching.length > page.length && last && { nextToken: encodeToken(last.executionArn) }),
      });
    },

    getExecutionHistory({ executionArn, maxResults, reverseOrder = false, nextToken, includeExecutionData = true }) {
      const found = findExecution(executionArn);
      if (!found.ok) return found;
      const history = histories.get(executionArn);
      if (history === undefined) return refusal('ValidationException', `The local Step Functions keeps no history for '${executionArn}' (started with executionHistory off)`);
      const ordered = reverseOrder ? [...history.events].reverse() : [...history.events];
      // The token is the position of the next event: the history only grows at its end.
      const start = nextToken === undefined ? 0 : Number(decodeToken(nextToken));
      if (!Number.isInteger(start) || start < 0 || start > ordered.length) return refusal('InvalidToken', `Invalid Token: '${nextToken}'`);
      const end = start + (maxResults || DEFAULT_PAGE_SIZE);
      const page = ordered.slice(start, end).map((event) => (includeExecutionData ? event : withoutExecutionData(event)));
      return success({ events: page, ...(end < ordered.length && { nextToken: encodeToken(String(end)) }) });
    },

    close() {
      closed = true;
      for (const execution of executions.values()) {
        if (execution.status === 'RUNNING') abort(execution);
      }
    },
  };
}

function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  if (event.details === undefined) return event;
  const { input: _input, output: _output, ...rest } = event.details.value;
  return { ...event, details: { name: event.details.name, value: rest } };
}

function encodeToken(executionArn: string): string {
  return Buffer.from(executionArn).toString('base64url');
}

function decodeToken(token: string): string {
  return Buffer.from(token, 'base64url').toString();
}
