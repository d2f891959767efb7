import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '#shared/clock';
import { type AslDefinition, type AslState, forEachState } from '../../../local/stepfunctions/asl';
import { loadEngine } from '../../../local/stepfunctions/engine';
import { taskResourcesByName } from '../../../local/stepfunctions/task-resources';
import {
  LOCAL_WAIT_RESOURCE,
  MAX_TIMER_SECONDS,
  toVirtualTime,
} from '../../../local/stepfunctions/virtual-time';

const SEND_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:posventa-send-step';
const journey = JSON.parse(
  readFileSync(new URL('../../../statemachines/journey.asl.json', import.meta.url), 'utf8').replaceAll(
    '${SendStepFunctionArn}',
    SEND_ARN,
  ),
) as AslDefinition;

function machine(states: Record<string, AslState>, extra: Record<string, unknown> = {}): AslDefinition {
  return { StartAt: Object.keys(states)[0] ?? 'none', States: states, ...extra };
}

function statesOf(definition: AslDefinition): Map<string, AslState> {
  const states = new Map<string, AslState>();
  forEachState(definition, (name, state) => states.set(name, state));
  return states;
}

const dayMs = 1000;

describe('toVirtualTime: Wait states', () => {
  it('turns a TimestampPath Wait into a local wait Task that keeps Next and Comment and passes its input through', () => {
    const { definition, waitStates } = toVirtualTime(
      machine({
        Hold: { Type: 'Wait', Comment: 'until due', TimestampPath: '$.dueAt', Next: 'Done' },
        Done: { Type: 'Succeed' },
      }),
      { dayMs },
    );
    expect(definition.States.Hold).toEqual({
      Type: 'Task',
      Resource: LOCAL_WAIT_RESOURCE,
      Parameters: { 'timestamp.$': '$.dueAt' },
      ResultPath: null,
      TimeoutSeconds: MAX_TIMER_SECONDS,
      Comment: 'until due',
      Next: 'Done',
    });
    expect(waitStates).toEqual(['Hold']);
  });

  it.each([
    [{ Seconds: 10 }, { seconds: 10 }],
    [{ SecondsPath: '$.delay' }, { 'seconds.$': '$.delay' }],
    [{ Timestamp: '2030-01-01T00:00:00Z' }, { timestamp: '2030-01-01T00:00:00Z' }],
    [{ TimestampPath: '$.at' }, { 'timestamp.$': '$.at' }],
  ])('passes the wait target %j as the parameters %j, and keeps End', (target, parameters) => {
    const { definition } = toVirtualTime(machine({ Hold: { Type: 'Wait', ...target, End: true } }), { dayMs });
    expect(definition.States.Hold).toMatchObject({ Type: 'Task', Parameters: parameters, End: true });
    expect(definition.States.Hold).not.toHaveProperty('Next');
  });

  it('rewrites Waits at every depth: Map ItemProcessor, Map Iterator, Parallel Branches, nested', () => {
    const inner = (name: string): AslDefinition => machine({ [name]: { Type: 'Wait', Seconds: 1, End: true } });
    const { definition, waitStates } = toVirtualTime(
      machine({
        Each: { Type: 'Map', ItemProcessor: inner('InProcessor'), Next: 'Legacy' },
        Legacy: { Type: 'Map', Iterator: inner('InIterator'), Next: 'Both' },
        Both: {
          Type: 'Parallel',
          Branches: [inner('InBranch'), machine({ Deeper: { Type: 'Map', ItemProcessor: inner('InNested'), End: true } })],
          End: true,
        },
      }),
      { dayMs },
    );
    expect(waitStates.sort()).toEqual(['InBranch', 'InIterator', 'InNested', 'InProcessor']);
    const types = [...statesOf(definition)].map(([name, state]) => [name, state.Type]);
    expect(types.filter(([, type]) => type === 'Wait')).toEqual([]);
    for (const name of waitStates) expect(statesOf(definition).get(name)?.Resource).toBe(LOCAL_WAIT_RESOURCE);
  });

  it.each(['InputPath', 'OutputPath'])('refuses a Wait with %s, naming the state', (field) => {
    expect(() =>
      toVirtualTime(machine({ Hold: { Type: 'Wait', Seconds: 1, [field]: '$.x', End: true } }), { dayMs }),
    ).toThrow(/Wait "Hold" uses (InputPath|OutputPath)/);
  });

  it('refuses a Wait field it does not know rather than dropping it', () => {
    expect(() =>
      toVirtualTime(machine({ Hold: { Type: 'Wait', Seconds: 1, Assign: { x: 1 }, End: true } }), { dayMs }),
    ).toThrow(/Wait "Hold" has field "Assign"/);
  });

  it('refuses a Wait with no target or two targets', () => {
    expect(() => toVirtualTime(machine({ Hold: { Type: 'Wait', End: true } }), { dayMs })).toThrow(/exactly one/);
    expect(() =>
      toVirtualTime(machine({ Hold: { Type: 'Wait', Seconds: 1, SecondsPath: '$.s', End: true } }), { dayMs }),
    ).toThrow(/exactly one/);
  });

  it('never mutates the definition it is given', () => {
    const original = structuredClone(journey);
    toVirtualTime(journey, { dayMs });
    expect(journey).toEqual(original);
  });
});

