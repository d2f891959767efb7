import type { StateMachine } from 'aws-local-stepfunctions';

/**
 * Loads aws-local-stepfunctions, the engine that interprets the journey ASL locally. Version 3
 * calls Promise.withResolvers (Node 22+) while this repo supports Node 20.11+, so the standard
 * polyfill is installed first; the import is dynamic so the polyfill runs before the engine.
 */
export type Engine = typeof StateMachine;

export async function loadEngine(): Promise<Engine> {
  installPromiseWithResolvers();
  const { StateMachine } = await import('aws-local-stepfunctions');
  return StateMachine;
}

function installPromiseWithResolvers(): void {
  const promise = Promise as unknown as { withResolvers?: unknown };
  if (typeof promise.withResolvers === 'function') return;
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
