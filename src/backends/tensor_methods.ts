/**
 * tfjs-core's Node bundle does not install the chained Tensor methods (`x.flatten()`, ...)
 * that the `@tensorflow/tfjs` union package adds, yet tfjs-layers' orthogonal initializer
 * (the default recurrent initializer of LSTM and GRU) calls five of them and the optimizers'
 * `setWeights` calls `variable()`. Without this, an LSTM cannot be built and an optimizer
 * cannot be restored from a checkpoint with tfjs-core + tfjs-layers in Node. Methods already present (for
 * example when the union package is loaded) are left alone.
 */
import * as tf from '@tensorflow/tfjs-core';

type Methods = {
  flatten(this: tf.Tensor): tf.Tensor;
  reshape(this: tf.Tensor, shape: number[]): tf.Tensor;
  sign(this: tf.Tensor): tf.Tensor;
  stridedSlice(this: tf.Tensor, begin: number[], end: number[], strides: number[]): tf.Tensor;
  transpose(this: tf.Tensor, perm?: number[]): tf.Tensor;
  variable(this: tf.Tensor, trainable?: boolean, name?: string, dtype?: tf.DataType): tf.Variable;
};

const methods: Methods = {
  flatten() {
    return tf.reshape(this, [this.size]);
  },
  reshape(shape) {
    return tf.reshape(this, shape);
  },
  sign() {
    return tf.sign(this);
  },
  stridedSlice(begin, end, strides) {
    return tf.stridedSlice(this, begin, end, strides);
  },
  transpose(perm) {
    return tf.transpose(this, perm);
  },
  variable(trainable, name, dtype) {
    return tf.variable(this, trainable, name, dtype);
  },
};

/** Adds the methods above to `tf.Tensor` where missing; idempotent (see `src/register.ts`). */
export function installTensorMethods(): void {
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  for (const [name, fn] of Object.entries(methods)) {
    if (typeof proto[name] !== 'function') proto[name] = fn;
  }
}
