/**
 * The LiSHT formulas the `webgl` and `webgpu` shaders evaluate in float32, shared so that the
 * two shading languages compute the same thing. GLSL and WGSL have no `expm1`, so the CPU's
 * `expm1` form (lisht_math.ts) is replaced by three regions of a = |x|:
 *
 * - a < SERIES_BELOW: Taylor series of tanh(a) / a in s = a^2. `1 - exp(-2a)` would cancel
 *   there (tanh(1e-20) comes out 0, so the gradient 2e-20 would come out 1e-20), while the
 *   series is exact to float32 rounding down to the smallest normal numbers.
 * - SERIES_BELOW <= a < the cut-off: e = exp(-2a), tanh a = (1 - e) / (1 + e),
 *   1 - tanh^2 a = 4e / (1 + e)^2. At a >= 0.5, e <= 0.37, so an exp that is off by k ulp
 *   moves tanh by at most 0.6 k ulp (simulated in float32 with k = 8: within 6e-7).
 * - a >= the cut-off (Infinity included): float32 can no longer tell tanh a from 1, so the
 *   value is exactly a and the derivative exactly ±1; no exp(-Infinity) or Infinity * 0.
 */

/** Below this |x| the series is used. */
export const SERIES_BELOW = 0.5;
/** From this |x| on, lisht(x) = |x| in float32: x (1 - tanh x) < 2^-25 x. */
export const VALUE_IS_ABS_FROM = 10;
/** From this |x| on, lisht'(x) = ±1 in float32: tanh x + x (1 - tanh^2 x) - 1 < 1e-15. */
export const DERIVATIVE_IS_SIGN_FROM = 20;

/**
 * tanh(a) / a = sum of TANH_SERIES[n] a^(2n) (from 2^2n (2^2n - 1) B_2n / (2n)!, B the
 * Bernoulli numbers). Nine terms leave a truncation error below 1e-9 relative at a = 0.5.
 */
const TANH_SERIES = [
  1,
  -1 / 3,
  2 / 15,
  -17 / 315,
  62 / 2835,
  -1382 / 155925,
  21844 / 6081075,
  -929569 / 638512875,
  6404582 / 10854718875,
  -443861162 / 1856156927625,
  18888466084 / 194896477400625,
];

/** lisht(x) / s = tanh(a) / a, with s = x^2. */
export const VALUE_SERIES = TANH_SERIES.slice(0, 9);
/**
 * lisht'(x) / (2x) = sum of (n + 1) TANH_SERIES[n] s^n: the derivative of s * tanh(a) / a
 * term by term. Its terms shrink more slowly, so it takes two more.
 */
export const DERIVATIVE_SERIES = TANH_SERIES.map((c, n) => (n + 1) * c);

/** A float literal both GLSL and WGSL parse as a float (never a bare integer). */
export function floatLiteral(v: number): string {
  const text = String(v);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/**
 * The polynomial sum of coefficients[n] * variable^n in Horner form, as an expression that is
 * the same text in GLSL and WGSL.
 */
export function hornerExpression(variable: string, coefficients: readonly number[]): string {
  let expr = floatLiteral(coefficients[coefficients.length - 1]!);
  for (let n = coefficients.length - 2; n >= 0; n--) expr = `${floatLiteral(coefficients[n]!)} + ${variable} * (${expr})`;
  return expr;
}
