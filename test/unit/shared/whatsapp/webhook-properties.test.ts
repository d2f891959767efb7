import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConsentEvidence, ConsentState } from '#shared/consent/ledger';
import type { DomainEvent } from '#shared/events/domain';
import type { SentMessage } from '#shared/journey/journey-store';
import { signWebhookBody } from '#shared/whatsapp/signature';
import type { WebhookEffectsDeps } from '#shared/whatsapp/webhook-effects';
import { MAX_WEBHOOK_BODY_BYTES, takeInWebhook } from '#shared/whatsapp/webhook-intake';
import { receiveWebhook } from '#shared/whatsapp/webhook-post';

/**
 * Properties of the webhook path over random input: it never crashes, and nothing happens
 * (no lookup, no claim, no write, no event) unless the signature is Meta's over those bytes.
 */
const SECRET = 'posventa-test-app-secret';
const DIR = new URL('../../../fixtures/webhooks/', import.meta.url);
const FIXTURES = readdirSync(DIR)
  .filter((n) => n.endsWith('.json'))
  .map((n) => JSON.parse(readFileSync(new URL(n, DIR), 'utf8')) as unknown);

/** Stores in memory with the same rules as DynamoDB's conditional writes; every call is recorded. */
function recordingDeps() {
  const calls: string[] = [];
  const published: DomainEvent[] = [];
  const marks = new Map<string, 'pending' | 'done'>();
  const states = new Map<string, ConsentState>();
  const evidence: ConsentEvidence[] = [];
  const sent = (wamid: string): SentMessage => ({ wamid, orderId: 'ES-2026-000123', milestone: 'day30', template: 'posventa_day30_nps', variant: 'A', phone: '+34612345678', sentAt: '2026-03-01T09:00:00.000Z' });
  const deps: WebhookEffectsDeps = {
    journeys: {
      messageByWamid: async (wamid) => (calls.push('messageByWamid'), sent(wamid)),
      lastMessageTo: async () => (calls.push('lastMessageTo'), sent('wamid.LAST')),
    },
    marks: {
      claim: async (key) => {
        calls.push('claim');
        const state = marks.get(key);
        if (state !== undefined) return { claimed: false, state: state === 'done' ? 'done' : 'in-progress' };
        marks.set(key, 'pending');
        return { claimed: true, token: key };
      },
      markDone: async (key) => void (calls.push('markDone'), marks.set(key, 'done')),
      release: async (key) => void (calls.push('release'), marks.delete(key)),
    },
    contacts: {
      recordInbound: async () => void calls.push('recordInbound'),
      pauseMarketing: async () => void calls.push('pauseMarketing'),
      linkBsuid: async () => void calls.push('linkBsuid'),
      phoneOfBsuid: async () => (calls.push('phoneOfBsuid'), undefined),
    },
    facts: {
      recordReply: async () => void calls.push('recordReply'),
      recordFailure: async () => void calls.push('recordFailure'),
      recordTaken: async () => void calls.push('recordTaken'),
    },
    publish: async (events) => void (calls.push('publish'), published.push(...events)),
    consent: {
      store: {
        readState: async (phone) => (calls.push('readConsent'), states.get(phone)),
        listEvidence: async (phone) => evidence.filter((e) => e.phone === phone),
        commit: async ({ state, evidence: item }) => {
          calls.push('commitConsent');
          if (evidence.some((e) => e.phone === item.phone && e.evidenceId === item.evidenceId)) return 'duplicate';
          states.set(state.phone, state);
          evidence.push(item);
          return 'committed';
        },
      },
      clock: { now: () => new Date('2026-03-08T10:00:00.000Z') },
      journeys: { journeysOf: async () => [] },
      stopJourney: async () => void calls.push('stopJourney'),
      sendText: async () => (calls.push('sendText'), { ok: true, wamid: 'wamid.CONFIRMATION' }),
    },
    unquotedReplyMaxAgeMs: 7 * 86_400_000,
  };
  return { deps, calls, published };
}

const anyBody = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ unit: 'binary', maxLength: 2048 }).map((s) => Buffer.from(s, 'utf8')),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.constantFrom(...FIXTURES).map((f) => Buffer.from(JSON.stringify(f))),
);

/** A real payload with one place replaced by random JSON: the shapes a parser meets at its edges. */
const mutatedFixture = fc
  .record({ fixture: fc.constantFrom(...FIXTURES), at: fc.nat(), value: fc.jsonValue({ maxDepth: 3 }), drop: fc.boolean() })
  .map(({ fixture, at, value, drop }) => {
    const copy = structuredClone(fixture) as Record<string, unknown>;
    const slots: Array<[Record<string, unknown> | unknown[], string | number]> = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach((child, i) => (slots.push([node, i]), walk(child)));
      else if (node !== null && typeof node === 'object') for (const [k, child] of Object.entries(node)) (slots.push([node as Record<string, unknown>, k]), walk(child));
    };
    walk(copy);
    const [parent, key] = slots[at % slots.length]!;
    if (drop && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[key as string];
    else (parent as Record<string | number, unknown>)[key] = value;
    return Buffer.from(JSON.stringify(copy));
  });

const wrongHeader = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 80 }),
  fc.stringMatching(/^sha256=[0-9a-f]{64}$/),
  fc.string({ maxLength: 20 }).map((secret) => ({ secret })),
);

describe('takeInWebhook over random input', () => {
  it('never throws, and never accepts a body without Meta’s signature over it', () => {
    fc.assert(
      fc.property(anyBody, wrongHeader, (body, header) => {
        const value = typeof header === 'object' ? (header.secret === SECRET ? undefined : signWebhookBody(body, header.secret)) : header;
        const intake = takeInWebhook(body, value, SECRET);
        expect(intake.accepted).toBe(false);
        if (!intake.accepted) expect(intake.statusCode).toBe(body.length > MAX_WEBHOOK_BODY_BYTES ? 413 : 401);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on signed bodies: accepted, or 400 with a reason', () => {
    fc.assert(
      fc.property(fc.oneof(anyBody, mutatedFixture), (body) => {
        const intake = takeInWebhook(body, signWebhookBody(body, SECRET), SECRET);
        if (!intake.accepted) {
          expect(intake.statusCode).toBe(400);
          expect(intake.reason.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('receiveWebhook (the handler path) over random input', () => {
  it('touches nothing — no lookup, claim, write or event — without a valid signature', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(anyBody, mutatedFixture), wrongHeader, async (body, header) => {
        const { deps, calls } = recordingDeps();
        const value = typeof header === 'object' ? (header.secret === SECRET ? undefined : signWebhookBody(body, header.secret)) : header;
        const receipt = await receiveWebhook(body, value, SECRET, deps);
        expect([401, 413]).toContain(receipt.statusCode);
        expect(calls).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('always answers signed bodies with 200 or 400, and a second delivery of the same body publishes nothing new', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedFixture, anyBody), async (body) => {
        const { deps, calls, published } = recordingDeps();
        const header = signWebhookBody(body, SECRET);
        const first = await receiveWebhook(body, header, SECRET, deps);
        expect([200, 400]).toContain(first.statusCode);
        if (first.statusCode === 400) expect(calls).toEqual([]);
        const count = published.length;
        const second = await receiveWebhook(body, header, SECRET, deps);
        expect(second.statusCode).toBe(first.statusCode);
        expect(published).toHaveLength(count);
        expect(new Set(published.map((e) => e.detail.eventId)).size).toBe(published.length);
        expect(JSON.stringify(published)).not.toContain('34612345678');
      }),
      { numRuns: 300 },
    );
  });
});
