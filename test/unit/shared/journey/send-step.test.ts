import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Clock } from '#shared/clock';
import { DOMAIN_EVENT, type DomainEvent } from '#shared/events/domain';
import type { PurchaseDetail } from '#shared/events/purchase';
import type { JourneyStore, MessageClaim, MessageRecord, SentMessage } from '#shared/journey/journey-store';
import type { MilestoneId } from '#shared/journey/milestones';
import { runSendStep, TransientSendError, type SendStepInput } from '#shared/journey/send-step';
import { decodeMessageRef } from '#shared/whatsapp/callback-data';
import { templateRequestBody, type SendResult, type TemplateMessage } from '#shared/whatsapp/graph-client';

const purchase = (JSON.parse(readFileSync(new URL('../../../fixtures/events/purchase-completed.json', import.meta.url), 'utf8')) as { detail: PurchaseDetail }).detail;
const WAMID = 'wamid.HBgLMzQ2MTIzNDU2NzgVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA';

/** The same rules as the DynamoDB store: a conditional claim, and a release only of a claim. */
class InMemoryJourneyStore implements JourneyStore {
  readonly records = new Map<string, MessageRecord & { template?: string; variant?: string }>();
  private key = (orderId: string, milestone: MilestoneId) => `${orderId}|${milestone}`;

