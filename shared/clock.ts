/** Where "now" comes from. Domain code takes a Clock so tests and the local stack can move time. */
export interface Clock {
  now(): Date;
}

export const DAY_MS = 86_400_000;

export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that runs `DAY_MS / dayMs` times faster than real time, starting from the real
 * time `epochMs`. The local stack uses it so a 60-day journey takes about a minute; every
 * component that reads the time (waits, handlers, timestamps) must share the same one.
 */
export interface VirtualClock extends Clock {
  readonly epochMs: number;
  readonly dayMs: number;
  /** Real milliseconds until the virtual clock shows `target` (0 if already past). */
  realDelayUntil(target: Date): number;
}

export function virtualClock(epochMs: number, dayMs: number): VirtualClock {
  if (!(dayMs > 0)) throw new Error(`virtualClock: dayMs must be a positive number of milliseconds, got ${dayMs}`);
  const speed = DAY_MS / dayMs;
  return {
    epochMs,
    dayMs,
    now: () => new Date(epochMs + (Date.now() - epochMs) * speed),
    realDelayUntil: (target) => {
      const virtualNow = epochMs + (Date.now() - epochMs) * speed;
      return Math.max(0, (target.getTime() - virtualNow) / speed);
    },
  };
}

/** Environment the local stack sets on every function it runs; never set in AWS. */
export const VIRTUAL_CLOCK_ENV = { epochMs: 'POSVENTA_CLOCK_EPOCH_MS', dayMs: 'POSVENTA_DAY_MS' } as const;

/** The system clock in AWS; the local stack's virtual clock when it runs the handler. */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): Clock {
  const epochMs = env[VIRTUAL_CLOCK_ENV.epochMs];
  const dayMs = env[VIRTUAL_CLOCK_ENV.dayMs];
  if (epochMs === undefined || dayMs === undefined) return systemClock;
  return virtualClock(Number(epochMs), Number(dayMs));
}
