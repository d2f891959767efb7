/**
 * The vocabulary of consent: one definition that the webhook, the send step, the store and
 * the dashboards share.
 */

/** What a consent covers: Meta's template categories we send (authentication is not used). */
export const CONSENT_SCOPES = ['utility', 'marketing'] as const;
export type ConsentScope = (typeof CONSENT_SCOPES)[number];

export type ConsentAction = 'opt-in' | 'opt-out';

/** Where a consent change came from; recorded with every piece of evidence. */
export const CONSENT_SOURCES = ['purchase-event', 'keyword', 'quick-reply', 'meta-user-preferences', 'send-error-131050'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/**
 * Who made the change: the customer writing or tapping to us, Meta reporting the customer's
 * WhatsApp setting (or refusing a send because of it), or the store's checkout.
 */
export const CONSENT_ACTORS = ['customer', 'meta', 'store'] as const;
export type ConsentActor = (typeof CONSENT_ACTORS)[number];

export const isConsentScope = (value: unknown): value is ConsentScope => (CONSENT_SCOPES as readonly unknown[]).includes(value);
export const isConsentSource = (value: unknown): value is ConsentSource => (CONSENT_SOURCES as readonly unknown[]).includes(value);
export const isConsentActor = (value: unknown): value is ConsentActor => (CONSENT_ACTORS as readonly unknown[]).includes(value);
export const isConsentAction = (value: unknown): value is ConsentAction => value === 'opt-in' || value === 'opt-out';
