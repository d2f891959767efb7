import type { MilestoneId } from '../journey/milestones';
import { incrementsOf, type Counter, type CounterAdd } from './counters';
import type { KpiEvent } from './event-details';

/** Milestone, template and variant of counts no journey message explains (an opt-out before the first send). */
export const UNATTRIBUTED = 'unattributed';

/** The finest grain KPIs are kept at: day (reporting time zone) × milestone × template × variant. */
export interface CounterKey {
  day: string;
  milestone: MilestoneId | typeof UNATTRIBUTED;
  template: string;
  variant: string;
}

/**
 * One deduplicated increment: `add` says what it adds to the counters of `key`. `counter` is a
 * shorthand for `add: { [counter]: 1 }`; `add` wins when both are there.
 */
export type CountedEvent = { eventId: string; key: CounterKey } & ({ add: CounterAdd; counter?: Counter } | { counter: Counter; add?: undefined });

/** What a counted event adds, whichever form it was written in. */
export function addOf(event: CountedEvent): CounterAdd {
  return event.add ?? { [event.counter]: 1 };
}

/** YYYY-MM-DD of an instant in the store's reporting time zone. */
export function reportingDay(instant: Date, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

export function counterKeyId(key: CounterKey): string {
  return `${key.day}|${key.milestone}|${key.template}|${key.variant}`;
}

/** What a domain event adds to the counters, keyed by its reporting day × milestone × template × variant. */
export function countedEvents(event: KpiEvent, timeZone: string): CountedEvent[] {
  const { detail } = event;
  const key: CounterKey = {
    day: reportingDay(new Date(detail.occurredAt), timeZone),
    milestone: detail.milestone ?? UNATTRIBUTED,
    template: detail.template ?? UNATTRIBUTED,
    variant: detail.variant ?? UNATTRIBUTED,
  };
  return incrementsOf(event).map(({ eventId, add, cohortOf }) => ({ eventId, key: cohortOf === undefined ? key : cohortKey(cohortOf, timeZone), add }));
}

/** Where a journey's cohort is counted: its purchase day, belonging to no milestone, template or variant. */
function cohortKey(purchasedAt: string, timeZone: string): CounterKey {
  return { day: reportingDay(new Date(purchasedAt), timeZone), milestone: UNATTRIBUTED, template: UNATTRIBUTED, variant: UNATTRIBUTED };
}

export interface CounterIncrement {
  key: CounterKey;
  add: CounterAdd;
}

export interface WritePlan {
  events: CountedEvent[];
  increments: CounterIncrement[];
}

/**
 * Groups events into atomic writes: each plan marks its events as counted and adds their sum
 * to each counter key once, so a batch costs one write per distinct key (plus its markers),
 * and no plan exceeds `maxItems` (DynamoDB's transaction limit is 100). Duplicate event ids
 * inside the batch are counted once.
 */
export function planCounterWrites(events: readonly CountedEvent[], maxItems = 100): WritePlan[] {
  const plans: WritePlan[] = [];
  let planned: CountedEvent[] = [];
  let increments = new Map<string, CounterIncrement>();
  const seen = new Set<string>();
  const flush = () => {
    if (planned.length > 0) plans.push({ events: planned, increments: [...increments.values()] });
    planned = [];
    increments = new Map();
  };
  for (const event of events) {
    if (seen.has(event.eventId)) continue;
    seen.add(event.eventId);
    const keyId = counterKeyId(event.key);
    const newKey = increments.has(keyId) ? 0 : 1;
    if (planned.length + increments.size + 1 + newKey > maxItems) flush();
    const increment = increments.get(keyId) ?? { key: event.key, add: {} };
    for (const [counter, amount] of Object.entries(addOf(event)) as Array<[Counter, number]>) {
      increment.add[counter] = (increment.add[counter] ?? 0) + amount;
    }
    increments.set(keyId, increment);
    planned.push(event);
  }
  flush();
  return plans;
}
