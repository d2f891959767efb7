import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createEventBridgeService } from '../../../local/eventbridge/service';
import { attachLambda } from '../../../local/sqs/event-source-mapping';
import { createQueue } from '../../../local/sqs/queue';

// The KPI path as the template wires it: PutEvents (real SDK, real HTTP) → rule → SQS
// queue with a DLQ → event-source mapping with ReportBatchItemFailures → function.

describe('EventBridge → SQS → Lambda', () => {
  it('carries domain events to the batch function and dead-letters the one it keeps failing', async () => {
    const dlq = createQueue({ name: 'kpi-dlq', arn: 'arn:aws:sqs:us-east-1:123456789012:kpi-dlq', visibilityTimeoutMs: 1_000 });
    const queue = createQueue({
      name: 'kpi',
      arn: 'arn:aws:sqs:us-east-1:123456789012:kpi',
      // Longer than the batching window, as AWS advises, or messages come back while a batch fills.
      visibilityTimeoutMs: 200,
      deadLetter: { queue: dlq, maxReceiveCount: 2 },
    });
    const service = createEventBridgeService({
      buses: ['posventa'],
      clock: { now: () => new Date('2026-01-01T00:00:00Z') },
      region: 'us-east-1',
      accountId: '123456789012',
      log: () => {},
      rules: [
        {
          name: 'DomainEventsToKpi',
          eventBusName: 'posventa',
          eventPattern: { source: ['posventa'], 'detail-type': [{ prefix: 'Message ' }] },
          targets: [{ id: 'KpiQueue', deliver: async (event) => void queue.send(JSON.stringify(event)) }],
        },
      ],
    });
    const processed: string[] = [];
    const mapping = attachLambda(
      queue,
      { batchSize: 10, maximumBatchingWindowMs: 20, reportBatchItemFailures: true, log: () => {} },
      async (event: SQSEvent): Promise<SQSBatchResponse> => {
        const failures = [];
        for (const record of event.Records) {
          const envelope = JSON.parse(record.body) as { 'detail-type': string; detail: { messageId: string } };
          if (envelope.detail.messageId === 'poison') failures.push({ itemIdentifier: record.messageId });
          else processed.push(`${envelope['detail-type']}:${envelope.detail.messageId}`);
        }
        return { batchItemFailures: failures };
      },
    );

    const server = createServer(service.listener).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = new EventBridgeClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      const entry = (detailType: string, messageId: string) => ({
        EventBusName: 'posventa',
        Source: 'posventa',
        DetailType: detailType,
        Detail: JSON.stringify({ messageId }),
      });
      const response = await client.send(
        new PutEventsCommand({
          Entries: [
            entry('Message Sent', 'm1'),
            entry('Message Delivered', 'm1'),
            entry('Reply Received', 'm1'),
            entry('Message Read', 'poison'),
          ],
        }),
      );
      expect(response.FailedEntryCount).toBe(0);

      await service.idle();
      await Promise.race([
        mapping.idle(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('queue never drained')), 3_000)),
      ]);

      expect(processed.sort()).toEqual(['Message Delivered:m1', 'Message Sent:m1']);
      const deadLetters = dlq.messages();
      expect(deadLetters).toHaveLength(1);
      expect(JSON.parse(deadLetters[0]!.body)).toMatchObject({ source: 'posventa', detail: { messageId: 'poison' } });
    } finally {
      client.destroy();
      await mapping.stop();
      await service.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
