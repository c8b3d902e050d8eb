/**
 * Names of the kernels this package adds to TensorFlow.js, in the style of tfjs-core's
 * `kernel_names.ts`. Backends register implementations under these names.
 */
import type { NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/** `y = x * tanh(x)`. Inputs: `{x}`; output: float32, same shape. */
export const Lisht = 'Lisht';
export type LishtInputs = { x: TensorInfo } & NamedTensorInfoMap;

/**
 * `dx = dy * (tanh(x) + x * (1 - tanh(x)^2))`, the gradient of `Lisht`, fused into one pass.
 * Inputs: `{dy, x, y}` with `y = lisht(x)` the forward output, which kernels may use to skip
 * recomputing tanh; output: float32, shape of `x`.
 */
export const LishtGrad = 'LishtGrad';
export type LishtGradInputs = { dy: TensorInfo; x: TensorInfo; y?: TensorInfo } & NamedTensorInfoMap;
