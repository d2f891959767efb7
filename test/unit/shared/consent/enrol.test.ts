import { describe, expect, it } from 'vitest';
import type { ConsentEvidence, ConsentState } from '#shared/consent/ledger';
import type { ConsentStore } from '#shared/consent/record';
import type { PurchaseDetail } from '#shared/events/purchase';
import { enrolPurchase, type EnrolDeps } from '#shared/journey/enrol';
import type { JourneyInput } from '#shared/journey/start';

const purchase = (optIn = true): PurchaseDetail => ({
  orderId: 'ORD-1',
  purchasedAt: '2026-03-01T12:00:00.000Z',
  customer: {
    id: 'C-1',
    phone: '+5491155550001',
    name: 'Lucía',
    locale: 'es-AR',
    timezone: 'America/Argentina/Buenos_Aires',
    ...(optIn ? { optIn: { source: 'checkout-checkbox', at: '2026-03-01T11:59:00.000Z' } } : {}),
  },
  items: [{ sku: 'S', name: 'Cafetera' }],
});

const execution = (p: PurchaseDetail): { name: string; input: JourneyInput } => ({
  name: p.orderId,
  input: { orderId: p.orderId, purchase: p, holdout: false, schedule: [{ milestone: 'day60', dueAt: '2026-04-30T13:00:00.000Z' }] },
});

function harness() {
  const calls: string[] = [];
  const evidence: ConsentEvidence[] = [];
  let state: ConsentState | undefined;
  const store: ConsentStore = {
    readState: async () => state,
    listEvidence: async () => [...evidence],
    commit: async (write) => {
      if (evidence.some((e) => e.evidenceId === write.evidence.evidenceId)) return 'duplicate';
      calls.push(`consent:${write.evidence.evidenceId}`);
      evidence.push(write.evidence);
      state = write.state;
      return 'committed';
    },
  };
  const indexed: Array<{ phone: string; executionArn: string; locale: string; expiresAt: Date }> = [];
  const deps: EnrolDeps = {
    clock: { now: () => new Date('2026-03-01T12:00:01.000Z') },
    consent: store,
    journeys: { recordJourney: async (phone, journey, expiresAt) => void (calls.push('index'), indexed.push({ phone, ...journey, expiresAt })) },
    repurchaseWindowDays: 60,
    executionArnOf: (name) => `arn:aws:states:us-east-1:000000000000:execution:journey:${name}`,
    start: async () => (calls.push('start'), 'started'),
    publish: async (events) => void calls.push(...events.map((e) => `publish:${e.type}:${e.detail.eventId}`)),
  };
  return { deps, calls, indexed, state: () => state };
}

describe('enrolPurchase', () => {
  it('records the store opt-in, then indexes the journey under the contact, then starts it', async () => {
    const { deps, calls, indexed, state } = harness();
    const enrolment = await enrolPurchase(purchase(), execution(purchase()), deps);
    expect(calls).toEqual(['consent:purchase-event:ORD-1', 'index', 'start', 'publish:Journey Started:journey-started:ORD-1']);
    expect(enrolment).toEqual({ execution: 'started', executionArn: 'arn:aws:states:us-east-1:000000000000:execution:journey:ORD-1', optIn: 'recorded' });
    expect(state()?.scopes.utility).toMatchObject({ status: 'opted-in', source: 'purchase-event' });
    expect(indexed[0]).toMatchObject({ phone: '+5491155550001', locale: 'es-AR', executionArn: enrolment.executionArn });
    // Kept 30 days after the last milestone.
    expect(indexed[0]?.expiresAt.toISOString()).toBe('2026-05-30T13:00:00.000Z');
  });

  it('a retried event repeats safely: the opt-in is a duplicate, the start is refused by name', async () => {
    const { deps } = harness();
    await enrolPurchase(purchase(), execution(purchase()), deps);
    const again = await enrolPurchase(purchase(), execution(purchase()), { ...deps, start: async () => 'already-started' });
    expect(again).toMatchObject({ execution: 'already-started', optIn: 'duplicate' });
  });

  it('a purchase without an opt-in records no consent, and still indexes and starts', async () => {
    const { deps, calls } = harness();
    const enrolment = await enrolPurchase(purchase(false), execution(purchase(false)), deps);
    expect(calls).toEqual(['index', 'start', 'publish:Journey Started:journey-started:ORD-1']);
    expect(enrolment.optIn).toBeUndefined();
  });
});
