import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '#shared/clock';
import {
  consentChangeOfButton,
  consentChangeOfPurchase,
  consentChangeOfSendError,
  consentChangeOfText,
  consentChangeOfUserPreference,
  type ConsentChange,
  type ConsentContact,
} from '#shared/consent/changes';
import { OPT_OUT_BUTTON_PAYLOAD } from '#shared/consent/keywords';
import { evidenceOf } from '#shared/consent/ledger';
import { mayMessage } from '#shared/consent/may-message';
import { recordConsentChange, type ConsentStore, type RecordOutcome } from '#shared/consent/record';
import type { PurchaseDetail } from '#shared/events/purchase';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../support/dynamodb-local';

/**
 * The consent ledger (shared/consent/record.ts) on its DynamoDB adapter
 * (shared/aws/consent-store.ts), against the real DynamoDB Local: what senders read after an
 * opt-out, races between changes, replays of the same webhook.
 */

let db: LocalDynamoDb;
let store: ConsentStore;
let tableName: string;
let phoneSeq = 0;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  // Only now that the environment points at DynamoDB Local: the adapter creates its client on import.
  const { dynamoConsentStore } = await import('#shared/aws/consent-store');
  tableName = await db.createTable('contacts');
  store = dynamoConsentStore(tableName);
});

afterAll(async () => {
  await db?.stop();
});

const clock: Clock = { now: () => new Date('2026-06-01T12:00:00.000Z') };
const record = (change: ConsentChange) => recordConsentChange(change, { store, clock });
const newContact = (bsuid?: string): ConsentContact => ({ phone: `+54911555${String(++phoneSeq).padStart(5, '0')}`, ...(bsuid === undefined ? {} : { bsuid }) });
const at = (minute: number, second = 0) => new Date(Date.UTC(2026, 2, 8, 9, minute, second)).toISOString();
let wamidSeq = 0;
const wamid = () => `wamid.HBgLNTQ5MTE1NTU1MDAwMRUCABIYFDNB${++wamidSeq}`;

function defined(change: ConsentChange | undefined): ConsentChange {
  if (change === undefined) throw new Error('expected a consent change');
  return change;
}
const keyword = (contact: ConsentContact, minute: number, text: string, messageId = wamid(), second = 0) =>
  defined(consentChangeOfText({ contact, messageId, at: at(minute, second), text }));
const purchaseOptIn = (contact: ConsentContact, minute: number, orderId = `ES-2026-${++wamidSeq}`) =>
  defined(
    consentChangeOfPurchase({
      orderId,
      purchasedAt: at(minute),
      customer: { id: 'cus_1', phone: contact.phone, name: 'Lucía', locale: 'es-AR', timezone: 'America/Argentina/Buenos_Aires', optIn: { source: 'checkout-checkbox', at: at(minute) } },
      items: [{ sku: 'CAF-1', name: 'Cafetera' }],
    } satisfies PurchaseDetail),
  );

const rawItems = async (phone: string) =>
  (await db.client.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `CONTACT#${phone}` } }, ConsistentRead: true }))).Items ?? [];

const recorded = (outcome: RecordOutcome) => {
  if (!outcome.recorded) throw new Error(`expected the change to be recorded, got ${outcome.reason}`);
  return outcome;
};

