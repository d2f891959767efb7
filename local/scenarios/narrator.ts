import type { VirtualClock } from '#shared/clock';

/**
 * Prints narrated lines in the order things happened, not the order they were noticed: the
 * scenarios poll the system independently, and a record can be read a moment after a later
 * one. Each line is held until it is `holdMs` (real) old on the virtual clock, then printed
 * with every held line that happened before it.
 */
export interface Narrator {
  add(at: Date, line: string): void;
  /** Prints every held line, in time order (at the end). */
  flush(): void;
  /** Stops the timer and prints what is held. */
  close(): void;
}

export function createNarrator(options: { clock: VirtualClock; holdMs: number; out: (line: string) => void }): Narrator {
  const { clock, holdMs, out } = options;
  let held: Array<{ at: Date; line: string; seq: number }> = [];
  let seq = 0;
  const holdVirtualMs = (holdMs * 86_400_000) / clock.dayMs;
  const printUpTo = (cutoff: number) => {
    const ready = held.filter((entry) => entry.at.getTime() <= cutoff).sort((a, b) => a.at.getTime() - b.at.getTime() || a.seq - b.seq);
    held = held.filter((entry) => entry.at.getTime() > cutoff);
    for (const entry of ready) out(entry.line);
  };
  const timer = setInterval(() => printUpTo(clock.now().getTime() - holdVirtualMs), Math.max(20, holdMs / 4));
  timer.unref();
  return {
    add: (at, line) => void held.push({ at, line, seq: seq++ }),
    flush: () => printUpTo(Number.POSITIVE_INFINITY),
    close() {
      clearInterval(timer);
      printUpTo(Number.POSITIVE_INFINITY);
    },
  };
}
