import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DOMAIN_EVENT_SOURCE, type DomainEvent } from '../events/domain';
import { publicEvent } from '../events/public';

/** One client per container; AWS_ENDPOINT_URL_EVENTBRIDGE points it at the local bus. */
export const eventBridge = new EventBridgeClient({});

const MAX_ENTRIES_PER_CALL = 10;

/**
 * Puts domain events on the bus, in their public form (ids digested: shared/events/public.ts).
 * Throws if any entry was refused, so the caller's retry sends them again; consumers dedupe
 * by `eventId`, so the ones that got through count once.
 */
export async function publishDomainEvents(eventBusName: string, events: readonly DomainEvent[]): Promise<void> {
  for (let start = 0; start < events.length; start += MAX_ENTRIES_PER_CALL) {
    const entries: PutEventsRequestEntry[] = events.slice(start, start + MAX_ENTRIES_PER_CALL).map((event) => ({
      EventBusName: eventBusName,
      Source: DOMAIN_EVENT_SOURCE,
      DetailType: event.type,
      Detail: JSON.stringify(publicEvent(event).detail),
      Time: new Date(event.detail.occurredAt),
    }));
    const result = await eventBridge.send(new PutEventsCommand({ Entries: entries }));
    if ((result.FailedEntryCount ?? 0) > 0) {
      const firstError = result.Entries?.find((e) => e.ErrorCode !== undefined);
      throw new Error(`EventBridge refused ${result.FailedEntryCount} of ${entries.length} events: ${firstError?.ErrorCode} ${firstError?.ErrorMessage}`);
    }
  }
}