describe('consent ledger on DynamoDB: what senders read', () => {
  it('an unknown contact may not be messaged (no recorded opt-in)', async () => {
    const state = await store.readState(newContact().phone);
    expect(state).toBeUndefined();
    expect(mayMessage(state, 'utility')).toMatchObject({ allowed: false, code: 'no-opt-in' });
  });

  it('a purchase opt-in allows both categories; a keyword opt-out then forbids both', async () => {
    const contact = newContact();
    const optIn = recorded(await record(purchaseOptIn(contact, 0)));
    expect(optIn.changedScopes).toEqual(['utility', 'marketing']);
    expect(mayMessage(await store.readState(contact.phone), 'utility')).toEqual({ allowed: true });
    expect(mayMessage(await store.readState(contact.phone), 'marketing')).toEqual({ allowed: true });

    const optOut = recorded(await record(keyword(contact, 5, '¡Baja!')));
    expect(optOut.changedScopes).toEqual(['utility', 'marketing']);
    const state = await store.readState(contact.phone);
    expect(state).toEqual(optOut.state);
    expect(mayMessage(state, 'utility')).toMatchObject({ allowed: false, code: 'opted-out' });
    expect(mayMessage(state, 'marketing')).toMatchObject({ allowed: false, code: 'opted-out' });
  });

  it('the opt-out button opts out of both', async () => {
    const contact = newContact();
    await record(purchaseOptIn(contact, 0));
    await record(defined(consentChangeOfButton({ contact, messageId: wamid(), at: at(3), payload: OPT_OUT_BUTTON_PAYLOAD, text: 'No quiero más mensajes' })));
    const state = await store.readState(contact.phone);
    expect(state?.scopes.utility).toMatchObject({ status: 'opted-out', source: 'quick-reply' });
    expect(state?.scopes.marketing).toMatchObject({ status: 'opted-out', source: 'quick-reply' });
  });

  it('error 131050 opts out of marketing only; utility stays allowed', async () => {
    const contact = newContact();
    await record(purchaseOptIn(contact, 0));
    const outcome = recorded(await record(defined(consentChangeOfSendError({ contact, code: 131050, at: at(10), messageId: wamid(), orderId: 'ES-1', milestone: 'day60' }))));
    expect(outcome.changedScopes).toEqual(['marketing']);
    const state = await store.readState(contact.phone);
    expect(mayMessage(state, 'utility')).toEqual({ allowed: true });
    expect(mayMessage(state, 'marketing')).toEqual({ allowed: false, code: 'opted-out', reason: `opted out of marketing messages at ${at(10)} (send-error-131050)` });
  });

  it('Meta’s user_preferences stop / resume moves marketing only, and resume does not undo a STOP', async () => {
    const contact = newContact();
    await record(purchaseOptIn(contact, 0));
    await record(defined(consentChangeOfUserPreference({ contact, value: 'stop', at: at(1), category: 'marketing_messages' })));
    expect(mayMessage(await store.readState(contact.phone), 'marketing')).toMatchObject({ allowed: false });
    expect(mayMessage(await store.readState(contact.phone), 'utility')).toEqual({ allowed: true });
    await record(defined(consentChangeOfUserPreference({ contact, value: 'resume', at: at(2), category: 'marketing_messages' })));
    expect(mayMessage(await store.readState(contact.phone), 'marketing')).toEqual({ allowed: true });

    await record(keyword(contact, 3, 'STOP'));
    await record(defined(consentChangeOfUserPreference({ contact, value: 'resume', at: at(4) })));
    expect(mayMessage(await store.readState(contact.phone), 'marketing')).toMatchObject({ allowed: false, code: 'opted-out' });
  });
});

describe('consent ledger on DynamoDB: evidence', () => {
  it('keeps every change as evidence (source, time, message id, text, actor), oldest first, never TTL’d', async () => {
    const contact = newContact('AR.13491208655302741918');
    const optOutId = wamid();
    await record(keyword(contact, 5, '  Stop. ', optOutId));
    await record(purchaseOptIn(contact, 0, 'ES-2026-000777'));

    const evidence = await store.listEvidence(contact.phone);
    expect(evidence).toEqual([
      {
        phone: contact.phone,
        evidenceId: 'purchase-event:ES-2026-000777',
        action: 'opt-in',
        scopes: ['utility', 'marketing'],
        source: 'purchase-event',
        actor: 'store',
        at: at(0),
        orderId: 'ES-2026-000777',
        detail: 'checkout-checkbox',
        recordedAt: '2026-06-01T12:00:00.000Z',
      },
      {
        phone: contact.phone,
        bsuid: 'AR.13491208655302741918',
        evidenceId: `keyword:${optOutId}`,
        action: 'opt-out',
        scopes: ['utility', 'marketing'],
        source: 'keyword',
        actor: 'customer',
        at: at(5),
        messageId: optOutId,
        text: '  Stop. ',
        recordedAt: '2026-06-01T12:00:00.000Z',
      },
    ]);
    // The purchase opt-in (T0) arrived after the opt-out (T5): kept as evidence, overruled in the state.
    expect(mayMessage(await store.readState(contact.phone), 'utility')).toMatchObject({ allowed: false, code: 'opted-out' });

    const items = await rawItems(contact.phone);
    expect(items.map((i) => i.sk?.S)).toEqual(['CONSENT', `EVIDENCE#${at(0)}#purchase-event:ES-2026-000777`, `EVIDENCE#${at(5)}#keyword:${optOutId}`]);
    for (const item of items) expect(item).not.toHaveProperty('expiresAt');
  });

  it('the same webhook opt-out applied twice records one evidence item; the replay says duplicate', async () => {
    const contact = newContact();
    const optOut = keyword(contact, 1, 'BAJA');
    const first = recorded(await record(optOut));
    const replay = await record({ ...optOut });
    expect(replay).toEqual({ recorded: false, reason: 'duplicate', state: first.state });
    expect(await store.listEvidence(contact.phone)).toHaveLength(1);
    expect((await store.readState(contact.phone))?.version).toBe(1);
  });

  it('the same opt-out delivered 5 times at once (Meta’s retries racing) records once', async () => {
    const contact = newContact();
    const optOut = keyword(contact, 1, 'STOP');
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => record({ ...optOut })));
    expect(outcomes.filter((o) => o.recorded)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.recorded)).toHaveLength(4);
    expect(await store.listEvidence(contact.phone)).toHaveLength(1);
    expect(mayMessage(await store.readState(contact.phone), 'utility')).toMatchObject({ allowed: false, code: 'opted-out' });
  });

  it('keeps the BSUID on the contact when given, and through later changes without one', async () => {
    const contact = newContact('AR.99887766554433221100');
    await record(purchaseOptIn({ phone: contact.phone }, 0));
    expect((await store.readState(contact.phone))?.bsuid).toBeUndefined();
    await record(keyword(contact, 1, 'STOP'));
    await record(keyword({ phone: contact.phone }, 2, 'ALTA'));
    const state = await store.readState(contact.phone);
    expect(state?.bsuid).toBe('AR.99887766554433221100');
    const item = await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: `CONTACT#${contact.phone}` }, sk: { S: 'CONSENT' } }, ConsistentRead: true }));
    expect(item.Item).toMatchObject({ bsuid: { S: 'AR.99887766554433221100' }, version: { N: '3' } });
  });
});

