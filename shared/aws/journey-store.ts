import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { ContactJourney, ContactJourneyIndex } from '../journey/contact-journeys';
import type { DeliveredMessage, DeliveryLog } from '../journey/deliveries';
import type { AttributionStore } from '../journey/repurchase';
import { repurchaseAttributedDetailSchema, type RepurchaseAttributedDetail } from '../events/domain';
import type { CapTake, CappedClaim, SlotClaimResult, ConsentGuard, ContactCap, JourneyStore, MessageRecord, MessageSlot, SentMessage, SlotClaim } from '../journey/journey-store';
import { isMilestoneId } from '../journey/milestones';
import { parseWith } from '../validation';
import { consentStateKey } from './consent-store';
import { dynamodb, queryPartition } from './dynamodb';

/** One order's message record (a milestone's, or its reminder's): `ORDER#<orderId>` / `MESSAGE#<slot>`. */
export const messageKey = (orderId: string, milestone: MessageSlot): Record<string, AttributeValue> => ({
  pk: { S: `ORDER#${orderId}` },
  sk: { S: `MESSAGE#${milestone}` },
});

function toRecord(item: Record<string, AttributeValue> | undefined): MessageRecord {
  const status = item?.status?.S;
  if (status === 'sent') return { status, wamid: item?.wamid?.S ?? '', sentAt: item?.sentAt?.S ?? '' };
  if (status === 'skipped') {
    const detail = item?.detail?.S;
    return { status, reason: item?.reason?.S ?? '', skippedAt: item?.skippedAt?.S ?? '', ...(detail === undefined ? {} : { detail }) };
  }
  if (status === 'failed') {
    const code = item?.errorCode?.N;
    return { status, reason: item?.reason?.S ?? '', failedAt: item?.failedAt?.S ?? '', ...(code === undefined ? {} : { errorCode: Number(code) }) };
  }
  const claimedAt = item?.claimedAt?.S ?? '';
  const template = item?.template?.S;
  const variant = item?.variant?.S;
  const claimed = { claimedAt, ...(template === undefined ? {} : { template }), ...(variant === undefined ? {} : { variant }) };
  if (status === 'unconfirmed') return { status, reason: item?.reason?.S ?? '', unconfirmedAt: item?.unconfirmedAt?.S ?? '', ...claimed };
  return { status: 'claimed', ...claimed };
}

/** A message record as stored: the template and variant it was claimed or skipped under, and when it was claimed (kept after the send). */
export type StoredMessageRecord = MessageRecord & { template?: string; variant?: string; claimedAt?: string };

/**
 * Reads one order's message record (a milestone's or its reminder's), for readers outside the
 * journey (the local scenarios); the send step itself only ever claims and records.
 */
export async function readMessageRecord(tableName: string, orderId: string, slot: MessageSlot): Promise<StoredMessageRecord | undefined> {
  const { Item } = await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: messageKey(orderId, slot), ConsistentRead: true }));
  if (Item === undefined) return undefined;
  const [template, variant, claimedAt] = [Item.template?.S, Item.variant?.S, Item.claimedAt?.S];
  return { ...toRecord(Item), ...(template === undefined ? {} : { template }), ...(variant === undefined ? {} : { variant }), ...(claimedAt === undefined ? {} : { claimedAt }) };
}

/**
 * Where the webhook finds a journey message: by our wamid (statuses without callback data,
 * replies quoting it), and the last one sent to a phone (replies without context).
 */
const wamidKey = (wamid: string): Record<string, AttributeValue> => ({ pk: { S: `WAMID#${wamid}` }, sk: { S: 'MESSAGE' } });
const lastMessageKey = (phone: string): Record<string, AttributeValue> => ({ pk: { S: `CONTACT#${phone}` }, sk: { S: 'LAST_MESSAGE' } });

