import { describe, expect, it } from 'vitest';
import { isScriptedPhone } from '../../../local/customers';
import { simulatedPurchase } from '../../../bench/simulation';

describe('simulatedPurchase (bench/simulation.ts)', () => {
  it('gives 10,000 customers distinct E.164 phones, none in the range the simulated customers leave alone', () => {
    const phones = Array.from({ length: 10_000 }, (_, i) => (simulatedPurchase(i, new Date(0)).customer as { phone: string }).phone);
    expect(new Set(phones).size).toBe(10_000);
    expect(phones.filter(isScriptedPhone)).toEqual([]);
    for (const phone of phones) expect(phone).toMatch(/^\+[1-9]\d{9,14}$/);
  });
});
