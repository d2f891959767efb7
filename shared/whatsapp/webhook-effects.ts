import { consentChangeOfInbound, consentPlanOfPreference, sendConfirmation, settleConsent, type ConsentEffectsDeps, type ConsentPlan } from '../consent/effects';
import { DOMAIN_EVENT, type DomainEvent, type MessageEventType } from '../events/domain';
import type { DeliveredMessage, DeliveryLog } from '../journey/deliveries';
import type { JourneyStore, SentMessage } from '../journey/journey-store';
import type { MessageFactsRecorder, TakenMessage } from '../journey/message-facts';
import type { NpsAnswers } from '../journey/nps-answers';
import { classifyReply } from '../replies/classify';
import { replyOutcome, type RepliedMessage } from '../replies/reply-events';
import type { TemplateChange, TemplateStatusStore } from '../templates/status';
import type { MessageRef } from './callback-data';
import { contactKeyOf, type ContactIds } from './contact';
import type { InboundMessage } from './inbound-message';
import type { UserPreferenceChange } from './user-preferences';
import { deliveryImpliedBy, statusEvent } from './status-events';
import type { WebhookContents } from './webhook-intake';
import type { ContactFacts, WebhookMarks } from './webhook-store';

export interface WebhookEffectsDeps {
  journeys: Pick<JourneyStore, 'messageByWamid' | 'lastMessageTo'>;
  marks: WebhookMarks;
  contacts: ContactFacts;
  /**
   * Replies and `failed` statuses of our messages, for the journey's follow-up step
   * (shared/journey/follow-up.ts), and every status by order, for its reconciliation of sends it
   * could not confirm (shared/journey/reconcile.ts).
   */
  facts: MessageFactsRecorder;
  /** Puts events on the bus; throws if any was refused (shared/aws/eventbridge.ts). */
  publish(events: DomainEvent[]): Promise<void>;
  /** The consent ledger, the contact's journeys and the confirmation reply (shared/consent/effects.ts). */
  consent: ConsentEffectsDeps;
  /** The contact's delivered journey messages, for repurchase attribution; absent, they are not kept. */
  deliveries?: Pick<DeliveryLog, 'recordDelivered'>;
  /**
   * Meta's status and quality of each template per language, which the send step reads
   * (shared/templates/status.ts); absent, they are not kept.
   */
  templates?: Pick<TemplateStatusStore, 'record'>;
  /** Each journey's NPS answer, for the day-60 promoter message; absent, not kept. */
  npsAnswers?: Pick<NpsAnswers, 'recordNpsAnswer'>;
  /**
   * How long after a journey message a reply that quotes nothing still answers it (ms;
   * `posventa.unquotedReplyMaxAgeDays`). Later, the reply answers no journey question.
   */
  unquotedReplyMaxAgeMs: number;
}

export interface WebhookEffects {
  /** Events put on the bus by this delivery. */
  published: number;
  /**
   * Units (statuses, messages, template changes) that an earlier delivery already took in, and
   * implied deliveries another delivery holds.
   */
  duplicates: number;
  /**
   * Units another delivery holds right now. The caller answers non-200 so Meta retries: if
   * that holder fails, the retry does the work; if it succeeds, the retry is a duplicate.
   */
  inProgress: number;
  /** Reasons, safe to log (no phone numbers, no wamids). */
  ignored: string[];
  /** Consent changes this delivery settled: new evidence, journeys stopped, confirmations sent. */
  consent: { recorded: number; journeysStopped: number; confirmations: number };
}

/**
 * One unit of effects, had once: the events it publishes and the contact facts it writes,
 * under one dedupe mark. Keys: `<wamid>#<status>`, `<wamid>#inbound`, `<template event id>`.
 */
