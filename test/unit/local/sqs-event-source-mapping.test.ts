import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { attachLambda, type EventSourceMapping, type EventSourceMappingOptions } from '../../../local/sqs/event-source-mapping';
import { createQueue, type LocalQueue } from '../../../local/sqs/queue';

const ARN = 'arn:aws:sqs:us-east-1:123456789012:kpi-events';
const DLQ_ARN = 'arn:aws:sqs:us-east-1:123456789012:kpi-events-dlq';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fails the test instead of hanging when a promise never settles. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`${what} did not happen within ${ms} ms`)))]);
}

const mappings: EventSourceMapping[] = [];
afterEach(async () => {
  await Promise.all(mappings.splice(0).map((mapping) => mapping.stop()));
});

function attach(
  queue: LocalQueue,
  options: Partial<EventSourceMappingOptions>,
  invoke: (event: SQSEvent) => Promise<unknown>,
): EventSourceMapping {
  const mapping = attachLambda(
    queue,
    { batchSize: 10, maximumBatchingWindowMs: 0, reportBatchItemFailures: true, maximumConcurrency: 1, log: () => {}, ...options },
    invoke,
  );
  mappings.push(mapping);
  return mapping;
}

function queueWithDlq(maxReceiveCount = 3, visibilityTimeoutMs = 30) {
  const dlq = createQueue({ name: 'kpi-events-dlq', arn: DLQ_ARN, visibilityTimeoutMs: 1_000 });
  const queue = createQueue({ name: 'kpi-events', arn: ARN, visibilityTimeoutMs, deadLetter: { queue: dlq, maxReceiveCount } });
  return { queue, dlq };
}

describe('attachLambda: the event', () => {
  it('builds the Lambda SQS event record for record', async () => {
    const queue = createQueue({
      name: 'kpi-events',
      arn: ARN,
      visibilityTimeoutMs: 1_000,
      clock: { now: () => new Date('2026-01-01T00:00:00.000Z') },
    });
    const events: SQSEvent[] = [];
    const mapping = attach(queue, {}, async (event) => {
      events.push(event);
    });
    const id = queue.send('Test message.', {
      messageAttributes: { myAttribute: { dataType: 'String', stringValue: 'myValue' } },
      senderId: 'AIDAIENQZJOLO23YVJ4VO',
    });
    await within(mapping.idle(), 2_000, 'idle');

    expect(events).toHaveLength(1);
    const record = events[0]!.Records[0]!;
    expect(record).toEqual({
      messageId: id,
      receiptHandle: expect.any(String),
      body: 'Test message.',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1767225600000',
        SenderId: 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: '1767225600000',
      },
      messageAttributes: { myAttribute: { stringValue: 'myValue', stringListValues: [], binaryListValues: [], dataType: 'String' } },
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
      eventSource: 'aws:sqs',
      eventSourceARN: ARN,
      awsRegion: 'us-east-1',
    });
    expect(queue.depth()).toBe(0);
  });
});

