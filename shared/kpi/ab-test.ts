/**
 * The A/B winner rule of DESIGN.md §1: per variant, a Beta-Binomial posterior on a rate with a
 * Beta(1, 1) prior; a variant wins only when every variant has enough recipients and it is best
 * with high enough probability. Otherwise the mix stays. Pure and deterministic: the same counts
 * always give the same verdict.
 */

export interface VariantOutcome {
  variant: string;
  /** Recipients who did the thing measured (replied, answered, bought). */
  successes: number;
  /** Recipients (e.g. messages delivered). */
  trials: number;
}

export interface WinnerRule {
  /** Fewest recipients every variant needs before any winner is named. @default 500 */
  minRecipients: number;
  /** Lowest probability of being best a winner needs. @default 0.9 */
  minProbability: number;
  /** Monte Carlo draws when there are more than two variants. @default 20_000 */
  draws: number;
  /** Seed of the Monte Carlo generator, so a verdict reproduces. @default 20260308 */
  seed: number;
}

export const DEFAULT_WINNER_RULE: Readonly<WinnerRule> = { minRecipients: 500, minProbability: 0.9, draws: 20_000, seed: 20260308 };

export type AbVerdict =
  | { decision: 'winner'; winner: string; probabilityBest: Record<string, number> }
  | { decision: 'keep-mix'; reason: string; probabilityBest: Record<string, number> | null };

// ── Special functions ──────────────────────────────────────────────────────────────────────

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7: about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

const logBeta = (a: number, b: number) => logGamma(a) + logGamma(b) - logGamma(a + b);

/**
 * P(X > Y) for independent X ~ Beta(a1, b1), Y ~ Beta(a2, b2), a1 a positive integer
 * (closed form, e.g. Evan Miller, "Formulas for Bayesian A/B testing").
 */
export function probabilityGreater(a1: number, b1: number, a2: number, b2: number): number {
  let total = 0;
  for (let i = 0; i < a1; i++) total += Math.exp(logBeta(a2 + i, b1 + b2) - Math.log(b1 + i) - logBeta(1 + i, b1) - logBeta(a2, b2));
  return Math.min(1, Math.max(0, total));
}

// ── Seeded sampling ────────────────────────────────────────────────────────────────────────

/** mulberry32: a small seeded generator of uniforms in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  // Box–Muller; 1 − u keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape, 1) for shape ≥ 1 (Marsaglia and Tsang, 2000). */
function gamma(shape: number, random: () => number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

function beta(a: number, b: number, random: () => number): number {
  const x = gamma(a, random);
  return x / (x + gamma(b, random));
}

// ── The rule ───────────────────────────────────────────────────────────────────────────────

/** Posterior Beta(1 + successes, 1 + failures); successes above trials (inconsistent counters) are capped. */
const posterior = ({ successes, trials }: VariantOutcome): [number, number] => {
  const s = Math.min(Math.max(successes, 0), trials);
  return [1 + s, 1 + trials - s];
};

/**
 * Probability that each variant has the highest rate: exact for two variants, Monte Carlo with
 * a seeded generator for more.
 */
export function probabilityBest(outcomes: readonly VariantOutcome[], rule: Pick<WinnerRule, 'draws' | 'seed'> = DEFAULT_WINNER_RULE): Record<string, number> {
  if (outcomes.length === 1) return { [outcomes[0]!.variant]: 1 };
  const params = outcomes.map(posterior);
  if (outcomes.length === 2) {
    const [[a1, b1], [a2, b2]] = params as [[number, number], [number, number]];
    // Loop over the smaller integer shape.
    const first = a1 <= a2 ? probabilityGreater(a1, b1, a2, b2) : 1 - probabilityGreater(a2, b2, a1, b1);
    return { [outcomes[0]!.variant]: first, [outcomes[1]!.variant]: 1 - first };
  }
  const random = seededRandom(rule.seed);
  const wins = outcomes.map(() => 0);
  for (let draw = 0; draw < rule.draws; draw++) {
    let best = 0;
    let bestValue = -1;
    params.forEach(([a, b], i) => {
      const value = beta(a, b, random);
      if (value > bestValue) [best, bestValue] = [i, value];
    });
    wins[best]! += 1;
  }
  return Object.fromEntries(outcomes.map((o, i) => [o.variant, wins[i]! / rule.draws]));
}

/** The winner, when the rule allows naming one; otherwise "keep the mix" and why. */
export function abVerdict(outcomes: readonly VariantOutcome[], rule: Partial<WinnerRule> = {}): AbVerdict {
  const { minRecipients, minProbability, draws, seed } = { ...DEFAULT_WINNER_RULE, ...rule };
  if (outcomes.length < 2) return { decision: 'keep-mix', reason: 'fewer than two variants to compare', probabilityBest: null };
  const probabilities = probabilityBest(outcomes, { draws, seed });
  const short = outcomes.filter((o) => o.trials < minRecipients);
  if (short.length > 0) {
    const list = short.map((o) => `${o.variant} (${o.trials})`).join(', ');
    return { decision: 'keep-mix', reason: `every variant needs ${minRecipients} recipients; ${list} ha${short.length === 1 ? 's' : 've'} fewer`, probabilityBest: probabilities };
  }
  const [leader, probability] = Object.entries(probabilities).reduce((best, entry) => (entry[1] > best[1] ? entry : best));
  if (probability < minProbability) {
    return {
      decision: 'keep-mix',
      reason: `no variant is best with probability ≥ ${minProbability} (${leader}: ${probability.toFixed(3)})`,
      probabilityBest: probabilities,
    };
  }
  return { decision: 'winner', winner: leader, probabilityBest: probabilities };
}
