/** The smallest positive normal float32. */
export const FLOAT32_MIN_NORMAL = 2 ** -126;

/** Rounds a float64 to the nearest float32. */
export const f32 = Math.fround;

/**
 * A dense grid of float32 values from -1e30 to 1e30: a logarithmic sweep of magnitudes from
 * the smallest subnormal up, a fine linear sweep of [-20, 20], and the special values
 * ±0, ±Infinity and NaN.
 */
export function denseGrid(): Float32Array {
  const values: number[] = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 1e-40, -1e-40, 2 ** -126, -(2 ** -126)];
  for (let k = -900; k <= 600; k++) {
    const m = 10 ** (k / 20);
    values.push(m, -m);
  }
  for (let i = -2000; i <= 2000; i++) values.push(i / 100);
  return new Float32Array(values);
}

/**
 * Checks `got` against the float64 reference `want`: equal specials, relative error at most
 * `rtol` where the reference is a normal float32, absolute error below the normal range
 * otherwise. Returns a description of the first few failures (empty when all pass).
 */
export function compareToReference(
  x: ArrayLike<number>,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  rtol: number,
): string[] {
  const failures: string[] = [];
  for (let i = 0; i < got.length && failures.length < 5; i++) {
    const g = got[i];
    const w = want[i];
    let ok: boolean;
    if (Number.isNaN(w) || !Number.isFinite(w)) ok = Object.is(g, w) || (Number.isNaN(w) && Number.isNaN(g)) || g === w;
    else if (Math.abs(w) >= FLOAT32_MIN_NORMAL) ok = Math.abs(g - w) <= rtol * Math.abs(w);
    else ok = Math.abs(g - w) < FLOAT32_MIN_NORMAL;
    if (!ok) failures.push(`x=${x[i]}: got ${g}, want ${w}`);
  }
  return failures;
}
