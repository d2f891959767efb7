import { createHash } from 'node:crypto';

const MAX_LENGTH = 80;
// Step Functions rejects whitespace, brackets, wildcards, these punctuation marks and control characters.
const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/g;

/**
 * The execution name for an order: one execution per order, so StartExecution itself
 * rejects a second journey. Names that had to be changed get a hash suffix so two
 * different order ids can never collapse into one name.
 */
export function executionNameForOrder(orderId: string): string {
  const cleaned = orderId.replace(FORBIDDEN, '_');
  if (cleaned === orderId && orderId.length <= MAX_LENGTH) return orderId;
  const hash = createHash('sha256').update(orderId).digest('hex').slice(0, 12);
  // toWellFormed: the cut may split a surrogate pair (an emoji) in half.
  return `${cleaned.slice(0, MAX_LENGTH - hash.length - 1).toWellFormed()}-${hash}`;
}
