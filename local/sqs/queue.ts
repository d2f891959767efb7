import { randomUUID } from 'node:crypto';
import type { SQSMessageAttributes, SQSRecordAttributes } from 'aws-lambda';
import { systemClock, type Clock } from '#shared/clock';
import { md5OfBody, md5OfMessageAttributes } from './md5';

/**
 * An in-memory standard SQS queue: enough of SQS for EventBridge → SQS → Lambda.
 * Messages received stay in flight for the visibility timeout, then become visible
 * again unless deleted with the latest receipt handle; a message received more than
 * `maxReceiveCount` times moves to the dead-letter queue on its next receive, as SQS does.
 */

export interface DeadLetterPolicy {
  readonly queue: LocalQueue;
  /** Receives allowed before the next receive moves the message to `queue` instead. */
  readonly maxReceiveCount: number;
}

export interface QueueOptions {
  readonly name: string;
  /** arn:aws:sqs:<region>:<account>:<name>; Lambda events carry it and its region. */
  readonly arn: string;
  /** Real milliseconds a received message stays hidden (not the virtual clock: it paces pollers). */
  readonly visibilityTimeoutMs: number;
  readonly deadLetter?: DeadLetterPolicy;
  /** Stamps SentTimestamp and ApproximateFirstReceiveTimestamp. @default systemClock */
  readonly clock?: Clock;
}

export interface SendOptions {
  readonly messageAttributes?: SQSMessageAttributes;
  /** Principal that sent the message. @default the account id in the queue ARN */
  readonly senderId?: string;
}

/** A message as a consumer receives it: the fields of a Lambda SQS record that SQS owns. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: SQSRecordAttributes;
  readonly messageAttributes: SQSMessageAttributes;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
}

/** A read-only look at a stored message, e.g. to inspect a dead-letter queue. */
export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: SQSMessageAttributes;
  readonly sentTimestamp: number;
  readonly receiveCount: number;
  readonly inFlight: boolean;
  /** Set on messages a redrive policy moved here. */
  readonly deadLetterQueueSourceArn?: string;
}

