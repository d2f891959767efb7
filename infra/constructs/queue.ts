import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption, type DeadLetterQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { pinLogicalId } from './logical-id';

export interface PosventaQueueProps {
  /**
   * What ends up in this queue when it is a dead-letter queue of something that is not an
   * SQS queue (an EventBridge target, a Lambda async-invoke failure destination): cdk-nag
   * only recognises queue-to-queue redrive, so this is the written reason it has none.
   *
   * @default - not a dead-letter queue of a non-SQS source
   */
  readonly deadLetterQueueOf?: string;

  /**
   * Where messages go after `maxReceiveCount` failed receives.
   *
   * @default - none (the queue is itself a dead-letter queue)
   */
  readonly deadLetterQueue?: DeadLetterQueue;

  /**
   * Must be at least the consuming function's timeout (AWS recommends six times it).
   *
   * @default Duration.seconds(30)
   */
  readonly visibilityTimeout?: Duration;

  /**
   * @default Duration.days(14) - the maximum, so a failure found after a holiday can still be redriven
   */
  readonly retentionPeriod?: Duration;
}

/**
 * An SQS queue with Posventa's defaults: SQS-managed encryption at rest (usable by EventBridge
 * and Lambda destinations without a customer key), SSL-only access, and a logical id equal to
 * this construct's id.
 */
export class PosventaQueue extends Construct {
  public readonly queue: Queue;

  constructor(scope: Construct, id: string, props: PosventaQueueProps = {}) {
    super(scope, id);
    if (props.deadLetterQueueOf !== undefined && props.deadLetterQueue !== undefined) {
      throw new Error(`PosventaQueue ${id}: set props.deadLetterQueueOf or props.deadLetterQueue, not both (a dead-letter queue has no dead-letter queue)`);
    }
    if (props.deadLetterQueueOf === undefined && props.deadLetterQueue === undefined) {
      throw new Error(`PosventaQueue ${id}: set props.deadLetterQueue (every queue needs one) or props.deadLetterQueueOf (it is one)`);
    }

    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.retentionPeriod ?? Duration.days(14),
      visibilityTimeout: props.visibilityTimeout ?? Duration.seconds(30),
      deadLetterQueue: props.deadLetterQueue,
    });
    pinLogicalId(this.queue, id);

    if (props.deadLetterQueueOf !== undefined) {
      Validations.of(this.queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: `This queue is the dead-letter queue of ${props.deadLetterQueueOf}; a dead-letter queue has none of its own.`,
      });
    }
  }
}
