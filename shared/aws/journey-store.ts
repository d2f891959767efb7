import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { JourneyStore, MessageRecord } from '../journey/journey-store';
import type { MilestoneId } from '../journey/milestones';
import { dynamodb } from './dynamodb';

const messageKey = (orderId: string, milestone: MilestoneId): Record<string, AttributeValue> => ({
  pk: { S: `ORDER#${orderId}` },
  sk: { S: `MESSAGE#${milestone}` },
});

function toRecord(item: Record<string, AttributeValue> | undefined): MessageRecord {
  const status = item?.status?.S;
  if (status === 'sent') return { status, wamid: item?.wamid?.S ?? '', sentAt: item?.sentAt?.S ?? '' };
  if (status === 'failed') {
    const code = item?.errorCode?.N;
    return { status, reason: item?.reason?.S ?? '', failedAt: item?.failedAt?.S ?? '', ...(code === undefined ? {} : { errorCode: Number(code) }) };
  }
  return { status: 'claimed', claimedAt: item?.claimedAt?.S ?? '' };
}

export function dynamoJourneyStore(tableName: string): JourneyStore {
  return {
    async claimMessage(claim) {
      try {
        await dynamodb.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...messageKey(claim.orderId, claim.milestone),
              status: { S: 'claimed' },
              template: { S: claim.template },
              variant: { S: claim.variant },
              claimedAt: { S: claim.claimedAt },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { claimed: true };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return { claimed: false, existing: toRecord(error.Item) };
        throw error;
      }
    },
    async recordSent(orderId, milestone, wamid, sentAt) {
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: messageKey(orderId, milestone),
          UpdateExpression: 'SET #status = :sent, wamid = :wamid, sentAt = :sentAt',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sent': { S: 'sent' }, ':wamid': { S: wamid }, ':sentAt': { S: sentAt } },
        }),
      );
    },
    async recordFailed(orderId, milestone, { reason, failedAt, errorCode }) {
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: messageKey(orderId, milestone),
          UpdateExpression: `SET #status = :failed, reason = :reason, failedAt = :failedAt${errorCode === undefined ? '' : ', errorCode = :code'}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':failed': { S: 'failed' },
            ':reason': { S: reason },
            ':failedAt': { S: failedAt },
            ...(errorCode === undefined ? {} : { ':code': { N: String(errorCode) } }),
          },
        }),
      );
    },
    async releaseClaim(orderId, milestone) {
      await dynamodb.send(
        new DeleteItemCommand({
          TableName: tableName,
          Key: messageKey(orderId, milestone),
          ConditionExpression: '#status = :claimed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':claimed': { S: 'claimed' } },
        }),
      );
    },
  };
}
