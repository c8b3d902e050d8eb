/**
 * A fusion pass over Keras-style Sequential models: each Conv2D (with bias; activation relu,
 * lisht or linear) directly followed by a MaxPooling2D runs as the fused path's two ops
 * (`conv2dBias`, `activationMaxPool`), every other layer as tfjs-layers runs it. The fused ops
 * read the layers' own variables, so gradients reach the model's weights, and the model itself
 * (its layers, summary, saved form) stays the Keras one.
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { activationMaxPool, conv2dBias } from './ops.js';
import { POOL_ACTIVATIONS, type PoolActivation } from './kernel_names.js';

/** A model's forward pass on one batch; `training` as tfjs-layers' `apply(x, {training})`. */
export type Forward = (x: tf.Tensor, training: boolean) => tf.Tensor;

type Pair = [number, number];

/** The two layers as one fused step, or `undefined` where the pair is not one the fused ops cover. */
function convPool(conv: tfl.layers.Layer, pool: tfl.layers.Layer): Forward | undefined {
  if (conv.getClassName() !== 'Conv2D' || pool.getClassName() !== 'MaxPooling2D') return undefined;
  const c = conv.getConfig() as {
    strides: Pair;
    padding: 'valid' | 'same';
    dataFormat: string;
    dilationRate: Pair;
    activation: string;
    useBias: boolean;
    activityRegularizer: unknown;
  };
  const p = pool.getConfig() as { poolSize: Pair; strides: Pair; padding: 'valid' | 'same'; dataFormat: string };
  const plain =
    c.dataFormat === 'channelsLast' &&
    p.dataFormat === 'channelsLast' &&
    c.dilationRate.every((d) => d === 1) &&
    c.useBias &&
    c.activityRegularizer == null &&
    Object.hasOwn(POOL_ACTIVATIONS, c.activation);
  if (!plain) return undefined;
  const [kernel, bias] = conv.weights;
  if (kernel?.shape.length !== 4 || bias?.shape.length !== 1) return undefined;
  const activation = c.activation as PoolActivation;
  return (x) => {
    const z = conv2dBias(x as tf.Tensor4D, kernel.read() as tf.Tensor4D, bias.read() as tf.Tensor1D, { strides: c.strides, pad: c.padding });
    return activationMaxPool(z, activation, { poolSize: p.poolSize, strides: p.strides, pad: p.padding });
  };
}

/**
 * The forward pass of `model` with its Conv2D + MaxPooling2D pairs fused, or `undefined` when
 * the model is not Sequential or has no such pair (then `model.apply` is as fast).
 */
export function fuseSequential(model: tfl.LayersModel): Forward | undefined {
  if (!(model instanceof tfl.Sequential)) return undefined;
  const layers = model.layers;
  const steps: Forward[] = [];
  let fused = 0;
  for (let i = 0; i < layers.length; i++) {
    const pair = i + 1 < layers.length ? convPool(layers[i]!, layers[i + 1]!) : undefined;
    if (pair !== undefined) {
      steps.push(pair);
      fused++;
      i++;
      continue;
    }
    const layer = layers[i]!;
    steps.push((x, training) => layer.apply(x, { training }) as tf.Tensor);
  }
  if (fused === 0) return undefined;
  return (x, training) => steps.reduce((h, step) => step(h, training), x);
}