export interface LocalQueue {
  readonly name: string;
  readonly arn: string;
  readonly region: string;
  readonly visibilityTimeoutMs: number;
  /** SendMessage; returns the message id. */
  send(body: string, options?: SendOptions): string;
  /** ReceiveMessage: up to `maxMessages` visible messages, now in flight. */
  receive(maxMessages: number): ReceivedMessage[];
  /** DeleteMessage; false (and nothing deleted) when the handle is not the latest one. */
  deleteMessage(receiptHandle: string): boolean;
  /** Messages stored, visible and in flight, oldest first. */
  messages(): QueueMessage[];
  /** Visible plus in-flight messages. */
  depth(): number;
  /** Real time (ms) when a message is or will next be visible; undefined when the queue is empty. */
  nextVisibleAt(): number | undefined;
  /** Called after every send, receive, delete and redrive; returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: SQSMessageAttributes;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes: string | undefined;
  readonly senderId: string;
  readonly sentTimestamp: number;
  firstReceiveTimestamp: number | undefined;
  receiveCount: number;
  visibleAtMs: number;
  receiptHandle: string | undefined;
  deadLetterQueueSourceArn: string | undefined;
}

/** Lets a source queue hand a message to its dead-letter queue without a public "inject" method. */
const redriveInto = new WeakMap<LocalQueue, (message: StoredMessage, sourceArn: string) => void>();

export function createQueue(options: QueueOptions): LocalQueue {
  const arn = /^arn:[^:]+:sqs:([^:]+):([^:]+):([^:]+)$/.exec(options.arn);
  if (!arn) throw new Error(`createQueue(${options.name}): arn must look like arn:aws:sqs:<region>:<account>:<name>, got ${options.arn}`);
  const [, region, accountId] = arn as unknown as [string, string, string];
  if (!(options.visibilityTimeoutMs >= 0)) throw new Error(`createQueue(${options.name}): visibilityTimeoutMs must be >= 0`);
  const deadLetter = options.deadLetter;
  if (deadLetter && !(Number.isInteger(deadLetter.maxReceiveCount) && deadLetter.maxReceiveCount >= 1)) {
    throw new Error(`createQueue(${options.name}): deadLetter.maxReceiveCount must be an integer >= 1`);
  }
  const clock = options.clock ?? systemClock;
  let stored: StoredMessage[] = [];
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of [...listeners]) listener();
  };

  const queue: LocalQueue = {
    name: options.name,
    arn: options.arn,
    region,
    visibilityTimeoutMs: options.visibilityTimeoutMs,
    send(body, sendOptions = {}) {
      const messageAttributes = sendOptions.messageAttributes ?? {};
      const message: StoredMessage = {
        messageId: randomUUID(),
        body,
        messageAttributes,
        md5OfBody: md5OfBody(body),
        md5OfMessageAttributes: md5OfMessageAttributes(messageAttributes),
        senderId: sendOptions.senderId ?? accountId,
        sentTimestamp: clock.now().getTime(),
        firstReceiveTimestamp: undefined,
        receiveCount: 0,
        visibleAtMs: 0,
        receiptHandle: undefined,
        deadLetterQueueSourceArn: undefined,
      };
      stored.push(message);
      changed();
      return message.messageId;
    },
    receive(maxMessages) {
      const now = Date.now();
      const received: ReceivedMessage[] = [];
      const redriven: StoredMessage[] = [];
      for (const message of stored) {
        if (received.length >= maxMessages) break;
        if (message.visibleAtMs > now) continue;
        if (deadLetter && message.receiveCount >= deadLetter.maxReceiveCount) {
          redriven.push(message);
          continue;
        }
        message.receiveCount++;
        message.firstReceiveTimestamp ??= clock.now().getTime();
        message.visibleAtMs = now + options.visibilityTimeoutMs;
        message.receiptHandle = Buffer.from(`${message.messageId}:${randomUUID()}`).toString('base64');
        received.push(toReceived(message));
      }
      if (deadLetter && redriven.length > 0) {
        stored = stored.filter((message) => !redriven.includes(message));
        const into = redriveInto.get(deadLetter.queue);
        if (!into) throw new Error(`createQueue(${options.name}): the dead-letter queue was not made by createQueue`);
        for (const message of redriven) into(message, options.arn);
      }
      if (received.length > 0 || redriven.length > 0) changed();
      return received;
    },
    deleteMessage(receiptHandle) {
      const index = stored.findIndex((message) => message.receiptHandle === receiptHandle);
      if (index < 0) return false;
      stored.splice(index, 1);
      changed();
      return true;
    },
    messages() {
      const now = Date.now();
      return stored.map((message) => ({
        messageId: message.messageId,
        body: message.body,
        messageAttributes: message.messageAttributes,
        sentTimestamp: message.sentTimestamp,
        receiveCount: message.receiveCount,
        inFlight: message.visibleAtMs > now,
        ...(message.deadLetterQueueSourceArn !== undefined && { deadLetterQueueSourceArn: message.deadLetterQueueSourceArn }),
      }));
    },
    depth: () => stored.length,
    nextVisibleAt() {
      if (stored.length === 0) return undefined;
      return Math.min(...stored.map((message) => message.visibleAtMs));
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  redriveInto.set(queue, (message, sourceArn) => {
    // SQS keeps the message id, body, attributes and sent time; the receipt handle dies.
    stored.push({ ...message, visibleAtMs: 0, receiptHandle: undefined, deadLetterQueueSourceArn: sourceArn });
    changed();
  });
  return queue;
}

function toReceived(message: StoredMessage): ReceivedMessage {
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentTimestamp),
    SenderId: message.senderId,
    ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp),
    ...(message.deadLetterQueueSourceArn !== undefined && { DeadLetterQueueSourceArn: message.deadLetterQueueSourceArn }),
  };
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle as string,
    body: message.body,
    attributes,
    messageAttributes: message.messageAttributes,
    md5OfBody: message.md5OfBody,
    ...(message.md5OfMessageAttributes !== undefined && { md5OfMessageAttributes: message.md5OfMessageAttributes }),
  };
}
