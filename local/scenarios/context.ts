import { setTimeout as sleep } from 'node:timers/promises';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DAY_MS, type VirtualClock } from '#shared/clock';
import { PURCHASE_COMPLETED, PURCHASE_EVENT_SOURCE, type PurchaseDetail } from '#shared/events/purchase';
import { redactPhones } from '#shared/log';
import { newWamid, signedInboundTextWebhook } from '../meta-simulator';
import type { LocalStackInfo } from '../stack';
import { watchJourney, type Happening, type JourneyWatch, type StepOutcome } from './journey-watch';
import type { Narrator } from './narrator';
import type { StackReader } from './stack-reader';

/**
 * What a scenario script works with: it acts as the store (purchases on the bus) and as the
 * customer (signed webhooks, as Meta posts them), and waits for what the system records,
 * narrating every step, on the stack's virtual clock.
 */
export interface ScenarioContext {
  readonly name: string;
  readonly reader: StackReader;
  readonly clock: VirtualClock;
  /** Narrates one line at the virtual time it happened (default: now). */
  say(text: string, at?: Date | string): void;
  /** Follows the order's execution from now on: its steps are narrated as they happen. */
  watch(orderId: string): JourneyWatch;
  /** The step outcomes seen so far of a watched order. */
  watched(orderId: string): readonly StepOutcome[];
  /** Polls the watched journeys once more, so their last steps are narrated. */
  flush(): Promise<void>;
  /** Polls (narrating the watched journeys) until `check` gives a value; fails past `deadlineDay`. */
  until<T>(what: string, check: () => Promise<T | undefined>, deadlineDay: number): Promise<T>;
  /** The scenario's day of a virtual time, as narrated ("day 30.4"). */
  dayOf(at: Date | string): string;
  /** The virtual time `days` after the scenarios began. */
  atDay(days: number): Date;
  /** Puts `Purchase Completed` events on the bus through the real EventBridge client, as a store does. */
  purchase(...details: PurchaseDetail[]): Promise<void>;
  /**
   * The customer writes `text` on WhatsApp (quoting `repliesTo`), narrated as `narration` at the
   * message's time; returns the message's wamid once the webhook took it.
   */
  customerWrites(message: { phone: string; text: string; repliesTo?: string; narration: string }): Promise<string>;
}

/** An expectation that did not hold: the scenario ends with this reason. */
export class ScenarioFailure extends Error {
  override readonly name = 'ScenarioFailure';
}

export interface ContextOptions {
  name: string;
  info: LocalStackInfo;
  reader: StackReader;
  clock: VirtualClock;
  /** Virtual time the scenarios began: day 0 of the narration. */
  startedAt: Date;
  /** Puts each narrated line in time order with the other scenarios'. */
  narrator: Narrator;
  /** Width the scenario names are padded to, so lines align. */
  nameWidth: number;
}

export function createScenarioContext(options: ContextOptions): ScenarioContext {
  const { info, reader, clock, startedAt, narrator } = options;
  const watches: JourneyWatch[] = [];
  const pollMs = Math.max(50, info.dayMs / 5);
  const eventBridge = new EventBridgeClient({ endpoint: info.eventBridgeEndpoint, region: info.region, credentials: { accessKeyId: 'store', secretAccessKey: 'store' } });
  const dayOf = (at: Date | string) => `day ${((new Date(at).getTime() - startedAt.getTime()) / DAY_MS).toFixed(1)}`;
  const say = (text: string, at: Date | string = clock.now()) => {
    // Whatever a line quotes (a skip's detail, a cause), no phone number leaves in clear.
    narrator.add(new Date(at), redactPhones(`[${dayOf(at).padStart(9)}] ${options.name.padEnd(options.nameWidth)}  ${text}`));
  };
  const narrate = (happenings: Happening[]) => {
    for (const happening of happenings.sort((a, b) => a.at.getTime() - b.at.getTime())) say(happening.text, happening.at);
  };

  return {
    name: options.name,
    reader,
    clock,
    say,
    dayOf,
    atDay: (days) => new Date(startedAt.getTime() + days * DAY_MS),
    watch(orderId) {
      const watch = watchJourney(orderId, reader, orderId, (at) => dayOf(at));
      watches.push(watch);
      return watch;
    },
    watched: (orderId) => watches.find((watch) => watch.orderId === orderId)?.outcomes ?? [],
    async flush() {
      for (const watch of watches) narrate(await watch.poll());
    },
    async until(what, check, deadlineDay) {
      const deadline = new Date(startedAt.getTime() + deadlineDay * DAY_MS);
      for (;;) {
        for (const watch of watches) narrate(await watch.poll());
        const value = await check();
        if (value !== undefined) return value;
        if (clock.now() > deadline) throw new ScenarioFailure(`${what}: not seen by ${dayOf(deadline)}`);
        await sleep(pollMs);
      }
    },
    async purchase(...details) {
      const result = await eventBridge.send(
        new PutEventsCommand({
          Entries: details.map((detail) => ({ EventBusName: info.eventBusName, Source: PURCHASE_EVENT_SOURCE, DetailType: PURCHASE_COMPLETED, Detail: JSON.stringify(detail) })),
        }),
      );
      if (result.FailedEntryCount) throw new Error(`EventBridge refused a purchase: ${JSON.stringify(result.Entries)}`);
    },
    async customerWrites({ phone, text, repliesTo, narration }) {
      const wamid = newWamid();
      // Meta stamps a message in whole seconds; the narration uses the same time as the system.
      const at = new Date(Math.floor(clock.now().getTime() / 1000) * 1000);
      say(narration, at);
      const message = { wamid, from: phone.replace(/^\+/, ''), text, at, ...(repliesTo === undefined ? {} : { repliesTo }) };
      const { body, headers } = signedInboundTextWebhook({ phoneNumberId: info.phoneNumberId, appSecret: info.metaAppSecret }, message);
      // Meta retries what the webhook does not acknowledge (a 503 while another delivery holds the contact, say).
      for (let attempt = 1; ; attempt++) {
        const response = await fetch(info.webhookUrl, { method: 'POST', headers, body });
        if (response.ok) return wamid;
        if (attempt === 5 || response.status < 500) throw new Error(`The webhook answered ${response.status} to the customer's message: ${await response.text()}`);
        await sleep(250 * attempt);
      }
    },
  };
}
