import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, virtualClock } from '#shared/clock';
import { type StepFunctionsService, createStepFunctionsService } from '../../../local/stepfunctions';

/**
 * The local Step Functions behind real HTTP, driven by the real SFNClient, running the real
 * journey ASL on a virtual clock where a day lasts 20 ms (the 60-day journey takes ~1.2 s).
 */

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const DAY_MS_LOCAL = 20;
const SEND_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:posventa-send-step`;
const PROBE_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:probe`;
const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
const JOURNEY = machineArn('posventa-journey');
const CONTEXT_PROBE = machineArn('context-probe');
const RETRY_PROBE = machineArn('retry-probe');
const FAIL_PROBE = machineArn('fail-probe');

const journeyDefinition = JSON.parse(
  readFileSync(new URL('../../../statemachines/journey.asl.json', import.meta.url), 'utf8').replaceAll(
    '${SendStepFunctionArn}',
    SEND_ARN,
  ),
) as object;

const probeTask = (extra: object) => ({
  StartAt: 'Probe',
  States: { Probe: { Type: 'Task', Resource: PROBE_ARN, End: true, ...extra } },
});

interface TaskCall {
  resource: string;
  input: { orderId: string; milestone: string; dueAt?: string; purchase?: unknown };
  at: Date;
}

const clock = virtualClock(Date.now(), DAY_MS_LOCAL);
const calls: TaskCall[] = [];
/** Errors the next calls for `orderId/milestone` throw, in order. */
const plannedFailures = new Map<string, string[]>();

async function invokeTask(resource: string, input: unknown): Promise<unknown> {
  const call = { resource, input: input as TaskCall['input'], at: clock.now() };
  calls.push(call);
  const failure = plannedFailures.get(`${call.input.orderId}/${call.input.milestone}`)?.shift();
  if (failure !== undefined) {
    const error = new Error(`simulated ${failure}`);
    error.name = failure;
    throw error;
  }
  return { sent: true, milestone: call.input.milestone };
}

let service: StepFunctionsService;
let server: Server;
let endpoint: string;
let sfn: SFNClient;

