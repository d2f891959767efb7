import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import type { Clock } from '#shared/clock';
import { DETAIL_SCHEMA_OF_EVENT, DOMAIN_EVENT, messageEventDetailSchema, SKIP_REASON, type DomainEvent } from '#shared/events/domain';
import type { PurchaseDetail } from '#shared/events/purchase';
import { consentChangeOfPurchase, type ConsentChange } from '#shared/consent/changes';
import type { ConsentEvidence, ConsentState } from '#shared/consent/ledger';
import { recordConsentChange, type CommitResult, type ConsentStore } from '#shared/consent/record';
import { DEFAULT_JOURNEY_CONFIG, journeyConfigSchema, type JourneyConfig } from '#shared/journey/config';
import type { CapTake, CappedClaim, JourneyStore, MessageClaim, MessageRecord, MessageSkip, SentMessage } from '#shared/journey/journey-store';
import type { MilestoneId } from '#shared/journey/milestones';
import { runSendStep, TransientSendError, type SendStepDeps, type SendStepInput } from '#shared/journey/send-step';
import { HOLDOUT_SKIP_REASON } from '#shared/kpi/event-details';
import { parseWith } from '#shared/validation';
import { decodeMessageRef } from '#shared/whatsapp/callback-data';
import { templateRequestBody, type SendResult, type TemplateMessage } from '#shared/whatsapp/graph-client';

const purchase = (JSON.parse(readFileSync(new URL('../../../fixtures/events/purchase-completed.json', import.meta.url), 'utf8')) as { detail: PurchaseDetail }).detail;
const WAMID = 'wamid.HBgLMzQ2MTIzNDU2NzgVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA';

/** The same rules as the DynamoDB store: a conditional claim, caps taken with it, a release only of a claim. */
class InMemoryJourneyStore implements JourneyStore {
  readonly records = new Map<string, MessageRecord & { template?: string; variant?: string; assignedVariant?: string; standInReason?: string }>();
  /** `<cap>|<phone>` → last take. */
  readonly caps = new Map<string, { lastAt: string; holder: string }>();
  private key = (orderId: string, milestone: MilestoneId) => `${orderId}|${milestone}`;

  async claimMessage(claim: MessageClaim) {
    const existing = this.records.get(this.key(claim.orderId, claim.milestone));
    if (existing !== undefined) return { claimed: false as const, existing };
    const { template, variant, assignedVariant, standInReason } = claim;
    this.records.set(this.key(claim.orderId, claim.milestone), {
      status: 'claimed',
      claimedAt: claim.claimedAt,
      template,
      variant,
      ...(assignedVariant === undefined ? {} : { assignedVariant }),
      ...(standInReason === undefined ? {} : { standInReason }),
    });
    return { claimed: true as const };
  }
  /** Every claim asked for, as the send step built it. */
  readonly claimed: MessageClaim[] = [];
  async claimMessageUnderCaps(claim: MessageClaim, caps: readonly CapTake[]): Promise<CappedClaim> {
    this.claimed.push(claim);
    const existing = this.records.get(this.key(claim.orderId, claim.milestone));
    if (existing !== undefined) return { claimed: false, existing };
    const holder = `${claim.orderId}#${claim.milestone}`;
    for (const take of caps) {
      const last = this.caps.get(`${take.cap}|${take.phone}`);
      if (last !== undefined && last.lastAt > take.lastAtOrBefore && last.holder !== holder) return { claimed: false, capped: take.cap, lastAt: last.lastAt };
    }
    for (const take of caps) this.caps.set(`${take.cap}|${take.phone}`, { lastAt: take.at, holder });
    return this.claimMessage(claim);
  }
  async recordSkipped(skip: MessageSkip) {
    const existing = this.records.get(this.key(skip.orderId, skip.milestone));
    if (existing !== undefined) return { recorded: false as const, existing };
    const { reason, skippedAt, detail } = skip;
    this.records.set(this.key(skip.orderId, skip.milestone), { status: 'skipped', reason, skippedAt, ...(detail === undefined ? {} : { detail }) });
    return { recorded: true as const };
  }
  async recordSent(orderId: string, milestone: MilestoneId, wamid: string, sentAt: string) {
    this.records.set(this.key(orderId, milestone), { status: 'sent', wamid, sentAt });
  }
  async recordFailed(orderId: string, milestone: MilestoneId, failure: { reason: string; failedAt: string; errorCode?: number }) {
    this.records.set(this.key(orderId, milestone), { status: 'failed', ...failure });
  }
  async recordUnconfirmed(orderId: string, milestone: MilestoneId, unconfirmed: { reason: string; unconfirmedAt: string }) {
    const key = this.key(orderId, milestone);
    const claim = this.records.get(key);
    if (claim?.status !== 'claimed') throw new Error('ConditionalCheckFailed: not a claim');
    this.records.set(key, { ...claim, status: 'unconfirmed', ...unconfirmed });
  }
  async releaseClaim(orderId: string, milestone: MilestoneId) {
    const key = this.key(orderId, milestone);
    if (this.records.get(key)?.status !== 'claimed') throw new Error('ConditionalCheckFailed: not a claim');
    this.records.delete(key);
  }
  async releaseUnconfirmed(orderId: string, milestone: MilestoneId, claimedAt: string) {
    const key = this.key(orderId, milestone);
    const record = this.records.get(key);
    if ((record?.status === 'claimed' || record?.status === 'unconfirmed') && record.claimedAt === claimedAt) this.records.delete(key);
  }
  readonly sentMessages = new Map<string, SentMessage>();
  async recordSentMessage(message: SentMessage) {
    this.sentMessages.set(message.wamid, message);
  }
  async messageByWamid(wamid: string) {
    return this.sentMessages.get(wamid);
  }
  async lastMessageTo(phone: string) {
    return [...this.sentMessages.values()].filter((m) => m.phone === phone).sort((a, b) => a.sentAt.localeCompare(b.sentAt)).at(-1);
  }
  get(orderId: string, milestone: MilestoneId) {
    return this.records.get(this.key(orderId, milestone));
  }
}

