import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '../../src/index.js';
import { useBackend } from '../helpers/backends.js';
import { fit, epochOrder, TrainingDivergedError } from '../../src/training/fit.js';
import { History } from '../../src/training/callbacks.js';
import { createAdam } from '../../src/training/optimizers.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/training/checkpoint.js';
import { loadModel, saveModel } from '../../src/training/model_files.js';
import { sparseCategoricalCrossentropy } from '../../src/training/losses.js';
import type { ExampleSet } from '../../src/training/data.js';
import { ProgressBar } from '../../src/training/progress.js';

/** Two Gaussian blobs per class in 2-D: separable, so accuracy must rise. */
function blobs(count: number, seed: number): ExampleSet {
  const x = tf.tidy(() => tf.randomNormal([count, 2], 0, 0.6, 'float32', seed).dataSync() as Float32Array);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 3;
    x[2 * i] += [-2, 2, 0][labels[i]];
    x[2 * i + 1] += [0, 0, 2.5][labels[i]];
  }
  return {
    count,
    inputShape: [2],
    labels,
    inputs: (order, start, end) => tf.tensor2d(Array.from({ length: end - start }, (_, b) => { const r = order ? order[start + b] : start + b; return [x[2 * r], x[2 * r + 1]]; })),
    targets: (order, start, end) => tf.tensor1d(Array.from({ length: end - start }, (_, b) => labels[order ? order[start + b] : start + b]), 'int32'),
  };
}

function mlp(seed: number): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 16, inputShape: [2], activation: 'lisht' as 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
      tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

test('sparse categorical cross-entropy matches the formula', async () => {
  await useBackend('cpu');
  const p = tf.tensor2d([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]);
  const loss = (await sparseCategoricalCrossentropy(p, tf.tensor1d([0, 1], 'int32')).data())[0];
  assert.ok(Math.abs(loss - -(Math.log(0.7) + Math.log(0.1)) / 2) < 1e-6);
});

test('epoch order is a seeded permutation that differs between epochs', () => {
  const a = epochOrder(100, 7, 0);
  assert.deepEqual(Array.from(a).sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(a, epochOrder(100, 7, 0));
  assert.notDeepEqual(a, epochOrder(100, 7, 1));
  assert.notDeepEqual(a, epochOrder(100, 8, 0));
});

test('fit learns separable blobs, records history and reports progress lines', async () => {
  await useBackend('cpu');
  const history = new History();
  const lines: string[] = [];
  const out = { write: (s: string) => lines.push(s), isTTY: false };
  const result = await fit(mlp(1), blobs(300, 2), {
    optimizer: createAdam(0.01),
    epochs: 5,
    batchSize: 32,
    seed: 3,
    validation: blobs(90, 4),
    callbacks: [history, new ProgressBar(out)],
  });
  assert.equal(result.epochsDone, 5);
  assert.equal(history.epochs.length, 5);
  const last = history.epochs[4];
  assert.ok(last.accuracy > 0.9 && last.val_accuracy! > 0.9, JSON.stringify(last));
  assert.equal(result.lastValidation?.accuracy, last.val_accuracy);
  assert.equal(lines.length, 5);
  assert.match(lines[0], /^Epoch 1\/5 - \d+s \d+ms\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}\n$/);
});

test('the live progress bar on a TTY draws Keras-style lines', async () => {
  await useBackend('cpu');
  let text = '';
  const out = { write: (s: string) => (text += s), isTTY: true, columns: 200 };
  await fit(mlp(1), blobs(64, 2), { optimizer: createAdam(), epochs: 1, batchSize: 16, seed: 1, callbacks: [new ProgressBar(out)] });
  assert.match(text, /^Epoch 1\/1\n/);
  assert.match(text, /\r4\/4 \[=+\] - \d+s \d+ms\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}\x1b\[K\n$/);
});

test('a NaN loss stops training with the epoch and step', async () => {
  await useBackend('cpu');
  const model = mlp(1);
  model.layers[0].setWeights([tf.fill([2, 16], NaN), tf.zeros([16])]);
  await assert.rejects(
    fit(model, blobs(64, 2), { optimizer: createAdam(), epochs: 2, batchSize: 16, seed: 1 }),
    (e: unknown) => e instanceof TrainingDivergedError && e.epoch === 1 && e.step === 1 && /epoch 1, step 1/.test(e.message),
  );
});

test('an aborted fit stops after the current step and records no partial epoch', async () => {
  await useBackend('cpu');
  const controller = new AbortController();
  const history = new History();
  const result = await fit(mlp(1), blobs(64, 2), {
    optimizer: createAdam(),
    epochs: 3,
    batchSize: 16,
    seed: 1,
    signal: controller.signal,
    callbacks: [history, { onBatchEnd: (step) => { if (step === 1) controller.abort(); } }],
  });
  assert.equal(result.interrupted, true);
  assert.equal(result.epochsDone, 0);
  assert.equal(history.epochs.length, 0);
});

test('resuming from a checkpoint gives exactly the uninterrupted run', async () => {
  await useBackend('cpu');
  const dir = await mkdtemp(join(tmpdir(), 'lisht-ckpt-'));
  try {
    const train = blobs(96, 5);
    const options = { epochs: 4, batchSize: 32, seed: 9 };
    const straight = mlp(11);
    const h1 = new History();
    await fit(straight, train, { ...options, optimizer: createAdam(), callbacks: [h1] });

    const first = mlp(11);
    const opt = createAdam();
    await fit(first, train, { ...options, epochs: 2, optimizer: opt });
    await saveCheckpoint(dir, first, opt, { epoch: 2, state: { note: 'x' } });
    const restored = await loadCheckpoint<{ note: string }>(dir);
    assert.ok(restored);
    assert.equal(restored.meta.epoch, 2);
    assert.deepEqual(restored.meta.state, { note: 'x' });
    const opt2 = createAdam();
    await opt2.setWeights(restored.optimizerWeights);
    const h2 = new History();
    await fit(restored.model, train, { ...options, optimizer: opt2, initialEpoch: 2, callbacks: [h2] });
    assert.deepEqual(h2.epochs.map((e) => [e.epoch, e.loss, e.accuracy]), h1.epochs.slice(2).map((e) => [e.epoch, e.loss, e.accuracy]));
    const w1 = straight.getWeights().map((w) => Array.from(w.dataSync()));
    const w2 = restored.model.getWeights().map((w) => Array.from(w.dataSync()));
    assert.deepEqual(w2, w1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('models saved as files load back with identical predictions', async () => {
  await useBackend('cpu');
  const dir = await mkdtemp(join(tmpdir(), 'lisht-model-'));
  try {
    const model = mlp(21);
    await saveModel(model, dir);
    const loaded = await loadModel(dir);
    const x = tf.randomNormal([5, 2], 0, 1, 'float32', 1);
    assert.deepEqual(Array.from((loaded.predict(x) as tf.Tensor).dataSync()), Array.from((model.predict(x) as tf.Tensor).dataSync()));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
