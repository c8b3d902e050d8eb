/**
 * Momentum SGD's update as one native kernel per variable instead of TF.js's four element-wise
 * ops. It keeps tf.MomentumOptimizer's own state (the accumulations, the iteration count), so
 * checkpoints and `getWeights`/`setWeights` work unchanged and the two can alternate.
 */
import * as tf from '@tensorflow/tfjs-core';
import { NATIVE_BACKEND, nativeOnlyKernel } from './kernels/util.js';
import { float32Inputs, forEachGradient, slot, type NamedTensor, type Slot } from './updates.js';

/** Inputs `{value, accumulation, gradient}`; attrs `{momentum, learningRate}`; outputs `[value, accumulation]`. */
export const NativeMomentumUpdate = 'NativeMomentumUpdate';

/** tf.MomentumOptimizer's fields this needs (private in its typings, public at run time). */
interface MomentumState {
  learningRate: number;
  momentum: number;
  useNesterov: boolean;
  accumulations: Slot[];
  incrementIterations(): void;
}

export const momentumUpdateConfig = nativeOnlyKernel(NativeMomentumUpdate, ({ inputs, backend, attrs }) => {
  const { value, accumulation, gradient } = inputs;
  const a = attrs as { momentum: number; learningRate: number };
  const [w, acc, g] = float32Inputs(backend, [value!, accumulation!, gradient!], NativeMomentumUpdate) as [Float32Array, Float32Array, Float32Array];
  const out = [backend.alloc(w.length), backend.alloc(w.length)] as const;
  // The constants as TF.js's ops see them: float32 scalars m and c = -learningRate.
  backend.addon.momentumUpdate(w, acc, g, out[0], out[1], Math.fround(a.momentum), Math.fround(-a.learningRate));
  return out.map((values) => backend.makeTensorInfo(value!.shape, 'float32', values));
});

/**
 * Applies `optimizer`'s update for `grads` with the fused kernel when the current backend is
 * `native` (and Nesterov momentum is off), and returns `true`; returns `false` (having done
 * nothing) otherwise. For a MomentumOptimizer subclass:
 * `if (!applyMomentumNative(this, grads)) super.applyGradients(grads);`.
 */
export function applyMomentumNative(optimizer: tf.MomentumOptimizer, grads: tf.NamedTensorMap | NamedTensor[]): boolean {
  const o = optimizer as unknown as MomentumState;
  if (tf.getBackend() !== NATIVE_BACKEND || o.useNesterov) return false;
  tf.tidy(() => {
    const attrs = { momentum: o.momentum, learningRate: o.learningRate };
    forEachGradient(grads, (name, i, value, gradient) => {
      const accumulation = slot(o.accumulations, i, name, 'momentum', value);
      if (gradient === null) return;
      const [newValue, newAccumulation] = tf.engine().runKernel(NativeMomentumUpdate, { value, accumulation, gradient }, attrs) as tf.Tensor[];
      accumulation.assign(newAccumulation!);
      value.assign(newValue!);
    });
  });
  o.incrementIterations();
  return true;
}