interface Unit {
  key: string;
  events: DomainEvent[];
  /**
   * A delivery a `read` implies. Claimed only if free: when its real `delivered` (or another
   * `read` of the message) holds or has had it, that delivery or Meta's retry of it publishes
   * the event, so an implied unit never makes Meta retry this POST.
   */
  implied?: true;
  /**
   * A real `delivered` with Meta's pricing. If a `read` came first, its implied delivery (without
   * pricing) took the mark; this one takes it over so what Meta bills reaches the KPIs. Its event
   * keeps the delivery's id, so consumers count the delivery once (shared/kpi/counters.ts).
   */
  billed?: true;
  inbound?: { contactKey: string; at: string; wamid: string; bsuid?: string };
  pauseMarketing?: { contactKey: string; at: string; reason: string; orderId: string; inboundWamid: string };
  /** What this unit tells about one of our messages (by our wamid): the customer replied, or Meta failed it. */
  messageFact?: { wamid: string; repliedAt: string } | { wamid: string; failure: { code?: number; at: string } };
  /** A status of one of our messages: Meta took it (kept by order × milestone, for reconciliation). */
  taken?: TakenMessage;
  /** A consent keyword, opt-out tap or Meta preference: settled under this unit's claim, its events added then. */
  consent?: ConsentPlan;
  /** A journey message delivered (or read, which implies it): kept under the contact for attribution. */
  delivery?: { phone: string; message: DeliveredMessage };
  /** A template's new status or quality at Meta, for the send step. */
  templateChange?: TemplateChange;
  /** An answer to a journey's NPS survey, for its day-60 message. */
  npsAnswer?: { orderId: string; score: number; at: string };
}

/** Most PutEvents takes in one call. */
const MAX_EVENTS_PER_PUBLISH = 10;

const isTemplateEvent = (event: DomainEvent) => event.type === DOMAIN_EVENT.templateStatusChanged || event.type === DOMAIN_EVENT.templateQualityChanged;

/** The journey of a sent message, without its phone (events leave the system). */
const refOf = (sent: SentMessage): MessageRef => ({ orderId: sent.orderId, milestone: sent.milestone, template: sent.template, variant: sent.variant });

/** `<wamid>:<status>` → `<wamid>#<status>`; template events keep their id. */
function markKeyOf(event: DomainEvent): string {
  if (isTemplateEvent(event)) return event.detail.eventId;
  const id = event.detail.eventId;
  const colon = id.lastIndexOf(':');
  return `${id.slice(0, colon)}#${id.slice(colon + 1)}`;
}

/**
 * Exactly-once effects of a taken-in webhook: resolve (look journeys up), claim each unit,
 * write contact facts, publish, mark done. Why pending → done rather than "publish, then mark":
 * concurrent duplicates (Meta delivers the same POST in parallel) would all publish before any
 * mark exists. With the claim first, one delivery publishes; if its publish fails the claim is
 * released (and a crashed holder's lease runs out), so Meta's retry publishes; event ids are
 * deterministic, so the one gap left — a crash after PutEvents and before `done` — repeats
 * events under the same ids, which consumers dedupe (the KPI aggregator does).
 */
export async function applyWebhook(contents: WebhookContents, deps: WebhookEffectsDeps): Promise<WebhookEffects> {
  const ignored = [...contents.ignored];
  const units = new Map<string, Unit>();
  const add = (unit: Unit) => {
    if (!units.has(unit.key)) units.set(unit.key, unit);
  };
  const phones = new Map(Object.entries(contents.recipients ?? {}));
  const eventUnit = (event: DomainEvent): Unit => ({
    key: markKeyOf(event),
    events: [event],
    ...deliveryOf(event, phones),
    ...failureFactOf(event),
    ...takenOf(event),
    ...billedOf(event),
    ...templateChangeOf(event),
  });
  const addEvents = (events: readonly DomainEvent[]) => {
    for (const event of events) add(eventUnit(event));
    // After the real statuses, so a `delivered` in the same POST wins over the one a `read` implies.
    for (const event of events) {
      const implied = deliveryImpliedBy(event);
      if (implied !== undefined) add({ ...eventUnit(implied), implied: true });
    }
  };

  // Pointers are idempotent writes; started now, awaited before anything is published.
  const linking = Promise.all(contents.contactLinks.map((link) => deps.contacts.linkBsuid(link)));
  linking.catch(() => undefined);
  const links = new Map(contents.contactLinks.map((link) => [link.bsuid, link.phone]));
  const withPhone = (contact: ContactIds) => contactWithPhone(contact, links, deps);

  const resolved = await Promise.all(
    contents.unresolvedStatuses.map(async (status) => {
      const sent = await deps.journeys.messageByWamid(status.id);
      if (sent !== undefined && !phones.has(sent.wamid)) phones.set(sent.wamid, sent.phone);
      return sent === undefined ? undefined : statusEvent(status, refOf(sent));
    }),
  );
  const statusEvents = [...contents.events];
  for (const event of resolved) {
    if (event === undefined) ignored.push('status of a message no journey sent');
    else statusEvents.push(event);
  }
  addEvents(statusEvents);

  const inbound = await Promise.all(contents.inbound.map(async (message) => ({ ...message, from: await withPhone(message.from) })));
  for (const unit of await Promise.all(inbound.map((message) => inboundUnit(message, deps, ignored)))) add(unit);
  const preferences = await Promise.all(contents.userPreferences.map(async (preference) => ({ ...preference, contact: await withPhone(preference.contact) })));
  for (const unit of await Promise.all(preferences.map((preference) => preferenceUnit(preference, deps, ignored)))) {
    if (unit !== undefined) add(unit);
  }

  return applyUnits([...units.values()], linking, deps, ignored);
}

