/**
 * LiSHT on plain numbers and typed arrays, shared by the `cpu` and `wasm` kernels and by the
 * activation zoo's scalar functions.
 *
 * Both directions go through `m = expm1(-2|x|)`, from which
 *   tanh|x|       = -m / (2 + m)
 *   1 - tanh^2 x  = 4 (1 + m) / (2 + m)^2
 * `expm1` keeps full relative precision for tiny |x| (where `1 - exp(-2|x|)` would cancel),
 * and for large |x| `m` is exactly -1, so lisht(x) is exactly |x| and nothing overflows.
 * One transcendental per element also makes this faster than `x * Math.tanh(x)` in V8.
 */

/** lisht(x) = x * tanh(x), in float64. lisht(±Infinity) = Infinity; NaN propagates. */
export function lishtScalar(x: number): number {
  const a = Math.abs(x);
  const m = Math.expm1(-2 * a);
  return (a * -m) / (2 + m);
}

/**
 * d/dx lisht(x) = tanh(x) + x * (1 - tanh(x)^2), in float64. The derivative at ±Infinity is
 * ±1 (the naive formula gives Infinity * 0 = NaN there); at 0 it is 0.
 */
export function lishtDerivativeScalar(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return -1;
  const m = Math.expm1(-2 * Math.abs(x));
  const d = 2 + m;
  const t = x < 0 ? m / d : -m / d;
  return t + (x * 4 * (1 + m)) / (d * d);
}

/** Writes lisht(x[i]) into `out[i]` for every element. */
export function lishtArray(x: ArrayLike<number>, out: Float32Array): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = lishtScalar(x[i]);
}

/**
 * Between these |x|, the backward pass reuses the forward output: tanh x = y / x and
 * lisht'(x) = t + x - y t, with no transcendental. Above, x (1 - t^2) is small against the
 * rounding of the float32 y; below, y = x^2 leaves float32's normal range. There the exact
 * form is used (rarely: pre-activations are mostly of moderate size).
 */
const REUSE_OUTPUT_BELOW = 4;
const REUSE_OUTPUT_ABOVE = 1e-15;

/**
 * Writes dy[i] * lisht'(x[i]) into `out[i]` for every element (the fused backward pass).
 * `y`, the forward output lisht(x), is optional: with it most elements need no `expm1`.
 */
export function lishtGradArray(dy: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number> | undefined, out: Float32Array): void {
  const n = out.length;
  if (y === undefined) {
    for (let i = 0; i < n; i++) out[i] = dy[i] * lishtDerivativeScalar(x[i]);
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const a = Math.abs(v);
    if (a < REUSE_OUTPUT_BELOW && a > REUSE_OUTPUT_ABOVE) {
      const t = y[i] / v;
      out[i] = dy[i] * (t + v - y[i] * t);
    } else {
      out[i] = dy[i] * lishtDerivativeScalar(v);
    }
  }
}
