import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { JourneyStore, MessageRecord, SentMessage } from '../journey/journey-store';
import { isMilestoneId, type MilestoneId } from '../journey/milestones';
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

/**
 * Where the webhook finds a journey message: by our wamid (statuses without callback data,
 * replies quoting it), and the last one sent to a phone (replies without context).
 */
const wamidKey = (wamid: string): Record<string, AttributeValue> => ({ pk: { S: `WAMID#${wamid}` }, sk: { S: 'MESSAGE' } });
const lastMessageKey = (phone: string): Record<string, AttributeValue> => ({ pk: { S: `CONTACT#${phone}` }, sk: { S: 'LAST_MESSAGE' } });

/** Replies and reactions can come weeks after the day-60 message; keep the mapping well beyond it. */
const SENT_MESSAGE_TTL_SECONDS = 180 * 86_400;

function sentMessageItem(message: SentMessage): Record<string, AttributeValue> {
  return {
    wamid: { S: message.wamid },
    orderId: { S: message.orderId },
    milestone: { S: message.milestone },
    template: { S: message.template },
    variant: { S: message.variant },
    phone: { S: message.phone },
    sentAt: { S: message.sentAt },
    expiresAt: { N: String(Math.floor(Date.parse(message.sentAt) / 1000) + SENT_MESSAGE_TTL_SECONDS) },
  };
}

function toSentMessage(item: Record<string, AttributeValue> | undefined): SentMessage | undefined {
  const milestone = item?.milestone?.S;
  if (item === undefined || milestone === undefined || !isMilestoneId(milestone)) return undefined;
  return {
    wamid: item.wamid?.S ?? '',
    orderId: item.orderId?.S ?? '',
    milestone,
    template: item.template?.S ?? '',
    variant: item.variant?.S ?? '',
    phone: item.phone?.S ?? '',
    sentAt: item.sentAt?.S ?? '',
  };
}

export function dynamoJourneyStore(tableName: string): JourneyStore {
  const get = async (key: Record<string, AttributeValue>) =>
    toSentMessage((await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item);
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
    async recordSentMessage(message) {
      const item = sentMessageItem(message);
      await Promise.all([
        dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { ...wamidKey(message.wamid), ...item } })),
        dynamodb
          .send(
            new PutItemCommand({
              TableName: tableName,
              Item: { ...lastMessageKey(message.phone), ...item },
              // A retried older step must not overwrite a newer message: the open question is the latest.
              ConditionExpression: 'attribute_not_exists(pk) OR sentAt <= :sentAt',
              ExpressionAttributeValues: { ':sentAt': { S: message.sentAt } },
            }),
          )
          .catch((error: unknown) => {
            if (!(error instanceof ConditionalCheckFailedException)) throw error;
          }),
      ]);
    },
    messageByWamid: (wamid) => get(wamidKey(wamid)),
    lastMessageTo: (phone) => get(lastMessageKey(phone)),
  };
}
