/**
 * Adam's update as one native kernel per variable instead of TF.js's thirteen element-wise ops.
 * It keeps tf.AdamOptimizer's own state (moments, accumulated beta powers, iteration count), so
 * checkpoints and `getWeights`/`setWeights` work unchanged and the two can alternate.
 */
import * as tf from '@tensorflow/tfjs-core';
import { NATIVE_BACKEND, nativeOnlyKernel } from './kernels/util.js';
import { float32Inputs, forEachGradient, slot, type NamedTensor, type Slot } from './updates.js';

/** Inputs `{value, m, v, gradient}`; attrs `{learningRate, beta1, beta2, epsilon, accBeta1, accBeta2}`; outputs `[value, m, v]`. */
export const NativeAdamUpdate = 'NativeAdamUpdate';

/** tf.AdamOptimizer's fields this needs (private in its typings, public at run time). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
  incrementIterations(): void;
}

const f32 = Math.fround;

export const adamUpdateConfig = nativeOnlyKernel(NativeAdamUpdate, ({ inputs, backend, attrs }) => {
  const { value, m, v, gradient } = inputs;
  const a = attrs as { learningRate: number; beta1: number; beta2: number; epsilon: number; accBeta1: number; accBeta2: number };
  const arrays = float32Inputs(backend, [value!, m!, v!, gradient!], NativeAdamUpdate);
  const n = arrays[0]!.length;
  const out = [backend.alloc(n), backend.alloc(n), backend.alloc(n)] as const;
  // The constants as TF.js's ops see them: float32 scalars, 1 - beta computed in float64 first.
  backend.addon.adamUpdate(
    arrays[0]!, arrays[1]!, arrays[2]!, arrays[3]!, out[0], out[1], out[2],
    f32(a.beta1), f32(1 - a.beta1), f32(a.beta2), f32(1 - a.beta2), f32(-a.learningRate), f32(a.epsilon),
    f32(1 - f32(a.accBeta1)), f32(1 - f32(a.accBeta2)),
  );
  return out.map((values) => backend.makeTensorInfo(value!.shape, 'float32', values));
});

/**
 * Applies `optimizer`'s update for `grads` with the fused kernel when the current backend is
 * `native`, and returns `true`; returns `false` (having done nothing) on any other backend.
 * For an Adam subclass: `if (!applyAdamNative(this, grads)) super.applyGradients(grads);`.
 */
export function applyAdamNative(optimizer: tf.AdamOptimizer, grads: tf.NamedTensorMap | NamedTensor[]): boolean {
  if (tf.getBackend() !== NATIVE_BACKEND) return false;
  const o = optimizer as unknown as AdamState;
  tf.tidy(() => {
    const attrs = {
      learningRate: o.learningRate,
      beta1: o.beta1,
      beta2: o.beta2,
      epsilon: o.epsilon,
      accBeta1: o.accBeta1.dataSync()[0]!,
      accBeta2: o.accBeta2.dataSync()[0]!,
    };
    forEachGradient(grads, (name, i, value, gradient) => {
      const m = slot(o.accumulatedFirstMoment, i, name, 'm', value);
      const v = slot(o.accumulatedSecondMoment, i, name, 'v', value);
      if (gradient === null) return;
      const [newValue, newM, newV] = tf.engine().runKernel(NativeAdamUpdate, { value, m, v, gradient }, attrs) as tf.Tensor[];
      m.assign(newM!);
      v.assign(newV!);
      value.assign(newValue!);
    });
    o.accBeta1.assign(tf.mul(o.accBeta1, o.beta1));
    o.accBeta2.assign(tf.mul(o.accBeta2, o.beta2));
  });
  o.incrementIterations();
  return true;
}