/**
 * A contact Meta named by BSUID only, with the phone that BSUID was seen with (in this webhook,
 * else in an earlier one), so it reaches the contact keyed by phone. Without a known phone it
 * stays keyed by its BSUID.
 */
async function contactWithPhone(contact: ContactIds, links: ReadonlyMap<string, string>, deps: WebhookEffectsDeps): Promise<ContactIds> {
  if (contact.phone !== undefined || contact.bsuid === undefined) return contact;
  const phone = links.get(contact.bsuid) ?? (await deps.contacts.phoneOfBsuid(contact.bsuid));
  return phone === undefined ? contact : { ...contact, phone };
}

async function inboundUnit(message: InboundMessage, deps: WebhookEffectsDeps, ignored: string[]): Promise<Unit> {
  const contactKey = contactKeyOf(message.from);
  const unit: Unit = {
    key: `${message.wamid}#inbound`,
    events: [],
    ...(contactKey === undefined ? {} : { inbound: { contactKey, at: message.sentAt, wamid: message.wamid, ...(message.from.bsuid === undefined ? {} : { bsuid: message.from.bsuid }) } }),
  };
  const replied = await repliedMessage(message, deps);
  const change = contactKey === undefined ? undefined : consentChangeOfInbound(message, { phone: contactKey, ...(message.from.bsuid === undefined ? {} : { bsuid: message.from.bsuid }) });
  if (change !== undefined) {
    // A consent keyword or tap is not an answer to the journey's question: no NPS or lead from "STOP".
    unit.consent = {
      change,
      eventIdBase: message.wamid,
      customer: { inboundWamid: message.wamid, inboundAt: message.sentAt, messageType: message.type },
      ...(replied === undefined ? {} : { attribution: { ref: replied.ref, wamid: replied.wamid, matchedBy: replied.matchedBy } }),
    };
    return unit;
  }
  if (replied === undefined) {
    ignored.push(`inbound ${message.type} message not linked to a journey`);
    return unit;
  }
  if (replied.matchedBy === 'last-message' && Date.parse(message.sentAt) - Date.parse(replied.sentAt) > deps.unquotedReplyMaxAgeMs) {
    // Long after the last question, a message that quotes nothing is not an answer to it.
    ignored.push(`inbound ${message.type} message quotes nothing and came too long after the last journey message`);
    return unit;
  }
  const intent = classifyReply(replied.ref.milestone, message);
  const outcome = replyOutcome(message, replied, intent);
  unit.events = outcome.events;
  unit.messageFact = { wamid: replied.wamid, repliedAt: message.sentAt };
  if (intent.kind === 'nps') unit.npsAnswer = { orderId: replied.ref.orderId, score: intent.score, at: message.sentAt };
  if (outcome.pauseMarketing && contactKey !== undefined) {
    unit.pauseMarketing = { contactKey, at: message.sentAt, reason: 'nps-detractor', orderId: replied.ref.orderId, inboundWamid: message.wamid };
  }
  return unit;
}

/** Meta's `user_preferences` stop / resume: the marketing scope of the contact's consent. */
async function preferenceUnit(preference: UserPreferenceChange, deps: WebhookEffectsDeps, ignored: string[]): Promise<Unit | undefined> {
  const contactKey = contactKeyOf(preference.contact);
  const plan = contactKey === undefined ? undefined : consentPlanOfPreference(preference, contactKey);
  if (plan === undefined) {
    ignored.push(contactKey === undefined ? 'user preference without a contact' : `user preference "${preference.category}: ${preference.value}" is not a marketing stop or resume`);
    return undefined;
  }
  const last = preference.contact.phone === undefined ? undefined : await deps.journeys.lastMessageTo(preference.contact.phone);
  if (last !== undefined && last.sentAt <= plan.change.at) plan.attribution = { ref: refOf(last), wamid: last.wamid, matchedBy: 'last-message' };
  return { key: plan.eventIdBase.replaceAll(':', '#'), events: [], consent: plan };
}

