/**
 * FusedBatchNorm over the last axis as one multi-threaded sweep, with the per-channel factor
 * `scale / sqrt(variance + epsilon)` computed once instead of a division and a square root per
 * element as the cpu kernel does.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeBackend } from '../backend.js';
import { nativeKernel } from './util.js';

/** `t`'s values as one per channel (a scalar repeated), `fallback` when absent; `null` when neither. */
function perChannel(backend: NativeBackend, t: TensorInfo | null | undefined, channels: number, fallback: number): Float64Array | null {
  if (t == null) return new Float64Array(channels).fill(fallback);
  const v = backend.f32(t);
  if (v === undefined) return null;
  if (v.length === channels) return Float64Array.from(v);
  if (v.length === 1) return new Float64Array(channels).fill(v[0]!);
  return null;
}

export const batchNormConfig = nativeKernel('FusedBatchNorm', ({ inputs, backend, attrs }) => {
  const { x, mean, variance, offset, scale } = inputs;
  const xv = backend.f32(x);
  if (!xv || xv.length === 0 || x.shape.length === 0) return null;
  const channels = x.shape[x.shape.length - 1]!;
  const m = perChannel(backend, mean, channels, 0);
  const v = perChannel(backend, variance, channels, 1);
  const o = perChannel(backend, offset, channels, 0);
  const s = perChannel(backend, scale, channels, 1);
  if (!m || !v || !o || !s) return null;
  const y = backend.alloc(xv.length);
  normalizeInto(backend, xv, m, v, s, o, (attrs.varianceEpsilon as number | undefined) ?? 0.001, y);
  return backend.makeTensorInfo(x.shape, 'float32', y);
});

/**
 * y = (x - mean) * scale / sqrt(variance + epsilon) + offset over the last axis, the factor
 * scale / sqrt(variance + epsilon) computed once per channel in double, as the cpu kernel
 * computes it per element. `scale` null means 1.
 */
export function normalizeInto(
  backend: NativeBackend,
  x: Float32Array,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  scale: ArrayLike<number> | null,
  offset: ArrayLike<number>,
  epsilon: number,
  y: Float32Array,
): void {
  const factor = Float32Array.from(variance, (v, j) => (scale === null ? 1 : scale[j]!) / Math.sqrt(v + epsilon));
  backend.addon.batchNormAffine(x, Float32Array.from(mean), factor, Float32Array.from(offset), y);
}