describe('toVirtualTime: time fields', () => {
  const scale = dayMs / DAY_MS;

  it('scales each retrier interval and max delay from virtual to real seconds, keeping backoff, attempts and jitter', () => {
    const { definition } = toVirtualTime(
      machine({
        Send: {
          Type: 'Task',
          Resource: SEND_ARN,
          Retry: [
            { ErrorEquals: ['A'], IntervalSeconds: 86_400, BackoffRate: 2, MaxAttempts: 3, MaxDelaySeconds: 172_800, JitterStrategy: 'FULL' },
            { ErrorEquals: ['B'] },
          ],
          End: true,
        },
      }),
      { dayMs },
    );
    const [first, second] = definition.States.Send?.Retry as Array<Record<string, unknown>>;
    expect(first?.IntervalSeconds).toBeCloseTo(1, 12); // one virtual day = dayMs real ms = 1 s here
    expect(first?.MaxDelaySeconds).toBeCloseTo(2, 12);
    expect(first).toMatchObject({ BackoffRate: 2, MaxAttempts: 3, JitterStrategy: 'FULL' });
    expect(second?.IntervalSeconds).toBeCloseTo(1 * scale, 15); // ASL's default 1 s, written out and scaled
  });

  it('gives Tasks without a timeout the longest one a timer can hold, and caps longer ones, in real seconds', () => {
    const { definition } = toVirtualTime(
      machine({
        A: { Type: 'Task', Resource: SEND_ARN, Next: 'B' },
        B: { Type: 'Task', Resource: SEND_ARN, TimeoutSeconds: 60, Next: 'C' },
        C: { Type: 'Task', Resource: SEND_ARN, TimeoutSeconds: 99_999_999, End: true },
      }),
      { dayMs },
    );
    expect(definition.States.A?.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
    expect(definition.States.B?.TimeoutSeconds).toBe(60);
    expect(definition.States.C?.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
  });

  it('scales the execution timeout to whole real seconds, never earlier than the virtual one', () => {
    const states = { Done: { Type: 'Succeed' } };
    expect(toVirtualTime(machine(states, { TimeoutSeconds: 90 * 86_400 }), { dayMs }).definition.TimeoutSeconds).toBe(90);
    expect(toVirtualTime(machine(states, { TimeoutSeconds: 10 }), { dayMs }).definition.TimeoutSeconds).toBe(1);
  });

  it('refuses JSONata definitions and a non-positive day length', () => {
    expect(() => toVirtualTime(machine({ Done: { Type: 'Succeed' } }, { QueryLanguage: 'JSONata' }), { dayMs })).toThrow(
      /JSONata/,
    );
    expect(() => toVirtualTime(journey, { dayMs: 0 })).toThrow(/dayMs/);
  });
});

describe('the journey ASL after the rewrite', () => {
  const { definition, waitStates } = toVirtualTime(journey, { dayMs });

  it('has no Wait left, and its waits are the local wait Task', () => {
    expect(waitStates).toEqual(['WaitUntilDue', 'WaitUntilRetry', 'WaitUntilFollowUp']);
    expect([...statesOf(definition).values()].some((state) => state.Type === 'Wait')).toBe(false);
    expect(taskResourcesByName(definition)).toEqual(
      new Map([
        ['WaitUntilDue', LOCAL_WAIT_RESOURCE],
        ['SendMessage', SEND_ARN],
        ['WaitUntilRetry', LOCAL_WAIT_RESOURCE],
        ['WaitUntilFollowUp', LOCAL_WAIT_RESOURCE],
        ['FollowUp', SEND_ARN],
      ]),
    );
  });

  it('is accepted by the engine with path checks on', async () => {
    const Engine = await loadEngine();
    expect(() => new Engine(definition as never, { validationOptions: { checkPaths: true } })).not.toThrow();
  });
});

describe('taskResourcesByName', () => {
  it('refuses two Tasks with one name and different resources, since handlers are routed by name', () => {
    const other = 'arn:aws:lambda:us-east-1:000000000000:function:other';
    expect(() =>
      taskResourcesByName(
        machine({
          Send: { Type: 'Task', Resource: SEND_ARN, Next: 'Each' },
          Each: { Type: 'Map', ItemProcessor: machine({ Send: { Type: 'Task', Resource: other, End: true } }), End: true },
        }),
      ),
    ).toThrow(/"Send" call different resources/);
  });
});
