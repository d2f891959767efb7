import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ContactFacts, WebhookMarks } from '../whatsapp/webhook-store';
import { dynamodb } from './dynamodb';

const ignoreConditionFailure = (error: unknown): void => {
  if (!(error instanceof ConditionalCheckFailedException)) throw error;
};

export interface MarksOptions {
  /**
   * Real time, not the journey clock: the lease guards against a crashed Lambda, and TTL is
   * DynamoDB's real time. Tests move it to expire a lease.
   */
  nowMs?: () => number;
  /** Longer than the webhook function's timeout, so a live holder is never overtaken. @default 60 s */
  leaseMs?: number;
  /** Longer than Meta's 7 days of retries. @default 14 days */
  ttlSeconds?: number;
}

/**
 * Dedupe marks in the journeys table: `pk = WEBHOOK#<key>`, `sk = MARK`, `state`
 * pending|done|implied (done by a delivery a `read` implied),
 * `token` of the holder, `leaseUntil` (epoch ms), TTL `expiresAt`. The claim is one conditional
 * put, so of concurrent duplicate deliveries exactly one holds it.
 */
export function dynamoWebhookMarks(tableName: string, options: MarksOptions = {}): WebhookMarks {
  const nowMs = options.nowMs ?? Date.now;
  const leaseMs = options.leaseMs ?? 60_000;
  const ttlSeconds = options.ttlSeconds ?? 14 * 86_400;
  const key = (k: string): Record<string, AttributeValue> => ({ pk: { S: `WEBHOOK#${k}` }, sk: { S: 'MARK' } });
  return {
    async claim(k, claimOptions = {}) {
      const now = nowMs();
      const overImplied = claimOptions.overImplied === true;
      const token = randomUUID();
      try {
        await dynamodb.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...key(k),
              state: { S: 'pending' },
              token: { S: token },
              leaseUntil: { N: String(now + leaseMs) },
              expiresAt: { N: String(Math.floor(now / 1000) + ttlSeconds) },
            },
            // New, or pending under a lease that ran out (its holder died between claim and done),
            // or (for a real status that says more) done by an implied unit.
            ConditionExpression: `attribute_not_exists(pk) OR (#state = :pending AND leaseUntil < :now)${overImplied ? ' OR #state = :implied' : ''}`,
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':pending': { S: 'pending' }, ':now': { N: String(now) }, ...(overImplied ? { ':implied': { S: 'implied' } } : {}) },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { claimed: true, token };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const state = error.Item?.state?.S;
        return { claimed: false, state: state === 'done' || state === 'implied' ? 'done' : 'in-progress' };
      }
    },
    async markDone(k, token, doneOptions = {}) {
      await dynamodb
        .send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(k),
            UpdateExpression: 'SET #state = :done REMOVE leaseUntil',
            // A holder whose lease ran out and was overtaken leaves the mark to the new holder.
            ConditionExpression: '#token = :token',
            ExpressionAttributeNames: { '#state': 'state', '#token': 'token' },
            ExpressionAttributeValues: { ':done': { S: doneOptions.implied === true ? 'implied' : 'done' }, ':token': { S: token } },
          }),
        )
        .catch(ignoreConditionFailure);
    },
    async release(k, token) {
      await dynamodb
        .send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: key(k),
            ConditionExpression: '#state = :pending AND #token = :token',
            ExpressionAttributeNames: { '#state': 'state', '#token': 'token' },
            ExpressionAttributeValues: { ':pending': { S: 'pending' }, ':token': { S: token } },
          }),
        )
        .catch(ignoreConditionFailure);
    },
  };
}

/** Links this container wrote, so a customer's every status does not rewrite the same pointer. */
const LINKS_REMEMBERED = 10_000;

/**
 * Contact facts in the contacts table, `pk = CONTACT#<phone E.164 | BSUID>`:
 * `sk = SERVICE_WINDOW` (`lastInboundAt`, `lastInboundWamid`, `bsuid`) and
 * `sk = PAUSED#marketing` (`pausedAt`, `reason`, `orderId`, `inboundWamid`); and the BSUID
 * pointers, `pk = BSUID#<bsuid>`, `sk = PHONE` (`phone`).
 */
export function dynamoContactFacts(tableName: string): ContactFacts {
  const key = (contactKey: string, sk: string): Record<string, AttributeValue> => ({ pk: { S: `CONTACT#${contactKey}` }, sk: { S: sk } });
  const linkKey = (bsuid: string): Record<string, AttributeValue> => ({ pk: { S: `BSUID#${bsuid}` }, sk: { S: 'PHONE' } });
  const linked = new Map<string, string>();
  return {
    async linkBsuid({ bsuid, phone }) {
      if (linked.get(bsuid) === phone) return;
      await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { ...linkKey(bsuid), phone: { S: phone } } }));
      if (linked.size >= LINKS_REMEMBERED) linked.clear();
      linked.set(bsuid, phone);
    },
    async phoneOfBsuid(bsuid) {
      const result = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: linkKey(bsuid), ConsistentRead: true }));
      return result.Item?.phone?.S;
    },
    async recordInbound(contactKey, { at, wamid, bsuid }) {
      await dynamodb
        .send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(contactKey, 'SERVICE_WINDOW'),
            UpdateExpression: `SET lastInboundAt = :at, lastInboundWamid = :wamid${bsuid === undefined ? '' : ', bsuid = :bsuid'}`,
            // Meta's order is not guaranteed: an older message arriving late must not shorten the window.
            ConditionExpression: 'attribute_not_exists(lastInboundAt) OR lastInboundAt <= :at',
            ExpressionAttributeValues: { ':at': { S: at }, ':wamid': { S: wamid }, ...(bsuid === undefined ? {} : { ':bsuid': { S: bsuid } }) },
          }),
        )
        .catch(ignoreConditionFailure);
    },
    async pauseMarketing(contactKey, { at, reason, orderId, inboundWamid }) {
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...key(contactKey, 'PAUSED#marketing'), pausedAt: { S: at }, reason: { S: reason }, orderId: { S: orderId }, inboundWamid: { S: inboundWamid } },
        }),
      );
    },
  };
}