  async claimMessage(claim: MessageClaim) {
    const existing = this.records.get(this.key(claim.orderId, claim.milestone));
    if (existing !== undefined) return { claimed: false as const, existing };
    this.records.set(this.key(claim.orderId, claim.milestone), { status: 'claimed', claimedAt: claim.claimedAt, template: claim.template, variant: claim.variant });
    return { claimed: true as const };
  }
  async recordSent(orderId: string, milestone: MilestoneId, wamid: string, sentAt: string) {
    this.records.set(this.key(orderId, milestone), { status: 'sent', wamid, sentAt });
  }
  async recordFailed(orderId: string, milestone: MilestoneId, failure: { reason: string; failedAt: string; errorCode?: number }) {
    this.records.set(this.key(orderId, milestone), { status: 'failed', ...failure });
  }
  async releaseClaim(orderId: string, milestone: MilestoneId) {
    const key = this.key(orderId, milestone);
    if (this.records.get(key)?.status !== 'claimed') throw new Error('ConditionalCheckFailed: not a claim');
    this.records.delete(key);
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

/** A clock that moves one second per reading, so claim and send times differ. */
function tickingClock(startIso: string): Clock {
  let ms = Date.parse(startIso);
  return { now: () => new Date((ms += 1000) - 1000) };
}

function harness(results: SendResult[] = [{ ok: true, wamid: WAMID }]) {
  const journeys = new InMemoryJourneyStore();
  const sends: TemplateMessage[] = [];
  const published: DomainEvent[][] = [];
  const queue = [...results];
  const deps = {
    clock: tickingClock('2026-03-08T09:00:00.000Z'),
    journeys,
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
  return { deps, journeys, sends, published };
}

const input = (milestone: MilestoneId = 'day7', detail: PurchaseDetail = purchase): SendStepInput => ({
  orderId: detail.orderId,
  purchase: detail,
  milestone,
  dueAt: '2026-03-08T09:00:00.000Z',
});

describe('runSendStep', () => {
  it('claims, sends the milestone template in the customer’s language, records and publishes Message Sent', async () => {
    const { deps, journeys, sends, published } = harness();
    const outcome = await runSendStep(input('day7'), deps);

    expect(outcome).toEqual({ status: 'sent', wamid: WAMID, template: 'posventa_day7_adoption', variant: 'A' });
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
    const { deps, journeys } = harness();
    await runSendStep(input('day7'), deps);
    const expected = { wamid: WAMID, orderId: 'ES-2026-000123', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A', phone: '+34612345678', sentAt: '2026-03-08T09:00:01.000Z' };
    expect(await journeys.messageByWamid(WAMID)).toEqual(expected);
    expect(await journeys.lastMessageTo('+34612345678')).toEqual(expected);
  });

  it('records the mapping again when a retried step finds its message already sent', async () => {
    const { deps, journeys } = harness();
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
    const { deps, sends } = harness();
    await runSendStep(input(milestone, { ...purchase, customer: { ...purchase.customer, locale } }), deps);
    expect(sends[0]).toMatchObject({ languageCode, templateName });
  });

  it('does not send again when the step is retried after a success, and re-publishes the same event', async () => {
    const { deps, sends, published } = harness([{ ok: true, wamid: WAMID }]);
    const first = await runSendStep(input(), deps);
    const second = await runSendStep(input(), deps);

    expect(sends).toHaveLength(1);
    expect(second).toEqual(first);
    expect(published).toHaveLength(2);
    expect(published[1]).toEqual(published[0]);
  });

  it('skips, with a reason and no send, when an earlier attempt left only a claim', async () => {
    const { deps, journeys, sends, published } = harness();
    await journeys.claimMessage({ orderId: 'ES-2026-000123', milestone: 'day7', template: 'posventa_day7_adoption', variant: 'A', claimedAt: '2026-03-08T08:59:00.000Z' });

    const outcome = await runSendStep(input(), deps);
    expect(outcome).toEqual({ status: 'skipped', reason: expect.stringContaining('2026-03-08T08:59:00.000Z') });
    if (outcome.status === 'skipped') expect(outcome.reason).toMatch(/not resent/);
    expect(sends).toHaveLength(0);
    expect(published).toHaveLength(0);
    expect(journeys.get('ES-2026-000123', 'day7')).toMatchObject({ status: 'claimed' });
  });

  it('keeps milestones of one order apart: day 30 is sent after day 7 was', async () => {
    const { deps, sends } = harness([{ ok: true, wamid: WAMID }, { ok: true, wamid: 'wamid.day30' }]);
    await runSendStep(input('day7'), deps);
    expect(await runSendStep(input('day30'), deps)).toMatchObject({ status: 'sent', wamid: 'wamid.day30' });
    expect(sends.map((s) => s.templateName)).toEqual(['posventa_day7_adoption', 'posventa_day30_nps']);
  });

  it('releases the claim and throws TransientSendError on a retryable Graph failure, so the retry sends', async () => {
    const { deps, journeys, sends, published } = harness([
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

  it('records a permanent failure and publishes Message Failed with the error code, without retrying', async () => {
    const { deps, journeys, sends, published } = harness([{ ok: false, retryable: false, code: 131026, httpStatus: 400, message: 'Message undeliverable' }]);

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
      ],
    ]);

    // A retried step reports the recorded failure and does not send; it publishes the same event again.
    expect(await runSendStep(input('day30'), deps)).toEqual({ status: 'failed', reason: 'Message undeliverable', errorCode: 131026 });
    expect(sends).toHaveLength(1);
    expect(published[1]).toEqual(published[0]);
  });

  it('records a permanent failure without a Meta code and leaves errorCode out', async () => {
    const { deps, published } = harness([{ ok: false, retryable: false, httpStatus: 401, message: 'Graph API answered HTTP 401' }]);
    expect(await runSendStep(input(), deps)).toEqual({ status: 'failed', reason: 'Graph API answered HTTP 401' });
    expect(published[0]![0]!.detail).not.toHaveProperty('errorCode');
  });

  // Like the `sent` branch: the first attempt may have died after recordFailed and before
  // publish (a Lambda timeout or PutEvents error). The event id is deterministic, so
  // re-publishing is safe; not re-publishing loses the failure from the KPIs for good.
  it('re-publishes Message Failed (same event id) when a retried step finds a recorded failure', async () => {
    const { deps, published } = harness([{ ok: false, retryable: false, code: 131026, httpStatus: 400, message: 'Message undeliverable' }]);
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
    expect(published.flat().map((e) => [e.type, e.detail.eventId])).toEqual([[DOMAIN_EVENT.messageFailed, 'send-failed:ES-2026-000123:day30']]);
  });
});