/**
 * The journey message a customer's message answers: the one it quotes (`context.id`), else the
 * last journey message sent to that phone before it. A quote of a message no journey sent
 * (a free-form confirmation) answers no journey question.
 */
async function repliedMessage(message: InboundMessage, deps: WebhookEffectsDeps): Promise<(RepliedMessage & { sentAt: string }) | undefined> {
  const replied = (sent: SentMessage, matchedBy: RepliedMessage['matchedBy']) => ({ ref: refOf(sent), wamid: sent.wamid, matchedBy, sentAt: sent.sentAt });
  if (message.contextWamid !== undefined) {
    const sent = await deps.journeys.messageByWamid(message.contextWamid);
    return sent === undefined ? undefined : replied(sent, 'context');
  }
  if (message.from.phone === undefined) return undefined;
  const last = await deps.journeys.lastMessageTo(message.from.phone);
  if (last === undefined || last.sentAt > message.sentAt) return undefined;
  return replied(last, 'last-message');
}

async function applyUnits(units: Unit[], linking: Promise<unknown>, deps: WebhookEffectsDeps, ignored: string[]): Promise<WebhookEffects> {
  const claims = await Promise.all(units.map(async (unit) => ({ unit, claim: await deps.marks.claim(unit.key, unit.billed ? { overImplied: true } : {}) })));
  const held: Array<{ unit: Unit; token: string }> = [];
  let duplicates = 0;
  let inProgress = 0;
  for (const { unit, claim } of claims) {
    if (claim.claimed) held.push({ unit, token: claim.token });
    else if (claim.state === 'done' || unit.implied) duplicates += 1;
    else inProgress += 1;
  }

  let published = 0;
  let pending = held;
  const consent = { recorded: 0, journeysStopped: 0, confirmations: 0 };
  const confirmations = new Map<string, { to: string; body: string }>();
  try {
    // Contact facts are idempotent writes: safe to repeat if the publish below fails and Meta retries.
    await Promise.all([linking, ...held.flatMap(({ unit }) => contactWrites(unit, deps))]);
    // Consent before anything is published or answered: the ledger write is what makes an opt-out hold.
    await Promise.all(
      held.map(async ({ unit }) => {
        if (unit.consent === undefined) return;
        const settled = await settleConsent(unit.consent, deps.consent);
        unit.events = [...unit.events, ...settled.events];
        if (settled.recorded) consent.recorded += 1;
        consent.journeysStopped += settled.journeysStopped;
        if (settled.confirmation !== undefined) confirmations.set(unit.key, settled.confirmation);
        ignored.push(...settled.notes);
      }),
    );
    for (const chunk of chunks(held)) {
      const events = chunk.flatMap(({ unit }) => unit.events);
      if (events.length > 0) await deps.publish(events);
      published += events.length;
      // Last before `done`: a confirmation is the one effect that is not idempotent.
      for (const { unit } of chunk) {
        const confirmation = confirmations.get(unit.key);
        if (confirmation === undefined) continue;
        const note = await sendConfirmation(confirmation, deps.consent);
        if (note === undefined) consent.confirmations += 1;
        else ignored.push(note);
      }
      await Promise.all(chunk.map(({ unit, token }) => deps.marks.markDone(unit.key, token, unit.implied ? { implied: true } : {})));
      pending = pending.slice(chunk.length);
    }
  } catch (error) {
    // Give the claims back so Meta's retry of this POST publishes what did not get through.
    await Promise.allSettled(pending.map(({ unit, token }) => deps.marks.release(unit.key, token)));
    throw error;
  }
  return { published, duplicates, inProgress, ignored, consent };
}

/** A real `Message Delivered` that carries Meta's pricing (shared/whatsapp/status-events.ts). */
function billedOf(event: DomainEvent): Pick<Unit, 'billed'> {
  if (event.type !== DOMAIN_EVENT.messageDelivered || event.detail.inferredFrom !== undefined || event.detail.pricing === undefined) return {};
  return { billed: true };
}

/** The delivery a `Message Delivered` stands for, when its recipient's phone is known. */
function deliveryOf(event: DomainEvent, phones: ReadonlyMap<string, string>): Pick<Unit, 'delivery'> {
  if (event.type !== DOMAIN_EVENT.messageDelivered || event.detail.wamid === undefined) return {};
  const phone = phones.get(event.detail.wamid);
  if (phone === undefined) return {};
  const { orderId, milestone, template, variant, occurredAt } = event.detail;
  return { delivery: { phone, message: { orderId, milestone, template, variant, deliveredAt: new Date(occurredAt).toISOString() } } };
}

