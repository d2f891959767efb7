import { describe, expect, it } from 'vitest';
import { TEMPLATES, type TemplateDefinition } from '#shared/templates/catalogue';
import { chooseTemplate, type CatalogueState } from '#shared/templates/variants';

/** Templates Meta will not send, each with the reason the status record gives (shared/templates/status.ts). */
const paused = (...names: string[]) => new Map(names.map((name) => [name, `${name} PAUSED at Meta since 2026-03-01T10:00:00.000Z`]));

const customers = Array.from({ length: 10_000 }, (_, i) => ({ phone: `+3461${String(2_000_000 + i * 104_729).padStart(7, '0').slice(-7)}${i % 10}` }));
const none: CatalogueState = { unavailable: new Map() };

function variantCounts(state: CatalogueState, milestone: 'day7' | 'day30' | 'day60' = 'day7'): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of customers) {
    const choice = chooseTemplate(milestone, c, state);
    const key = choice.status === 'chosen' ? choice.variant : 'skipped';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** A made-up three-variant milestone, to test weights beyond the shipped catalogue. */
const threeWay: TemplateDefinition[] = ['A', 'B', 'C'].map((variant, i) => ({
  ...TEMPLATES[0]!,
  name: `test_day7_${variant.toLowerCase()}`,
  variant,
  weight: [1, 1, 2][i]!,
}));

describe('chooseTemplate', () => {
  it('gives the same customer the same variant every time (and on every order)', () => {
    for (const c of customers.slice(0, 300)) {
      expect(chooseTemplate('day7', { ...c }, none)).toEqual(chooseTemplate('day7', c, none));
    }
  });

  it('splits day 7 about evenly between A and B with the catalogue weights (1:1)', () => {
    const counts = variantCounts(none);
    expect(Object.keys(counts).sort()).toEqual(['A', 'B']);
    // σ = 50 for 10,000 fair draws; 4.5 σ either side.
    expect(Math.abs(counts.A! - 5_000)).toBeLessThan(225);
  });

  it('follows the weights: catalogue 1:1:2, and overrides from the config', () => {
    const counts = variantCounts({ unavailable: new Map(), catalogue: threeWay });
    expect(Math.abs(counts.C! - 5_000)).toBeLessThan(225);
    expect(Math.abs(counts.A! - 2_500)).toBeLessThan(200);
    const overridden = variantCounts({ unavailable: new Map(), catalogue: threeWay, weights: { A: 9, C: 0 } });
    expect(overridden.C).toBeUndefined();
    expect(Math.abs(overridden.A! - 9_000)).toBeLessThan(135);
  });

  it('sends the winner to everyone once the other variant’s weight is 0', () => {
    expect(variantCounts({ unavailable: new Map(), weights: { A: 0 } })).toEqual({ B: 10_000 });
  });

  it('gives milestones with one variant their variant A', () => {
    const choice = chooseTemplate('day30', customers[0]!, none);
    expect(choice).toEqual({ status: 'chosen', template: TEMPLATES.find((t) => t.name === 'posventa_day30_nps'), variant: 'A' });
  });

  it('stands in another variant when the assigned one is not approved, and says which was assigned', () => {
    const state: CatalogueState = { unavailable: paused('posventa_day7_adoption_b') };
    for (const c of customers.slice(0, 200)) {
      const assigned = chooseTemplate('day7', c, none);
      const choice = chooseTemplate('day7', c, state);
      expect(choice).toMatchObject({ status: 'chosen', variant: 'A' });
      if (assigned.status === 'chosen' && assigned.variant === 'B') expect(choice).toMatchObject({ assignedVariant: 'B', standInReason: 'posventa_day7_adoption_b PAUSED at Meta since 2026-03-01T10:00:00.000Z' });
      else expect(choice).not.toHaveProperty('assignedVariant');
    }
  });

  it('keeps customers of available variants where they were when another is withdrawn', () => {
    const state: CatalogueState = { unavailable: paused('test_day7_b'), catalogue: threeWay };
    for (const c of customers.slice(0, 500)) {
      const before = chooseTemplate('day7', c, { unavailable: new Map(), catalogue: threeWay });
      const after = chooseTemplate('day7', c, state);
      if (before.status === 'chosen' && before.variant !== 'B') expect(after).toEqual(before);
    }
  });

  it('skips with a reason when no variant can be sent', () => {
    const choice = chooseTemplate('day7', customers[0]!, { unavailable: paused('posventa_day7_adoption', 'posventa_day7_adoption_b') });
    expect(choice).toEqual({
      status: 'skipped',
      reason:
        'no template of day7 can be sent now: posventa_day7_adoption PAUSED at Meta since 2026-03-01T10:00:00.000Z; posventa_day7_adoption_b PAUSED at Meta since 2026-03-01T10:00:00.000Z',
    });
  });

  it('never falls back to a variant turned off (weight 0)', () => {
    const choice = chooseTemplate('day7', customers[0]!, { unavailable: paused('posventa_day7_adoption_b'), weights: { A: 0 } });
    expect(choice).toMatchObject({ status: 'skipped', reason: expect.stringContaining('posventa_day7_adoption_b PAUSED') });
  });

  it('skips with a reason when every variant is turned off', () => {
    expect(chooseTemplate('day60', customers[0]!, { unavailable: new Map(), weights: { A: 0 } })).toEqual({
      status: 'skipped',
      reason: 'no variant of day60 has a positive weight',
    });
  });

  describe('quality RED: avoided while a better-rated variant can stand in, sent when nothing better is left', () => {
    const assignedOf = (c: { phone: string }) => {
      const choice = chooseTemplate('day7', c, none);
      if (choice.status !== 'chosen') throw new Error('day 7 always has a variant');
      return choice.variant;
    };
    const sample = customers.slice(0, 300);

    it('moves the customers of a RED variant to the other one, saying why, and leaves the others where they were', () => {
      const state: CatalogueState = { unavailable: new Map(), lowQuality: new Set(['posventa_day7_adoption_b']) };
      for (const c of sample) {
        const choice = chooseTemplate('day7', c, state);
        if (assignedOf(c) === 'B') expect(choice).toMatchObject({ variant: 'A', assignedVariant: 'B', standInReason: 'posventa_day7_adoption_b rated RED by Meta' });
        else expect(choice).toEqual(chooseTemplate('day7', c, none));
      }
    });

    it('keeps every customer on their own variant when all are RED, and sends a RED variant rather than skip', () => {
      const allRed: CatalogueState = { unavailable: new Map(), lowQuality: new Set(['posventa_day7_adoption', 'posventa_day7_adoption_b']) };
      const redOnlyLeft: CatalogueState = { unavailable: paused('posventa_day7_adoption'), lowQuality: new Set(['posventa_day7_adoption_b']) };
      for (const c of sample) {
        expect(chooseTemplate('day7', c, allRed)).toEqual(chooseTemplate('day7', c, none));
        expect(chooseTemplate('day7', c, redOnlyLeft)).toMatchObject({ status: 'chosen', variant: 'B' });
      }
      expect(chooseTemplate('day30', customers[0]!, { unavailable: new Map(), lowQuality: new Set(['posventa_day30_nps']) })).toMatchObject({ status: 'chosen', variant: 'A' });
    });
  });

  describe('promoters (this journey’s NPS answer 9–10)', () => {
    it('get the day-60 review / referral message instead of the variants; nobody else does, and day 7 has none', () => {
      for (const c of customers.slice(0, 200)) {
        expect(chooseTemplate('day60', c, { ...none, promoter: true })).toMatchObject({ status: 'chosen', template: { name: 'posventa_day60_referral' }, variant: 'P' });
        expect(chooseTemplate('day60', c, none)).toMatchObject({ template: { name: 'posventa_day60_offer' }, variant: 'A' });
        expect(chooseTemplate('day7', c, { ...none, promoter: true })).toEqual(chooseTemplate('day7', c, none));
      }
    });

    it('get the offer, saying why, while Meta will not send the referral message; it is sent even when rated RED', () => {
      expect(chooseTemplate('day60', customers[0]!, { unavailable: paused('posventa_day60_referral'), promoter: true })).toMatchObject({
        status: 'chosen',
        template: { name: 'posventa_day60_offer' },
        variant: 'A',
        assignedVariant: 'P',
        standInReason: 'posventa_day60_referral PAUSED at Meta since 2026-03-01T10:00:00.000Z',
      });
      expect(chooseTemplate('day60', customers[0]!, { unavailable: new Map(), lowQuality: new Set(['posventa_day60_referral']), promoter: true })).toMatchObject({ variant: 'P' });
      expect(chooseTemplate('day60', customers[0]!, { unavailable: paused('posventa_day60_referral', 'posventa_day60_offer'), promoter: true })).toMatchObject({ status: 'skipped' });
    });
  });
});
