import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { LocalQueue, ReceivedMessage } from './queue';

/** The event Lambda's SQS event-source mapping passes to the function, record for record. */
export function toSqsEvent(queue: LocalQueue, messages: readonly ReceivedMessage[]): SQSEvent {
  return { Records: messages.map((message) => toRecord(queue, message)) };
}

function toRecord(queue: LocalQueue, message: ReceivedMessage): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: message.attributes,
    messageAttributes: lambdaMessageAttributes(message.messageAttributes),
    ...(message.md5OfMessageAttributes !== undefined && { md5OfMessageAttributes: message.md5OfMessageAttributes }),
    md5OfBody: message.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: queue.region,
  };
}

/** Lambda always fills the reserved list fields with empty arrays. */
function lambdaMessageAttributes(attributes: SQSMessageAttributes): SQSMessageAttributes {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, attribute]) => [
      name,
      {
        ...(attribute.stringValue !== undefined && { stringValue: attribute.stringValue }),
        ...(attribute.binaryValue !== undefined && { binaryValue: attribute.binaryValue }),
        stringListValues: attribute.stringListValues ?? [],
        binaryListValues: attribute.binaryListValues ?? [],
        dataType: attribute.dataType,
      },
    ]),
  );
}
