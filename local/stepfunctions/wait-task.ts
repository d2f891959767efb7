import type { VirtualClock } from '#shared/clock';

/**
 * The local handler behind every rewritten Wait state (see virtual-time.ts): it reads the
 * target like the Wait would and sleeps until the virtual clock reaches it.
 */

/** Longest single timer Node accepts; longer sleeps are chained. */
const MAX_TIMER_MS = 2_147_483_647;

// The Wait state's own rules: an RFC 3339 timestamp with a zone, or whole non-negative seconds.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export function createWaitHandler(clock: VirtualClock, signal: AbortSignal): (input: unknown) => Promise<null> {
  return async (input) => {
    await sleepUntilVirtual(clock, waitTarget(input, clock.now()), signal);
    return null;
  };
}

/**
 * Resolves once the virtual clock shows `target`, or as soon as `signal` aborts (StopExecution
 * must not leave timers behind). It re-reads the clock after every timer because a timer may
 * fire slightly early or be capped, and "not before the due time" is the promise a Wait makes.
 */
export async function sleepUntilVirtual(clock: VirtualClock, target: Date, signal: AbortSignal): Promise<void> {
  for (let ms = clock.realDelayUntil(target); ms > 0 && !signal.aborted; ms = clock.realDelayUntil(target)) {
    await sleep(Math.min(ms, MAX_TIMER_MS), signal);
  }
}

function waitTarget(input: unknown, now: Date): Date {
  const { timestamp, seconds } = (typeof input === 'object' && input !== null ? input : {}) as {
    timestamp?: unknown;
    seconds?: unknown;
  };
  if (timestamp !== undefined) {
    if (typeof timestamp !== 'string' || !RFC3339.test(timestamp) || Number.isNaN(Date.parse(timestamp))) {
      throw statesRuntimeError(`Wait timestamp is not an RFC 3339 timestamp: ${JSON.stringify(timestamp)}`);
    }
    return new Date(timestamp);
  }
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
    throw statesRuntimeError(`Wait seconds is not a non-negative integer: ${JSON.stringify(seconds)}`);
  }
  return new Date(now.getTime() + seconds * 1000);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function statesRuntimeError(message: string): Error {
  const error = new Error(message);
  error.name = 'States.Runtime';
  return error;
}