/**
 * Contact caps (frequency-cap.ts), one item per contact and cap, beside LAST_MESSAGE:
 *   pk `CONTACT#+5491155550001`, sk `MARKETING_CAP` | `NPS_CAP`: `lastAt`, `holder` (`<orderId>#<milestone>`), `expiresAt`
 */
const CAP_SK: Record<ContactCap, string> = { marketing: 'MARKETING_CAP', nps: 'NPS_CAP' };
const capKey = (cap: ContactCap, phone: string): Record<string, AttributeValue> => ({ pk: { S: `CONTACT#${phone}` }, sk: { S: CAP_SK[cap] } });
const epochSeconds = (iso: string) => String(Math.floor(Date.parse(iso) / 1000));

function claimItem(claim: SlotClaim): Record<string, AttributeValue> {
  return {
    ...messageKey(claim.orderId, claim.milestone),
    status: { S: 'claimed' },
    template: { S: claim.template },
    variant: { S: claim.variant },
    ...(claim.assignedVariant === undefined ? {} : { assignedVariant: { S: claim.assignedVariant } }),
    ...(claim.standInReason === undefined ? {} : { standInReason: { S: claim.standInReason } }),
    claimedAt: { S: claim.claimedAt },
    ...(claim.consent === undefined ? {} : { consentVersion: { N: String(claim.consent.version) } }),
  };
}

export interface JourneyStoreOptions {
  /** The contacts table, where consent lives: needed for claims guarded by consent. */
  consentTableName?: string;
}

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

