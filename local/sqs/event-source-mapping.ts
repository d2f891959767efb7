import type { SQSEvent } from 'aws-lambda';
import { interpretBatchResponse, type BatchOutcome } from './batch-response';
import { toSqsEvent } from './lambda-event';
import type { LocalQueue, ReceivedMessage } from './queue';

/**
 * Lambda's SQS event-source mapping: pollers receive up to `batchSize` messages, wait up
 * to the batching window to fill the batch, invoke the function, and delete what
 * succeeded. Failed messages are not put back; they reappear when their visibility
 * timeout ends, and the queue's redrive policy moves them to the DLQ, exactly as in AWS.
 */

export interface EventSourceMappingOptions {
  /** BatchSize in the template: 1–10,000. */
  readonly batchSize: number;
  /** MaximumBatchingWindowInSeconds × 1000: 0–300,000. */
  readonly maximumBatchingWindowMs: number;
  /** FunctionResponseTypes includes "ReportBatchItemFailures". */
  readonly reportBatchItemFailures: boolean;
  /**
   * Batches invoked at once (ScalingConfig.MaximumConcurrency). Lambda starts with five
   * pollers, so by default locally too, which lets races between batches show up here.
   * @default 5
   */
  readonly maximumConcurrency?: number;
  /** @default console.log */
  readonly log?: (line: string) => void;
}

export interface EventSourceMapping {
  /** Resolves when the queue is empty and no batch is being processed. */
  idle(): Promise<void>;
  /** Stops polling; resolves when the batches already received have been processed. */
  stop(): Promise<void>;
}

export function attachLambda(
  queue: LocalQueue,
  options: EventSourceMappingOptions,
  invoke: (event: SQSEvent) => Promise<unknown>,
): EventSourceMapping {
  const concurrency = options.maximumConcurrency ?? 5;
  checkOptions(queue, options, concurrency);
  const log = options.log ?? ((line: string) => console.log(line));
  if (options.maximumBatchingWindowMs >= queue.visibilityTimeoutMs) {
    // AWS accepts this too, but messages then reappear while their batch is still filling.
    log(
      `sqs: ${queue.name}: warning: batching window ${options.maximumBatchingWindowMs} ms is not below the visibility ` +
        `timeout ${queue.visibilityTimeoutMs} ms, so messages will be received twice`,
    );
  }
  let running = true;
  let batchesInFlight = 0;
  const wakeOnStop = new Set<() => void>();
  let idleWaiters: Array<() => void> = [];

  const checkIdle = () => {
    if (batchesInFlight > 0 || queue.depth() > 0 || idleWaiters.length === 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };
  const stopWatchingQueue = queue.onChange(checkIdle);

  /** Sleeps until the queue changes, a hidden message becomes visible, `deadline` passes, or stop. */
  const waitForWork = (deadline?: number) =>
    new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = () => {
        unsubscribe();
        wakeOnStop.delete(wake);
        clearTimeout(timer);
        resolve();
      };
      const unsubscribe = queue.onChange(wake);
      wakeOnStop.add(wake);
      const wakeAt = Math.min(queue.nextVisibleAt() ?? Infinity, deadline ?? Infinity);
      if (wakeAt !== Infinity) timer = setTimeout(wake, Math.max(0, wakeAt - Date.now()));
    });

  const processBatch = async (batch: readonly ReceivedMessage[]) => {
    batchesInFlight++;
    try {
      const ids = batch.map((message) => message.messageId);
      let outcome: BatchOutcome;
      try {
        outcome = interpretBatchResponse(await invoke(toSqsEvent(queue, batch)), ids, options.reportBatchItemFailures);
      } catch (error) {
        outcome = { kind: 'failed', reason: error instanceof Error ? error.message : String(error) };
      }
      if (outcome.kind === 'failed') {
        log(`sqs: ${queue.name}: batch of ${batch.length} failed, retried after the visibility timeout: ${outcome.reason}`);
        return;
      }
      const failed = outcome.kind === 'partial' ? outcome.failedMessageIds : new Set<string>();
      if (failed.size > 0) log(`sqs: ${queue.name}: ${failed.size} of ${batch.length} messages reported as failed`);
      for (const message of batch) {
        if (!failed.has(message.messageId)) queue.deleteMessage(message.receiptHandle);
      }
    } finally {
      batchesInFlight--;
      checkIdle();
    }
  };

  const poll = async () => {
    while (running) {
      let batch = queue.receive(options.batchSize);
      if (batch.length === 0) {
        await waitForWork();
        continue;
      }
      const windowEnds = Date.now() + options.maximumBatchingWindowMs;
      while (running && batch.length < options.batchSize && Date.now() < windowEnds) {
        await waitForWork(windowEnds);
        batch = batch.concat(queue.receive(options.batchSize - batch.length));
      }
      // Even after stop: these messages are already in flight, so they are processed, not stranded.
      await processBatch(batch);
    }
  };

  const pollers = Array.from({ length: concurrency }, () =>
    poll().catch((error: unknown) => log(`sqs: ${queue.name}: poller crashed: ${error instanceof Error ? error.stack : String(error)}`)),
  );

  return {
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
    async stop() {
      running = false;
      for (const wake of [...wakeOnStop]) wake();
      await Promise.all(pollers);
      stopWatchingQueue();
    },
  };
}

/** Bounds from the Lambda CreateEventSourceMapping API, checked up front with the prop to fix. */
function checkOptions(queue: LocalQueue, options: EventSourceMappingOptions, concurrency: number): void {
  const where = `attachLambda(${queue.name})`;
  if (!(Number.isInteger(options.batchSize) && options.batchSize >= 1 && options.batchSize <= 10_000)) {
    throw new Error(`${where}: batchSize must be an integer from 1 to 10000, got ${options.batchSize}`);
  }
  if (!(options.maximumBatchingWindowMs >= 0 && options.maximumBatchingWindowMs <= 300_000)) {
    throw new Error(`${where}: maximumBatchingWindowMs must be from 0 to 300000, got ${options.maximumBatchingWindowMs}`);
  }
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new Error(`${where}: maximumConcurrency must be a positive integer, got ${concurrency}`);
  }
}