describe('attachLambda: batching', () => {
  it('splits a backlog into batches of at most batchSize', async () => {
    const queue = createQueue({ name: 'kpi-events', arn: ARN, visibilityTimeoutMs: 1_000 });
    for (const body of ['a', 'b', 'c', 'd', 'e']) queue.send(body);
    const batches: string[][] = [];
    const mapping = attach(queue, { batchSize: 2 }, async (event) => {
      batches.push(event.Records.map((record) => record.body));
    });
    await within(mapping.idle(), 2_000, 'idle');
    expect(batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('waits up to the batching window to fill a batch', async () => {
    const queue = createQueue({ name: 'kpi-events', arn: ARN, visibilityTimeoutMs: 5_000 });
    const batches: string[][] = [];
    const mapping = attach(queue, { batchSize: 10, maximumBatchingWindowMs: 300 }, async (event) => {
      batches.push(event.Records.map((record) => record.body));
    });
    queue.send('first');
    await sleep(50);
    queue.send('second');
    queue.send('third');
    await within(mapping.idle(), 2_000, 'idle');
    expect(batches).toEqual([['first', 'second', 'third']]);
  });

  it('invokes as soon as the batch is full, without waiting out the window', async () => {
    const queue = createQueue({ name: 'kpi-events', arn: ARN, visibilityTimeoutMs: 120_000 });
    let invokedAfterMs: number | undefined;
    const started = Date.now();
    const mapping = attach(queue, { batchSize: 3, maximumBatchingWindowMs: 60_000 }, async () => {
      invokedAfterMs = Date.now() - started;
    });
    for (const body of ['a', 'b', 'c']) queue.send(body);
    await within(mapping.idle(), 2_000, 'idle');
    expect(invokedAfterMs).toBeLessThan(1_000);
  });

  it('runs up to maximumConcurrency batches at once', async () => {
    const queue = createQueue({ name: 'kpi-events', arn: ARN, visibilityTimeoutMs: 5_000 });
    let running = 0;
    let mostAtOnce = 0;
    const mapping = attach(queue, { batchSize: 1, maximumConcurrency: 3 }, async () => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      await sleep(30);
      running--;
    });
    for (let i = 0; i < 6; i++) queue.send(`m${i}`);
    await within(mapping.idle(), 2_000, 'idle');
    expect(mostAtOnce).toBe(3);
  });
});

describe('attachLambda: failures', () => {
  it('with ReportBatchItemFailures, retries only the reported messages after the visibility timeout', async () => {
    const { queue } = queueWithDlq();
    const deliveries: Array<[string, string]> = [];
    const mapping = attach(queue, {}, async (event): Promise<SQSBatchResponse> => {
      for (const record of event.Records) deliveries.push([record.body, record.attributes.ApproximateReceiveCount]);
      const failOnce = event.Records.filter((record) => record.body === 'b' && record.attributes.ApproximateReceiveCount === '1');
      return { batchItemFailures: failOnce.map((record) => ({ itemIdentifier: record.messageId })) };
    });
    for (const body of ['a', 'b', 'c']) queue.send(body);
    await within(mapping.idle(), 2_000, 'idle');
    expect(deliveries).toEqual([
      ['a', '1'],
      ['b', '1'],
      ['c', '1'],
      ['b', '2'],
    ]);
  });

  it('returns the whole batch when the function throws', async () => {
    const { queue } = queueWithDlq();
    const attempts: string[][] = [];
    const mapping = attach(queue, {}, async (event) => {
      attempts.push(event.Records.map((record) => `${record.body}#${record.attributes.ApproximateReceiveCount}`));
      if (attempts.length === 1) throw new Error('DynamoDB unavailable');
    });
    queue.send('a');
    queue.send('b');
    await within(mapping.idle(), 2_000, 'idle');
    expect(attempts).toEqual([
      ['a#1', 'b#1'],
      ['a#2', 'b#2'],
    ]);
  });

  it('fails the whole batch when the response names a message not in the batch', async () => {
    const { queue } = queueWithDlq();
    let invocations = 0;
    const mapping = attach(queue, {}, async () => {
      invocations++;
      return invocations === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-a-message-id' }] } : undefined;
    });
    queue.send('a');
    queue.send('b');
    await within(mapping.idle(), 2_000, 'idle');
    expect(invocations).toBe(2);
  });

  it('without ReportBatchItemFailures, a returned failure list is ignored and the batch deleted', async () => {
    const { queue } = queueWithDlq();
    let invocations = 0;
    const mapping = attach(queue, { reportBatchItemFailures: false }, async (event) => {
      invocations++;
      return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
    });
    queue.send('a');
    await within(mapping.idle(), 2_000, 'idle');
    await sleep(60);
    expect(invocations).toBe(1);
  });

  it('moves a message that keeps failing to the DLQ after maxReceiveCount receives', async () => {
    const { queue, dlq } = queueWithDlq(3);
    const seen: string[] = [];
    const mapping = attach(queue, {}, async (event): Promise<SQSBatchResponse> => {
      const poison = event.Records.filter((record) => record.body === 'poison');
      for (const record of poison) seen.push(record.attributes.ApproximateReceiveCount);
      return { batchItemFailures: poison.map((record) => ({ itemIdentifier: record.messageId })) };
    });
    const poisonId = queue.send('poison');
    queue.send('fine');
    await within(mapping.idle(), 2_000, 'idle');

    expect(seen).toEqual(['1', '2', '3']);
    expect(queue.depth()).toBe(0);
    expect(dlq.messages()).toEqual([
      expect.objectContaining({ messageId: poisonId, body: 'poison', deadLetterQueueSourceArn: ARN, receiveCount: 3 }),
    ]);
  });
});

describe('attachLambda: lifecycle', () => {
  it('stops polling on stop()', async () => {
    const queue = createQueue({ name: 'kpi-events', arn: ARN, visibilityTimeoutMs: 1_000 });
    let invocations = 0;
    const mapping = attach(queue, {}, async () => {
      invocations++;
    });
    await mapping.stop();
    queue.send('after stop');
    await sleep(30);
    expect(invocations).toBe(0);
    expect(queue.depth()).toBe(1);
  });

  it('finishes a batch in progress before stop() resolves', async () => {
    const queue = createQueue({ name: 'kpi-events', arn: ARN, visibilityTimeoutMs: 1_000 });
    let finished = false;
    const mapping = attach(queue, {}, async () => {
      await sleep(50);
      finished = true;
    });
    queue.send('slow');
    await sleep(10);
    await mapping.stop();
    expect(finished).toBe(true);
    expect(queue.depth()).toBe(0);
  });

  it('rejects options outside the Lambda limits, naming the option', () => {
    const queue = createQueue({ name: 'kpi-events', arn: ARN, visibilityTimeoutMs: 1_000 });
    const base = { batchSize: 10, maximumBatchingWindowMs: 0, reportBatchItemFailures: true };
    expect(() => attachLambda(queue, { ...base, batchSize: 0 }, async () => {})).toThrow(/batchSize/);
    expect(() => attachLambda(queue, { ...base, maximumBatchingWindowMs: 300_001 }, async () => {})).toThrow(/maximumBatchingWindowMs/);
    expect(() => attachLambda(queue, { ...base, maximumConcurrency: 0 }, async () => {})).toThrow(/maximumConcurrency/);
  });
});
