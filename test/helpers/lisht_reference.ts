/**
 * The float64 references every LiSHT kernel is held to, on every backend and in the browser:
 * the textbook formulas (not the expm1 form the cpu kernels use), and the bound.
 */

/** lisht(x) = x tanh(x) in float64. */
export const refLisht = (x: number): number => x * Math.tanh(x);

/** lisht'(x) = tanh(x) + x sech^2(x) in float64; ±1 at ±Infinity. */
export const refGrad = (x: number): number =>
  Number.isFinite(x) || Number.isNaN(x) ? Math.tanh(x) + x / Math.cosh(x) ** 2 : Math.sign(x);

/** Relative error allowed against the references over {@link denseGrid} (float32: ~16 ulp). */
export const LISHT_RTOL = 1e-6;
