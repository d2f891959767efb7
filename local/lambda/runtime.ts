import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export interface LocalFunction {
  /** Logical id in the template; also the local function name. */
  name: string;
  arn: string;
  bundlePath: string;
  exportName: string;
  environment: Record<string, string>;
  timeoutMs: number;
  memoryMb: number;
}

/** An error raised by a function, carrying the name Step Functions and destinations see. */
export class FunctionError extends Error {
  constructor(name: string, message: string, readonly functionName: string) {
    super(message);
    this.name = name;
  }
}

export interface RunningFunction {
  readonly definition: LocalFunction;
  invoke(event: unknown): Promise<unknown>;
  /**
   * Kills the container mid-flight, as a crash or an out-of-memory kill does: invocations in
   * progress fail with `Runtime.ExitError` and their work stops wherever it was; the next
   * invocation cold-starts a new container. For resilience tests.
   */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

const WORKER_SCRIPT = new URL('./worker.mjs', import.meta.url);

export interface FunctionHooks {
  /** After each invocation that ran, with the handler's duration (what Lambda bills), failed or timed out. */
  onInvoked?: (durationMs: number) => void;
  /** Each line the function writes to stdout or stderr (its logs); absent, they go to this process's own. */
  output?: (line: string) => void;
}

interface Container {
  worker: Worker;
  pending: Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>;
}

/** One container: the bundle imported once in a worker thread with the function's own environment. */
async function startContainer(definition: LocalFunction, hooks: FunctionHooks): Promise<Container> {
  const worker = new Worker(WORKER_SCRIPT, {
    stdout: hooks.output !== undefined,
    stderr: hooks.output !== undefined,
    env: { ...definition.environment, POSVENTA_LOCAL_FUNCTION_ARN: definition.arn },
    workerData: {
      bundlePath: definition.bundlePath,
      exportName: definition.exportName,
      functionName: definition.name,
      timeoutMs: definition.timeoutMs,
      memoryMb: definition.memoryMb,
    },
  });
  const pending: Container['pending'] = new Map();
  if (hooks.output !== undefined) forwardLines(worker, hooks.output);

  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', (error) => reject(new Error(`Function ${definition.name} failed to initialise: ${error.message}`)));
  });

  worker.on('message', (message: { id: string; result?: unknown; error?: { name: string; message: string }; durationMs: number }) => {
    const call = pending.get(message.id);
    if (call === undefined) return;
    pending.delete(message.id);
    clearTimeout(call.timer);
    hooks.onInvoked?.(message.durationMs);
    if (message.error !== undefined) call.reject(new FunctionError(message.error.name, message.error.message, definition.name));
    else call.resolve(message.result);
  });
  const failPending = (message: string) => {
    for (const call of pending.values()) {
      clearTimeout(call.timer);
      call.reject(new FunctionError('Runtime.ExitError', message, definition.name));
    }
    pending.clear();
  };
  worker.on('error', (error) => failPending(error.message));
  worker.on('exit', (code) => failPending(`RequestId: exited before answering (exit code ${code})`));
  return { worker, pending };
}

function forwardLines(worker: Worker, output: (line: string) => void): void {
  for (const stream of [worker.stdout, worker.stderr]) {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) output(line);
    });
    stream.on('end', () => partial !== '' && output(partial));
  }
}

/**
 * Runs a function's bundle in its own worker thread with its own environment, like a Lambda
 * container: module scope runs once, and one function's variables never leak into another's.
 */
export async function startFunction(definition: LocalFunction, hooks: FunctionHooks = {}): Promise<RunningFunction> {
  let container: Promise<Container> = startContainer(definition, hooks);
  await container;

  return {
    definition,
    async invoke(event) {
      const { worker, pending } = await container;
      const id = randomUUID();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          // Lambda bills a timed-out invocation for its whole timeout.
          hooks.onInvoked?.(definition.timeoutMs);
          reject(new FunctionError('Sandbox.Timedout', `Task timed out after ${definition.timeoutMs / 1000} seconds`, definition.name));
        }, definition.timeoutMs);
        pending.set(id, { resolve, reject, timer });
        // JSON round trip: the event crosses the boundary as Lambda's would, with no shared objects.
        worker.postMessage({ id, requestId: id, event: JSON.parse(JSON.stringify(event)) });
      });
    },
    async crash() {
      const crashed = await container;
      container = startContainer(definition, hooks);
      await crashed.worker.terminate();
      await container;
    },
    async stop() {
      const { worker, pending } = await container;
      for (const call of pending.values()) clearTimeout(call.timer);
      pending.clear();
      await worker.terminate();
    },
  };
}
