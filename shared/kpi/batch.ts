import { DOMAIN_EVENT, templateQualityChangedDetailSchema } from '../events/domain';
import { parseWith } from '../validation';
import { countedEvents, type CountedEvent } from './aggregation';
import { isKpiEventType, KPI_EVENT_DETAIL, type KpiEvent } from './event-details';
import type { TemplateQualityReading } from './metrics';

export interface QueuedRecord {
  messageId: string;
  body: string;
}

export interface ReadBatch {
  /** Events to count, with the queue messages that carried each one. */
  counted: Array<{ event: CountedEvent; messageId: string }>;
  /** Meta's template quality ratings: a state, not a count, so a metric only (shared/kpi/metrics.ts). */
  qualities: TemplateQualityReading[];
  /** Messages that cannot be read: they go back to the queue and, in the end, to its DLQ. */
  unreadable: Array<{ messageId: string; reason: string }>;
}

/** Reads EventBridge events (domain and helpdesk) delivered through SQS into the counter increments they stand for. */
export function readQueuedEvents(records: readonly QueuedRecord[], timeZone: string): ReadBatch {
  const batch: ReadBatch = { counted: [], qualities: [], unreadable: [] };
  for (const record of records) {
    let envelope: unknown;
    try {
      envelope = JSON.parse(record.body);
    } catch {
      batch.unreadable.push({ messageId: record.messageId, reason: 'body is not JSON' });
      continue;
    }
    if (typeof envelope !== 'object' || envelope === null) {
      batch.unreadable.push({ messageId: record.messageId, reason: 'body is not an EventBridge event object' });
      continue;
    }
    const { 'detail-type': detailType, detail: rawDetail } = envelope as Record<string, unknown>;
    if (detailType === DOMAIN_EVENT.templateQualityChanged) {
      const detail = parseWith(templateQualityChangedDetailSchema, rawDetail);
      if (detail.ok) batch.qualities.push({ template: detail.value.template, language: detail.value.language, quality: detail.value.quality, occurredAt: detail.value.occurredAt });
      else batch.unreadable.push({ messageId: record.messageId, reason: `${detailType}: ${detail.reason}` });
      continue;
    }
    // Not a domain or helpdesk event, or one no counter tracks: nothing to count.
    if (typeof detailType !== 'string' || !isKpiEventType(detailType)) continue;
    const type = detailType;
    const detail = parseWith(KPI_EVENT_DETAIL[type], rawDetail);
    if (!detail.ok) {
      batch.unreadable.push({ messageId: record.messageId, reason: `${type}: ${detail.reason}` });
      continue;
    }
    // The schema was chosen by `type`, so the pair is a KpiEvent; TypeScript cannot follow the correlation.
    for (const event of countedEvents({ type, detail: detail.value } as KpiEvent, timeZone)) batch.counted.push({ event, messageId: record.messageId });
  }
  return batch;
}
