/**
 * Kernels of the fused training path. A backend offers them by registering kernels under these
 * names (today `native` does); the ops and the optimizer updates ask {@link hasFusedKernel}
 * and compose standard ops where the active backend has none. NHWC, float32, dilation 1.
 */
import { getBackend, getKernel } from '@tensorflow/tfjs-core';

/** Whether the active backend registers the kernel `name`. */
export function hasFusedKernel(name: string): boolean {
  return getKernel(name, getBackend()) !== undefined;
}

/** `conv2d(x, filter) + bias`. Inputs `{x, filter, bias}`; attrs `{strides, pad, dimRoundingMode}`. */
export const Conv2DBias = 'Conv2DBias';

/**
 * The filter and bias gradients of `Conv2DBias` from one pass over `dy`. Inputs
 * `{x, dy}`; attrs as the forward plus `filterShape`; outputs `[dfilter, dbias]`.
 */
export const Conv2DBiasFilterGrad = 'Conv2DBiasFilterGrad';

/**
 * `maxPool(act(x))` with `act` one of linear, relu, lisht, in one pass. Inputs `{x}`; attrs
 * `{activation, filterSize, strides, pad, dimRoundingMode}`.
 */
export const ActivationMaxPool = 'ActivationMaxPool';

/** Its gradient with respect to `x`, in one pass. Inputs `{dy, x}`; attrs as the forward. */
export const ActivationMaxPoolGrad = 'ActivationMaxPoolGrad';

/** Activations `ActivationMaxPool` fuses, with the addon's codes. */
export const POOL_ACTIVATIONS = { linear: 0, relu: 1, lisht: 2 } as const;
export type PoolActivation = keyof typeof POOL_ACTIVATIONS;

/**
 * Batch normalisation in training mode over the last axis: the batch's statistics, then
 * `(x - mean) / sqrt(variance + epsilon) * scale + offset`. Inputs `{x, scale?, offset?}`;
 * attrs `{varianceEpsilon}`; outputs `[y, mean, variance]` (biased variance, as tfjs-layers).
 */
export const BatchNormTraining = 'BatchNormTraining';

/**
 * Its gradient in closed form, two sweeps: inputs `{dy, x, mean, variance, scale?, dmean?,
 * dvariance?}`; attrs as the forward; outputs `[dx, dscale, doffset]`.
 */
export const BatchNormTrainingGrad = 'BatchNormTrainingGrad';

/**
 * Adam's update of one variable. Inputs `{value, m, v, gradient}`; attrs `{learningRate, beta1,
 * beta2, epsilon, accBeta1, accBeta2}`; outputs `[value, m, v]`.
 */
export const AdamUpdate = 'AdamUpdate';

/**
 * A batch of uint8 images (a data set's rows picked by index) as float32, each byte times
 * `scale`. No inputs (the bytes are not a tensor: TF.js has no uint8 dtype); attrs `{rows:
 * Uint8Array, index: Int32Array, scale, shape}`, `shape` the batch's, its first dimension the
 * index's length; output the float32 batch.
 */
export const ImageBatch = 'ImageBatch';

/** Momentum SGD's update of one variable. Inputs `{value, accumulation, gradient}`; attrs `{momentum, learningRate}`; outputs `[value, accumulation]`. */
export const MomentumUpdate = 'MomentumUpdate';
