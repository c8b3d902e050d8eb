/** Weight histograms on bins shared by every activation of a run, so they compare at a glance. */
import type { WeightHistogram } from './types.js';

/** One layer's kernel values of one activation's model. */
export interface KernelValues {
  layer: string;
  initial: Float32Array;
  trained: Float32Array;
}

function counts(values: Float32Array, lo: number, hi: number, bins: number): number[] {
  const out = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    out[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]!++;
  }
  return out;
}

/**
 * Histograms of every activation's kernels, `perActivation[a][k]` being kernel k of activation
 * a. Kernel k gets the same `bins` bins in every activation, spanning the values of all of
 * them, initial and trained. Also returns, per kernel, the largest share of weights in any bin
 * (the common height of its panels).
 */
export function sharedHistograms(perActivation: readonly (readonly KernelValues[])[], bins = 40): { histograms: WeightHistogram[][]; yMax: number[] } {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const kernels = Math.max(0, ...perActivation.map((a) => a.length));
  const ranges = Array.from({ length: kernels }, (_, k) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const a of perActivation) {
      const kv = a[k];
      if (kv === undefined) continue;
      for (const arr of [kv.initial, kv.trained]) {
        for (const v of arr) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
    }
    if (!(hi > lo)) [lo, hi] = Number.isFinite(lo) ? [lo - 0.5, lo + 0.5] : [-1, 1];
    return [lo, hi] as const;
  });
  const histograms = perActivation.map((a) =>
    a.map((kv, k): WeightHistogram => {
      const [lo, hi] = ranges[k]!;
      return {
        layer: kv.layer,
        edges: Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + ((hi - lo) * i) / bins)),
        initial: counts(kv.initial, lo, hi, bins),
        trained: counts(kv.trained, lo, hi, bins),
        count: kv.trained.length,
      };
    }),
  );
  const yMax = ranges.map((_, k) => {
    const shares = histograms.flatMap((a) => (a[k] ? [...a[k]!.initial, ...a[k]!.trained].map((n) => n / a[k]!.count) : []));
    return Math.min(1, Math.max(1e-6, ...shares) * 1.05);
  });
  return { histograms, yMax };
}
