import { DAY_MS } from '#shared/clock';
import { type AslDefinition, type AslState, mapStates } from './asl';

/**
 * The mechanical, local-only rewrite that lets the real journey ASL run on the virtual
 * clock. aws-local-stepfunctions sleeps in real time and only lets a Wait be overridden by
 * a fixed number of milliseconds per state name, which cannot follow a per-order
 * `TimestampPath`. So every Wait becomes a Task on a fixed local resource whose handler
 * sleeps until the virtual clock reaches the target; retry intervals and the execution
 * timeout are scaled from virtual seconds to real seconds. Nothing else changes.
 */

/** Resource of the Task states that stand in for Wait states; the runner handles it itself. */
export const LOCAL_WAIT_RESOURCE = 'arn:aws:lambda:local:000000000000:function:posventa-local-wait';

/** setTimeout's ceiling (2^31 − 1 ms) in whole seconds; the engine arms one timer per Task with it. */
export const MAX_TIMER_SECONDS = Math.floor(2_147_483_647 / 1000);

export interface VirtualTimeOptions {
  /** Real milliseconds one virtual day lasts (the VirtualClock's `dayMs`). */
  dayMs: number;
}

export interface VirtualTimeDefinition {
  definition: AslDefinition;
  /** Names of the former Wait states, each now a Task on LOCAL_WAIT_RESOURCE. */
  waitStates: string[];
}

const WAIT_TARGET_PARAMETER = {
  Seconds: 'seconds',
  SecondsPath: 'seconds.$',
  Timestamp: 'timestamp',
  TimestampPath: 'timestamp.$',
} as const;

const WAIT_FIELDS_KEPT = ['Comment', 'Next', 'End'] as const;

export function toVirtualTime(definition: AslDefinition, { dayMs }: VirtualTimeOptions): VirtualTimeDefinition {
  if (!(dayMs > 0)) throw new Error(`toVirtualTime: dayMs must be a positive number of milliseconds, got ${dayMs}`);
  if (definition.QueryLanguage === 'JSONata') {
    throw new Error('toVirtualTime: JSONata definitions are not supported; the journey ASL uses JSONPath');
  }
  const realSecondsPerVirtualSecond = dayMs / DAY_MS;
  const waitStates = new Set<string>();

  const rewritten = mapStates(definition, (name, state) => {
    if (state.Type === 'Wait') {
      waitStates.add(name);
      return waitAsTask(name, state);
    }
    if (state.Type === 'Task') return withBoundedTimeout(withScaledRetry(state, realSecondsPerVirtualSecond));
    return withScaledRetry(state, realSecondsPerVirtualSecond);
  });

  return {
    definition: withScaledExecutionTimeout(rewritten, realSecondsPerVirtualSecond),
    waitStates: [...waitStates],
  };
}

function waitAsTask(name: string, wait: AslState): AslState {
  for (const field of Object.keys(wait)) {
    if (field === 'InputPath' || field === 'OutputPath') {
      // As a Task with ResultPath null, the output would be the unfiltered input, unlike a Wait.
      throw new Error(
        `toVirtualTime: Wait "${name}" uses ${field}, which the local rewrite cannot keep exact; ` +
          'move the filtering to a Pass state before or after the Wait',
      );
    }
    if (field !== 'Type' && !(field in WAIT_TARGET_PARAMETER) && !(WAIT_FIELDS_KEPT as readonly string[]).includes(field)) {
      throw new Error(`toVirtualTime: Wait "${name}" has field "${field}", which the local rewrite does not know`);
    }
  }
  const targets = (Object.keys(WAIT_TARGET_PARAMETER) as Array<keyof typeof WAIT_TARGET_PARAMETER>).filter(
    (field) => wait[field] !== undefined,
  );
  const [target] = targets;
  if (target === undefined || targets.length > 1) {
    throw new Error(`toVirtualTime: Wait "${name}" needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath`);
  }

  const task: AslState = {
    Type: 'Task',
    Resource: LOCAL_WAIT_RESOURCE,
    Parameters: { [WAIT_TARGET_PARAMETER[target]]: wait[target] },
    // The Wait's output is its input: discard the handler's result.
    ResultPath: null,
    // A virtual wait may last long in real time; the engine would otherwise stop it after 60 s.
    TimeoutSeconds: MAX_TIMER_SECONDS,
  };
  for (const field of WAIT_FIELDS_KEPT) {
    if (wait[field] !== undefined) task[field] = wait[field];
  }
  return task;
}

/** Retry intervals are virtual time; the engine sleeps real time and applies backoff and jitter itself. */
function withScaledRetry(state: AslState, realSecondsPerVirtualSecond: number): AslState {
  if (!Array.isArray(state.Retry)) return state;
  const Retry = state.Retry.map((retrier: Record<string, unknown>) => {
    // ASL's default interval is 1 s; it must be written out to be scaled.
    const scaled: Record<string, unknown> = {
      ...retrier,
      IntervalSeconds: numberOr(retrier.IntervalSeconds, 1) * realSecondsPerVirtualSecond,
    };
    if (typeof retrier.MaxDelaySeconds === 'number') {
      scaled.MaxDelaySeconds = retrier.MaxDelaySeconds * realSecondsPerVirtualSecond;
    }
    return scaled;
  });
  return { ...state, Retry };
}

/**
 * Task timeouts stay in real seconds: the handler behind a Task runs in real time. Only the
 * engine's own limits are corrected: it defaults to 60 s where AWS has effectively none, and
 * a value past setTimeout's ceiling would fire at once.
 */
function withBoundedTimeout(task: AslState): AslState {
  if (task.TimeoutSecondsPath !== undefined) return task;
  return { ...task, TimeoutSeconds: Math.min(numberOr(task.TimeoutSeconds, MAX_TIMER_SECONDS), MAX_TIMER_SECONDS) };
}

/** The execution timeout is virtual time; rounded up to whole real seconds (the engine wants an integer). */
function withScaledExecutionTimeout(definition: AslDefinition, realSecondsPerVirtualSecond: number): AslDefinition {
  if (typeof definition.TimeoutSeconds !== 'number') return definition;
  const realSeconds = Math.ceil(definition.TimeoutSeconds * realSecondsPerVirtualSecond);
  return { ...definition, TimeoutSeconds: Math.min(Math.max(realSeconds, 1), MAX_TIMER_SECONDS) };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}
