import { describe, expect, it } from 'vitest';
import { customerKey, pickWeighted, stableFraction } from '#shared/journey/assignment';
import { isInHoldout } from '#shared/journey/holdout';

/** 10,000 synthetic customers with plausible, distinct phone numbers. */
const customers = Array.from({ length: 10_000 }, (_, i) => ({ phone: `+54911${String(40_000_000 + i * 7919).padStart(8, '0')}` }));

describe('stableFraction', () => {
  it('is a fixed number in [0, 1) for a namespace and key', () => {
    const value = stableFraction('holdout', '+5491155550001');
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThan(1);
    expect(stableFraction('holdout', '+5491155550001')).toBe(value);
    // Pinned, so a change to the hash (which would reshuffle every cohort) fails here first.
    expect(value).toBe(0.2233664548711971);
  });

  it('is independent across namespaces (holdout and variants do not pick the same customers)', () => {
    const inBoth = customers.filter((c) => stableFraction('holdout', customerKey(c)) < 0.1 && stableFraction('variant:day7', customerKey(c)) < 0.1);
    // Independent: about 1 % of customers are in both bottom tenths; correlated, 10 %.
    expect(inBoth.length).toBeGreaterThan(50);
    expect(inBoth.length).toBeLessThan(170);
  });

  it('is spread evenly: each tenth of [0, 1) holds about a tenth of the customers', () => {
    const tenths = new Array<number>(10).fill(0);
    for (const c of customers) tenths[Math.floor(stableFraction('holdout', customerKey(c)) * 10)]! += 1;
    // 1,000 expected per tenth; 4.5 standard deviations (σ = 30) either side.
    for (const count of tenths) expect(Math.abs(count - 1_000)).toBeLessThan(135);
  });
});

describe('customerKey', () => {
  it('is the phone number, so a customer with two store ids is still one customer', () => {
    expect(customerKey({ phone: '+34612345678' })).toBe('+34612345678');
  });
});

describe('pickWeighted', () => {
  const items = [
    { id: 'A', weight: 1 },
    { id: 'B', weight: 3 },
    { id: 'C', weight: 0 },
  ];
  it('splits [0, 1) by weight, in order, skipping weight 0', () => {
    expect(pickWeighted(items, 0)?.id).toBe('A');
    expect(pickWeighted(items, 0.2499)?.id).toBe('A');
    expect(pickWeighted(items, 0.25)?.id).toBe('B');
    expect(pickWeighted(items, 0.999999)?.id).toBe('B');
  });
  it('is undefined when no item has a positive weight', () => {
    expect(pickWeighted([{ weight: 0 }], 0.5)).toBeUndefined();
    expect(pickWeighted([], 0.5)).toBeUndefined();
  });
});

describe('isInHoldout', () => {
  it('holds out nobody at the default share of 0', () => {
    expect(customers.some((c) => isInHoldout(c, 0))).toBe(false);
  });

  it.each([0.05, 0.1, 0.5])('holds out close to %s of 10,000 customers', (share) => {
    const held = customers.filter((c) => isInHoldout(c, share)).length;
    const sigma = Math.sqrt(10_000 * share * (1 - share));
    expect(Math.abs(held - 10_000 * share)).toBeLessThan(4.5 * sigma);
  });

  it('gives the same customer the same answer on every order and every call', () => {
    for (const c of customers.slice(0, 500)) expect(isInHoldout({ ...c }, 0.05)).toBe(isInHoldout(c, 0.05));
  });

  it('keeps the held-out customers held out when the share grows (cohorts nest)', () => {
    const at5 = customers.filter((c) => isInHoldout(c, 0.05));
    expect(at5.every((c) => isInHoldout(c, 0.1))).toBe(true);
  });
});
