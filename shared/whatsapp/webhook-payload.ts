import * as z from 'zod/mini';

/**
 * Meta's webhook payloads (../shared/reference/whatsapp-cloud-api-detailed.md §2), strict about
 * what we rely on and loose about the rest, because Meta adds fields without notice. The
 * envelope is parsed first; each change's `value` is parsed by the schema of its `field`, so
 * a field we do not handle never fails the webhook.
 */

/**
 * Unix seconds up to the year 9999: beyond that `new Date(…).toISOString()` throws, and a
 * signed body must get a 400, never a crash.
 */
const MAX_UNIX_SECONDS = 253_402_300_799;
const unixSecondsNumber = z.int().check(z.gte(0), z.lte(MAX_UNIX_SECONDS));
const unixSeconds = z.string().check(
  z.regex(/^\d{1,12}$/, 'timestamp must be unix seconds'),
  z.refine((value) => Number(value) <= MAX_UNIX_SECONDS, 'timestamp is past the year 9999'),
);
const nonEmpty = z.string().check(z.minLength(1));

const errorSchema = z.looseObject({
  code: z.number(),
  title: z.optional(z.string()),
  message: z.optional(z.string()),
  error_data: z.optional(z.looseObject({ details: z.optional(z.string()) })),
});

export type WebhookError = z.infer<typeof errorSchema>;

// ── field "messages": statuses ───────────────────────────────────────────────────────────
const statusSchema = z.looseObject({
  id: nonEmpty,
  status: nonEmpty,
  timestamp: unixSeconds,
  /** The user's phone (wa_id); may be absent for username users since 2026. */
  recipient_id: z.optional(z.string()),
  /** The business-scoped user id (BSUID). */
  recipient_user_id: z.optional(z.string()),
  biz_opaque_callback_data: z.optional(z.string()),
  pricing: z.optional(
    z.looseObject({
      billable: z.optional(z.boolean()),
      pricing_model: z.optional(z.string()),
      category: z.optional(z.string()),
      type: z.optional(z.string()),
    }),
  ),
  conversation: z.optional(z.looseObject({ id: z.optional(z.string()) })),
  errors: z.optional(z.array(errorSchema)),
});

export type WebhookStatus = z.infer<typeof statusSchema>;

// ── field "messages": inbound messages ───────────────────────────────────────────────────
const mediaSchema = z.looseObject({ id: z.optional(z.string()), mime_type: z.optional(z.string()), sha256: z.optional(z.string()), caption: z.optional(z.string()) });

const messageSchema = z.looseObject({
  id: nonEmpty,
  timestamp: unixSeconds,
  type: nonEmpty,
  /** The user's phone (wa_id); never assumed present. */
  from: z.optional(z.string()),
  from_user_id: z.optional(z.string()),
  context: z.optional(z.looseObject({ id: z.optional(z.string()), from: z.optional(z.string()) })),
  text: z.optional(z.looseObject({ body: z.string() })),
  button: z.optional(z.looseObject({ payload: z.optional(z.string()), text: z.optional(z.string()) })),
  interactive: z.optional(
    z.looseObject({
      type: z.string(),
      button_reply: z.optional(z.looseObject({ id: z.string(), title: z.optional(z.string()) })),
      list_reply: z.optional(z.looseObject({ id: z.string(), title: z.optional(z.string()), description: z.optional(z.string()) })),
    }),
  ),
  reaction: z.optional(z.looseObject({ message_id: z.string(), emoji: z.optional(z.string()) })),
  image: z.optional(mediaSchema),
  audio: z.optional(mediaSchema),
  video: z.optional(mediaSchema),
  document: z.optional(mediaSchema),
  sticker: z.optional(mediaSchema),
  location: z.optional(z.looseObject({ latitude: z.optional(z.number()), longitude: z.optional(z.number()) })),
  contacts: z.optional(z.array(z.looseObject({}))),
  errors: z.optional(z.array(errorSchema)),
});

export type WebhookMessage = z.infer<typeof messageSchema>;

const contactSchema = z.looseObject({
  wa_id: z.optional(z.string()),
  user_id: z.optional(z.string()),
  profile: z.optional(z.looseObject({ name: z.optional(z.string()) })),
});

export type WebhookContact = z.infer<typeof contactSchema>;

export const messagesValueSchema = z.looseObject({
  metadata: z.optional(z.looseObject({ phone_number_id: z.optional(z.string()), display_phone_number: z.optional(z.string()) })),
  contacts: z.optional(z.array(contactSchema)),
  messages: z.optional(z.array(messageSchema)),
  statuses: z.optional(z.array(statusSchema)),
  errors: z.optional(z.array(errorSchema)),
});

export type MessagesValue = z.infer<typeof messagesValueSchema>;

// ── other fields ─────────────────────────────────────────────────────────────────────────
const templateId = z.union([nonEmpty, z.number()]);

export const templateStatusValueSchema = z.looseObject({
  event: nonEmpty,
  message_template_id: templateId,
  message_template_name: nonEmpty,
  message_template_language: nonEmpty,
  reason: z.optional(z.nullable(z.string())),
});

export const templateQualityValueSchema = z.looseObject({
  new_quality_score: nonEmpty,
  previous_quality_score: z.optional(z.string()),
  message_template_id: templateId,
  message_template_name: nonEmpty,
  message_template_language: nonEmpty,
});

export const userPreferencesValueSchema = z.looseObject({
  contacts: z.optional(z.array(contactSchema)),
  user_preferences: z.array(
    z.looseObject({
      wa_id: z.optional(z.string()),
      user_id: z.optional(z.string()),
      detail: z.optional(z.string()),
      category: nonEmpty,
      value: nonEmpty,
      timestamp: z.union([unixSeconds, unixSecondsNumber]),
    }),
  ),
});

// ── envelope ─────────────────────────────────────────────────────────────────────────────
export const webhookEnvelopeSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.looseObject({
      id: z.string(),
      /** Unix seconds; template-family webhooks carry it. */
      time: z.optional(unixSecondsNumber),
      changes: z.array(z.looseObject({ field: z.string(), value: z.looseObject({}) })),
    }),
  ),
});

export type WebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;

/** The `changes[].field` values Posventa reads; every other field is answered 200 and ignored. */
export const HANDLED_FIELDS = {
  messages: messagesValueSchema,
  message_template_status_update: templateStatusValueSchema,
  message_template_quality_update: templateQualityValueSchema,
  user_preferences: userPreferencesValueSchema,
} as const;

export type HandledField = keyof typeof HANDLED_FIELDS;

export function isHandledField(field: string): field is HandledField {
  return Object.hasOwn(HANDLED_FIELDS, field);
}
