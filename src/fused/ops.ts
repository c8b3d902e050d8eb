/**
 * The fused training path's ops. On a backend that registers their kernels (`native`) each is
 * one kernel (and its gradient one or two); elsewhere they compose TF.js's standard ops, with
 * the same results.
 */
import * as tf from '@tensorflow/tfjs-core';
import { lisht } from '../activations/ops/lisht.js';
import { ActivationMaxPool, BatchNormTraining, Conv2DBias, hasFusedKernel, type PoolActivation } from './kernel_names.js';

type Pair = number | [number, number];

/** Options of {@link conv2dBias}. */
export interface Conv2DBiasOptions {
  /** Default 1. */
  strides?: Pair;
  /** Default `'valid'`, as Keras. */
  pad?: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * `conv2d(x, filter) + bias` (NHWC, dilation 1). Its gradient computes the filter and bias
 * gradients in one pass, and the input gradient only when something needs it.
 */
export function conv2dBias(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, options: Conv2DBiasOptions = {}): tf.Tensor4D {
  const strides = options.strides ?? 1;
  const pad = options.pad ?? 'valid';
  if (!hasFusedKernel(Conv2DBias)) {
    return tf.tidy(() => tf.add(tf.conv2d(x, filter, strides, pad, 'NHWC', 1, options.dimRoundingMode), bias));
  }
  const attrs = { strides, pad, dimRoundingMode: options.dimRoundingMode };
  return tf.engine().runKernel(Conv2DBias, { x, filter, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/** Options of {@link activationMaxPool}. */
export interface ActivationMaxPoolOptions {
  poolSize: Pair;
  /** Default: `poolSize`, as Keras. */
  strides?: Pair;
  /** Default `'valid'`. */
  pad?: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function activate(x: tf.Tensor4D, activation: PoolActivation): tf.Tensor4D {
  if (activation === 'relu') return tf.relu(x);
  if (activation === 'lisht') return lisht(x);
  return x;
}

/**
 * `maxPool(activation(x))` in one pass, gradient in one pass: the activation's output is never
 * stored. Same values and gradients as the two ops in sequence.
 */
export function activationMaxPool(x: tf.Tensor4D, activation: PoolActivation, options: ActivationMaxPoolOptions): tf.Tensor4D {
  const strides = options.strides ?? options.poolSize;
  const pad = options.pad ?? 'valid';
  if (!hasFusedKernel(ActivationMaxPool)) {
    return tf.tidy(() => tf.maxPool(activate(x, activation), options.poolSize, strides, pad, options.dimRoundingMode));
  }
  const attrs = { activation, filterSize: options.poolSize, strides, pad, dimRoundingMode: options.dimRoundingMode };
  return tf.engine().runKernel(ActivationMaxPool, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/**
 * Batch normalisation in training mode over the last axis, as tfjs-layers' BatchNormalization
 * computes it: the batch's mean and (biased) variance, then `(x - mean) / sqrt(variance +
 * epsilon) * scale + offset`. Returns `[y, mean, variance]`. On `native` one kernel forward and
 * one backward (closed form) replace `moments`, `batchNorm` and their gradients' dozen ops.
 */
export function batchNormTraining(x: tf.Tensor, scale: tf.Tensor1D, offset: tf.Tensor1D, epsilon: number): [tf.Tensor, tf.Tensor1D, tf.Tensor1D] {
  if (!hasFusedKernel(BatchNormTraining)) {
    return tf.tidy(() => {
      const axes = x.shape.slice(0, -1).map((_, i) => i);
      const { mean, variance } = tf.moments(x, axes);
      return [tf.batchNorm(x, mean, variance, offset, scale, epsilon), mean as tf.Tensor1D, variance as tf.Tensor1D];
    });
  }
  return tf.engine().runKernel(BatchNormTraining, { x, scale, offset }, { varianceEpsilon: epsilon }) as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
}
