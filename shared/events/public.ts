import { createHash } from 'node:crypto';
import type { DomainEvent } from './domain';

/**
 * Meta's message ids (wamids) are base64 of the recipient's phone number, and our event ids
 * are built from them. Events leave the system (other teams' rules, archives, CRMs), so on
 * the way out every event id and message id becomes a digest: deterministic, so a replay still
 * has the same id and dedupes, and no phone number can be read back.
 */
export function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 32);
}

const MESSAGE_ID_FIELDS = ['wamid', 'inboundWamid'] as const;

/** The event as it is put on the bus. */
export function publicEvent(event: DomainEvent): DomainEvent {
  const detail: Record<string, unknown> = { ...event.detail, eventId: digest(event.detail.eventId) };
  for (const field of MESSAGE_ID_FIELDS) {
    const value = detail[field];
    if (typeof value === 'string') detail[field] = digest(value);
  }
  return { ...event, detail } as DomainEvent;
}
