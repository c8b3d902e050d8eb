import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '../../src/index.js';
import { registerWasmTrainingKernels } from '../../src/backends/wasm/register.js';
import { UserError } from '../../src/errors.js';
import { DATASET_INPUTS } from '../../src/models/inputs.js';
import { checkModelFits, getModel, models } from '../../src/models/registry.js';
import { defaultDatasetFor, defaultModelFor, DEFAULT_MODELS } from '../../src/models/defaults.js';
import { resnetConfig } from '../../src/models/resnet.js';
import { DATASET_NAMES } from '../../src/datasets/types.js';
import { useBackend } from '../helpers/backends.js';

registerWasmTrainingKernels();

const count = (weights: tfl.LayerVariable[]) => weights.reduce((n, w) => n + w.shape.reduce((a: number, d) => a * (d ?? 1), 1), 0);

/** The published size rounded as published: 0.27M has two decimals of a million, 1.7M one. */
function roundedLike(params: number, published: string): string {
  const decimals = published.split('.')[1].length;
  return (params / 1e6).toFixed(decimals);
}

// He et al. 2015 (Table 6) and 2016 (Table 2), CIFAR-10; counts of learned weights.
const PUBLISHED: [string, string, number, number][] = [
  // model, published, exact trainable, exact Keras "Total params" (BN moving statistics included)
  ['resnet-20', '0.27', 269_722, 271_098],
  ['resnet-56', '0.85', 853_018, 857_082],
  ['resnet-110', '1.7', 1_727_962, 1_736_058],
  ['resnet-164', '1.7', 1_703_258, 1_727_482],
];

test('ResNet parameter counts match the published ones (CIFAR-10)', async () => {
  await useBackend('wasm');
  for (const [name, published, trainable, total] of PUBLISHED) {
    const model = getModel(name).build({ ...DATASET_INPUTS.cifar10, activation: 'lisht', seed: 1 });
    assert.equal(roundedLike(count(model.trainableWeights), published), published, `${name}: ${count(model.trainableWeights)} trainable`);
    assert.equal(count(model.trainableWeights), trainable, name);
    assert.equal(model.countParams(), total, name);
    model.dispose();
  }
});

test('every model has the documented output shape and parameter count on every data set it fits', async () => {
  await useBackend('wasm');
  // Independent counts from the architectures' formulas.
  const mlp = (inputs: number, classes: number) => inputs * 256 + 256 + 256 * 128 + 128 + 128 * classes + classes;
  const lstm = (vocab: number, classes: number) => vocab * 128 + 4 * (128 * (128 + 128) + 128) + 128 * classes + classes;
  const expected: Record<string, Partial<Record<string, number>>> = {
    mlp: { cifar10: mlp(3072, 10), cifar100: mlp(3072, 100), mnist: mlp(784, 10), 'fashion-mnist': mlp(784, 10), iris: mlp(4, 3), 'car-evaluation': mlp(21, 4) },
    lstm: { sentiment140: lstm(20_002, 2) },
    // ResNet-20: the 10-class head is 64 * 10 + 10; MNIST's first convolution has 1 input channel, not 3.
    'resnet-20': { cifar10: 271_098, cifar100: 271_098 + 64 * 90 + 90, mnist: 271_098 - 3 * 3 * 2 * 16, 'fashion-mnist': 271_098 - 288 },
    'resnet-164': { cifar10: 1_727_482, cifar100: 1_727_482 + 256 * 90 + 90, mnist: 1_727_482 - 288 },
    'seed-cnn': { cifar10: 42_442 },
  };
  for (const [name, byDataset] of Object.entries(expected)) {
    for (const [dataset, params] of Object.entries(byDataset)) {
      const input = DATASET_INPUTS[dataset as keyof typeof DATASET_INPUTS];
      const model = getModel(name).build({ ...input, activation: 'lisht', seed: 2 });
      assert.deepEqual(model.outputs[0].shape, [null, input.numClasses], `${name} on ${dataset}`);
      assert.deepEqual(model.inputs[0].shape, [null, ...input.inputShape], `${name} on ${dataset}`);
      assert.equal(model.countParams(), params, `${name} on ${dataset}`);
      model.dispose();
    }
  }
});

