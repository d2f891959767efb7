import type * as z from 'zod/mini';
import { DOMAIN_EVENT, type DomainEvent } from '../events/domain';
import type { templateQualityValueSchema, templateStatusValueSchema } from './webhook-payload';

/**
 * Template changes Meta reports. Meta gives them no id, so the event id is built from what
 * identifies the change (template, language, new state, Meta's `entry.time`): a redelivery of
 * the same change gets the same id.
 */
export function templateStatusEvent(value: z.infer<typeof templateStatusValueSchema>, entryTime: number): DomainEvent {
  const templateId = String(value.message_template_id);
  return {
    type: DOMAIN_EVENT.templateStatusChanged,
    detail: {
      eventId: `template-status:${templateId}:${value.message_template_language}:${value.event}:${entryTime}`,
      occurredAt: new Date(entryTime * 1000).toISOString(),
      template: value.message_template_name,
      language: value.message_template_language,
      templateId,
      status: value.event,
      ...(value.reason === undefined || value.reason === null ? {} : { reason: value.reason }),
    },
  };
}

export function templateQualityEvent(value: z.infer<typeof templateQualityValueSchema>, entryTime: number): DomainEvent {
  const templateId = String(value.message_template_id);
  return {
    type: DOMAIN_EVENT.templateQualityChanged,
    detail: {
      eventId: `template-quality:${templateId}:${value.message_template_language}:${value.new_quality_score}:${entryTime}`,
      occurredAt: new Date(entryTime * 1000).toISOString(),
      template: value.message_template_name,
      language: value.message_template_language,
      templateId,
      quality: value.new_quality_score,
      ...(value.previous_quality_score === undefined ? {} : { previousQuality: value.previous_quality_score }),
    },
  };
}
