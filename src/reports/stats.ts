/**
 * The few summary statistics the charts need: spread over seeds for bands, and a 95% confidence
 * interval of a mean for error bars (kept inside the values' range for accuracies).
 */

/** Summary of one set of samples. `std` and the CI are NaN when fewer than two samples are finite. */
export interface Summary {
  /** Number of finite samples used; NaN and ±Infinity (diverged runs) are left out. */
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator). */
  std: number;
  min: number;
  max: number;
  /** Two-sided 95% confidence interval of the mean, Student's t, cut to `bounds` when given. */
  ciLow: number;
  ciHigh: number;
  /** True when the t-interval reached past `bounds` and was cut there. */
  ciClipped: boolean;
}

/** What `summarize` may know about the samples. */
export interface SummarizeOptions {
  /**
   * The values' possible range, e.g. `[0, 1]` for an accuracy (`PROPORTION`). Leave it out for
   * unbounded quantities (a loss, seconds): their interval is the plain t-interval.
   */
  bounds?: readonly [number, number];
}

/** The range of a proportion such as an accuracy. */
export const PROPORTION: readonly [number, number] = [0, 1];

/** t(0.975, df) for df = 1..30; index 0 is df = 1. */
const T975: readonly number[] = [
  12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201, 2.1788, 2.1604, 2.1448,
  2.1314, 2.1199, 2.1098, 2.1009, 2.093, 2.086, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484,
  2.0452, 2.0423,
];

/**
 * The 0.975 quantile of Student's t with `df` degrees of freedom: exact table values up to 30,
 * then the Cornish-Fisher expansion, which is within 1e-4 there. Seeds are few, so small df is
 * what matters and a table beats a numerical inverse CDF for trust.
 */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  if (df <= T975.length) return T975[df - 1]!;
  const z = 1.959963984540054;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
  );
}

/**
 * Mean, spread and 95% CI of `samples`, ignoring non-finite values.
 *
 * With `bounds`, the t-interval is cut to them and `ciClipped` says so. With few seeds the
 * t-interval of an accuracy can reach past 100 % (two seeds at 96.67 % and 100 % give
 * [77.16, 119.51]); cutting it is the right mend, not an approximation: the true mean lies in
 * `bounds`, so the cut interval contains it exactly when the t-interval does, and its coverage
 * is unchanged. A logit-scale interval would also stay inside, but it changes every interval
 * (even those well inside) and breaks down at accuracies of exactly 0 or 1, which small test
 * sets give often; a bootstrap is meaningless over 2 to 5 seeds. The flag stays because a cut
 * interval means the t-interval's normal approximation is strained there (few seeds near a
 * bound): readers should see it.
 */
export function summarize(samples: readonly number[], options: SummarizeOptions = {}): Summary {
  const xs = samples.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { n, mean: NaN, std: NaN, min: NaN, max: NaN, ciLow: NaN, ciHigh: NaN, ciClipped: false };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  if (n < 2) return { n, mean, std: NaN, min, max, ciLow: NaN, ciHigh: NaN, ciClipped: false };
  const std = Math.sqrt(xs.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = (tQuantile975(n - 1) * std) / Math.sqrt(n);
  const [lo, hi] = options.bounds ?? [-Infinity, Infinity];
  const ciLow = Math.max(lo, mean - half);
  const ciHigh = Math.min(hi, mean + half);
  return { n, mean, std, min, max, ciLow, ciHigh, ciClipped: mean - half < lo || mean + half > hi };
}