test('ResNets predict class probabilities for CIFAR and MNIST images', async () => {
  await useBackend('wasm');
  for (const [name, dataset] of [['resnet-20', 'cifar10'], ['resnet-20', 'mnist'], ['resnet-56', 'cifar100'], ['resnet-164', 'mnist']] as const) {
    const input = DATASET_INPUTS[dataset];
    const model = getModel(name).build({ ...input, activation: 'lisht', seed: 3 });
    const probs = tf.tidy(() => model.predict(tf.randomUniform([2, ...input.inputShape], 0, 1, 'float32', 4)) as tf.Tensor);
    assert.deepEqual(probs.shape, [2, input.numClasses]);
    const sums = Array.from(tf.tidy(() => tf.sum(probs, -1)).dataSync());
    for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5, `${name} on ${dataset}: probabilities sum to ${s}`);
    tf.dispose(probs);
    model.dispose();
  }
});

test('ResNet units are pre-activation (BN -> activation -> conv) with the chosen activation everywhere', async () => {
  await useBackend('wasm');
  for (const depth of [20, 164]) {
    const model = getModel(`resnet-${depth}`).build({ ...DATASET_INPUTS.cifar10, activation: 'tanh', seed: 1 });
    const inbound = (layer: tfl.layers.Layer) => (layer as unknown as { inboundNodes: { inboundLayers: tfl.layers.Layer[] }[] }).inboundNodes[0].inboundLayers;
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D' && l.name !== 'conv1' && !l.name.endsWith('_shortcut'));
    assert.equal(convs.length, depth - 2, 'every convolution of the residual units');
    for (const conv of convs) {
      const [act] = inbound(conv);
      assert.equal(act.getClassName(), 'Activation', `${conv.name} follows an activation`);
      assert.equal((act.getConfig() as { activation: string }).activation, 'tanh', `${act.name}`);
      assert.equal(inbound(act)[0].getClassName(), 'BatchNormalization', `${act.name} follows batch normalization`);
    }
    const acts = model.layers.filter((l) => l.getClassName() === 'Activation');
    const bns = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
    assert.equal(acts.length, bns.length, 'one activation per batch normalization');
    assert.ok(acts.every((a) => (a.getConfig() as { activation: string }).activation === 'tanh'), 'no ReLU left');
    // Additions are never followed by an activation of their own: the identity path stays clean.
    for (const add of model.layers.filter((l) => l.getClassName() === 'Add')) {
      const next = model.layers.filter((l) => inbound(l).includes(add));
      assert.ok(next.every((l) => l.getClassName() !== 'Activation'), `${add.name} is followed by ${next.map((l) => l.name).join(', ')}`);
    }
    const shortcuts = model.layers.filter((l) => l.name.endsWith('_shortcut'));
    assert.deepEqual(
      shortcuts.map((l) => l.getClassName()),
      depth === 164 ? ['Conv2D', 'Conv2D', 'Conv2D'] : ['ZeroPadShortcut', 'ZeroPadShortcut'],
    );
    model.dispose();
  }
});

test('ResNet depths: 6n + 2 with two-convolution units, 9n + 2 bottleneck for 164; others refused', () => {
  assert.deepEqual([20, 56, 110].map((d) => resnetConfig(d).unitsPerStage), [3, 9, 18]);
  assert.deepEqual(resnetConfig(164), { depth: 164, unitsPerStage: 18, bottleneck: true, shortcut: 'projection', stageFilters: [64, 128, 256] });
  for (const name of ['resnet-21', 'resnet-32', 'resnet-1001']) {
    assert.throws(() => getModel(name), (e: unknown) => e instanceof UserError && /unknown ResNet depth \d+; valid depths: 20, 56, 110, 164/.test(e.message), name);
  }
  assert.throws(() => getModel('vgg16'), (e: unknown) => e instanceof UserError && /unknown model 'vgg16'; known: .*resnet-164.*lstm/.test(e.message));
});

test('mlp takes hidden layer widths and the activation between layers; PReLU as its own layer', async () => {
  await useBackend('cpu');
  const model = getModel('mlp').build({ ...DATASET_INPUTS.iris, activation: 'lisht', seed: 1, hiddenUnits: [8, 6, 5] });
  assert.equal(model.countParams(), 4 * 8 + 8 + 8 * 6 + 6 + 6 * 5 + 5 + 5 * 3 + 3);
  const dense = model.layers.filter((l) => l.getClassName() === 'Dense').map((l) => (l.getConfig() as { activation: string }).activation);
  assert.deepEqual(dense, ['lisht', 'lisht', 'lisht', 'softmax']);
  const prelu = getModel('mlp').build({ ...DATASET_INPUTS.mnist, activation: 'prelu', seed: 1, hiddenUnits: [16] });
  assert.deepEqual(prelu.layers.map((l) => l.getClassName()), ['Flatten', 'Dense', 'PReLU', 'Dense']);
  assert.equal(prelu.countParams(), 784 * 16 + 16 + 16 + 16 * 10 + 10);
  assert.throws(() => getModel('mlp').build({ ...DATASET_INPUTS.iris, activation: 'relu', hiddenUnits: [] }), /hidden units/);
  assert.throws(() => getModel('mlp').build({ ...DATASET_INPUTS.iris, activation: 'relu', hiddenUnits: [4, 0] }), /hidden units/);
});

