import {
  GetItemCommand,
  TransactWriteItemsCommand,
  TransactionCanceledException,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { ConsentEvidence, ConsentState, ScopeConsent } from '../consent/ledger';
import type { CommitResult, ConsentStore } from '../consent/record';
import { CONSENT_SCOPES, isConsentAction, isConsentActor, isConsentScope, isConsentSource } from '../consent/scopes';
import { dynamodb, queryPartition } from './dynamodb';

/**
 * Consent on the contacts table. One partition per contact, keyed by phone (E.164):
 *   pk `CONTACT#+5491155550001`, sk `CONSENT`                          current state (+ BSUID, version)
 *   pk `CONTACT#+5491155550001`, sk `EVIDENCE#<at ISO UTC>#<evidence id>` one item per fact, oldest first
 * Neither carries `expiresAt`: evidence is proof and the state is what every send checks.
 */
const contactPk = (phone: string) => `CONTACT#${phone}`;
const STATE_SK = 'CONSENT';
const EVIDENCE_PREFIX = 'EVIDENCE#';
const evidenceSk = (evidence: Pick<ConsentEvidence, 'at' | 'evidenceId'>) => `${EVIDENCE_PREFIX}${evidence.at}#${evidence.evidenceId}`;

type Item = Record<string, AttributeValue>;

/** The key of a contact's current consent state, for writers that check it (a send's claim). */
export const consentStateKey = (phone: string): Item => ({ pk: { S: contactPk(phone) }, sk: { S: STATE_SK } });

const optionalS = (name: string, value: string | undefined): Item => (value === undefined ? {} : { [name]: { S: value } });

function scopeItem(scope: ScopeConsent): AttributeValue {
  if (scope.status === 'none') return { M: { status: { S: 'none' } } };
  return { M: { status: { S: scope.status }, source: { S: scope.source }, at: { S: scope.at }, evidenceId: { S: scope.evidenceId } } };
}

function stateItem(state: ConsentState): Item {
  return {
    pk: { S: contactPk(state.phone) },
    sk: { S: STATE_SK },
    phone: { S: state.phone },
    ...optionalS('bsuid', state.bsuid),
    version: { N: String(state.version) },
    updatedAt: { S: state.updatedAt },
    ...Object.fromEntries(CONSENT_SCOPES.map((scope) => [scope, scopeItem(state.scopes[scope])])),
  };
}

function evidenceItem(evidence: ConsentEvidence): Item {
  return {
    pk: { S: contactPk(evidence.phone) },
    sk: { S: evidenceSk(evidence) },
    phone: { S: evidence.phone },
    ...optionalS('bsuid', evidence.bsuid),
    evidenceId: { S: evidence.evidenceId },
    action: { S: evidence.action },
    scopes: { L: evidence.scopes.map((scope) => ({ S: scope })) },
    source: { S: evidence.source },
    actor: { S: evidence.actor },
    at: { S: evidence.at },
    recordedAt: { S: evidence.recordedAt },
    ...optionalS('messageId', evidence.messageId),
    ...optionalS('orderId', evidence.orderId),
    ...optionalS('text', evidence.text),
    ...optionalS('detail', evidence.detail),
  };
}

/** Items are ours; one that does not read back is corruption, not an expected outcome. */
function corrupt(what: string, item: Item): never {
  throw new Error(`consent store: unreadable ${what} item ${item.sk?.S ?? '?'} in ${item.pk?.S?.replace(/\d(?=\d{4})/g, '•') ?? '?'}`);
}

function scopeOf(value: AttributeValue | undefined, item: Item): ScopeConsent {
  const m = value?.M;
  const status = m?.status?.S;
  if (status === 'none') return { status };
  const source = m?.source?.S;
  const at = m?.at?.S;
  const evidenceId = m?.evidenceId?.S;
  if ((status === 'opted-in' || status === 'opted-out') && isConsentSource(source) && at !== undefined && evidenceId !== undefined) {
    return { status, source, at, evidenceId };
  }
  return corrupt('state', item);
}

function toState(item: Item): ConsentState {
  const phone = item.phone?.S;
  const version = Number(item.version?.N);
  const updatedAt = item.updatedAt?.S;
  if (phone === undefined || !Number.isInteger(version) || updatedAt === undefined) return corrupt('state', item);
  const bsuid = item.bsuid?.S;
  return {
    phone,
    ...(bsuid === undefined ? {} : { bsuid }),
    scopes: { utility: scopeOf(item.utility, item), marketing: scopeOf(item.marketing, item) },
    version,
    updatedAt,
  };
}

function toEvidence(item: Item): ConsentEvidence {
  const s = (name: string) => item[name]?.S;
  const [phone, evidenceId, action, source, actor, at, recordedAt] = ['phone', 'evidenceId', 'action', 'source', 'actor', 'at', 'recordedAt'].map(s);
  const scopes = (item.scopes?.L ?? []).map((v) => v.S);
  if (
    phone === undefined || evidenceId === undefined || at === undefined || recordedAt === undefined ||
    !isConsentAction(action) || !isConsentSource(source) || !isConsentActor(actor) || scopes.length === 0 || !scopes.every(isConsentScope)
  ) {
    return corrupt('evidence', item);
  }
  const optional = (name: 'bsuid' | 'messageId' | 'orderId' | 'text' | 'detail') => (s(name) === undefined ? {} : { [name]: s(name) });
  return {
    phone, evidenceId, action, scopes, source, actor, at, recordedAt,
    ...optional('bsuid'), ...optional('messageId'), ...optional('orderId'), ...optional('text'), ...optional('detail'),
  };
}

export function dynamoConsentStore(tableName: string): ConsentStore {
  return {
    async readState(phone) {
      const { Item } = await dynamodb.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: contactPk(phone) }, sk: { S: STATE_SK } }, ConsistentRead: true }),
      );
      return Item === undefined ? undefined : toState(Item);
    },

    async listEvidence(phone) {
      const items = await queryPartition(tableName, contactPk(phone), { skPrefix: EVIDENCE_PREFIX, consistent: true });
      return items.map(toEvidence);
    },

    async commit({ state, evidence, expectedVersion }): Promise<CommitResult> {
      try {
        await dynamodb.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: stateItem(state),
                  ...(expectedVersion === 0
                    ? { ConditionExpression: 'attribute_not_exists(pk)' }
                    : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } } }),
                },
              },
              { Put: { TableName: tableName, Item: evidenceItem(evidence), ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        );
        return 'committed';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [stateReason, evidenceReason] = (error.CancellationReasons ?? []).map((reason) => reason.Code);
        if (evidenceReason === 'ConditionalCheckFailed') return 'duplicate';
        // Another change committed (or is committing) first: read again and retry.
        if (stateReason === 'ConditionalCheckFailed' || stateReason === 'TransactionConflict' || evidenceReason === 'TransactionConflict') return 'conflict';
        throw error;
      }
    },
  };
}