/** The same rules as the DynamoDB consent store: state and evidence written together, on the version read. */
class InMemoryConsentStore implements ConsentStore {
  readonly states = new Map<string, ConsentState>();
  readonly evidence = new Map<string, ConsentEvidence[]>();
  async readState(phone: string) {
    return this.states.get(phone);
  }
  async listEvidence(phone: string) {
    return [...(this.evidence.get(phone) ?? [])];
  }
  async commit({ state, evidence, expectedVersion }: { state: ConsentState; evidence: ConsentEvidence; expectedVersion: number }): Promise<CommitResult> {
    const history = this.evidence.get(state.phone) ?? [];
    if (history.some((e) => e.evidenceId === evidence.evidenceId)) return 'duplicate';
    if ((this.states.get(state.phone)?.version ?? 0) !== expectedVersion) return 'conflict';
    this.states.set(state.phone, state);
    this.evidence.set(state.phone, [...history, evidence]);
    return 'committed';
  }
}

/** A clock that moves one second per reading, so claim and send times differ; `advance` jumps. */
function tickingClock(startIso: string): Clock & { advance(ms: number): void } {
  let ms = Date.parse(startIso);
  return { now: () => new Date((ms += 1000) - 1000), advance: (by) => void (ms += by) };
}

async function harness(results: SendResult[] = [{ ok: true, wamid: WAMID }], options: { optIn?: boolean; config?: JourneyConfig } = {}) {
  const journeys = new InMemoryJourneyStore();
  const consent = new InMemoryConsentStore();
  const paused = new Map<string, { reason: string; pausedAt: string }>();
  const sends: TemplateMessage[] = [];
  const published: DomainEvent[][] = [];
  const queue = [...results];
  const clock = tickingClock('2026-03-08T09:00:00.000Z');
  const deps: SendStepDeps = {
    clock,
    journeys,
    consent,
    pauses: { marketingPause: async (phone) => paused.get(phone) },
    config: options.config ?? DEFAULT_JOURNEY_CONFIG,
    send: async (message: TemplateMessage): Promise<SendResult> => {
      sends.push(message);
      const next = queue.shift();
      if (next === undefined) throw new Error('unexpected extra send');
      return next;
    },
    publish: async (events: DomainEvent[]) => {
      published.push(events);
    },
  };
  const record = (change: ConsentChange | undefined) => recordConsentChange(change!, { store: consent, clock: { now: () => new Date('2026-03-01T09:00:00.000Z') } });
  if (options.optIn !== false) await record(consentChangeOfPurchase(purchase));
  return { deps, journeys, consent, paused, sends, published, clock, record };
}

/** Every published event, checked against its contract (shared/events/domain.ts). */
function expectContractual(published: DomainEvent[][]) {
  for (const event of published.flat()) {
    const schema: z.ZodMiniType = (DETAIL_SCHEMA_OF_EVENT as Partial<Record<string, z.ZodMiniType>>)[event.type] ?? messageEventDetailSchema;
    expect(parseWith(schema, event.detail), event.type).toMatchObject({ ok: true });
    expect(JSON.stringify(event.detail)).not.toContain('34612345678');
  }
}

const input = (milestone: MilestoneId = 'day7', detail: PurchaseDetail = purchase): SendStepInput => ({
  orderId: detail.orderId,
  purchase: detail,
  milestone,
  dueAt: '2026-03-08T09:00:00.000Z',
});