describe('dynamoConsentStore.commit', () => {
  const stateAfter = async (change: ConsentChange) => recorded(await record(change)).state;

  it('answers conflict for a stale version (or a first write when a state exists), writing nothing', async () => {
    const contact = newContact();
    const state = await stateAfter(purchaseOptIn(contact, 0));
    const evidence = { ...recorded(await record(keyword(contact, 1, 'STOP'))).evidence, evidenceId: 'keyword:wamid.other', messageId: 'wamid.other' };
    expect(await store.commit({ state: { ...state, version: 2 }, evidence, expectedVersion: 1 })).toBe('conflict');
    expect(await store.commit({ state: { ...state, version: 1 }, evidence, expectedVersion: 0 })).toBe('conflict');
    expect(await store.listEvidence(contact.phone)).toHaveLength(2);
    expect((await store.readState(contact.phone))?.version).toBe(2);
  });

  it('answers duplicate when the evidence exists, even at the right version, writing nothing', async () => {
    const contact = newContact();
    const first = recorded(await record(keyword(contact, 1, 'STOP')));
    expect(await store.commit({ state: { ...first.state, version: 2 }, evidence: first.evidence, expectedVersion: 1 })).toBe('duplicate');
    expect(await store.commit({ state: { ...first.state, version: 2 }, evidence: first.evidence, expectedVersion: 7 })).toBe('duplicate');
    expect((await store.readState(contact.phone))?.version).toBe(1);
  });

  it('reads evidence across pages (more than 1 MB for one contact)', async () => {
    const contact = newContact();
    for (let i = 0; i < 30; i++) {
      // A 50 KB `detail` on each item: 1.5 MB in all, so DynamoDB pages the query (1 MB a page).
      const state = await store.readState(contact.phone);
      const evidence = { ...evidenceOf(keyword(contact, i, 'STOP'), '2026-06-01T12:00:00.000Z'), detail: 'x'.repeat(50_000) };
      const next = { phone: contact.phone, scopes: state?.scopes ?? { utility: { status: 'none' as const }, marketing: { status: 'none' as const } }, version: (state?.version ?? 0) + 1, updatedAt: '2026-06-01T12:00:00.000Z' };
      expect(await store.commit({ state: next, evidence, expectedVersion: state?.version ?? 0 })).toBe('committed');
    }
    const evidence = await store.listEvidence(contact.phone);
    expect(evidence).toHaveLength(30);
    expect(evidence.map((e) => e.at)).toEqual(Array.from({ length: 30 }, (_, i) => at(i)));
  });
});