beforeAll(async () => {
  service = await createStepFunctionsService({
    stateMachines: [
      { arn: JOURNEY, name: 'posventa-journey', definition: journeyDefinition },
      {
        arn: CONTEXT_PROBE,
        name: 'context-probe',
        definition: {
          StartAt: 'Echo',
          States: {
            Echo: {
              Type: 'Pass',
              Parameters: {
                'id.$': '$$.Execution.Id',
                'name.$': '$$.Execution.Name',
                'input.$': '$$.Execution.Input',
                'machineId.$': '$$.StateMachine.Id',
                'machineName.$': '$$.StateMachine.Name',
              },
              End: true,
            },
          },
        },
      },
      {
        arn: RETRY_PROBE,
        name: 'retry-probe',
        definition: probeTask({
          Retry: [{ ErrorEquals: ['TransientSendError'], IntervalSeconds: 86_400, BackoffRate: 2, MaxAttempts: 2 }],
        }),
      },
      { arn: FAIL_PROBE, name: 'fail-probe', definition: probeTask({}) },
    ],
    invokeTask,
    clock,
    region: REGION,
    accountId: ACCOUNT,
  });
  server = createServer(service.listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sfn = new SFNClient({ endpoint, region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  sfn?.destroy();
  await service?.close();
  await new Promise((resolve) => server?.close(resolve));
});

const daysFromNow = (days: number) => new Date(clock.now().getTime() + days * DAY_MS).toISOString();
const callsFor = (orderId: string) => calls.filter((call) => call.input.orderId === orderId);

async function start(stateMachineArn: string, name: string, input: unknown) {
  return sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
}

async function describeExecution(executionArn: string) {
  return sfn.send(new DescribeExecutionCommand({ executionArn }));
}

async function untilEnded(executionArn: string): Promise<DescribeExecutionCommandOutput> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const described = await describeExecution(executionArn);
    if (described.status !== 'RUNNING') return described;
    if (Date.now() > deadline) throw new Error(`${executionArn} still RUNNING after 15 s`);
    await delay(20);
  }
}

describe('the real journey ASL on the local Step Functions', () => {
  it('sends each milestone in order, never before it is due on the virtual clock, then succeeds', async () => {
    const input = {
      orderId: 'order-1001',
      purchase: { orderId: 'order-1001', customer: { id: 'c-1' } },
      holdout: false,
      schedule: [
        { milestone: 'day7', dueAt: daysFromNow(7) },
        { milestone: 'day30', dueAt: daysFromNow(30) },
        { milestone: 'day60', dueAt: daysFromNow(60) },
      ],
    };

    const started = await start(JOURNEY, 'order-1001', input);
    expect(started.executionArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:posventa-journey:order-1001`);
    const ended = await untilEnded(started.executionArn!);

    expect(ended.status).toBe('SUCCEEDED');
    const sent = callsFor('order-1001');
    expect(sent.map((call) => call.input.milestone)).toEqual(['day7', 'day30', 'day60']);
    for (const [index, call] of sent.entries()) {
      const due = input.schedule[index]!;
      expect(call.resource).toBe(SEND_ARN);
      expect(call.input).toEqual({ orderId: 'order-1001', purchase: input.purchase, holdout: false, milestone: due.milestone, dueAt: due.dueAt });
      expect(call.at.getTime()).toBeGreaterThanOrEqual(Date.parse(due.dueAt));
    }
    // The Map discards its results (ResultPath null), so the journey's output is its input.
    expect(JSON.parse(ended.output!)).toEqual(input);
    expect(ended.startDate!.getTime()).toBeLessThan(Date.parse(input.schedule[0]!.dueAt));
    expect(ended.stopDate!.getTime()).toBeGreaterThanOrEqual(Date.parse(input.schedule[2]!.dueAt));
  });

  it('retries a send that fails with a retryable error, and catches a permanent one without ending the journey', async () => {
    plannedFailures.set('order-flaky/day7', ['TransientSendError']);
    plannedFailures.set('order-flaky/day30', ['PermanentSendError']);
    const started = await start(JOURNEY, 'order-flaky', {
      orderId: 'order-flaky',
      purchase: {},
      holdout: false,
      schedule: [
        { milestone: 'day7', dueAt: daysFromNow(1) },
        { milestone: 'day30', dueAt: daysFromNow(2) },
        { milestone: 'day60', dueAt: daysFromNow(3) },
      ],
    });

    const ended = await untilEnded(started.executionArn!);

    expect(ended.status).toBe('SUCCEEDED');
    // TransientSendError is in the Retry list; PermanentSendError goes to MilestoneFailed (Catch States.ALL).
    expect(callsFor('order-flaky').map((call) => call.input.milestone)).toEqual(['day7', 'day7', 'day30', 'day60']);
  });

  it('treats the same name and input as the same execution, refuses another input, and stops a long wait at once', async () => {
    const input = { orderId: 'order-2002', purchase: {}, holdout: false, schedule: [{ milestone: 'day7', dueAt: daysFromNow(365) }] };

    const first = await start(JOURNEY, 'order-2002', input);
    const again = await start(JOURNEY, 'order-2002', input);
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn: JOURNEY, statusFilter: 'RUNNING' }));
    expect(running.executions?.map((execution) => execution.name)).toEqual(['order-2002']);

    await expect(start(JOURNEY, 'order-2002', { ...input, purchase: { changed: true } })).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );

    const stopped = await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    const described = await describeExecution(first.executionArn!);
    expect(described.status).toBe('ABORTED');
    expect(described.stopDate).toEqual(stopped.stopDate);
    // Nothing is left waiting: no timer keeps the stopped execution alive.
    const settled = await Promise.race([service.idle().then(() => 'idle'), delay(1_000).then(() => 'still busy')]);
    expect(settled).toBe('idle');
    expect(callsFor('order-2002')).toEqual([]);
    // A closed execution's name is not reusable, whatever the input.
    await expect(start(JOURNEY, 'order-2002', input)).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('lists executions newest first, by status, a page at a time', async () => {
    const succeeded = await sfn.send(new ListExecutionsCommand({ stateMachineArn: JOURNEY, statusFilter: 'SUCCEEDED' }));
    expect(succeeded.executions?.map((execution) => execution.name)).toEqual(['order-flaky', 'order-1001']);

    const firstPage = await sfn.send(new ListExecutionsCommand({ stateMachineArn: JOURNEY, maxResults: 2 }));
    expect(firstPage.executions?.map((execution) => execution.name)).toEqual(['order-2002', 'order-flaky']);
    expect(firstPage.executions?.[0]?.status).toBe('ABORTED');
    const secondPage = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: JOURNEY, maxResults: 2, nextToken: firstPage.nextToken }),
    );
    expect(secondPage.executions?.map((execution) => execution.name)).toEqual(['order-1001']);
    expect(secondPage.nextToken).toBeUndefined();
  });

  it('tells the execution history: waits as Waits, each send with its input and output, on the virtual clock, a page at a time', async () => {
    const input = { orderId: 'order-1101', purchase: { orderId: 'order-1101' }, holdout: false, schedule: [{ milestone: 'day7', dueAt: daysFromNow(7) }] };
    const started = await start(JOURNEY, 'order-1101', input);
    await untilEnded(started.executionArn!);

    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn!, maxResults: 4, nextToken }));
      expect(page.events!.length).toBeLessThanOrEqual(4);
      events.push(...page.events!);
      nextToken = page.nextToken;
    } while (nextToken !== undefined);

    expect(events.map((e) => e.id)).toEqual(events.map((_, index) => index + 1));
    expect(events[0]!.type).toBe('ExecutionStarted');
    expect(JSON.parse(events[0]!.executionStartedEventDetails!.input!)).toEqual(input);
    expect(events.at(-1)!.type).toBe('ExecutionSucceeded');
    expect(events.filter((e) => e.type === 'WaitStateEntered').map((e) => e.stateEnteredEventDetails!.name)).toEqual(['WaitUntilDue']);
    expect(events.some((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails!.name === 'WaitUntilDue')).toBe(false);
    expect(events.filter((e) => e.type === 'MapIterationStarted').map((e) => e.mapIterationStartedEventDetails)).toEqual([{ name: 'EachMilestone', index: 0 }]);
    const sendExited = events.find((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails!.name === 'SendMessage')!;
    expect(JSON.parse(sendExited.stateExitedEventDetails!.output!).outcome).toEqual({ sent: true, milestone: 'day7' });
    // Stamped on the virtual clock: the send left the wait no sooner than day 7.
    expect(sendExited.timestamp!.getTime()).toBeGreaterThanOrEqual(Date.parse(input.schedule[0]!.dueAt));

    const newestFirst = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn!, reverseOrder: true, includeExecutionData: false }));
    expect(newestFirst.events!.map((e) => e.id)).toEqual(events.map((e) => e.id).reverse());
    expect(newestFirst.events!.find((e) => e.type === 'TaskStateExited')!.stateExitedEventDetails).toEqual({ name: 'SendMessage' });
  });
});

describe('the engine event log, read once for metering and history', () => {
  it.each([true, false])('counts every state entered with executionHistory %s', async (executionHistory) => {
    let transitions = 0;
    const twoStates = { StartAt: 'First', States: { First: { Type: 'Pass', Next: 'Second' }, Second: { Type: 'Pass', End: true } } };
    const local = await createStepFunctionsService({
      stateMachines: [{ arn: machineArn('two-states'), name: 'two-states', definition: twoStates }],
      invokeTask,
      clock,
      region: REGION,
      accountId: ACCOUNT,
      executionHistory,
      onStateTransition: () => void (transitions += 1),
    });
    const started = local.startExecution({ stateMachineArn: machineArn('two-states'), name: 'counted' });
    await local.idle();
    // The event log is read asynchronously, a moment after the execution ends.
    for (let waited = 0; transitions < 2 && waited < 2000; waited += 10) await delay(10);
    expect(transitions).toBe(2);
    const history = local.getExecutionHistory({ executionArn: started.ok ? started.value.executionArn : '' });
    expect(history.ok ? history.value.events.map((e) => e.type) : history.error.name).toEqual(
      executionHistory ? ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'] : 'ValidationException',
    );
    await local.close();
  });
});

describe('execution semantics on probe state machines', () => {
  it('tells the definition its execution and state machine through the context object', async () => {
    const started = await start(CONTEXT_PROBE, 'probe-1', { hello: 'world' });
    const ended = await untilEnded(started.executionArn!);
    expect(ended.status).toBe('SUCCEEDED');
    expect(JSON.parse(ended.output!)).toEqual({
      id: started.executionArn,
      name: 'probe-1',
      input: { hello: 'world' },
      machineId: CONTEXT_PROBE,
      machineName: 'context-probe',
    });
  });

  it('spaces retries by IntervalSeconds × BackoffRate^n of virtual time', async () => {
    plannedFailures.set('retry-probe/x', ['TransientSendError', 'TransientSendError']);
    const started = await start(RETRY_PROBE, 'retry-1', { orderId: 'retry-probe', milestone: 'x' });
    const ended = await untilEnded(started.executionArn!);

    expect(ended.status).toBe('SUCCEEDED');
    const [first, second, third] = callsFor('retry-probe').map((call) => call.at.getTime());
    // The engine's own retry timer may fire up to a millisecond early (a twentieth of a day here).
    const slack = 0.1 * DAY_MS;
    expect(second! - first!).toBeGreaterThanOrEqual(1 * DAY_MS - slack);
    expect(third! - second!).toBeGreaterThanOrEqual(2 * DAY_MS - slack);
  });

  it('fails the execution with the error name and a Lambda-style cause when nothing catches a task error', async () => {
    plannedFailures.set('fail-probe/x', ['PermanentSendError']);
    const started = await start(FAIL_PROBE, 'fail-1', { orderId: 'fail-probe', milestone: 'x' });
    const ended = await untilEnded(started.executionArn!);

    expect(ended.status).toBe('FAILED');
    expect(ended.error).toBe('PermanentSendError');
    expect(JSON.parse(ended.cause!)).toMatchObject({
      errorType: 'PermanentSendError',
      errorMessage: 'simulated PermanentSendError',
    });
  });
});

describe('refusals, as the SDK sees them', () => {
  it.each([
    ['a name with white space', JOURNEY, 'order 1', '{}', InvalidName],
    ['a name longer than 80 characters', JOURNEY, 'x'.repeat(81), '{}', InvalidName],
    ['a name with a colon', JOURNEY, 'order:1', '{}', InvalidName],
    ['an unknown state machine', machineArn('nope'), 'order-1', '{}', StateMachineDoesNotExist],
    ['a malformed state machine ARN', 'not-an-arn', 'order-1', '{}', InvalidArn],
    ['input that is not JSON', JOURNEY, 'order-bad-input', '{"orderId":', InvalidExecutionInput],
  ])('StartExecution refuses %s', async (_case, stateMachineArn, name, input, ErrorClass) => {
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn, name, input }))).rejects.toBeInstanceOf(ErrorClass);
  });

  it('DescribeExecution refuses an execution that does not exist', async () => {
    await expect(
      describeExecution(`arn:aws:states:${REGION}:${ACCOUNT}:execution:posventa-journey:never-started`),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('answers an unknown operation with a 400 UnknownOperationException', async () => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.DeleteEverything' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('answers a missing required field with a ValidationException', async () => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.StartExecution' },
      body: JSON.stringify({ name: 'order-1' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'ValidationException' });
  });
});

describe('close', () => {
  it('aborts running executions and refuses new ones', async () => {
    const started = await start(JOURNEY, 'order-3003', {
      orderId: 'order-3003',
      purchase: {},
      holdout: false,
      schedule: [{ milestone: 'day7', dueAt: daysFromNow(365) }],
    });

    await service.close();

    expect(service.describeExecution({ executionArn: started.executionArn! })).toMatchObject({
      ok: true,
      value: { status: 'ABORTED' },
    });
    expect(service.startExecution({ stateMachineArn: JOURNEY, name: 'order-3004' })).toMatchObject({
      ok: false,
      error: { name: 'ServiceUnavailable' },
    });
  });
});
