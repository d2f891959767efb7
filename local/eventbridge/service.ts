import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '#shared/clock';
import { awsJsonListener } from '../aws-json';
import { createDispatcher, DEFAULT_RETRY, type Delivery, type DeliveryFailureHandler, type RetryPolicy } from './dispatcher';
import { compileEventPattern, type CompiledPattern } from './event-pattern';
import { matchesCompiledPattern } from './match-event-pattern';
import { putEvents, type AwsJsonError, type BusEvent, type PutEventsEntry, type PutEventsResponse } from './put-events';

/**
 * The local EventBridge: the buses and rules the lead reads from the synthesized template,
 * a PutEvents endpoint for the real SDK client (`AWS_ENDPOINT_URL_EVENTBRIDGE`), and
 * delivery of every accepted event to the targets of every rule it matches.
 */

export interface EventBridgeTarget {
  /** The target's Id in the template, used in logs and failure reports. */
  readonly id: string;
  /** Hands the event to the target (invoke a Lambda, send to a queue…); a rejection is retried. */
  readonly deliver: (event: BusEvent) => Promise<void>;
}

export interface EventBridgeRule {
  readonly name: string;
  /** Name (not ARN) of a bus listed in `buses`, or "default". */
  readonly eventBusName: string;
  readonly eventPattern: object;
  readonly targets: readonly EventBridgeTarget[];
}

export interface EventBridgeServiceOptions {
  /** Custom bus names; "default" always exists, as in every AWS account. */
  readonly buses: readonly string[];
  readonly rules: readonly EventBridgeRule[];
  /** Stamps events that carry no `Time`. */
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  /** @default console.log */
  readonly log?: (line: string) => void;
  /** Called once a target has failed every attempt: the rule's dead-letter queue in AWS. */
  readonly onDeliveryFailure?: DeliveryFailureHandler;
  /** @default { attempts: 3, baseDelayMs: 100 } */
  readonly retry?: RetryPolicy;
  /** Told of the events each PutEvents accepted, with their sizes in bytes (metering). */
  readonly onEventsAccepted?: (sizesBytes: readonly number[]) => void;
}

export type PutEventsResult = { readonly ok: true; readonly response: PutEventsResponse } | { readonly ok: false; readonly error: AwsJsonError };

export interface EventBridgeService {
  /** Mount on `http.createServer`; answers PutEvents like the AWS endpoint. */
  readonly listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** PutEvents without HTTP; same checks, same results, same deliveries. */
  putEvents(entries: readonly PutEventsEntry[]): PutEventsResult;
  /** Resolves when every delivery started so far has finished (delivered or dead-lettered). */
  idle(): Promise<void>;
  /** Stops retries and waits for running deliveries. The HTTP server is the caller's to close. */
  close(): Promise<void>;
}

interface CompiledRule {
  readonly name: string;
  readonly busName: string;
  readonly pattern: CompiledPattern;
  readonly targets: readonly EventBridgeTarget[];
}

export function createEventBridgeService(options: EventBridgeServiceOptions): EventBridgeService {
  const busNames = new Set(['default', ...options.buses]);
  const rules = compileRules(options.rules, busNames);
  const log = options.log ?? ((line: string) => console.log(line));
  const dispatcher = createDispatcher({
    retry: options.retry ?? DEFAULT_RETRY,
    log,
    ...(options.onDeliveryFailure && { onDeliveryFailure: options.onDeliveryFailure }),
  });
  const context = { clock: options.clock, region: options.region, accountId: options.accountId, busNames, newEventId: randomUUID };

  const route = (busName: string, event: BusEvent): Delivery[] =>
    rules
      .filter((rule) => rule.busName === busName && matchesCompiledPattern(rule.pattern, event))
      .flatMap((rule) => rule.targets.map((target) => ({ ruleName: rule.name, targetId: target.id, event, deliver: target.deliver })));

  const accept = (request: unknown): PutEventsResult => {
    const outcome = putEvents(request, context);
    if (!outcome.ok) return outcome;
    options.onEventsAccepted?.(outcome.accepted.map(({ event }) => Buffer.byteLength(JSON.stringify(event))));
    dispatcher.dispatch(outcome.accepted.flatMap(({ busName, event }) => route(busName, event)));
    return { ok: true, response: outcome.response };
  };

  return {
    listener: awsJsonListener({
      name: 'eventbridge',
      targetPrefix: 'AWSEvents',
      protocolVersion: '1.1',
      log,
      operations: {
        PutEvents: (request) => {
          const result = accept(request);
          return result.ok ? { ok: true, value: result.response } : { ok: false, error: { name: result.error.type, message: result.error.message } };
        },
      },
    }),
    putEvents: (entries) => accept({ Entries: entries }),
    idle: () => dispatcher.idle(),
    close: () => dispatcher.close(),
  };
}

/** A rule that names an unknown bus or holds an invalid pattern is a wiring bug: fail at start-up. */
function compileRules(rules: readonly EventBridgeRule[], busNames: ReadonlySet<string>): CompiledRule[] {
  const seen = new Set<string>();
  return rules.map((rule) => {
    const where = `createEventBridgeService: rule "${rule.name}"`;
    if (!busNames.has(rule.eventBusName)) {
      throw new Error(`${where} is on bus "${rule.eventBusName}", which is not in options.buses; add the bus or fix the rule`);
    }
    const key = `${rule.eventBusName}/${rule.name}`;
    if (seen.has(key)) throw new Error(`${where} appears twice on bus "${rule.eventBusName}"; rule names are unique per bus`);
    seen.add(key);
    const compiled = compileEventPattern(rule.eventPattern);
    if (!compiled.ok) throw new Error(`${where}: ${compiled.reason}`);
    return { name: rule.name, busName: rule.eventBusName, pattern: compiled.pattern, targets: rule.targets };
  });
}
