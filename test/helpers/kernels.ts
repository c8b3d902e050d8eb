/** Helpers for the tests that check a backend's kernels against the cpu backend's. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './backends.js';

export type Shape = number[];

/** A kernel input: the same values become a tensor on each backend compared. */
export interface KernelInput {
  shape: Shape;
  values: ArrayLike<number>;
  dtype?: 'float32' | 'int32';
}

export interface KernelResult {
  shape: Shape;
  values: Float32Array;
}

/** Deterministic values in [-1, 1) from an LCG, so every backend sees the same numbers. */
export function lcgValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** An input of `shape` filled with {@link lcgValues}. */
export const lcgInput = (shape: Shape, seed: number): KernelInput => ({ shape, values: lcgValues(sizeOf(shape), seed) });

/**
 * Runs `kernel` on `backend` (a `null` input: an absent optional one; an array for kernels that
 * take a list, such as Concat) and returns every output.
 */
export async function runKernel(backend: string, kernel: string, inputs: Record<string, KernelInput | null> | KernelInput[], attrs: object): Promise<KernelResult[]> {
  await useBackend(backend);
  const tensors: Record<string, tf.Tensor | null> = Array.isArray(inputs) ? ([] as never) : {};
  for (const [name, v] of Object.entries(inputs)) tensors[name] = v === null ? null : tf.tensor(Array.from(v.values), v.shape, v.dtype ?? 'float32');
  const out = tf.engine().runKernel(kernel, tensors as tf.NamedTensorMap, attrs as tf.NamedAttrMap);
  const outs = Array.isArray(out) ? out : [out as tf.Tensor];
  const results = outs.map((t) => ({ shape: t.shape, values: Float32Array.from(t.dataSync()) }));
  tf.dispose([...outs, ...(Object.values(tensors).filter(Boolean) as tf.Tensor[])]);
  return results;
}

/**
 * Max-norm relative error max|got - want| / max|want| within `tol` (0: identical values);
 * NaN and the infinities must sit at the same positions.
 */
export function assertClose(got: KernelResult, want: KernelResult, label: string, tol = 1e-4): void {
  assert.deepEqual(got.shape, want.shape, `${label}: shape`);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < want.values.length; i++) {
    const g = got.values[i]!;
    const w = want.values[i]!;
    if (!Number.isFinite(w) || !Number.isFinite(g)) {
      assert.ok(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)) || g === w, `${label}: element ${i}: got ${g}, want ${w}`);
      continue;
    }
    err = Math.max(err, Math.abs(g - w));
    scale = Math.max(scale, Math.abs(w));
  }
  assert.ok(err <= tol * scale || err === 0, `${label}: relative error ${err / scale} > ${tol}`);
}

/** {@link assertClose} on flat arrays (callers compare shapes themselves where they matter). */
export function assertValuesClose(got: Float32Array, want: Float32Array, label: string, tol = 1e-4): void {
  assertClose({ shape: [got.length], values: got }, { shape: [want.length], values: want }, label, tol);
}
