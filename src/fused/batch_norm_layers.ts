/**
 * Training-mode BatchNormalization layers through `batchNormTraining` where the backend has its
 * kernel (`native`). tfjs-layers'
 * layer computes `moments` and `batchNorm`, whose gradients take a dozen full-size ops per
 * layer; this makes it one kernel forward and one backward. The layers of a model (nested
 * ones included) get a `call` that takes the fused path when training on such a backend over the
 * last axis and otherwise runs the layer's own; weights, moving statistics and the model's
 * saved form are unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { BatchNormTraining, hasFusedKernel } from './kernel_names.js';
import { batchNormTraining } from './ops.js';

type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }) => tf.Tensor | tf.Tensor[];

const patched = new WeakSet<tfl.layers.Layer>();

/** The layer's weight named `name` (its last path component), if it has one. */
function weight(layer: tfl.layers.Layer, name: string): tfl.LayerVariable | undefined {
  return layer.weights.find((w) => w.originalName.split('/').pop() === name);
}

/** tfjs-layers' moving-average update, op for op: `v - (v - value) * (1 - momentum)`. */
function moveAverage(variable: tfl.LayerVariable, value: tf.Tensor, momentum: number): void {
  const current = variable.read();
  variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - momentum)));
}

function patch(layer: tfl.layers.Layer): void {
  const config = layer.getConfig() as { axis: number; momentum: number; epsilon: number };
  const gamma = weight(layer, 'gamma');
  const beta = weight(layer, 'beta');
  const movingMean = weight(layer, 'moving_mean');
  const movingVariance = weight(layer, 'moving_variance');
  if (movingMean === undefined || movingVariance === undefined) return;
  const target = layer as unknown as { call: Call };
  const own = target.call.bind(layer);
  target.call = (inputs, kwargs) => {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const lastAxis = config.axis === -1 || config.axis === x.rank - 1;
    if (!kwargs?.training || !hasFusedKernel(BatchNormTraining) || !lastAxis || x.rank < 2 || x.dtype !== 'float32') return own(inputs, kwargs);
    return tf.tidy(() => {
      const channels = x.shape[x.rank - 1]!;
      const scale = (gamma?.read() ?? tf.ones([channels])) as tf.Tensor1D;
      const offset = (beta?.read() ?? tf.zeros([channels])) as tf.Tensor1D;
      const [y, mean, variance] = batchNormTraining(x, scale, offset, config.epsilon);
      moveAverage(movingMean, mean, config.momentum);
      moveAverage(movingVariance, variance, config.momentum);
      return y;
    });
  };
}

/** Gives every BatchNormalization layer of `model` (nested models included) the fused path, once. */
export function fuseBatchNormLayers(model: tfl.LayersModel): void {
  const visit = (layers: tfl.layers.Layer[]) => {
    for (const layer of layers) {
      const inner = (layer as unknown as { layers?: tfl.layers.Layer[] }).layers;
      if (Array.isArray(inner)) visit(inner);
      else if (layer.getClassName() === 'BatchNormalization' && !patched.has(layer)) {
        patched.add(layer);
        patch(layer);
      }
    }
  };
  visit(model.layers);
}
