import { customerKey, stableFraction, type CustomerRef } from './assignment';

/**
 * The holdout (control group): a share of customers enrolled in journeys but never
 * messaged, so repurchase lift is measured against them. Membership is by customer, not by
 * order, so a customer's second purchase does not leak them into the messaged cohort.
 *
 * @param share fraction of customers held out, 0 ≤ share < 1 (0.05 = 5 %)
 */
export function isInHoldout(customer: CustomerRef, share: number): boolean {
  if (!(share > 0)) return false;
  return stableFraction('holdout', customerKey(customer)) < share;
}
