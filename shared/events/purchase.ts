import * as z from 'zod/mini';
import { isIanaTimeZone } from '../time-zone';

/** Default `source` of the store's purchase events; the stack can be configured with another. */
export const PURCHASE_EVENT_SOURCE = 'posventa.store';
export const PURCHASE_COMPLETED = 'Purchase Completed';

const nonEmpty = () => z.string().check(z.trim(), z.minLength(1));


/**
 * `detail` of a `Purchase Completed` event: a public contract (DESIGN.md §3). Unknown fields
 * are ignored (loose objects) so stores can send more than we read.
 */
export const purchaseDetailSchema = z.looseObject({
  orderId: nonEmpty().check(z.maxLength(256)),
  purchasedAt: z.iso.datetime({ offset: true }),
  customer: z.looseObject({
    id: nonEmpty(),
    phone: z.e164(),
    name: nonEmpty(),
    // BCP 47 language with an optional region, letters (es-AR) or UN M49 digits (es-419).
    locale: z.string().check(z.regex(/^[a-z]{2,3}([-_]([A-Za-z]{2,4}|\d{3}))?$/, 'locale must look like es-AR, es-419, pt-BR or en')),
    // Checked now, so a typo lands in the DLQ with its reason instead of breaking a send weeks later.
    timezone: nonEmpty().check(z.refine(isIanaTimeZone, 'timezone must be an IANA time zone such as America/Argentina/Buenos_Aires')),
    optIn: z.optional(z.looseObject({ source: nonEmpty(), at: z.iso.datetime({ offset: true }) })),
  }),
  items: z.array(z.looseObject({ sku: nonEmpty(), name: nonEmpty(), category: z.optional(z.string()) })).check(z.minLength(1)),
  total: z.optional(z.looseObject({ amount: z.number(), currency: z.string().check(z.length(3)) })),
  segment: z.optional(z.string()),
});

export type PurchaseDetail = z.infer<typeof purchaseDetailSchema>;
