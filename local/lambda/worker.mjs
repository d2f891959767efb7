// One Lambda "container": imports a function's bundle once and runs invocations sent by the
// local stack. Plain JavaScript, because the bundle it loads is plain JavaScript too.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const { bundlePath, exportName, functionName, timeoutMs, memoryMb } = workerData;
const module = await import(pathToFileURL(bundlePath).href);
const handler = module[exportName];
if (typeof handler !== 'function') throw new Error(`${bundlePath} exports no function "${exportName}"`);

parentPort.on('message', async ({ id, event, requestId }) => {
  const deadline = Date.now() + timeoutMs;
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: process.env.POSVENTA_LOCAL_FUNCTION_ARN,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  const started = performance.now();
  try {
    const result = await handler(event, context);
    parentPort.postMessage({ id, result: result === undefined ? null : result, durationMs: performance.now() - started });
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({ id, error: { name: failure.name, message: failure.message, stack: failure.stack }, durationMs: performance.now() - started });
  }
});
parentPort.postMessage({ ready: true });
