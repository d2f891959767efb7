import type * as z from 'zod/mini';
import { contactIds, type ContactIds } from './contact';
import type { userPreferencesValueSchema } from './webhook-payload';

/**
 * The customer stopped or resumed a business's marketing messages inside WhatsApp (the
 * `user_preferences` field). Handed as is to the consent ledger: marketing scope only.
 */
export interface UserPreferenceChange {
  contact: ContactIds;
  /** Meta's category, `marketing_messages` today. */
  category: string;
  /** `stop` or `resume` (kept as Meta's string: other values are data, not errors). */
  value: string;
  /** When the customer changed it (ISO 8601). */
  changedAt: string;
  /** Meta's human-readable detail, kept as evidence. */
  detail?: string;
}

export function readUserPreferences(value: z.infer<typeof userPreferencesValueSchema>): UserPreferenceChange[] {
  const contacts = value.contacts ?? [];
  return value.user_preferences.map((preference) => {
    const contact = contacts.find((c) => preference.wa_id !== undefined && c.wa_id === preference.wa_id) ?? (contacts.length === 1 ? contacts[0] : undefined);
    return {
      contact: contactIds(preference.wa_id ?? contact?.wa_id, preference.user_id ?? contact?.user_id),
      category: preference.category,
      value: preference.value,
      changedAt: new Date(Number(preference.timestamp) * 1000).toISOString(),
      ...(preference.detail === undefined ? {} : { detail: preference.detail }),
    };
  });
}