export function dynamoJourneyStore(tableName: string, options: JourneyStoreOptions = {}): JourneyStore {
  const get = async (key: Record<string, AttributeValue>) =>
    toSentMessage((await dynamodb.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item);
  /** The transaction item that holds a claim to the consent it was decided on. */
  const consentCheck = (guard: ConsentGuard) => {
    if (options.consentTableName === undefined) throw new Error('journey store: a claim guarded by consent needs consentTableName');
    return {
      ConditionCheck: {
        TableName: options.consentTableName,
        Key: consentStateKey(guard.phone),
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':version': { N: String(guard.version) } },
      },
    };
  };
  async function claimMessage(claim: SlotClaim): Promise<SlotClaimResult> {
    if (claim.consent !== undefined) {
      const result = await claimUnder(claim, [], claim.consent);
      if ('capped' in result) throw new Error('journey store: a claim without caps cannot be capped');
      return result;
    }
    try {
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: claimItem(claim),
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { claimed: false, existing: toRecord(error.Item) };
      throw error;
    }
  }

  /** Claim, caps and consent check, all or nothing. */
  async function claimUnder(claim: SlotClaim, caps: readonly CapTake[], guard: ConsentGuard | undefined): Promise<CappedClaim> {
    const holder = `${claim.orderId}#${claim.milestone}`;
    try {
      await dynamodb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: claimItem(claim),
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            ...caps.map((take: CapTake) => ({
              Update: {
                TableName: tableName,
                Key: capKey(take.cap, take.phone),
                UpdateExpression: 'SET lastAt = :at, holder = :holder, expiresAt = :expiresAt',
                // The same order × milestone passes its own take: a step retried after a crash or a Meta limit.
                ConditionExpression: 'attribute_not_exists(lastAt) OR lastAt <= :cutoff OR holder = :holder',
                ExpressionAttributeValues: {
                  ':at': { S: take.at },
                  ':holder': { S: holder },
                  ':cutoff': { S: take.lastAtOrBefore },
                  ':expiresAt': { N: epochSeconds(take.expiresAt) },
                },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
              },
            })),
            ...(guard === undefined ? [] : [consentCheck(guard)]),
          ],
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      return cancelledClaim(error, claim, caps, guard);
    }
  }

  return {
    claimMessage,
    async claimMessageUnderCaps(claim, caps) {
      if (caps.length === 0) return claimMessage(claim);
      return claimUnder(claim, caps, claim.consent);
    },
    async recordSkipped(skip) {
      try {
        await dynamodb.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...messageKey(skip.orderId, skip.milestone),
              status: { S: 'skipped' },
              template: { S: skip.template },
              variant: { S: skip.variant },
              reason: { S: skip.reason },
              ...(skip.detail === undefined ? {} : { detail: { S: skip.detail } }),
              skippedAt: { S: skip.skippedAt },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { recorded: true };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return { recorded: false, existing: toRecord(error.Item) };
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
    async recordUnconfirmed(orderId, milestone, { reason, unconfirmedAt }) {
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: messageKey(orderId, milestone),
          UpdateExpression: 'SET #status = :unconfirmed, reason = :reason, unconfirmedAt = :at',
          ConditionExpression: '#status = :claimed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':unconfirmed': { S: 'unconfirmed' }, ':claimed': { S: 'claimed' }, ':reason': { S: reason }, ':at': { S: unconfirmedAt } },
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
    async releaseUnconfirmed(orderId, milestone, claimedAt) {
      await dynamodb
        .send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: messageKey(orderId, milestone),
            ConditionExpression: '#status IN (:claimed, :unconfirmed) AND claimedAt = :claimedAt',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':claimed': { S: 'claimed' }, ':unconfirmed': { S: 'unconfirmed' }, ':claimedAt': { S: claimedAt } },
          }),
        )
        .catch((error: unknown) => {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        });
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

/**
 * The contact → journey index, in the journeys table beside the contact's last message:
 *   pk `CONTACT#<E.164>`, sk `JOURNEY#<orderId>`: `orderId`, `executionArn`, `locale`,
 *   `purchasedAt`, `holdout` (only when true), TTL `expiresAt` (after the journey's last milestone).
 */
const JOURNEY_PREFIX = 'JOURNEY#';

export function dynamoContactJourneyIndex(tableName: string): ContactJourneyIndex {
  return {
    async recordJourney(phone, journey, expiresAt) {
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            pk: { S: `CONTACT#${phone}` },
            sk: { S: `${JOURNEY_PREFIX}${journey.orderId}` },
            orderId: { S: journey.orderId },
            executionArn: { S: journey.executionArn },
            locale: { S: journey.locale },
            purchasedAt: { S: journey.purchasedAt },
            ...(journey.holdout === true ? { holdout: { BOOL: true } } : {}),
            expiresAt: { N: String(Math.floor(expiresAt.getTime() / 1000)) },
          },
        }),
      );
    },
    async journeysOf(phone) {
      const journeys: ContactJourney[] = [];
      for (const item of await queryPartition(tableName, `CONTACT#${phone}`, { skPrefix: JOURNEY_PREFIX, consistent: true })) {
        const orderId = item.orderId?.S;
        const executionArn = item.executionArn?.S;
        if (orderId === undefined || executionArn === undefined) continue;
        journeys.push({ orderId, executionArn, locale: item.locale?.S ?? '', purchasedAt: item.purchasedAt?.S ?? '', ...(item.holdout?.BOOL === true ? { holdout: true } : {}) });
      }
      return journeys.sort((a, b) => (a.purchasedAt < b.purchasedAt ? 1 : a.purchasedAt > b.purchasedAt ? -1 : 0));
    },
  };
}

/**
 * The contact's delivered journey messages, in the journeys table beside the contact's index:
 *   pk `CONTACT#<E.164>`, sk `DELIVERED#<deliveredAt>#<milestone>#<orderId>`: the message ref,
 *   `deliveredAt`, TTL `expiresAt` (60 days: twice the longest attribution window).
 * The sort key starts with the (UTC, fixed-width) delivery time, so "the last one in a window"
 * is one Query with Limit 1.
 */
const DELIVERED_PREFIX = 'DELIVERED#';
const DELIVERY_TTL_SECONDS = 60 * 86_400;

