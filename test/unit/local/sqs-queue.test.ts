import { describe, expect, it } from 'vitest';
import { md5OfBody, md5OfMessageAttributes } from '../../../local/sqs/md5';
import { createQueue } from '../../../local/sqs/queue';

const ARN = 'arn:aws:sqs:us-east-1:123456789012:kpi-events';
const fixedClock = { now: () => new Date('2026-01-01T00:00:00.000Z') };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SQS checksums', () => {
  it('md5OfBody is the MD5 of the body (the Lambda guide sample event)', () => {
    expect(md5OfBody('Test message.')).toBe('e4e68fb7bd0e697a0ae8f1bb342846b3');
  });

  it('md5OfMessageAttributes follows the SQS encoding (vector checked against the Go SDK)', () => {
    expect(
      md5OfMessageAttributes({
        ordinal: { dataType: 'Number', stringValue: '1' },
        category: { dataType: 'String', stringValue: 'test' },
      }),
    ).toBe('d21ae90c49061e927f57df5f5d72be1f');
    expect(md5OfMessageAttributes({})).toBeUndefined();
  });
});

describe('createQueue', () => {
  it('rejects an ARN that is not an SQS queue ARN', () => {
    expect(() => createQueue({ name: 'q', arn: 'arn:aws:sns:us-east-1:1:q', visibilityTimeoutMs: 10 })).toThrow(/arn must look like/);
  });

  it('receives visible messages oldest first and hides them for the visibility timeout', async () => {
    const queue = createQueue({ name: 'kpi-events', arn: ARN, visibilityTimeoutMs: 40, clock: fixedClock });
    const first = queue.send('one');
    queue.send('two');

    const received = queue.receive(1);
    expect(received.map((message) => message.body)).toEqual(['one']);
    expect(received[0]).toMatchObject({
      messageId: first,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.parse('2026-01-01T00:00:00.000Z')),
        ApproximateFirstReceiveTimestamp: String(Date.parse('2026-01-01T00:00:00.000Z')),
        SenderId: '123456789012',
      },
    });
    expect(queue.receive(10).map((message) => message.body)).toEqual(['two']);
    expect(queue.receive(10)).toEqual([]);
    expect(queue.depth()).toBe(2);
    expect(queue.messages().every((message) => message.inFlight)).toBe(true);

    await sleep(60);
    const again = queue.receive(10);
    expect(again.map((message) => [message.body, message.attributes.ApproximateReceiveCount])).toEqual([
      ['one', '2'],
      ['two', '2'],
    ]);
  });

  it('deletes only with the latest receipt handle', async () => {
    const queue = createQueue({ name: 'kpi-events', arn: ARN, visibilityTimeoutMs: 10 });
    queue.send('one');
    const stale = queue.receive(1)[0]!.receiptHandle;
    await sleep(20);
    const latest = queue.receive(1)[0]!.receiptHandle;
    expect(queue.deleteMessage(stale)).toBe(false);
    expect(queue.depth()).toBe(1);
    expect(queue.deleteMessage(latest)).toBe(true);
    expect(queue.depth()).toBe(0);
  });

  it('moves a message to the dead-letter queue on the receive after maxReceiveCount', async () => {
    const dlq = createQueue({ name: 'kpi-dlq', arn: 'arn:aws:sqs:us-east-1:123456789012:kpi-dlq', visibilityTimeoutMs: 10 });
    const queue = createQueue({ name: 'kpi-events', arn: ARN, visibilityTimeoutMs: 10, deadLetter: { queue: dlq, maxReceiveCount: 2 } });
    const id = queue.send('poison', { messageAttributes: { reason: { dataType: 'String', stringValue: 'x' } } });

    expect(queue.receive(1)).toHaveLength(1);
    await sleep(20);
    expect(queue.receive(1)).toHaveLength(1);
    await sleep(20);
    expect(queue.receive(1)).toEqual([]);

    expect(queue.depth()).toBe(0);
    expect(dlq.messages()).toEqual([
      expect.objectContaining({
        messageId: id,
        body: 'poison',
        messageAttributes: { reason: { dataType: 'String', stringValue: 'x' } },
        deadLetterQueueSourceArn: ARN,
        inFlight: false,
      }),
    ]);
    expect(dlq.receive(1)[0]?.attributes.DeadLetterQueueSourceArn).toBe(ARN);
  });

  it('tells listeners about changes and when the next message becomes visible', () => {
    const queue = createQueue({ name: 'kpi-events', arn: ARN, visibilityTimeoutMs: 1_000 });
    let changes = 0;
    const unsubscribe = queue.onChange(() => changes++);
    expect(queue.nextVisibleAt()).toBeUndefined();
    queue.send('one');
    expect(queue.nextVisibleAt()).toBeLessThanOrEqual(Date.now());
    const [message] = queue.receive(1);
    expect(queue.nextVisibleAt()).toBeGreaterThan(Date.now() + 500);
    queue.deleteMessage(message!.receiptHandle);
    unsubscribe();
    queue.send('two');
    expect(changes).toBe(3);
  });
});
