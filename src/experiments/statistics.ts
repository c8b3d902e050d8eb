/**
 * The statistics of a multi-seed comparison: Student's t distribution (CDF through the
 * regularized incomplete beta function, quantiles by inverting it), Welch's and the paired
 * t-test, and epochs to reach a target accuracy. Means, standard deviations and confidence
 * intervals of one group are `summarize` from the reports (one implementation for charts and
 * tables).
 */
export { summarize, tQuantile975, PROPORTION, type Summary, type SummarizeOptions } from '../reports/stats.js';

const LANCZOS_G = 7;
const LANCZOS: readonly number[] = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, about 15 significant digits). */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The continued fraction of the incomplete beta function (modified Lentz's method). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < TINY ? TINY : d);
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    for (const numerator of [(m * (b - m) * x) / ((a + m2 - 1) * (a + m2)), (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))]) {
      d = 1 + numerator * d;
      d = 1 / (Math.abs(d) < TINY ? TINY : d);
      c = 1 + numerator / c;
      if (Math.abs(c) < TINY) c = TINY;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-16) return h;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b), for 0 <= x <= 1 and a, b > 0. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`incompleteBeta needs a, b > 0, got ${a}, ${b}`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`incompleteBeta needs 0 <= x <= 1, got ${x}`);
  if (x === 0 || x === 1) return x;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  // The fraction converges fast on this side of the mean; use the symmetry on the other.
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, a, b)) / a : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(T <= t) for Student's t with `df` > 0 degrees of freedom (df need not be an integer). */
export function tCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive, got ${df}`);
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** Two-sided p-value of a t statistic: P(|T| >= |t|). */
export function twoSidedP(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** The `p` quantile of Student's t with `df` > 0 degrees of freedom, by bisection on the CDF. */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  if (p < 0.5) return -tQuantile(1 - p, df);
  if (p === 0.5) return 0;
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, df) < p) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Result of a two-sample t-test of mean(a) - mean(b). */
export interface TTest {
  /** mean(a) - mean(b). */
  diff: number;
  t: number;
  df: number;
  /** Two-sided. */
  p: number;
  /** 95% confidence interval of the difference. */
  ciLow: number;
  ciHigh: number;
  /** Samples used from each side (pairs for the paired test). */
  n: number;
}

function meanVar(xs: readonly number[]): { n: number; mean: number; variance: number } {
  const n = xs.length;
  const mean = xs.reduce((s, v) => s + v, 0) / n;
  const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  return { n, mean, variance };
}

function finite(xs: readonly number[]): number[] {
  return xs.filter((v) => Number.isFinite(v));
}

function fromStatistic(diff: number, se: number, df: number, n: number): TTest | undefined {
  // Identical constant samples have no spread to test against.
  if (!(se > 0) || !(df > 0)) return undefined;
  const t = diff / se;
  const half = tQuantile(0.975, df) * se;
  return { diff, t, df, p: twoSidedP(t, df), ciLow: diff - half, ciHigh: diff + half, n };
}

/**
 * Welch's t-test (unequal variances) of mean(a) against mean(b), as scipy's
 * `ttest_ind(a, b, equal_var=False)`. Non-finite samples are left out; undefined when either
 * side has fewer than two samples or both have zero variance.
 */
export function welchTTest(a: readonly number[], b: readonly number[]): TTest | undefined {
  const xa = finite(a);
  const xb = finite(b);
  if (xa.length < 2 || xb.length < 2) return undefined;
  const A = meanVar(xa);
  const B = meanVar(xb);
  const va = A.variance / A.n;
  const vb = B.variance / B.n;
  const df = (va + vb) ** 2 / (va ** 2 / (A.n - 1) + vb ** 2 / (B.n - 1));
  return fromStatistic(A.mean - B.mean, Math.sqrt(va + vb), df, Math.min(A.n, B.n));
}

/**
 * The paired t-test of `a[i] - b[i]` (e.g. two activations trained with the same seeds), as
 * scipy's `ttest_rel(a, b)`. Pairs with a non-finite side are left out; undefined with fewer
 * than two pairs or when every difference is the same.
 */
export function pairedTTest(a: readonly number[], b: readonly number[]): TTest | undefined {
  if (a.length !== b.length) throw new RangeError(`paired samples differ in length: ${a.length} and ${b.length}`);
  const d = a.flatMap((v, i) => (Number.isFinite(v) && Number.isFinite(b[i]!) ? [v - b[i]!] : []));
  if (d.length < 2) return undefined;
  const D = meanVar(d);
  return fromStatistic(D.mean, Math.sqrt(D.variance / D.n), D.n - 1, D.n);
}

/**
 * The first epoch (1-based) whose accuracy reaches `target`, or null when none does: the
 * convergence speed the LiSHT paper claims, measured.
 */
export function epochsToTarget(accuracies: readonly number[], target: number): number | null {
  const i = accuracies.findIndex((a) => a >= target);
  return i < 0 ? null : i + 1;
}