function contactWrites(unit: Unit, deps: WebhookEffectsDeps): Array<Promise<void>> {
  const writes: Array<Promise<void>> = [];
  if (unit.delivery !== undefined && deps.deliveries !== undefined) writes.push(deps.deliveries.recordDelivered(unit.delivery.phone, unit.delivery.message));
  if (unit.inbound !== undefined) {
    const { contactKey, ...inbound } = unit.inbound;
    writes.push(deps.contacts.recordInbound(contactKey, inbound));
  }
  if (unit.pauseMarketing !== undefined) {
    const { contactKey, ...pause } = unit.pauseMarketing;
    writes.push(deps.contacts.pauseMarketing(contactKey, pause));
  }
  const fact = unit.messageFact;
  if (fact !== undefined) writes.push('repliedAt' in fact ? deps.facts.recordReply(fact.wamid, fact.repliedAt) : deps.facts.recordFailure(fact.wamid, fact.failure));
  if (unit.taken !== undefined) writes.push(deps.facts.recordTaken(unit.taken));
  if (unit.templateChange !== undefined && deps.templates !== undefined) writes.push(deps.templates.record(unit.templateChange).then(() => undefined));
  if (unit.npsAnswer !== undefined && deps.npsAnswers !== undefined) {
    const { orderId, ...answer } = unit.npsAnswer;
    writes.push(deps.npsAnswers.recordNpsAnswer(orderId, answer));
  }
  return writes;
}

/**
 * A template's status or quality, kept for the send step. Written here, with the unit's other
 * facts, rather than by a consumer of `Template Status Changed` on the bus: the webhook has the
 * change in hand, so a pause holds for sends as soon as Meta has its 200, with no extra rule,
 * queue and function. The write needs no exactly-once: it keeps only a change newer than the one
 * recorded (by Meta's time), so a repeat after a failed publish, or a late webhook, changes nothing.
 */
function templateChangeOf(event: DomainEvent): Pick<Unit, 'templateChange'> {
  if (event.type === DOMAIN_EVENT.templateStatusChanged) {
    const { template, language, status, reason, occurredAt } = event.detail;
    return { templateChange: { kind: 'status', template, language, value: status, at: occurredAt, ...(reason === undefined ? {} : { reason }) } };
  }
  if (event.type === DOMAIN_EVENT.templateQualityChanged) {
    const { template, language, quality, occurredAt } = event.detail;
    return { templateChange: { kind: 'quality', template, language, value: quality, at: occurredAt } };
  }
  return {};
}

/** A `failed` status of our message: its code, for the follow-up step (131049 resent, 131050 opt-out, else a fallback). */
function failureFactOf(event: DomainEvent): Pick<Unit, 'messageFact'> {
  if (event.type !== DOMAIN_EVENT.messageFailed || event.detail.wamid === undefined) return {};
  const { wamid, errorCode, occurredAt } = event.detail;
  return { messageFact: { wamid, failure: { at: occurredAt, ...(errorCode === undefined ? {} : { code: errorCode }) } } };
}

/**
 * Meta took the message a real status names (an implied delivery adds nothing: its `read` is
 * one). Every status counts, not only `sent`: whichever reaches us first proves it.
 */
function takenOf(event: DomainEvent): Pick<Unit, 'taken'> {
  if (!isStatusEvent(event) || event.detail.wamid === undefined || event.detail.inferredFrom !== undefined) return {};
  const { orderId, milestone, template, variant, wamid, occurredAt } = event.detail;
  return { taken: { orderId, milestone, template, variant, wamid, at: new Date(occurredAt).toISOString() } };
}

const STATUS_EVENTS: ReadonlySet<string> = new Set([DOMAIN_EVENT.messageSent, DOMAIN_EVENT.messageDelivered, DOMAIN_EVENT.messageRead, DOMAIN_EVENT.messageFailed]);
const isStatusEvent = (event: DomainEvent): event is Extract<DomainEvent, { type: MessageEventType }> => STATUS_EVENTS.has(event.type);

/** Groups units into PutEvents calls of at most 10 events, never splitting a unit. */
function chunks<T extends { unit: Unit }>(held: readonly T[]): T[][] {
  const result: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of held) {
    const n = item.unit.events.length;
    if (current.length > 0 && size + n > MAX_EVENTS_PER_PUBLISH) {
      result.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += n;
  }
  if (current.length > 0) result.push(current);
  return result;
}
