import * as z from 'zod/mini';

/**
 * Meta's webhook envelope, strict about what we rely on and loose about the rest, because
 * Meta adds fields without notice. Message types and other fields come with the webhook issue.
 */
const statusSchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  status: z.string().check(z.minLength(1)),
  timestamp: z.string().check(z.regex(/^\d+$/, 'timestamp must be unix seconds')),
  recipient_id: z.optional(z.string()),
  recipient_user_id: z.optional(z.string()),
  biz_opaque_callback_data: z.optional(z.string()),
  errors: z.optional(z.array(z.looseObject({ code: z.number() }))),
});

export type WebhookStatus = z.infer<typeof statusSchema>;

const changeSchema = z.looseObject({
  field: z.string(),
  value: z.looseObject({
    statuses: z.optional(z.array(statusSchema)),
  }),
});

export const webhookEnvelopeSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(z.looseObject({ id: z.string(), changes: z.array(changeSchema) })),
});

export type WebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;

/** Every status of every `messages` change, in the order Meta sent them. */
export function statusesOf(envelope: WebhookEnvelope): WebhookStatus[] {
  return envelope.entry.flatMap((entry) =>
    entry.changes.filter((change) => change.field === 'messages').flatMap((change) => change.value.statuses ?? []),
  );
}
