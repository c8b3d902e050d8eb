import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/register.js';
import { epochsToTarget, incompleteBeta, logGamma, pairedTTest, summarize, tCdf, tQuantile, tQuantile975, twoSidedP, welchTTest } from '../../src/experiments/statistics.js';

function close(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

test('logGamma and the incomplete beta function against exact values', () => {
  close(logGamma(1), 0, 1e-14, 'ln Γ(1)');
  close(logGamma(5), Math.log(24), 1e-13, 'ln Γ(5) = ln 4!');
  close(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14, 'ln Γ(1/2)');
  // I_x(2, 3) is a binomial tail: sum_{j=2..4} C(4,j) x^j (1-x)^(4-j); at 0.3: 0.2646 + 0.0756 + 0.0081.
  close(incompleteBeta(0.3, 2, 3), 0.3483, 1e-14, 'I_0.3(2,3)');
  // I_x(1/2, 1/2) = (2/π) asin(√x).
  for (const x of [0.1, 0.5, 0.77]) close(incompleteBeta(x, 0.5, 0.5), (2 / Math.PI) * Math.asin(Math.sqrt(x)), 1e-13, `I_${x}(1/2,1/2)`);
  // scipy.special.betainc(10, 2.5, 0.9)
  close(incompleteBeta(0.9, 10, 2.5), 0.8121862743088557, 1e-12, 'I_0.9(10,2.5)');
  assert.equal(incompleteBeta(0, 2, 3), 0);
  assert.equal(incompleteBeta(1, 2, 3), 1);
});

test("Student's t CDF against closed forms and scipy", () => {
  // df = 1 is the Cauchy distribution: 1/2 + atan(t)/π.
  for (const t of [-3, -0.5, 0, 1, 7]) close(tCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-14, `Cauchy ${t}`);
  // df = 2: 1/2 + t / (2 sqrt(2 + t^2)).
  for (const t of [-2, 0.3, 2, 10]) close(tCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-14, `df 2, ${t}`);
  // scipy.stats.t.cdf, including fractional degrees of freedom (Welch's df are fractional).
  close(tCdf(2, 3), 0.9303370157205785, 1e-13, 't(3) at 2');
  close(tCdf(1.5, 7.3), 0.912218453598457, 1e-12, 't(7.3) at 1.5');
  close(tCdf(-0.8, 2.5), 0.24633700492636146, 1e-12, 't(2.5) at -0.8');
  close(tCdf(10, 4), 0.999718998188642, 1e-13, 't(4) at 10');
  close(tCdf(0.3, 100), 0.6176000598498482, 1e-12, 't(100) at 0.3');
  assert.equal(tCdf(Infinity, 3), 1);
  assert.equal(tCdf(-Infinity, 3), 0);
  close(twoSidedP(2, 3), 2 * (1 - 0.9303370157205785), 1e-13, 'two-sided p');
});

test('t quantiles invert the CDF and agree with the table the charts use', () => {
  close(tQuantile(0.975, 1), 12.706204736174694, 1e-9, 't(1) 0.975');
  close(tQuantile(0.975, 4.7), 2.62072607535317, 1e-9, 't(4.7) 0.975');
  close(tQuantile(0.95, 12), 1.782287555649319, 1e-9, 't(12) 0.95');
  close(tQuantile(0.999, 3), 10.214531852407383, 1e-8, 't(3) 0.999');
  close(tQuantile(0.025, 4.7), -2.62072607535317, 1e-9, 'symmetry');
  // The reports' table has 4 decimals; one implementation must not contradict the other.
  for (let df = 1; df <= 40; df++) close(tQuantile(0.975, df), tQuantile975(df), 6e-5, `df ${df}`);
});

test("Welch's t-test against a hand computation and scipy", () => {
  const a = [0.71, 0.68, 0.69, 0.72, 0.7];
  const b = [0.66, 0.69, 0.65, 0.67];
  // By hand: means 0.70 and 0.6675; variances 0.001/4 = 0.00025 and 0.000875/3; squared
  // standard error 0.00025/5 + 0.000291667/4 = 0.000122917; t = 0.0325 / 0.0110868 = 2.93142;
  // Welch-Satterthwaite df = 0.000122917^2 / ((0.00005)^2/4 + (0.0000729167)^2/3) = 6.3024.
  const r = welchTTest(a, b)!;
  close(r.diff, 0.0325, 1e-15, 'difference');
  close(r.t, 2.93142, 1e-5, 't by hand');
  close(r.df, 6.3024, 1e-4, 'df by hand');
  // scipy.stats.ttest_ind(a, b, equal_var=False) and its confidence_interval(0.95).
  close(r.t, 2.931419509211035, 1e-12, 't (scipy)');
  close(r.df, 6.302353651176828, 1e-12, 'df (scipy)');
  close(r.p, 0.02478119166018169, 1e-12, 'p (scipy)');
  close(r.ciLow, 0.005684009103454447, 1e-10, 'CI low (scipy)');
  close(r.ciHigh, 0.059315990896545503, 1e-10, 'CI high (scipy)');
  // Swapping the groups flips the sign, not the p-value.
  const s = welchTTest(b, a)!;
  close(s.t, -r.t, 1e-15, 'swapped t');
  close(s.p, r.p, 1e-15, 'swapped p');
});

test('the paired t-test against scipy', () => {
  const x = [0.9667, 0.9333, 1.0, 0.9667];
  const y = [0.9333, 0.9333, 0.9667, 0.9];
  const r = pairedTTest(x, y)!;
  // scipy.stats.ttest_rel(x, y)
  close(r.t, 2.449486989865469, 1e-10, 't');
  assert.equal(r.df, 3);
  close(r.p, 0.09172133816569843, 1e-10, 'p');
  close(r.ciLow, -0.009979311288581608, 1e-10, 'CI low');
  close(r.ciHigh, 0.07667931128858159, 1e-10, 'CI high');
});

test('degenerate samples give no test rather than a made-up p-value', () => {
  assert.equal(welchTTest([0.9], [0.8, 0.85]), undefined, 'one sample');
  assert.equal(welchTTest([0.9, 0.9, 0.9], [0.9, 0.9]), undefined, 'no spread at all');
  assert.equal(pairedTTest([1, 2, 3], [0, 1, 2]), undefined, 'identical differences');
  assert.equal(pairedTTest([0.9, NaN], [0.8, 0.7]), undefined, 'a diverged run leaves one pair');
  assert.equal(pairedTTest([0.9, NaN, 0.7], [0.8, 0.7, 0.5])?.n, 2, 'pairs with a non-finite side are dropped');
  assert.throws(() => pairedTTest([1, 2], [1]), /differ in length/);
  // Non-finite values (diverged runs) are left out, as in summarize.
  const r = welchTTest([0.71, 0.68, 0.69, 0.72, 0.7, NaN], [0.66, 0.69, 0.65, 0.67, Infinity])!;
  close(r.p, 0.02478119166018169, 1e-12, 'p without the non-finite values');
});

test('summarize is the one implementation of mean, sd and CI (shared with the charts)', () => {
  const s = summarize([0.71, 0.68, 0.69, 0.72, 0.7]);
  close(s.mean, 0.7, 1e-15, 'mean');
  close(s.std, Math.sqrt(0.00025), 1e-15, 'sd');
  // mean ± t(0.975, 4) sd / sqrt(5), t = 2.7764 from the table
  close(s.ciHigh - s.mean, (2.7764 * Math.sqrt(0.00025)) / Math.sqrt(5), 1e-12, 'CI half-width');
});

test('epochs to target is the first epoch reaching it, 1-based, or null', () => {
  assert.equal(epochsToTarget([0.5, 0.7, 0.9, 0.95], 0.9), 3);
  assert.equal(epochsToTarget([0.95], 0.9), 1);
  assert.equal(epochsToTarget([0.5, 0.89], 0.9), null);
  assert.equal(epochsToTarget([], 0.9), null);
});
