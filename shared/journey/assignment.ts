import { createHash } from 'node:crypto';

/**
 * Deterministic per-customer assignment (holdout, template variants): the same customer
 * lands in the same bucket on every order and every run, with no state to store.
 */

/** What identifies a customer across orders. */
export interface CustomerRef {
  /** E.164, as the purchase event carries it. */
  readonly phone: string;
}

/**
 * The key assignments hash: the phone number. Stores may give one person several customer
 * ids (guest checkouts, several shops on one bus), while WhatsApp, consent and the frequency
 * caps all know a customer by phone.
 */
export function customerKey(customer: CustomerRef): string {
  return customer.phone;
}

const BITS = 48;

/**
 * A number in [0, 1) fixed by `namespace` and `key`, uniform over keys. Each decision has
 * its own namespace so they are independent: the holdout 5 % are not also variant A's first 5 %.
 */
export function stableFraction(namespace: string, key: string): number {
  const hex = createHash('sha256').update(namespace).update('\u0000').update(key).digest('hex');
  return Number.parseInt(hex.slice(0, BITS / 4), 16) / 2 ** BITS;
}

/**
 * The item whose share of the total weight contains `fraction` (items in the given order).
 * Undefined when no item has a positive weight.
 */
export function pickWeighted<T extends { readonly weight: number }>(items: readonly T[], fraction: number): T | undefined {
  const eligible = items.filter((item) => item.weight > 0);
  const total = eligible.reduce((sum, item) => sum + item.weight, 0);
  let cumulative = 0;
  for (const item of eligible) {
    cumulative += item.weight;
    if (fraction * total < cumulative) return item;
  }
  // Rounding can leave fraction × total a hair above the last bound.
  return eligible.at(-1);
}
