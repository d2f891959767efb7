import { z } from 'zod';

/**
 * The body of `POST /{version}/{phone-number-id}/messages` as Meta checks it, for the
 * message types Posventa sends: templates (business-initiated) and free-form text (only
 * inside the customer service window). Unknown keys are ignored rather than rejected,
 * because Meta's own tolerance of extra keys is not documented and a false 400 here would
 * hide real bugs behind simulator ones.
 */

const recipientPhone = z.string().regex(/^\+?\d{8,15}$/, 'must be 8 to 15 digits, optionally after a leading +');

const textParameter = z.object({
  type: z.literal('text'),
  text: z.string().min(1, 'parameter text must not be empty'),
  parameter_name: z.string().min(1).optional(),
});

const headerParameter = z.discriminatedUnion('type', [
  textParameter,
  z.object({ type: z.literal('image'), image: z.object({ link: z.url().optional(), id: z.string().optional() }) }),
  z.object({ type: z.literal('video'), video: z.object({ link: z.url().optional(), id: z.string().optional() }) }),
  z.object({ type: z.literal('document'), document: z.object({ link: z.url().optional(), id: z.string().optional() }) }),
]);

// Meta documents the index as a string ("0"), SDKs also send numbers; templates have at most 10 buttons.
const buttonIndex = z.union([z.string().regex(/^\d$/, 'must be a button position 0-9'), z.number().int().min(0).max(9)]);

const quickReplyButton = z.object({
  type: z.literal('button'),
  sub_type: z.literal('quick_reply'),
  index: buttonIndex,
  parameters: z.array(z.object({ type: z.literal('payload'), payload: z.string().min(1) })).length(1),
});

const urlButton = z.object({
  type: z.literal('button'),
  sub_type: z.literal('url'),
  index: buttonIndex,
  parameters: z.array(textParameter).length(1),
});

const templateComponent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('body'), parameters: z.array(textParameter).default([]) }),
  z.object({ type: z.literal('header'), parameters: z.array(headerParameter) }),
  z.discriminatedUnion('sub_type', [quickReplyButton, urlButton]),
]);

const envelope = {
  messaging_product: z.literal('whatsapp'),
  recipient_type: z.literal('individual').optional(),
  to: recipientPhone,
  biz_opaque_callback_data: z.string().max(512).optional(),
};

export const templateMessageRequest = z.object({
  ...envelope,
  type: z.literal('template'),
  template: z.object({
    name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'template names are lowercase letters, digits and _'),
    language: z.object({ code: z.string().min(2), policy: z.literal('deterministic').optional() }),
    components: z.array(templateComponent).optional(),
  }),
});

export const textMessageRequest = z.object({
  ...envelope,
  type: z.literal('text'),
  text: z.object({ body: z.string().min(1).max(4096), preview_url: z.boolean().optional() }),
});

export const sendMessageRequest = z.discriminatedUnion('type', [templateMessageRequest, textMessageRequest]);

export type TemplateMessageRequest = z.infer<typeof templateMessageRequest>;
export type SendMessageRequest = z.infer<typeof sendMessageRequest>;

/** Number of `{{n}}` values the request fills in the template body: what Meta counts for 132000. */
export function bodyParameterCount(message: TemplateMessageRequest): number {
  return (message.template.components ?? []).reduce((count, component) => (component.type === 'body' ? count + component.parameters.length : count), 0);
}
