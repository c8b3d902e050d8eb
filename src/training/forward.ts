import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fuseBatchNormLayers } from '../fused/batch_norm_layers.js';
import { Conv2DBias, hasFusedKernel } from '../fused/kernel_names.js';
import { fuseSequential, type Forward } from '../fused/sequential.js';

/**
 * Whether a pass runs through the fusion passes: always on a backend with the fused kernels
 * (`native`); when training on `wasm`, for the fused ops' compositions, whose gradients leave
 * out the input gradient of a model's first convolution that tfjs-layers' fused convolution
 * (with its custom gradient) always computes. Inference on `wasm` keeps XNNPACK's convolution
 * with fused bias.
 */
function fuses(backend: string, training: boolean): boolean {
  return hasFusedKernel(Conv2DBias) || (backend === 'wasm' && training);
}

/** Per model: its fused forward pass, or `null` where fusing gains nothing. */
const fusedPasses = new WeakMap<tfl.LayersModel, Forward | null>();

/**
 * `model` on one batch, as training and evaluation run it: where {@link fuses} says so, through
 * the fused ops where the model's layers allow (same function, same weights, fewer passes over
 * memory: Conv2D + MaxPooling2D pairs of Sequential models, BatchNormalization layers in
 * training mode), elsewhere exactly as `model.apply(x, {training})`.
 */
export function forward(model: tfl.LayersModel, x: tf.Tensor, training: boolean): tf.Tensor {
  if (fuses(tf.getBackend(), training)) {
    let fused = fusedPasses.get(model);
    if (fused === undefined) {
      fuseBatchNormLayers(model);
      fused = fuseSequential(model) ?? null;
      fusedPasses.set(model, fused);
    }
    if (fused !== null) return fused(x, training);
  }
  return model.apply(x, { training }) as tf.Tensor;
}
