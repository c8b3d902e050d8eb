import * as tfl from '@tensorflow/tfjs-layers';
import { asActivationOption, placeActivation } from './activation_block.js';
import type { ModelBuildOptions } from './types.js';

/**
 * The original article's CNN: Conv2D(32, 3x3) + activation, MaxPool 2x2, Conv2D(64, 3x3) +
 * activation, MaxPool 2x2, Flatten, Dense(classes, softmax). Keras defaults: valid padding,
 * Glorot-uniform kernels, zero biases. 42,442 parameters for 32x32x3 input and 10 classes.
 */
export function buildSeedCnn({ inputShape, numClasses, activation, seed }: ModelBuildOptions): tfl.Sequential {
  if (inputShape.length !== 3) {
    throw new Error(`seed-cnn needs image input [height, width, channels], got [${inputShape.join(', ')}]`);
  }
  const act = placeActivation(activation);
  // One seed per layer, so that changing one layer leaves the others' initial weights as they were.
  const init = (i: number) => tfl.initializers.glorotUniform({ seed: seed === undefined ? undefined : seed * 100 + i });
  const model = tfl.sequential({ name: `seed_cnn_${act.spec.name}` });
  const addActivation = (name: string) => {
    const layer = act.after(name, [1, 2]);
    if (layer !== undefined) model.add(layer);
  };
  model.add(
    tfl.layers.conv2d({
      inputShape,
      filters: 32,
      kernelSize: 3,
      activation: asActivationOption(act.option),
      kernelInitializer: init(1),
      name: 'conv2d',
    }),
  );
  addActivation('conv2d_activation');
  model.add(tfl.layers.maxPooling2d({ poolSize: 2, name: 'max_pooling2d' }));
  model.add(
    tfl.layers.conv2d({
      filters: 64,
      kernelSize: 3,
      activation: asActivationOption(act.option),
      kernelInitializer: init(2),
      name: 'conv2d_1',
    }),
  );
  addActivation('conv2d_1_activation');
  model.add(tfl.layers.maxPooling2d({ poolSize: 2, name: 'max_pooling2d_1' }));
  model.add(tfl.layers.flatten({ name: 'flatten' }));
  model.add(tfl.layers.dense({ units: numClasses, activation: 'softmax', kernelInitializer: init(3), name: 'dense' }));
  return model;
}
