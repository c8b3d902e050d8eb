import seedrandom from 'seedrandom';

/** A seeded source of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * A deterministic RNG: the same seed gives the same sequence on every machine and Node version.
 * seedrandom's Alea is used because its output is specified, not left to the JS engine.
 */
export function createRng(seed: number | string): Rng {
  const prng = seedrandom.alea(String(seed));
  return () => prng();
}

/** Uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** Fisher–Yates shuffle of `array` in place; returns it. */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(array: T, rng: Rng): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}

/** A seeded permutation of 0..n-1. */
export function permutation(n: number, rng: Rng): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return shuffleInPlace(out, rng);
}