test('lstm puts the activation in the cell, keeps sigmoid gates, and refuses PReLU', async () => {
  await useBackend('cpu');
  const model = getModel('lstm').build({ inputShape: [7], numClasses: 2, vocabularySize: 50, activation: 'lisht', seed: 1 });
  const config = model.getLayer('lstm').getConfig() as { activation: string; recurrentActivation: string; units: number };
  assert.equal(config.activation, 'lisht');
  assert.equal(config.recurrentActivation, 'sigmoid');
  assert.deepEqual(model.outputs[0].shape, [null, 2]);
  assert.throws(() => getModel('lstm').build({ inputShape: [7], numClasses: 2, vocabularySize: 50, activation: 'prelu' }), (e: unknown) => e instanceof UserError && /lstm cannot use 'prelu'/.test(e.message));
  assert.throws(() => getModel('lstm').build({ inputShape: [7], numClasses: 2, activation: 'relu' }), /vocabulary size/);
  // The recurrent kernel [units, 4 units] is orthogonal, as Keras initialises it: W W^T = I.
  const w = tf.tensor2d(Array.from(model.getLayer('lstm').getWeights()[1].dataSync()), [128, 512]);
  const gram = tf.matMul(w, w, false, true).arraySync() as number[][];
  gram.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - (i === j ? 1 : 0)) < 1e-5, `W W^T [${i}, ${j}] = ${v}`)));
  const again = getModel('lstm').build({ inputShape: [7], numClasses: 2, vocabularySize: 50, activation: 'lisht', seed: 1 });
  assert.deepEqual(again.getLayer('lstm').getWeights()[1].dataSync(), model.getLayer('lstm').getWeights()[1].dataSync(), 'seeded');
});

test('models are checked against data sets before anything is built', () => {
  const fits = (model: string, dataset: keyof typeof DATASET_INPUTS, activations: string[] = []) => () => checkModelFits(getModel(model), dataset, DATASET_INPUTS[dataset], activations);
  assert.throws(fits('lstm', 'cifar10'), (e: unknown) => e instanceof UserError && /model 'lstm' does not fit data set 'cifar10' \(image data; it takes text\)/.test(e.message));
  assert.throws(fits('resnet-20', 'iris'), /model 'resnet-20' does not fit data set 'iris' \(tabular data; it takes image\)/);
  assert.throws(fits('mlp', 'sentiment140'), /does not fit data set 'sentiment140'/);
  assert.throws(fits('lstm', 'sentiment140', ['lisht', 'prelu']), /lstm cannot use 'prelu'/);
  assert.throws(() => checkModelFits(getModel('resnet-20'), 'tiny', { kind: 'image', inputShape: [3, 3, 1], numClasses: 2 }), /at least 4x4, got \[3, 3, 1\]/);
  assert.throws(() => checkModelFits(getModel('seed-cnn'), 'tiny', { kind: 'image', inputShape: [8, 8, 1], numClasses: 2 }), /at least 10x10/);
  fits('resnet-164', 'mnist')();
  fits('mlp', 'car-evaluation', ['prelu'])();
});

test('every data set has a default model that fits it; every model a default data set', () => {
  for (const dataset of DATASET_NAMES) {
    const model = defaultModelFor(dataset);
    checkModelFits(getModel(model), dataset, DATASET_INPUTS[dataset]);
  }
  assert.equal(DEFAULT_MODELS.cifar10, 'seed-cnn', "the article's command is unchanged");
  assert.deepEqual([DEFAULT_MODELS.mnist, DEFAULT_MODELS.iris, DEFAULT_MODELS['car-evaluation'], DEFAULT_MODELS.sentiment140], ['mlp', 'mlp', 'mlp', 'lstm']);
  for (const m of models) checkModelFits(m, defaultDatasetFor(m.name), DATASET_INPUTS[defaultDatasetFor(m.name)]);
  assert.equal(defaultDatasetFor('lstm'), 'sentiment140');
  assert.equal(defaultDatasetFor('resnet-20'), 'cifar10');
});
