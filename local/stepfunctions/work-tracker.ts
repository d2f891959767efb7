/**
 * Knows which asynchronous work is still under way (executions, task invocations that may
 * outlive a stopped execution), so the local stack can wait for quiet before it exits.
 */
export interface WorkTracker {
  track<T>(work: Promise<T>): Promise<T>;
  /** Resolves once nothing tracked is pending, including work started while waiting. */
  idle(): Promise<void>;
}

export function createWorkTracker(): WorkTracker {
  const pending = new Set<Promise<unknown>>();
  return {
    track(work) {
      const settled = work.then(
        () => undefined,
        () => undefined,
      );
      pending.add(settled);
      void settled.then(() => pending.delete(settled));
      return work;
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