describe('consent ledger on DynamoDB: races and the purchase rule', () => {
  it('an opt-out and an opt-in racing: both evidence items kept, the later fact wins, whichever commits last', async () => {
    for (let round = 0; round < 6; round++) {
      const contact = newContact();
      await record(purchaseOptIn(contact, 0));
      const optOutLater = round % 2 === 0;
      const optOut = keyword(contact, optOutLater ? 2 : 1, 'STOP');
      const optIn = keyword(contact, optOutLater ? 1 : 2, 'START');
      await Promise.all(round < 3 ? [record(optOut), record(optIn)] : [record(optIn), record(optOut)]);

      const evidence = await store.listEvidence(contact.phone);
      expect(evidence.map((e) => e.evidenceId)).toEqual(expect.arrayContaining([optOut.evidenceId, optIn.evidenceId]));
      expect(evidence).toHaveLength(3);
      const state = await store.readState(contact.phone);
      expect(state?.version, `round ${round}`).toBe(3);
      const expected = optOutLater ? 'opted-out' : 'opted-in';
      expect(state?.scopes.utility.status, `round ${round}`).toBe(expected);
      expect(state?.scopes.marketing.status, `round ${round}`).toBe(expected);
      expect(mayMessage(state, 'utility').allowed, `round ${round}`).toBe(!optOutLater);
    }
  });

  it('an opt-out and an opt-in at the same second, racing: the opt-out wins', async () => {
    const contact = newContact();
    await record(purchaseOptIn(contact, 0));
    await Promise.all([record(keyword(contact, 4, 'ALTA')), record(keyword(contact, 4, 'SALIR'))]);
    expect(mayMessage(await store.readState(contact.phone), 'marketing')).toMatchObject({ allowed: false, code: 'opted-out' });
  });

  it('10 changes racing on one contact: every one recorded, the state is the fold of all of them', async () => {
    const contact = newContact();
    const changes = Array.from({ length: 10 }, (_, i) => keyword(contact, 10 + i, i % 2 === 0 ? 'STOP' : 'ALTA'));
    // The real store, counting what its commits answer, to show the version lock was exercised.
    const answers: string[] = [];
    const counting: ConsentStore = { ...store, commit: async (write) => { const answer = await store.commit(write); answers.push(answer); return answer; } };
    const outcomes = await Promise.all(changes.map((change) => recordConsentChange(change, { store: counting, clock })));
    expect(answers.filter((a) => a === 'committed')).toHaveLength(10);
    expect(answers.filter((a) => a === 'conflict').length).toBeGreaterThan(0);
    expect(outcomes.every((o) => o.recorded)).toBe(true);
    expect(await store.listEvidence(contact.phone)).toHaveLength(10);
    const state = await store.readState(contact.phone);
    expect(state?.version).toBe(10);
    // The last fact in time is the ALTA at minute 19.
    expect(state?.scopes.utility).toMatchObject({ status: 'opted-in', source: 'keyword', at: at(19), evidenceId: changes[9]!.evidenceId });
  });

  it('a purchase opt-in dated after an opt-out does not re-opt in; the customer’s ALTA does', async () => {
    const contact = newContact();
    await record(purchaseOptIn(contact, 0));
    await record(keyword(contact, 5, 'CANCELAR'));
    const later = recorded(await record(purchaseOptIn(contact, 30)));
    expect(later.changedScopes).toEqual([]);
    expect(mayMessage(await store.readState(contact.phone), 'utility')).toMatchObject({ allowed: false, code: 'opted-out' });
    expect(mayMessage(await store.readState(contact.phone), 'marketing')).toMatchObject({ allowed: false, code: 'opted-out' });
    expect(await store.listEvidence(contact.phone)).toHaveLength(3);

    const alta = recorded(await record(keyword(contact, 40, 'alta')));
    expect(alta.changedScopes).toEqual(['utility', 'marketing']);
    expect(mayMessage(await store.readState(contact.phone), 'marketing')).toEqual({ allowed: true });
  });

  it('a purchase opt-in dated before an opt-out, arriving after it, changes nothing', async () => {
    const contact = newContact();
    await record(keyword(contact, 5, 'STOP'));
    const late = recorded(await record(purchaseOptIn(contact, 1)));
    expect(late.changedScopes).toEqual([]);
    expect(mayMessage(await store.readState(contact.phone), 'utility')).toMatchObject({ allowed: false, code: 'opted-out' });
  });
});
