import { domainEventTypeOf, messageEventDetailSchema } from '../events/domain';
import { parseWith } from '../validation';
import { countedEvent, type CountedEvent } from './aggregation';

export interface QueuedRecord {
  messageId: string;
  body: string;
}

export interface ReadBatch {
  /** Events to count, with the queue messages that carried each one. */
  counted: Array<{ event: CountedEvent; messageId: string }>;
  /** Messages that cannot be read: they go back to the queue and, in the end, to its DLQ. */
  unreadable: Array<{ messageId: string; reason: string }>;
}

/** Reads EventBridge events delivered through SQS into the counter increments they stand for. */
export function readQueuedEvents(records: readonly QueuedRecord[], timeZone: string): ReadBatch {
  const batch: ReadBatch = { counted: [], unreadable: [] };
  for (const record of records) {
    let envelope: unknown;
    try {
      envelope = JSON.parse(record.body);
    } catch {
      batch.unreadable.push({ messageId: record.messageId, reason: 'body is not JSON' });
      continue;
    }
    if (typeof envelope !== 'object' || envelope === null) {
      batch.unreadable.push({ messageId: record.messageId, reason: 'body is not an EventBridge event object' });
      continue;
    }
    const { 'detail-type': detailType, detail: rawDetail } = envelope as Record<string, unknown>;
    const type = domainEventTypeOf(detailType);
    if (type === undefined) continue; // a domain event no counter tracks yet
    const detail = parseWith(messageEventDetailSchema, rawDetail);
    if (!detail.ok) {
      batch.unreadable.push({ messageId: record.messageId, reason: detail.reason });
      continue;
    }
    const event = countedEvent(type, detail.value, timeZone);
    if (event !== undefined) batch.counted.push({ event, messageId: record.messageId });
  }
  return batch;
}
