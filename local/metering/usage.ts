/**
 * What a run of the local stack used, counted where AWS would bill it: each stand-in reports
 * its own calls (the Lambda runtime, the Step Functions engine, a proxy in front of DynamoDB
 * Local, the bus, the queues, the HTTP front door). Prices are applied elsewhere (bench/).
 */
export interface FunctionUsage {
  invocations: number;
  /** Sum of handler durations (ms), each rounded up to 1 ms as Lambda bills. */
  billedMs: number;
  /** Memory configured in the template. */
  memoryMb: number;
}

export interface Usage {
  /** Per function (template logical id). */
  lambda: Record<string, FunctionUsage>;
  /** Step Functions standard: every state entered, retries included. */
  stateTransitions: number;
  dynamodb: {
    /** Requests per operation (GetItem, TransactWriteItems…). */
    requests: Record<string, number>;
    /** Read / write request units, from DynamoDB Local's ConsumedCapacity (see dynamodb-proxy.ts). */
    readUnits: number;
    writeUnits: number;
  };
  /** PutEvents entries accepted, in 64 KB units as EventBridge bills. */
  eventBridgeEvents: number;
  /** HTTP API requests that reached a route, in 512 KB units. */
  apiRequests: number;
  sqs: {
    /** SendMessage calls (EventBridge → queue targets), in 64 KB units. */
    sent: number;
    /** ReceiveMessage calls an SQS poller needs for what was received (≤ 10 messages per call). */
    receiveCalls: number;
    /** Messages deleted after processing; Lambda's poller deletes them in DeleteMessageBatch calls of ≤ 10. */
    deletedMessages: number;
  };
}

export interface UsageMeter {
  readonly usage: Usage;
  lambdaInvoked(functionName: string, memoryMb: number, durationMs: number): void;
  stateEntered(): void;
  dynamoDbRequest(operation: string, readUnits: number, writeUnits: number): void;
  eventsPut(sizesBytes: readonly number[]): void;
  apiRequest(bytes: number): void;
  sqsSent(bytes: number): void;
  sqsReceived(messages: number): void;
  sqsDeleted(messages: number): void;
}

const KB = 1024;
const units = (bytes: number, unitKb: number) => Math.max(1, Math.ceil(bytes / (unitKb * KB)));

export function createUsageMeter(): UsageMeter {
  const usage: Usage = {
    lambda: {},
    stateTransitions: 0,
    dynamodb: { requests: {}, readUnits: 0, writeUnits: 0 },
    eventBridgeEvents: 0,
    apiRequests: 0,
    sqs: { sent: 0, receiveCalls: 0, deletedMessages: 0 },
  };
  return {
    usage,
    lambdaInvoked(functionName, memoryMb, durationMs) {
      const fn = (usage.lambda[functionName] ??= { invocations: 0, billedMs: 0, memoryMb });
      fn.invocations += 1;
      fn.billedMs += Math.max(1, Math.ceil(durationMs));
    },
    stateEntered() {
      usage.stateTransitions += 1;
    },
    dynamoDbRequest(operation, readUnits, writeUnits) {
      usage.dynamodb.requests[operation] = (usage.dynamodb.requests[operation] ?? 0) + 1;
      usage.dynamodb.readUnits += readUnits;
      usage.dynamodb.writeUnits += writeUnits;
    },
    eventsPut(sizes) {
      for (const size of sizes) usage.eventBridgeEvents += units(size, 64);
    },
    apiRequest(bytes) {
      usage.apiRequests += units(bytes, 512);
    },
    sqsSent(bytes) {
      usage.sqs.sent += units(bytes, 64);
    },
    sqsReceived(messages) {
      if (messages > 0) usage.sqs.receiveCalls += Math.ceil(messages / 10);
    },
    sqsDeleted(messages) {
      usage.sqs.deletedMessages += messages;
    },
  };
}