export function dynamoDeliveryLog(tableName: string): DeliveryLog {
  return {
    async recordDelivered(phone, message) {
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            pk: { S: `CONTACT#${phone}` },
            sk: { S: `${DELIVERED_PREFIX}${message.deliveredAt}#${message.milestone}#${message.orderId}` },
            orderId: { S: message.orderId },
            milestone: { S: message.milestone },
            template: { S: message.template },
            variant: { S: message.variant },
            deliveredAt: { S: message.deliveredAt },
            expiresAt: { N: String(Math.floor(Date.parse(message.deliveredAt) / 1000) + DELIVERY_TTL_SECONDS) },
          },
        }),
      );
    },
    async lastDeliveredTo(phone, from, to) {
      const page = await dynamodb.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': { S: `CONTACT#${phone}` },
            ':from': { S: `${DELIVERED_PREFIX}${from}` },
            // Every sort key of a delivery at `to` continues with "#", which sorts below U+FFFF.
            ':to': { S: `${DELIVERED_PREFIX}${to}#\uffff` },
          },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      );
      return toDeliveredMessage(page.Items?.[0]);
    },
  };
}

function toDeliveredMessage(item: Record<string, AttributeValue> | undefined): DeliveredMessage | undefined {
  const milestone = item?.milestone?.S;
  const orderId = item?.orderId?.S;
  const deliveredAt = item?.deliveredAt?.S;
  if (milestone === undefined || !isMilestoneId(milestone) || orderId === undefined || deliveredAt === undefined) return undefined;
  return { orderId, milestone, template: item?.template?.S ?? '', variant: item?.variant?.S ?? '', deliveredAt };
}

/**
 * One attribution per purchase: pk `ORDER#<newOrderId>`, sk `ATTRIBUTION`, the event detail as
 * JSON. A conditional put, so concurrent or retried handlings of one purchase agree on the first.
 */
export function dynamoAttributionStore(tableName: string): AttributionStore {
  return {
    async recordAttribution(attribution) {
      try {
        await dynamodb.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              pk: { S: `ORDER#${attribution.newOrderId}` },
              sk: { S: 'ATTRIBUTION' },
              detail: { S: JSON.stringify(attribution) },
              expiresAt: { N: String(Math.floor(Date.parse(attribution.occurredAt) / 1000) + SENT_MESSAGE_TTL_SECONDS) },
            },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return attribution;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        return storedAttribution(error.Item, attribution.newOrderId);
      }
    },
  };
}

function storedAttribution(item: Record<string, AttributeValue> | undefined, orderId: string): RepurchaseAttributedDetail {
  const parsed = parseWith(repurchaseAttributedDetailSchema, JSON.parse(item?.detail?.S ?? 'null'));
  if (!parsed.ok) throw new Error(`journey store: the recorded attribution of purchase ${orderId} is unreadable: ${parsed.reason}`);
  return parsed.value;
}

/** Which item stopped the claim transaction: the message's own record first (a retried step), then a cap. */
function cancelledClaim(error: TransactionCanceledException, claim: SlotClaim, caps: readonly CapTake[], guard: ConsentGuard | undefined): CappedClaim {
  const [claimReason, ...capReasons] = error.CancellationReasons ?? [];
  if (claimReason?.Code === 'ConditionalCheckFailed') return { claimed: false, existing: toRecord(claimReason.Item) };
  // The consent check is the transaction's last item.
  if (guard !== undefined && capReasons.at(-1)?.Code === 'ConditionalCheckFailed') return { claimed: false, consentChanged: true };
  for (const [index, reason] of capReasons.entries()) {
    const take = caps[index];
    if (reason.Code === 'ConditionalCheckFailed' && take !== undefined) {
      return { claimed: false, capped: take.cap, lastAt: reason.Item?.lastAt?.S ?? take.at };
    }
  }
  if ((error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict')) return { claimed: false, conflict: true };
  throw new Error(`journey store: claim of ${claim.orderId}/${claim.milestone} cancelled for an unexpected reason: ${error.message}`);
}
