import * as z from 'zod/mini';
import { MILESTONE_IDS, type MilestoneId } from '../journey/milestones';

/**
 * What we put in `biz_opaque_callback_data` on every send. Meta echoes it on status
 * webhooks, so a status that overtakes our own send record still finds its journey.
 */
export interface MessageRef {
  orderId: string;
  milestone: MilestoneId;
  template: string;
  variant: string;
}

const messageRefSchema = z.object({
  o: z.string().check(z.minLength(1)),
  m: z.enum(MILESTONE_IDS),
  t: z.string().check(z.minLength(1)),
  v: z.string().check(z.minLength(1)),
});

/** Meta's limit on `biz_opaque_callback_data`. */
export const CALLBACK_DATA_MAX_LENGTH = 512;

export function encodeMessageRef(ref: MessageRef): string {
  const encoded = JSON.stringify({ o: ref.orderId, m: ref.milestone, t: ref.template, v: ref.variant });
  if (encoded.length > CALLBACK_DATA_MAX_LENGTH) throw new Error(`Callback data for order ${ref.orderId} is longer than ${CALLBACK_DATA_MAX_LENGTH} characters`);
  return encoded;
}

/** The reference, or undefined when the data is absent or not ours (another app on the same number). */
export function decodeMessageRef(data: string | undefined): MessageRef | undefined {
  if (data === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  const parsed = messageRefSchema.safeParse(json);
  if (!parsed.success) return undefined;
  return { orderId: parsed.data.o, milestone: parsed.data.m, template: parsed.data.t, variant: parsed.data.v };
}
