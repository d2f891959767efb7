/**
 * Who a webhook is about. Meta names users by phone (`wa_id`, digits without `+`) and, since
 * 2026, by business-scoped user id (BSUID, e.g. `US.13491208655302741918`), either or both.
 * Contacts are keyed by phone when there is one (that is what the purchase event gives us) and
 * keep the BSUID beside it.
 */
export interface ContactIds {
  /** E.164 with its `+`, as the purchase event has it. */
  phone?: string;
  bsuid?: string;
}

/** `wa_id` / `from` / `recipient_id` (digits) → E.164; undefined when it is not a phone number. */
export function phoneFromWaId(waId: string | undefined): string | undefined {
  if (waId === undefined) return undefined;
  const digits = waId.startsWith('+') ? waId.slice(1) : waId;
  return /^\d{6,15}$/.test(digits) ? `+${digits}` : undefined;
}

export function contactIds(waId: string | undefined, bsuid: string | undefined): ContactIds {
  const phone = phoneFromWaId(waId);
  return { ...(phone === undefined ? {} : { phone }), ...(bsuid === undefined || bsuid === '' ? {} : { bsuid }) };
}

/**
 * The one key a contact's items are stored under: the E.164 phone, else the BSUID (a BSUID
 * never starts with `+`, so the two cannot collide). Undefined when Meta named neither.
 */
export function contactKeyOf(contact: ContactIds): string | undefined {
  return contact.phone ?? contact.bsuid;
}

/**
 * A BSUID seen beside the phone it belongs to. Kept as a pointer, so that a later webhook that
 * names the customer by BSUID only (a username user, DESIGN.md §3) still reaches the contact
 * keyed by phone: the consent the send step reads, the journeys an opt-out stops.
 */
export interface ContactLink {
  bsuid: string;
  phone: string;
}

export function contactLinkOf(contact: ContactIds): ContactLink | undefined {
  return contact.phone === undefined || contact.bsuid === undefined ? undefined : { bsuid: contact.bsuid, phone: contact.phone };
}
