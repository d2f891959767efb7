import type { BusEvent } from './put-events';

/**
 * Hands matched events to rule targets off the request path, retrying failures with
 * exponential backoff as EventBridge does (it keeps trying for up to 24 h; locally a few
 * attempts are enough to show the behaviour), then reporting the event as dead-lettered.
 */

export interface RetryPolicy {
  /** Attempts in total, the first included. @default 3 */
  readonly attempts: number;
  /** Delay before the first retry; it doubles per retry, with jitter. @default 100 */
  readonly baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 100 };

export interface Delivery {
  readonly ruleName: string;
  readonly targetId: string;
  readonly event: BusEvent;
  readonly deliver: (event: BusEvent) => Promise<void>;
}

export type DeliveryFailureHandler = (ruleName: string, targetId: string, event: BusEvent, error: unknown) => void;

export interface Dispatcher {
  dispatch(deliveries: readonly Delivery[]): void;
  /** Resolves once every delivery dispatched so far has succeeded or been given up on. */
  idle(): Promise<void>;
  /** Stops retrying (pending retries are given up on) and waits for running attempts. */
  close(): Promise<void>;
}

export interface DispatcherOptions {
  readonly retry: RetryPolicy;
  readonly log: (line: string) => void;
  readonly onDeliveryFailure?: DeliveryFailureHandler;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  let pending = 0;
  let closed = false;
  let idleWaiters: Array<() => void> = [];
  const retryTimers = new Map<NodeJS.Timeout, () => void>();

  const settle = () => {
    pending--;
    if (pending > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  /** Resolves after `ms`, or at once when the dispatcher closes. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        retryTimers.delete(timer);
        resolve();
      }, ms);
      retryTimers.set(timer, resolve);
    });

  const run = async (delivery: Delivery) => {
    const { ruleName, targetId, event } = delivery;
    let lastError: unknown;
    for (let attempt = 1; attempt <= options.retry.attempts && !closed; attempt++) {
      try {
        await delivery.deliver(event);
        return;
      } catch (error) {
        lastError = error;
        options.log(`eventbridge: rule ${ruleName} target ${targetId} failed attempt ${attempt} for event ${event.id}: ${describe(error)}`);
        if (attempt < options.retry.attempts) await pause(backoff(options.retry.baseDelayMs, attempt));
      }
    }
    options.log(`eventbridge: rule ${ruleName} target ${targetId} gave up on event ${event.id}; sent to the rule's dead-letter handler`);
    options.onDeliveryFailure?.(ruleName, targetId, event, lastError ?? new Error('the bus closed before delivery'));
  };

  const idle = () => (pending === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)));

  return {
    dispatch(deliveries) {
      if (closed) {
        for (const { ruleName, targetId, event } of deliveries) {
          options.log(`eventbridge: closed, dropping event ${event.id} for rule ${ruleName} target ${targetId}`);
        }
        return;
      }
      pending += deliveries.length;
      // Targets run after the PutEvents response is written, never inside the request.
      setImmediate(() => {
        for (const delivery of deliveries) {
          run(delivery)
            .catch((error: unknown) => options.log(`eventbridge: delivery handler crashed: ${describe(error)}`))
            .finally(settle);
        }
      });
    },
    idle,
    async close() {
      closed = true;
      for (const [timer, resolve] of retryTimers) {
        clearTimeout(timer);
        resolve();
      }
      retryTimers.clear();
      await idle();
    },
  };
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out. */
function backoff(baseDelayMs: number, attempt: number): number {
  const delay = baseDelayMs * 2 ** (attempt - 1);
  return delay / 2 + Math.random() * (delay / 2);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
