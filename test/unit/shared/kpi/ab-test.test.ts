import { describe, expect, it } from 'vitest';
import { abVerdict, logGamma, probabilityBest, probabilityGreater, seededRandom, type VariantOutcome } from '#shared/kpi/ab-test';

const v = (variant: string, successes: number, trials: number): VariantOutcome => ({ variant, successes, trials });

describe('logGamma', () => {
  it('matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9); // ln 100!
  });
});

describe('probabilityGreater (closed form)', () => {
  it('matches hand-computed cases', () => {
    expect(probabilityGreater(1, 1, 1, 1)).toBeCloseTo(0.5, 12); // two uniforms
    expect(probabilityGreater(2, 1, 1, 2)).toBeCloseTo(5 / 6, 12); // max of two vs min of two uniforms
    expect(probabilityGreater(2, 1, 1, 1)).toBeCloseTo(2 / 3, 12);
  });
});

describe('probabilityBest', () => {
  it('is exact for two variants and symmetric', () => {
    const p = probabilityBest([v('A', 130, 600), v('B', 160, 600)]);
    // Normal approximation of the posteriors: Φ(0.05 / 0.02468) ≈ 0.9786.
    expect(p.B).toBeCloseTo(0.9784, 3);
    expect(p.A! + p.B!).toBeCloseTo(1, 12);
    const swapped = probabilityBest([v('B', 160, 600), v('A', 130, 600)]);
    expect(swapped.B).toBeCloseTo(p.B!, 12);
  });

  it('gives 0.5 each for identical variants', () => {
    expect(probabilityBest([v('A', 120, 600), v('B', 120, 600)]).A).toBeCloseTo(0.5, 10);
  });

  it('agrees, with Monte Carlo for three variants, with the exact answer when the third cannot win', () => {
    const exact = probabilityBest([v('A', 130, 600), v('B', 160, 600)]);
    const sampled = probabilityBest([v('A', 130, 600), v('B', 160, 600), v('C', 0, 100_000)], { draws: 40_000, seed: 7 });
    expect(sampled.C).toBe(0);
    expect(sampled.B).toBeCloseTo(exact.B!, 2);
  });

  it('is deterministic for a seed, and sums to 1', () => {
    const outcomes = [v('A', 130, 600), v('B', 150, 600), v('C', 145, 600)];
    const first = probabilityBest(outcomes, { draws: 5_000, seed: 1 });
    expect(probabilityBest(outcomes, { draws: 5_000, seed: 1 })).toEqual(first);
    expect(Object.values(first).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('draws uniforms in [0, 1) from the seeded generator', () => {
    const random = seededRandom(42);
    const draws = Array.from({ length: 10_000 }, random);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.reduce((a, b) => a + b, 0) / draws.length).toBeCloseTo(0.5, 1);
  });
});

describe('abVerdict', () => {
  it('names a clear winner: 600 each, 21.7 % vs 26.7 % replies, P(B best) ≈ 0.98', () => {
    const verdict = abVerdict([v('A', 130, 600), v('B', 160, 600)]);
    expect(verdict).toMatchObject({ decision: 'winner', winner: 'B' });
  });

  it('keeps the mix when the difference is ambiguous (P(best) ≈ 0.75 < 0.9)', () => {
    const verdict = abVerdict([v('A', 130, 600), v('B', 140, 600)]);
    expect(verdict.decision).toBe('keep-mix');
    if (verdict.decision === 'keep-mix') expect(verdict.reason).toMatch(/0\.9/);
  });

  it('keeps the mix while any variant has fewer than 500 recipients, however clear the lead', () => {
    const verdict = abVerdict([v('A', 10, 400), v('B', 300, 499)]);
    expect(verdict.decision).toBe('keep-mix');
    if (verdict.decision === 'keep-mix') {
      expect(verdict.reason).toMatch(/500/);
      expect(verdict.reason).toContain('A (400)');
      expect(verdict.probabilityBest?.B).toBeGreaterThan(0.999);
    }
  });

  it('names a winner among three variants only when one is clearly best', () => {
    expect(abVerdict([v('A', 100, 800), v('B', 160, 800), v('C', 105, 800)])).toMatchObject({ decision: 'winner', winner: 'B' });
    expect(abVerdict([v('A', 100, 800), v('B', 160, 800), v('C', 158, 800)]).decision).toBe('keep-mix');
  });

  it('takes its thresholds as parameters', () => {
    const outcomes = [v('A', 130, 600), v('B', 140, 600)];
    expect(abVerdict(outcomes, { minProbability: 0.7 })).toMatchObject({ decision: 'winner', winner: 'B' });
    expect(abVerdict([v('A', 13, 60), v('B', 30, 60)], { minRecipients: 50 })).toMatchObject({ decision: 'winner', winner: 'B' });
    expect(abVerdict([v('A', 130, 600), v('B', 160, 600)], { minRecipients: 1000 }).decision).toBe('keep-mix');
  });

  it('keeps the mix with fewer than two variants', () => {
    expect(abVerdict([v('A', 300, 1000)])).toEqual({ decision: 'keep-mix', reason: expect.any(String), probabilityBest: null });
    expect(abVerdict([]).decision).toBe('keep-mix');
  });

  it('caps successes above trials (inconsistent counters) instead of failing', () => {
    expect(() => abVerdict([v('A', 700, 600), v('B', 100, 600)])).not.toThrow();
    expect(abVerdict([v('A', 700, 600), v('B', 100, 600)])).toMatchObject({ decision: 'winner', winner: 'A' });
  });
});
