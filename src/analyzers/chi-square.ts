/** Pearson's chi-square goodness-of-fit test: do observed counts fit predicted probabilities? */
export interface ChiSquareResult {
  statistic: number;
  degreesOfFreedom: number;
  /** P(X >= statistic) for X ~ chi-square(degreesOfFreedom); 0 when an impossible category was observed. */
  pValue: number;
}

/**
 * observed[i] counts against probabilities[i] (summing to 1). Categories predicted at 0 add no
 * degree of freedom; observing one is impossible under the prediction, so the p-value is 0.
 */
export function chiSquareTest(observed: readonly number[], probabilities: readonly number[]): ChiSquareResult {
  if (observed.length !== probabilities.length) throw new Error('chiSquareTest: observed and probabilities differ in length');
  const total = probabilities.reduce((a, b) => a + b, 0);
  if (probabilities.some((p) => p < 0) || Math.abs(total - 1) > 1e-9) {
    throw new Error(`chiSquareTest: probabilities must be >= 0 and sum to 1 (sum ${total})`);
  }
  const n = observed.reduce((a, b) => a + b, 0);
  let statistic = 0;
  let categories = 0;
  for (const [i, o] of observed.entries()) {
    const p = probabilities[i]!;
    if (p === 0) {
      if (o > 0) return { statistic: Infinity, degreesOfFreedom: Math.max(categories, 1), pValue: 0 };
      continue;
    }
    categories++;
    const expected = n * p;
    statistic += (o - expected) ** 2 / expected;
  }
  const degreesOfFreedom = categories - 1;
  const pValue = degreesOfFreedom < 1 ? 1 : regularizedGammaQ(degreesOfFreedom / 2, statistic / 2);
  return { statistic, degreesOfFreedom, pValue };
}

/** The test over named categories (e.g. pod -> answers vs pod -> predicted share). */
export function chiSquareForShares(
  counts: Readonly<Record<string, number>>,
  shares: Readonly<Record<string, number>>,
): ChiSquareResult & { unexpected: string[] } {
  const names = [...new Set([...Object.keys(shares), ...Object.keys(counts)])].sort();
  const unexpected = names.filter((k) => (counts[k] ?? 0) > 0 && !(k in shares));
  const result = chiSquareTest(names.map((k) => counts[k] ?? 0), names.map((k) => shares[k] ?? 0));
  return { ...result, unexpected };
}

// Lanczos approximation (g = 7, 9 terms), relative error ~1e-15 for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const EPS = 1e-15;
const TINY = 1e-300;

/** Q(a, x) = Gamma(a, x) / Gamma(a): series below a + 1, Lentz continued fraction above. */
export function regularizedGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const prefix = Math.exp(-x + a * Math.log(x) - lnGamma(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let k = 1; k < 10_000 && Math.abs(term) > Math.abs(sum) * EPS; k++) {
      term *= x / (a + k);
      sum += term;
    }
    return Math.max(0, 1 - prefix * sum);
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return prefix * h;
}