describe('runSendStep', () => {
  it('claims, sends the milestone template in the customer’s language, records and publishes Message Sent', async () => {
    const { deps, journeys, sends, published } = await harness();
    const outcome = await runSendStep(input('day7'), deps);

    // The day-7 message is followed up 72 h later (a fallback if the customer has not replied).
    expect(outcome).toEqual({ status: 'sent', wamid: WAMID, template: 'posventa_day7_adoption', variant: 'A', followUpAt: '2026-03-11T09:00:01.000Z' });
    expect(sends).toHaveLength(1);
    const message = sends[0]!;
    expect(message).toMatchObject({
      templateName: 'posventa_day7_adoption',
      languageCode: 'es',
      bodyParameters: ['María José', 'Cafetera espresso Rápida 220'],
    });
    // The step passes E.164 (TemplateMessage.to); the request body Meta gets has the digits only.
    expect(message.to).toBe('+34612345678');
    expect(templateRequestBody(message)).toMatchObject({ to: '34612345678', biz_opaque_callback_data: message.callbackData });
    expect(decodeMessageRef(message.callbackData)).toEqual({ orderId: 'ES-2026-000123', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A' });

    expect(journeys.get('ES-2026-000123', 'day7')).toEqual({ status: 'sent', wamid: WAMID, sentAt: '2026-03-08T09:00:01.000Z' });
    expect(published).toEqual([
      [
        {
          type: DOMAIN_EVENT.messageSent,
          detail: {
            eventId: `${WAMID}:sent`,
            occurredAt: '2026-03-08T09:00:01.000Z',
            orderId: 'ES-2026-000123',
            milestone: 'day7',
            template: 'posventa_day7_adoption',
            variant: 'A',
            wamid: WAMID,
          },
        },
      ],
    ]);
    expect(JSON.stringify(published)).not.toContain('34612345678');
  });

  it('records the wamid → journey mapping and the phone’s last message, for the webhook', async () => {
    const { deps, journeys } = await harness();
    await runSendStep(input('day7'), deps);
    const expected = { wamid: WAMID, orderId: 'ES-2026-000123', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A', phone: '+34612345678', sentAt: '2026-03-08T09:00:01.000Z' };
    expect(await journeys.messageByWamid(WAMID)).toEqual(expected);
    expect(await journeys.lastMessageTo('+34612345678')).toEqual(expected);
  });

  it('records the mapping again when a retried step finds its message already sent', async () => {
    const { deps, journeys } = await harness();
    await runSendStep(input('day7'), deps);
    journeys.sentMessages.clear();
    await runSendStep(input('day7'), deps);
    expect(await journeys.messageByWamid(WAMID)).toMatchObject({ orderId: 'ES-2026-000123', milestone: 'day7' });
  });

  it.each([
    ['pt-BR', 'day30', 'pt_BR', 'posventa_day30_nps'],
    ['en-US', 'day60', 'en', 'posventa_day60_offer'],
    ['fr-FR', 'day7', 'es', 'posventa_day7_adoption'],
  ] as const)('sends a %s customer the %s template in %s', async (locale, milestone, languageCode, templateName) => {
    const { deps, sends } = await harness();
    await runSendStep(input(milestone, { ...purchase, customer: { ...purchase.customer, locale } }), deps);
    expect(sends[0]).toMatchObject({ languageCode, templateName });
  });

  it('does not send again when the step is retried after a success, and re-publishes the same event', async () => {
    const { deps, sends, published } = await harness([{ ok: true, wamid: WAMID }]);
    const first = await runSendStep(input(), deps);
    const second = await runSendStep(input(), deps);

    expect(sends).toHaveLength(1);
    expect(second).toEqual(first);
    expect(published).toHaveLength(2);
    expect(published[1]).toEqual(published[0]);
  });

  it('reports unconfirmed, with no send, when an earlier attempt left only a claim, and asks for its reconciliation 6 h after that claim', async () => {
    const { deps, journeys, sends, published } = await harness();
    await journeys.claimMessage({ orderId: 'ES-2026-000123', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A', claimedAt: '2026-03-08T08:59:00.000Z' });

    const outcome = await runSendStep(input(), deps);
    expect(outcome).toEqual({
      status: 'unconfirmed',
      reason: 'an earlier attempt claimed this message at 2026-03-08T08:59:00.000Z and did not finish; Meta may have taken it',
      template: 'posventa_day7_adoption',
      variant: 'A',
      claimedAt: '2026-03-08T08:59:00.000Z',
      followUpAt: '2026-03-08T14:59:00.000Z',
    });
    expect(sends).toHaveLength(0);
    expect(published).toHaveLength(0);
    expect(journeys.get('ES-2026-000123', 'day7')).toMatchObject({ status: 'claimed' });
  });

  it('reconciles a claim left long ago at once, in the send window, for the template it was claimed for', async () => {
    const { deps, journeys, clock } = await harness();
    // Claimed for variant B the evening before (the customer's variant is A now); re-run at 10:00 in Madrid, then at midnight.
    await journeys.claimMessage({ orderId: 'ES-2026-000123', milestone: 'day7', template: 'posventa_day7_adoption_b', variant: 'B', claimedAt: '2026-03-07T18:00:00.000Z' });
    expect(await runSendStep(input(), deps)).toMatchObject({ template: 'posventa_day7_adoption_b', variant: 'B', claimedAt: '2026-03-07T18:00:00.000Z', followUpAt: expect.stringMatching(/^2026-03-08T09:00:0\d\.000Z$/) });
    clock.advance(14 * 3_600_000);
    // Midnight is outside 09:00–20:00: the reconciliation (and any resend) waits for the window.
    expect(await runSendStep(input(), deps)).toMatchObject({ followUpAt: '2026-03-09T08:00:00.000Z' });
  });

  it('keeps the claim and does not resend at once when Meta may have taken the message (no answer): unconfirmed, reconciled 6 h later; the same on a retry', async () => {
    const { deps, journeys, sends, published } = await harness([
      { ok: false, retryable: false, unconfirmed: true, message: 'no answer from the Graph API (TimeoutError); Meta may have accepted the message' },
    ]);

    const outcome = await runSendStep(input(), deps);
    expect(outcome).toEqual({
      status: 'unconfirmed',
      reason: expect.stringMatching(/may have accepted/),
      template: 'posventa_day7_adoption',
      variant: 'A',
      claimedAt: '2026-03-08T09:00:00.000Z',
      followUpAt: '2026-03-08T15:00:01.000Z',
    });
    expect(journeys.get('ES-2026-000123', 'day7')).toMatchObject({ status: 'unconfirmed', claimedAt: '2026-03-08T09:00:00.000Z', reason: expect.stringMatching(/TimeoutError/) });
    expect(await runSendStep(input(), deps)).toEqual(outcome);
    expect(sends).toHaveLength(1);
    // Nothing counted as sent or failed: if Meta took it, its status webhooks (callback data) count it.
    expect(published).toHaveLength(0);
  });

  it('never resends an unconfirmed send when reconciliation is off (unconfirmedCheckHours 0), and carries the resend count on', async () => {
    const config = journeyConfigSchema.parse({ followUps: { unconfirmedCheckHours: 0 } });
    const { deps } = await harness([{ ok: false, retryable: false, unconfirmed: true, message: 'no answer from the Graph API (ECONNRESET); Meta may have accepted the message' }], { config });
    const outcome = await runSendStep({ ...input(), outcome: { status: 'deferred', unconfirmedResends: 1 } }, deps);
    expect(outcome).toMatchObject({ status: 'unconfirmed', unconfirmedResends: 1 });
    expect(outcome).not.toHaveProperty('followUpAt');
  });

  it('keeps milestones of one order apart: day 30 is sent after day 7 was', async () => {
    const { deps, sends } = await harness([{ ok: true, wamid: WAMID }, { ok: true, wamid: 'wamid.day30' }]);
    await runSendStep(input('day7'), deps);
    expect(await runSendStep(input('day30'), deps)).toMatchObject({ status: 'sent', wamid: 'wamid.day30' });
    expect(sends.map((s) => s.templateName)).toEqual(['posventa_day7_adoption', 'posventa_day30_nps']);
  });

  it('releases the claim and throws TransientSendError on a retryable Graph failure, so the retry sends', async () => {
    const { deps, journeys, sends, published } = await harness([
      { ok: false, retryable: true, code: 130429, httpStatus: 400, message: 'Rate limit hit' },
      { ok: true, wamid: WAMID },
    ]);

    const attempt = runSendStep(input(), deps);
    await expect(attempt).rejects.toBeInstanceOf(TransientSendError);
    await expect(attempt).rejects.toMatchObject({ name: 'TransientSendError', message: 'Rate limit hit' });
    expect(journeys.get('ES-2026-000123', 'day7')).toBeUndefined();
    expect(published).toHaveLength(0);

    expect(await runSendStep(input(), deps)).toMatchObject({ status: 'sent', wamid: WAMID });
    expect(sends).toHaveLength(2);
  });

  it('records a permanent failure and publishes Message Failed with the error code and Fallback Requested (email), without retrying', async () => {
    const { deps, journeys, sends, published } = await harness([{ ok: false, retryable: false, code: 131026, httpStatus: 400, message: 'Message undeliverable' }]);

    const outcome = await runSendStep(input('day30'), deps);
    expect(outcome).toEqual({ status: 'failed', reason: 'Message undeliverable', errorCode: 131026 });
    expect(journeys.get('ES-2026-000123', 'day30')).toEqual({
      status: 'failed',
      reason: 'Message undeliverable',
      failedAt: '2026-03-08T09:00:01.000Z',
      errorCode: 131026,
    });
    expect(published).toEqual([
      [
        {
          type: DOMAIN_EVENT.messageFailed,
          detail: {
            eventId: 'send-failed:ES-2026-000123:day30',
            occurredAt: '2026-03-08T09:00:01.000Z',
            orderId: 'ES-2026-000123',
            milestone: 'day30',
            template: 'posventa_day30_nps',
            variant: 'A',
            errorCode: 131026,
          },
        },
        {
          type: DOMAIN_EVENT.fallbackRequested,
          detail: {
            eventId: 'fallback:ES-2026-000123:day30',
            occurredAt: '2026-03-08T09:00:01.000Z',
            orderId: 'ES-2026-000123',
            milestone: 'day30',
            template: 'posventa_day30_nps',
            variant: 'A',
            errorCode: 131026,
            channelHint: 'email',
            reason: 'Message undeliverable',
          },
        },
      ],
    ]);
    expectContractual(published);

    // A retried step reports the recorded failure and does not send; it publishes the same event again.
    expect(await runSendStep(input('day30'), deps)).toEqual({ status: 'failed', reason: 'Message undeliverable', errorCode: 131026 });
    expect(sends).toHaveLength(1);
    expect(published[1]).toEqual(published[0]);
  });

  it('records a permanent failure without a Meta code and leaves errorCode out', async () => {
    const { deps, published } = await harness([{ ok: false, retryable: false, httpStatus: 401, message: 'Graph API answered HTTP 401' }]);
    expect(await runSendStep(input(), deps)).toEqual({ status: 'failed', reason: 'Graph API answered HTTP 401' });
    expect(published[0]![0]!.detail).not.toHaveProperty('errorCode');
  });

  // Like the `sent` branch: the first attempt may have died after recordFailed and before
  // publish (a Lambda timeout or PutEvents error). The event id is deterministic, so
  // re-publishing is safe; not re-publishing loses the failure from the KPIs for good.
  it('re-publishes Message Failed and Fallback Requested (same event ids) when a retried step finds a recorded failure', async () => {
    const { deps, published } = await harness([{ ok: false, retryable: false, code: 131026, httpStatus: 400, message: 'Message undeliverable' }]);
    let publishCalls = 0;
    const crashingFirstPublish = {
      ...deps,
      publish: async (events: DomainEvent[]) => {
        if (publishCalls++ === 0) throw new Error('EventBridge refused 1 of 1 events');
        await deps.publish(events);
      },
    };

    // A failed publish is retryable: the state machine retries the step.
    await expect(runSendStep(input('day30'), crashingFirstPublish)).rejects.toMatchObject({ name: 'TransientSendError', message: expect.stringMatching(/EventBridge/) });
    await runSendStep(input('day30'), crashingFirstPublish);
    expect(published.flat().map((e) => [e.type, e.detail.eventId])).toEqual([
      [DOMAIN_EVENT.messageFailed, 'send-failed:ES-2026-000123:day30'],
      [DOMAIN_EVENT.fallbackRequested, 'fallback:ES-2026-000123:day30'],
    ]);
  });
});

const ORDER = 'ES-2026-000123';
const PHONE = '+34612345678';
const otherOrder = (orderId: string): PurchaseDetail => ({ ...purchase, orderId });
const skipEvent = (milestone: MilestoneId, template: string, reason: string) => ({
  type: DOMAIN_EVENT.messageSkipped,
  detail: expect.objectContaining({ eventId: `skip:${ORDER}:${milestone}`, orderId: ORDER, milestone, template, variant: 'A', reason }),
});

describe('runSendStep decisions: each skip is recorded with its reason and a Message Skipped event', () => {
  it('never messages a holdout customer: skip `holdout` (what the KPI counts as the control group), the same on a retry', async () => {
    const { deps, journeys, sends, published } = await harness();
    const outcome = await runSendStep({ ...input('day60'), holdout: true }, deps);

    expect(SKIP_REASON.holdout).toBe(HOLDOUT_SKIP_REASON);
    expect(outcome).toMatchObject({ status: 'skipped', reason: 'holdout' });
    expect(sends).toHaveLength(0);
    expect(journeys.get(ORDER, 'day60')).toMatchObject({ status: 'skipped', reason: 'holdout' });
    expect(published).toEqual([[skipEvent('day60', 'posventa_day60_offer', 'holdout')]]);
    expectContractual(published);

    expect(await runSendStep({ ...input('day60'), holdout: true }, deps)).toMatchObject({ status: 'skipped', reason: 'holdout' });
    expect(published[1]).toEqual(published[0]);
    expect(sends).toHaveLength(0);
  });

  it('skips day 60 with `bought-again` when the customer bought again since the journey’s purchase; day 30 and an earlier purchase do not', async () => {
    const journey = (orderId: string, purchasedAt: string) => ({ orderId, purchasedAt, executionArn: `arn:execution:${orderId}`, locale: 'es-ES' });
    const later = journey('ES-2026-000200', '2026-03-20T11:00:00Z');
    const earlier = journey('ES-2026-000050', '2026-02-01T10:00:00Z');
    const asked: string[] = [];
    const { deps, sends, published } = await harness([
      { ok: true, wamid: WAMID },
      { ok: true, wamid: `${WAMID}2` },
    ]);
    deps.contactJourneys = { journeysOf: async (phone) => (asked.push(phone), [later, journey(ORDER, purchase.purchasedAt), earlier]) };

    expect(await runSendStep(input('day60'), deps)).toMatchObject({ status: 'skipped', reason: 'bought-again' });
    expect(asked).toEqual([PHONE]);
    expect(sends).toHaveLength(0);
    expect(published).toEqual([[skipEvent('day60', 'posventa_day60_offer', 'bought-again')]]);
    expect(JSON.stringify(published)).not.toContain(PHONE.slice(1));

    expect(await runSendStep(input('day30'), deps)).toMatchObject({ status: 'sent' });
    deps.contactJourneys = { journeysOf: async () => [journey(ORDER, purchase.purchasedAt), earlier] };
    expect(await runSendStep({ ...input('day60'), orderId: 'ES-2026-000999', purchase: otherOrder('ES-2026-000999') }, deps)).toMatchObject({ status: 'sent' });
  });

  it('skips `no-opt-in` for a contact without a recorded opt-in', async () => {
    const { deps, sends, published } = await harness([], { optIn: false });
    expect(await runSendStep(input('day7'), deps)).toMatchObject({ status: 'skipped', reason: 'no-opt-in', detail: 'no recorded opt-in for utility messages' });
    expect(sends).toHaveLength(0);
    expect(published).toEqual([[skipEvent('day7', 'posventa_day7_adoption', 'no-opt-in')]]);
  });

  it('skips `opted-out` after a keyword opt-out, and a marketing-only opt-out stops day 60 but not day 7', async () => {
    const opted = await harness();
    await opted.record({ contact: { phone: PHONE }, action: 'opt-out', scopes: ['utility', 'marketing'], source: 'keyword', actor: 'customer', at: '2026-03-05T10:00:00.000Z', evidenceId: 'keyword:wamid.stop' });
    expect(await runSendStep(input('day7'), opted.deps)).toMatchObject({ status: 'skipped', reason: 'opted-out' });
    expect(opted.sends).toHaveLength(0);

    const marketingOnly = await harness();
    await marketingOnly.record({ contact: { phone: PHONE }, action: 'opt-out', scopes: ['marketing'], source: 'meta-user-preferences', actor: 'meta', at: '2026-03-05T10:00:00.000Z', evidenceId: 'meta-user-preferences:stop:x' });
    expect(await runSendStep(input('day60'), marketingOnly.deps)).toMatchObject({ status: 'skipped', reason: 'opted-out' });
    expect(await runSendStep(input('day7'), marketingOnly.deps)).toMatchObject({ status: 'sent' });
  });

  it('reads consent last, right before the claim: an opt-out recorded while the step decided is honoured', async () => {
    const h = await harness();
    const order: string[] = [];
    const deps: SendStepDeps = {
      ...h.deps,
      pauses: {
        marketingPause: async () => {
          order.push('pause');
          // The customer writes STOP while the step is deciding.
          await h.record({ contact: { phone: PHONE }, action: 'opt-out', scopes: ['utility', 'marketing'], source: 'keyword', actor: 'customer', at: '2026-03-08T09:00:00.000Z', evidenceId: 'keyword:wamid.race' });
          return undefined;
        },
      },
      consent: { ...h.consent, readState: async (phone) => (order.push('consent'), h.consent.readState(phone)), listEvidence: (p) => h.consent.listEvidence(p), commit: (w) => h.consent.commit(w) },
      journeys: Object.assign(Object.create(h.journeys) as InMemoryJourneyStore, {
        claimMessageUnderCaps: (claim: MessageClaim, caps: readonly CapTake[]) => (order.push('claim'), h.journeys.claimMessageUnderCaps(claim, caps)),
        recordSkipped: (skip: MessageSkip) => (order.push('skip'), h.journeys.recordSkipped(skip)),
      }),
    };
    expect(await runSendStep(input('day60'), deps)).toMatchObject({ status: 'skipped', reason: 'opted-out' });
    expect(order).toEqual(['pause', 'consent', 'skip']);
    expect(h.sends).toHaveLength(0);
  });

  it('sends the customer’s variant, weighted by the journey config, and records it on the claim, callback data and event', async () => {
    const config = journeyConfigSchema.parse({ milestones: [{ id: 'day7', day: 7, variants: { A: 0, B: 1 } }, { id: 'day30', day: 30 }, { id: 'day60', day: 60 }] });
    const { deps, sends, published } = await harness(undefined, { config });
    expect(await runSendStep(input('day7'), deps)).toMatchObject({ status: 'sent', template: 'posventa_day7_adoption_b', variant: 'B' });
    expect(sends[0]).toMatchObject({ templateName: 'posventa_day7_adoption_b' });
    expect(decodeMessageRef(sends[0]!.callbackData)).toMatchObject({ template: 'posventa_day7_adoption_b', variant: 'B' });
    expect(published[0]![0]!.detail).toMatchObject({ template: 'posventa_day7_adoption_b', variant: 'B' });
  });

  it('lets another variant stand in for an unavailable template in the customer’s language, and skips `template-unavailable` when none can be sent', async () => {
    const paused = (name: string) => ({ unavailable: new Map([[name, `${name} PAUSED at Meta since 2026-03-01T10:00:00.000Z`]]), lowQuality: new Set<string>() });
    const standIn = await harness();
    const asked: string[] = [];
    standIn.deps.templateAvailability = async (language) => (asked.push(language), paused('posventa_day7_adoption'));
    expect(await runSendStep(input('day7'), standIn.deps)).toMatchObject({ status: 'sent', template: 'posventa_day7_adoption_b', variant: 'B' });
    expect(asked).toEqual(['es']);
    expect(standIn.journeys.claimed).toEqual([expect.objectContaining({ variant: 'B', assignedVariant: 'A', standInReason: expect.stringContaining('posventa_day7_adoption PAUSED') })]);

    const none = await harness([]);
    none.deps.templateAvailability = async () => paused('posventa_day60_offer');
    expect(await runSendStep(input('day60'), none.deps)).toMatchObject({ status: 'skipped', reason: 'template-unavailable', detail: expect.stringContaining('posventa_day60_offer PAUSED at Meta') });
    expect(none.published).toEqual([[skipEvent('day60', 'posventa_day60_offer', 'template-unavailable')]]);
    expect(none.sends).toHaveLength(0);
  });

  it('retries the step (TransientSendError) when the templates’ status cannot be read, and sends nothing', async () => {
    const { deps, sends, published } = await harness([]);
    deps.templateAvailability = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    await expect(runSendStep(input('day7'), deps)).rejects.toBeInstanceOf(TransientSendError);
    expect(sends).toEqual([]);
    expect(published).toEqual([]);
  });

  it('skips day 60 for a detractor whose promotions are paused, and still sends utility milestones', async () => {
    const { deps, paused, sends } = await harness();
    paused.set(PHONE, { reason: 'nps-detractor', pausedAt: '2026-03-07T10:00:00.000Z' });
    expect(await runSendStep(input('day60'), deps)).toMatchObject({ status: 'skipped', reason: 'detractor', detail: expect.stringContaining('nps-detractor') });
    expect(await runSendStep(input('day7'), deps)).toMatchObject({ status: 'sent' });
    expect(sends.map((s) => s.templateName)).toEqual(['posventa_day7_adoption']);
  });

  it('holds one marketing message per contact per 7 days across orders: the second waits until the cap frees, then sends', async () => {
    const { deps, sends, clock } = await harness([{ ok: true, wamid: 'wamid.first' }, { ok: true, wamid: 'wamid.second' }]);
    const first = await runSendStep(input('day60'), deps);
    expect(first).toMatchObject({ status: 'sent' });
    const firstAt = Date.parse('2026-03-08T09:00:00.000Z');

    const second = await runSendStep(input('day60', otherOrder('ES-2026-000124')), deps);
    expect(second).toMatchObject({ status: 'deferred', reason: 'frequency-cap', capDeferrals: 1, metaLimitRetries: 0 });
    if (second.status !== 'deferred') throw new Error('not deferred');
    // 7 days after the first one's claim, inside the Madrid send window (09:00–20:00, UTC+1 in March).
    expect(Date.parse(second.retryAt)).toBeGreaterThanOrEqual(firstAt + 7 * 86_400_000);
    expect(second.retryAt).toBe('2026-03-15T09:00:00.000Z');

    // Utility milestones are not capped.
    expect(await runSendStep(input('day7', otherOrder('ES-2026-000124')), { ...deps, send: async () => ({ ok: true, wamid: 'wamid.day7' }) })).toMatchObject({ status: 'sent' });

    clock.advance(Date.parse(second.retryAt) - clock.now().getTime());
    expect(await runSendStep({ ...input('day60', otherOrder('ES-2026-000124')), outcome: second }, deps)).toMatchObject({ status: 'sent', wamid: 'wamid.second' });
    expect(sends.map((s) => s.templateName)).toEqual(['posventa_day60_offer', 'posventa_day60_offer']);
  });

  it('lets a retried step pass its own cap, and skips `frequency-cap` once the deferrals are used up', async () => {
    const { deps, journeys } = await harness([{ ok: false, retryable: true, code: 131000, httpStatus: 500, message: 'Something went wrong' }, { ok: true, wamid: WAMID }]);
    await expect(runSendStep(input('day60'), deps)).rejects.toBeInstanceOf(TransientSendError);
    // Its cap take stays, and is its own.
    expect(await runSendStep(input('day60'), deps)).toMatchObject({ status: 'sent' });

    const capped = await runSendStep({ ...input('day60', otherOrder('ES-2026-000125')), outcome: { status: 'deferred', capDeferrals: 8, metaLimitRetries: 0 } }, deps);
    expect(capped).toMatchObject({ status: 'skipped', reason: 'frequency-cap' });
    expect(journeys.get('ES-2026-000125', 'day60')).toMatchObject({ status: 'skipped', reason: 'frequency-cap' });
  });

  it('asks NPS at most once per contact per 90 days across orders: the second survey is skipped `nps-recently-asked`', async () => {
    const { deps, sends, clock } = await harness([{ ok: true, wamid: 'wamid.nps1' }, { ok: true, wamid: 'wamid.nps3' }]);
    expect(await runSendStep(input('day30'), deps)).toMatchObject({ status: 'sent' });
    expect(await runSendStep(input('day30', otherOrder('ES-2026-000126')), deps)).toMatchObject({ status: 'skipped', reason: 'nps-recently-asked' });
    clock.advance(91 * 86_400_000);
    expect(await runSendStep(input('day30', otherOrder('ES-2026-000127')), deps)).toMatchObject({ status: 'sent', wamid: 'wamid.nps3' });
    expect(sends).toHaveLength(2);
  });

  it('defers after 131049 (Meta’s per-user marketing limit) by 24 h, 48 h, 72 h, then records failed and asks for a fallback', async () => {
    const limited = { ok: false as const, retryable: false, code: 131049, httpStatus: 400, message: 'This message was not delivered to maintain healthy ecosystem engagement.' };
    const { deps, journeys, published, clock } = await harness([limited, limited, limited, limited]);
    const answeredAt: number[] = [];
    const send = deps.send;
    deps.send = async (message) => {
      const result = await send(message);
      answeredAt.push(clock.now().getTime());
      return result;
    };
    let outcome = await runSendStep(input('day60'), deps);
    const gaps: number[] = [];
    for (let retry = 1; retry <= 3; retry++) {
      expect(outcome).toMatchObject({ status: 'deferred', reason: 'meta-marketing-limit', metaLimitRetries: retry });
      if (outcome.status !== 'deferred') throw new Error('not deferred');
      // The claim went back, so the retry may send.
      expect(journeys.get(ORDER, 'day60')).toBeUndefined();
      gaps.push(Date.parse(outcome.retryAt) - answeredAt.at(-1)!);
      clock.advance(Date.parse(outcome.retryAt) - clock.now().getTime());
      outcome = await runSendStep({ ...input('day60'), outcome }, deps);
    }
    const hours = gaps.map((ms) => ms / 3_600_000);
    expect(hours[0]).toBeGreaterThanOrEqual(24);
    expect(hours[1]).toBeGreaterThanOrEqual(48);
    expect(hours[2]).toBeGreaterThanOrEqual(72);
    expect(outcome).toMatchObject({ status: 'failed', errorCode: 131049 });
    expect(published.flat().map((e) => e.type)).toEqual([DOMAIN_EVENT.messageFailed, DOMAIN_EVENT.fallbackRequested]);
  });

  it('sends after a 131049 once Meta accepts, under its own cap', async () => {
    const { deps, clock } = await harness([{ ok: false, retryable: false, code: 131049, httpStatus: 400, message: 'limited' }, { ok: true, wamid: WAMID }]);
    const deferred = await runSendStep(input('day60'), deps);
    if (deferred.status !== 'deferred') throw new Error('not deferred');
    clock.advance(Date.parse(deferred.retryAt) - clock.now().getTime());
    expect(await runSendStep({ ...input('day60'), outcome: deferred }, deps)).toMatchObject({ status: 'sent', wamid: WAMID });
  });

  it('records 131050 as failed and as a marketing opt-out (evidence kept), without a fallback; later marketing is skipped', async () => {
    const { deps, consent, published, sends } = await harness([{ ok: false, retryable: false, code: 131050, httpStatus: 400, message: 'Unable to deliver message: user stopped marketing messages' }]);
    expect(await runSendStep(input('day60'), deps)).toEqual({ status: 'failed', reason: 'Unable to deliver message: user stopped marketing messages', errorCode: 131050 });
    const state = await consent.readState(PHONE);
    expect(state?.scopes.marketing).toMatchObject({ status: 'opted-out', source: 'send-error-131050', evidenceId: `send-error-131050:${ORDER}:day60` });
    expect(state?.scopes.utility).toMatchObject({ status: 'opted-in' });
    expect(published.flat().map((e) => e.type)).toEqual([DOMAIN_EVENT.messageFailed]);

    // A retried step finds the failure and records the opt-out again, once.
    expect(await runSendStep(input('day60'), deps)).toMatchObject({ status: 'failed', errorCode: 131050 });
    expect((await consent.listEvidence(PHONE)).filter((e) => e.source === 'send-error-131050')).toHaveLength(1);

    expect(await runSendStep(input('day60', otherOrder('ES-2026-000128')), deps)).toMatchObject({ status: 'skipped', reason: 'opted-out' });
    expect(sends).toHaveLength(1);
  });
});
