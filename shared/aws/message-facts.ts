import { ConditionalCheckFailedException, DeleteItemCommand, GetItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { FollowUpStore, MessageFacts, MessageFactsRecorder, TakenMessage } from '../journey/message-facts';
import { isMilestoneId } from '../journey/milestones';
import type { NpsAnswers } from '../journey/nps-answers';
import { dynamodb, queryPartition } from './dynamodb';
import { messageKey } from './journey-store';

/**
 * Facts of our messages in the journeys table, beside the wamid → journey mapping:
 *   pk `WAMID#<wamid>`, sk `FACTS`: `repliedAt`, `failedCode`, `failedAt`, TTL `expiresAt`.
 * A separate item, so a status that overtakes the send step's own records is never overwritten.
 */
const factsKey = (wamid: string): Record<string, AttributeValue> => ({ pk: { S: `WAMID#${wamid}` }, sk: { S: 'FACTS' } });

/** As long as the wamid mapping (shared/aws/journey-store.ts): a follow-up reads them weeks later at most. */
const FACTS_TTL_SECONDS = 180 * 86_400;
const expiresAt = (): AttributeValue => ({ N: String(Math.floor(Date.now() / 1000) + FACTS_TTL_SECONDS) });

/**
 * Messages Meta took, under their order (the order's partition holds a handful of items, so the
 * reconciliation reads them in one query):
 *   pk `ORDER#<orderId>`, sk `TAKEN#<wamid>`: `milestone`, `template`, `variant`, `wamid`, `statusAt`, TTL `expiresAt`.
 */
const TAKEN_PREFIX = 'TAKEN#';

const ignoreConditionFailure = (error: unknown): void => {
  if (!(error instanceof ConditionalCheckFailedException)) throw error;
};

export function dynamoMessageFacts(tableName: string): MessageFactsRecorder & FollowUpStore {
  return {
    async recordReply(wamid, at) {
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: factsKey(wamid),
          UpdateExpression: 'SET repliedAt = if_not_exists(repliedAt, :at), expiresAt = if_not_exists(expiresAt, :expiresAt)',
          ExpressionAttributeValues: { ':at': { S: at }, ':expiresAt': expiresAt() },
        }),
      );
    },
    async recordFailure(wamid, { code, at }) {
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: factsKey(wamid),
          UpdateExpression: `SET failedAt = :at, expiresAt = if_not_exists(expiresAt, :expiresAt)${code === undefined ? '' : ', failedCode = :code'}`,
          ExpressionAttributeValues: { ':at': { S: at }, ':expiresAt': expiresAt(), ...(code === undefined ? {} : { ':code': { N: String(code) } }) },
        }),
      );
    },
    async recordTaken({ orderId, milestone, template, variant, wamid, at }) {
      await dynamodb
        .send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { pk: { S: `ORDER#${orderId}` }, sk: { S: `${TAKEN_PREFIX}${wamid}` } },
            UpdateExpression: 'SET milestone = :milestone, template = :template, variant = :variant, wamid = :wamid, statusAt = :at, expiresAt = if_not_exists(expiresAt, :expiresAt)',
            ConditionExpression: 'attribute_not_exists(statusAt) OR statusAt > :at',
            ExpressionAttributeValues: {
              ':milestone': { S: milestone },
              ':template': { S: template },
              ':variant': { S: variant },
              ':wamid': { S: wamid },
              ':at': { S: at },
              ':expiresAt': expiresAt(),
            },
          }),
        )
        .catch(ignoreConditionFailure);
    },
    async takenOf(orderId) {
      const taken: TakenMessage[] = [];
      for (const item of await queryPartition(tableName, `ORDER#${orderId}`, { skPrefix: TAKEN_PREFIX, consistent: true })) {
        const milestone = item.milestone?.S;
        const [template, variant, wamid, at] = [item.template?.S, item.variant?.S, item.wamid?.S, item.statusAt?.S];
        if (milestone === undefined || !isMilestoneId(milestone) || template === undefined || variant === undefined || wamid === undefined || at === undefined) continue;
        taken.push({ orderId, milestone, template, variant, wamid, at });
      }
      return taken;
    },
    async factsOf(wamid) {
      const { Item } = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: factsKey(wamid), ConsistentRead: true }));
      const facts: MessageFacts = {};
      if (Item?.repliedAt?.S !== undefined) facts.repliedAt = Item.repliedAt.S;
      if (Item?.failedAt?.S !== undefined) {
        const code = Item.failedCode?.N;
        facts.failure = { at: Item.failedAt.S, ...(code === undefined ? {} : { code: Number(code) }) };
      }
      return facts;
    },
    async reopenForResend(orderId, milestone, wamid) {
      await dynamodb
        .send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: messageKey(orderId, milestone),
            ConditionExpression: '#status = :sent AND wamid = :wamid',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':sent': { S: 'sent' }, ':wamid': { S: wamid } },
          }),
        )
        .catch(ignoreConditionFailure);
    },
    async recordResult(orderId, milestone, { result, at, detail }) {
      await dynamodb
        .send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: messageKey(orderId, milestone),
            UpdateExpression: `SET followUpResult = :result, followUpAt = :at${detail === undefined ? '' : ', followUpDetail = :detail'}`,
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(followUpResult)',
            ExpressionAttributeValues: { ':result': { S: result }, ':at': { S: at }, ...(detail === undefined ? {} : { ':detail': { S: detail } }) },
          }),
        )
        .catch(ignoreConditionFailure);
    },
  };
}

/**
 * The order's NPS answer in the journeys table, beside its message records:
 *   pk `ORDER#<orderId>`, sk `NPS_ANSWER`: `score`, `answeredAt`, TTL `expiresAt`.
 * A separate item, for the same reason as the facts: the webhook never writes the send step's records.
 */
export function dynamoNpsAnswers(tableName: string): NpsAnswers {
  const key = (orderId: string): Record<string, AttributeValue> => ({ pk: { S: `ORDER#${orderId}` }, sk: { S: 'NPS_ANSWER' } });
  return {
    async recordNpsAnswer(orderId, { score, at }) {
      await dynamodb
        .send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(orderId),
            UpdateExpression: 'SET score = :score, answeredAt = :at, expiresAt = :expiresAt',
            // An earlier answer delivered late never replaces a later one.
            ConditionExpression: 'attribute_not_exists(answeredAt) OR answeredAt <= :at',
            ExpressionAttributeValues: { ':score': { N: String(score) }, ':at': { S: at }, ':expiresAt': expiresAt() },
          }),
        )
        .catch(ignoreConditionFailure);
    },
    async npsAnswerOf(orderId) {
      const { Item } = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: key(orderId), ConsistentRead: true }));
      const score = Item?.score?.N;
      const at = Item?.answeredAt?.S;
      return score === undefined || at === undefined ? undefined : { score: Number(score), at };
    },
  };
}
