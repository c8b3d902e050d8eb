/**
 * Kernels of the fused training path, registered for `native` only (the ops compose standard
 * ops elsewhere). NHWC, float32, dilation 1.
 */

/** `conv2d(x, filter) + bias`. Inputs `{x, filter, bias}`; attrs `{strides, pad, dimRoundingMode}`. */
export const NativeConv2DBias = 'NativeConv2DBias';

/**
 * The filter and bias gradients of `NativeConv2DBias` from one pass over `dy`. Inputs
 * `{x, dy}`; attrs as the forward plus `filterShape`; outputs `[dfilter, dbias]`.
 */
export const NativeConv2DBiasFilterGrad = 'NativeConv2DBiasFilterGrad';

/**
 * `maxPool(act(x))` with `act` one of linear, relu, lisht, in one pass. Inputs `{x}`; attrs
 * `{activation, filterSize, strides, pad, dimRoundingMode}`.
 */
export const NativeActivationMaxPool = 'NativeActivationMaxPool';

/** Its gradient with respect to `x`, in one pass. Inputs `{dy, x}`; attrs as the forward. */
export const NativeActivationMaxPoolGrad = 'NativeActivationMaxPoolGrad';

/** Activations `NativeActivationMaxPool` fuses, with the addon's codes. */
export const POOL_ACTIVATIONS = { linear: 0, relu: 1, lisht: 2 } as const;
export type PoolActivation = keyof typeof POOL_ACTIVATIONS;

/**
 * Batch normalisation in training mode over the last axis: the batch's statistics, then
 * `(x - mean) / sqrt(variance + epsilon) * scale + offset`. Inputs `{x, scale?, offset?}`;
 * attrs `{varianceEpsilon}`; outputs `[y, mean, variance]` (biased variance, as tfjs-layers).
 */
export const NativeBatchNormTraining = 'NativeBatchNormTraining';

/**
 * Its gradient in closed form, two sweeps: inputs `{dy, x, mean, variance, scale?, dmean?,
 * dvariance?}`; attrs as the forward; outputs `[dx, dscale, doffset]`.
 */
export const NativeBatchNormTrainingGrad = 'NativeBatchNormTrainingGrad';
