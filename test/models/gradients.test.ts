import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '../../src/index.js';
import { registerWasmTrainingKernels } from '../../src/backends/wasm/register.js';
import { getModel } from '../../src/models/registry.js';
import type { ModelBuildOptions } from '../../src/models/types.js';
import { sparseCategoricalCrossentropy } from '../../src/training/losses.js';
import { useBackend } from '../helpers/backends.js';

registerWasmTrainingKernels();

/**
 * Gradients of one training step's loss on random data, per trainable weight, as
 * [name, finite, L2 norm].
 */
function stepGradients(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor1D): [string, boolean, number][] {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(() => sparseCategoricalCrossentropy(model.apply(x, { training: true }) as tf.Tensor, y), vars);
    return vars.map((v): [string, boolean, number] => {
      const g = grads[v.name];
      const values = g.dataSync();
      return [v.name, values.every(Number.isFinite), Math.sqrt(tf.sum(tf.square(g)).dataSync()[0])];
    });
  });
}

interface Case {
  model: string;
  options: Omit<ModelBuildOptions, 'activation' | 'seed'>;
  backend: 'cpu' | 'wasm';
  batch: number;
}

// Real input shapes where a step is fast; the ResNets on 16x16 images (same layers, a quarter
// of the pixels of CIFAR) to keep ResNet-164 a few seconds per activation on wasm.
const CASES: Case[] = [
  { model: 'mlp', options: { inputShape: [28, 28, 1], numClasses: 10 }, backend: 'cpu', batch: 8 },
  { model: 'mlp', options: { inputShape: [4], numClasses: 3 }, backend: 'cpu', batch: 8 },
  { model: 'resnet-20', options: { inputShape: [32, 32, 3], numClasses: 10 }, backend: 'wasm', batch: 4 },
  { model: 'resnet-56', options: { inputShape: [16, 16, 3], numClasses: 100 }, backend: 'wasm', batch: 2 },
  { model: 'resnet-110', options: { inputShape: [8, 8, 1], numClasses: 10 }, backend: 'wasm', batch: 2 },
  { model: 'resnet-164', options: { inputShape: [16, 16, 3], numClasses: 10 }, backend: 'wasm', batch: 2 },
  { model: 'lstm', options: { inputShape: [40], numClasses: 2, vocabularySize: 20_002 }, backend: 'wasm', batch: 8 },
];

for (const c of CASES) {
  for (const activation of ['lisht', 'relu', 'tanh']) {
    test(`${c.model} [${c.options.inputShape.join('x')}] with ${activation}: one step gives finite, non-zero gradients for every weight`, async () => {
      await useBackend(c.backend);
      const model = getModel(c.model).build({ ...c.options, activation, seed: 5 });
      const shape = [c.batch, ...c.options.inputShape];
      const x =
        c.options.vocabularySize === undefined
          ? tf.randomNormal(shape, 0, 1, 'float32', 6)
          : tf.randomUniform(shape, 0, c.options.vocabularySize, 'int32', 6);
      const y = tf.tensor1d(Array.from({ length: c.batch }, (_, i) => i % c.options.numClasses), 'int32');
      const grads = stepGradients(model, x, y);
      assert.equal(grads.length, model.trainableWeights.length);
      for (const [name, finite, norm] of grads) {
        assert.ok(finite, `${name}: non-finite gradient`);
        assert.ok(norm > 0, `${name}: zero gradient`);
      }
      tf.dispose([x, y]);
      model.dispose();
    });
  }
}
