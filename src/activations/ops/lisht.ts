import { engine, Tensor, tensor, type TensorLike } from '@tensorflow/tfjs-core';
import { Lisht } from '../kernel_names.js';

const NUMERIC = new Set(['float32', 'int32', 'bool']);

/**
 * LiSHT, the linearly scaled hyperbolic tangent: `lisht(x) = x * tanh(x)`, element-wise.
 *
 * Roy et al., "LiSHT: Non-Parametric Linearly Scaled Hyperbolic Tangent Activation Function
 * for Neural Networks", arXiv 1901.05894. Even, never negative, and with a non-zero gradient
 * `tanh(x) + x * (1 - tanh(x)^2)` for large negative inputs (unlike ReLU or Swish).
 *
 * Like `tf.tanh`, int32 and bool inputs give float32 output. For large |x| the result is
 * exactly |x|; `lisht(±Infinity)` is `Infinity` and its gradient ±1; NaN propagates.
 *
 * ```js
 * lisht(tf.tensor([-2, 0, 3])).print(); // [1.9280552, 0, 2.9851487]
 * ```
 */
export function lisht<T extends Tensor>(x: T | TensorLike): T {
  const $x = x instanceof Tensor ? x : tensor(x as TensorLike, undefined, 'float32');
  if (!NUMERIC.has($x.dtype)) {
    throw new TypeError(`lisht: expected a numeric tensor (float32, int32 or bool), got dtype '${$x.dtype}'`);
  }
  return engine().runKernel(Lisht, { x: $x }) as T;
}
