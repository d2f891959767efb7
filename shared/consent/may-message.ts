import type { ConsentState } from './ledger';
import type { ConsentScope } from './scopes';

export type MessagePermission =
  | { allowed: true }
  | { allowed: false; code: 'no-opt-in' | 'opted-out'; reason: string };

/**
 * Whether a business-initiated message of this category may go to the contact (DESIGN.md §1:
 * only with a recorded opt-in, never after an opt-out). `state` is the store's strongly
 * consistent read; `undefined` (no record) means no opt-in.
 */
export function mayMessage(state: ConsentState | undefined, category: ConsentScope): MessagePermission {
  const scope = state?.scopes[category];
  if (scope === undefined || scope.status === 'none') {
    return { allowed: false, code: 'no-opt-in', reason: `no recorded opt-in for ${category} messages` };
  }
  if (scope.status === 'opted-out') {
    return { allowed: false, code: 'opted-out', reason: `opted out of ${category} messages at ${scope.at} (${scope.source})` };
  }
  return { allowed: true };
}
