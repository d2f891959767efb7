import type { LocalQueue } from '../sqs/queue';
import type { UsageMeter } from './usage';

/** The queue as Lambda's poller uses it, counting the receives and deletes SQS would bill. */
export function meteredQueue(queue: LocalQueue, meter: UsageMeter): LocalQueue {
  return {
    ...queue,
    receive(maxMessages) {
      const received = queue.receive(maxMessages);
      meter.sqsReceived(received.length);
      return received;
    },
    deleteMessage(receiptHandle) {
      const deleted = queue.deleteMessage(receiptHandle);
      if (deleted) meter.sqsDeleted(1);
      return deleted;
    },
  };
}
