import { randomUUID } from 'node:crypto';
import type { RunningFunction } from './runtime';

export interface AsyncInvokeOptions {
  /** MaximumRetryAttempts of the function's EventInvokeConfig (Lambda's default is 2). */
  maximumRetryAttempts: number;
  /** Real ms between attempts; Lambda waits minutes, which a local run need not copy. */
  retryDelaysMs?: readonly number[];
  /** OnFailure destination: receives Lambda's failure record once retries are exhausted. */
  onFailure?: (record: string) => void;
  log?: (line: string) => void;
}

/**
 * Lambda's asynchronous invocation, as EventBridge uses it: retries on error, then the
 * failure record (request, error type and message) goes to the on-failure destination.
 */
export function asyncInvoker(fn: RunningFunction, options: AsyncInvokeOptions): (event: unknown) => Promise<void> {
  const delays = options.retryDelaysMs ?? [200, 1000];
  return async (event) => {
    const requestId = randomUUID();
    let attempt = 0;
    for (;;) {
      attempt += 1;
      try {
        await fn.invoke(event);
        return;
      } catch (error) {
        const failure = error as Error;
        if (attempt <= options.maximumRetryAttempts) {
          await new Promise((resolve) => setTimeout(resolve, delays[Math.min(attempt - 1, delays.length - 1)]));
          continue;
        }
        options.log?.(`${fn.definition.name} failed ${attempt} time(s), giving up: ${failure.name}: ${failure.message}`);
        options.onFailure?.(
          JSON.stringify({
            version: '1.0',
            timestamp: new Date().toISOString(),
            requestContext: { requestId, functionArn: `${fn.definition.arn}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: attempt },
            requestPayload: event,
            responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
            responsePayload: { errorType: failure.name, errorMessage: failure.message, trace: [] },
          }),
        );
        return;
      }
    }
  };
}
