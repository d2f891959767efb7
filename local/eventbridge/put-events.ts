import type { EventBridgeEvent } from 'aws-lambda';
import type { Clock } from '#shared/clock';

/**
 * PutEvents as EventBridge answers it: whole-request checks (1–10 entries, total size),
 * then one result per entry, in order. Pure apart from the clock and the id source, so
 * the HTTP listener and the programmatic `putEvents` share it.
 */

/** The event a rule's target receives: the envelope EventBridge builds around `Detail`. */
export type BusEvent = EventBridgeEvent<string, Record<string, unknown>>;

/** A request entry as the SDK sends it (`Time` is epoch seconds on the wire, a Date in code). */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Time?: Date | number | string;
  Resources?: string[];
  TraceHeader?: string;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface PutEventsResponse {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

/** A whole-request failure, sent as HTTP 400 with this `__type`. */
export interface AwsJsonError {
  readonly type: string;
  readonly message: string;
}

export interface AcceptedEvent {
  readonly busName: string;
  readonly event: BusEvent;
}

export type PutEventsOutcome =
  | { readonly ok: true; readonly response: PutEventsResponse; readonly accepted: readonly AcceptedEvent[] }
  | { readonly ok: false; readonly error: AwsJsonError };

export interface PutEventsContext {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  readonly busNames: ReadonlySet<string>;
  readonly newEventId: () => string;
}

export const MAX_ENTRIES = 10;
/** EventBridge's limit on the summed entry size of one request (256 KB). */
export const MAX_REQUEST_ENTRY_BYTES = 256 * 1024;

export function putEvents(request: unknown, context: PutEventsContext): PutEventsOutcome {
  const entries = (request as { Entries?: unknown } | null)?.Entries;
  if (entries === undefined || entries === null) {
    return validationError("Value null at 'entries' failed to satisfy constraint: Member must not be null");
  }
  if (!Array.isArray(entries)) return { ok: false, error: { type: 'SerializationException', message: 'Entries must be a list' } };
  if (entries.length < 1) {
    return validationError("Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1");
  }
  if (entries.length > MAX_ENTRIES) {
    return validationError(
      `Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
    );
  }
  if (entries.reduce((total: number, entry) => total + entrySize(entry), 0) > MAX_REQUEST_ENTRY_BYTES) {
    return { ok: false, error: { type: 'ValidationException', message: 'Total size of the entries in the request is over the limit.' } };
  }

  const results: PutEventsResultEntry[] = [];
  const accepted: AcceptedEvent[] = [];
  for (const entry of entries as unknown[]) {
    const checked = checkEntry(entry, context);
    if ('ErrorCode' in checked) {
      results.push(checked);
    } else {
      results.push({ EventId: checked.event.id });
      accepted.push(checked);
    }
  }
  const failed = results.filter((result) => 'ErrorCode' in result).length;
  return { ok: true, response: { FailedEntryCount: failed, Entries: results }, accepted };
}

function validationError(detail: string): PutEventsOutcome {
  return { ok: false, error: { type: 'ValidationException', message: `1 validation error detected: ${detail}` } };
}

/** Entry size as the user guide's "Calculating PutEvents event entry size" defines it. */
function entrySize(entry: unknown): number {
  const { Time, Source, DetailType, Detail, Resources } = (entry ?? {}) as Record<string, unknown>;
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);
  const resources = Array.isArray(Resources) ? Resources.reduce((sum: number, resource) => sum + bytes(resource), 0) : 0;
  return (Time !== undefined && Time !== null ? 14 : 0) + bytes(Source) + bytes(DetailType) + bytes(Detail) + resources;
}

function checkEntry(raw: unknown, context: PutEventsContext): AcceptedEvent | { ErrorCode: string; ErrorMessage: string } {
  const entry = (raw ?? {}) as Record<string, unknown>;
  for (const name of ['Source', 'DetailType', 'Detail'] as const) {
    const value = entry[name];
    if (typeof value !== 'string' || value === '') {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${name} is not valid. Reason: ${name} is a required argument.` };
    }
  }
  const detail = parseDetail(entry['Detail'] as string);
  if (!detail) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };

  const busName = resolveBusName(entry['EventBusName'], context);
  // Real EventBridge accepts events for a bus that does not exist and drops them silently
  // (aws/aws-sdk#186); locally that is always a wiring mistake, so it is reported.
  if (busName === undefined) {
    return {
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Event bus ${String(entry['EventBusName'])} does not exist on the local EventBridge.`,
    };
  }
  const time = eventTime(entry['Time'], context.clock);
  if (!time) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Time is not valid.' };

  const resources = Array.isArray(entry['Resources']) ? entry['Resources'].filter((item) => typeof item === 'string') : [];
  const event: BusEvent = {
    version: '0',
    id: context.newEventId(),
    'detail-type': entry['DetailType'] as string,
    source: entry['Source'] as string,
    account: context.accountId,
    time,
    region: context.region,
    resources,
    detail,
  };
  return { busName, event };
}

function parseDetail(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A bus is named either plainly or by ARN; an ARN must point at this account and region. */
function resolveBusName(nameOrArn: unknown, context: PutEventsContext): string | undefined {
  if (nameOrArn === undefined || nameOrArn === null || nameOrArn === '') return known('default', context);
  if (typeof nameOrArn !== 'string') return undefined;
  const arn = /^arn:[^:]+:events:([^:]*):([^:]*):event-bus\/(.+)$/.exec(nameOrArn);
  if (!arn) return known(nameOrArn, context);
  const [, region, account, name] = arn as unknown as [string, string, string, string];
  return region === context.region && account === context.accountId ? known(name, context) : undefined;
}

function known(name: string, context: PutEventsContext): string | undefined {
  return context.busNames.has(name) ? name : undefined;
}

/** EventBridge stamps events in whole seconds ("2026-01-01T00:00:00Z"). */
function eventTime(time: unknown, clock: Clock): string | undefined {
  let date: Date;
  if (time === undefined || time === null) date = clock.now();
  else if (time instanceof Date) date = time;
  else if (typeof time === 'number') date = new Date(time * 1000); // the JSON protocol sends epoch seconds
  else if (typeof time === 'string') date = new Date(time);
  else return undefined;
  if (Number.isNaN(date.getTime())) return undefined;
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
