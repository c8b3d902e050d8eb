import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import '../../src/index.js';
import { registerWasmTrainingKernels } from '../../src/backends/wasm/register.js';
import { createRng } from '../../src/random.js';
import type { Dataset } from '../../src/datasets/types.js';
import { getModel } from '../../src/models/registry.js';
import type { ModelBuildOptions } from '../../src/models/types.js';
import { cifarAugmenter } from '../../src/training/augment.js';
import { History, type Callback } from '../../src/training/callbacks.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/training/checkpoint.js';
import { exampleSets, type ExampleSet } from '../../src/training/data.js';
import { EarlyStopping } from '../../src/training/early_stopping.js';
import { fit } from '../../src/training/fit.js';
import { createOptimizer, type OptimizerConfig, type ScheduledOptimizer } from '../../src/training/optimizers.js';
import { LearningRateScheduler, type ScheduleConfig } from '../../src/training/schedules.js';
import { useBackend } from '../helpers/backends.js';

registerWasmTrainingKernels();

const bytes = (n: number, seed: string) => {
  const rng = createRng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(rng() * 256));
};
const labels = (n: number, classes: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) % classes);

function tinyImages(): Dataset {
  const split = (n: number, seed: string) => ({ images: bytes(n * 8 * 8 * 3, seed), labels: labels(n, 10), count: n });
  return {
    name: 'cifar10',
    kind: 'image',
    imageShape: [8, 8, 3],
    classNames: Array.from({ length: 10 }, (_, i) => `c${i}`),
    split: { method: 'official' },
    source: { path: 'memory', verification: 'structure', notes: [] },
    train: split(30, 'train'),
    test: split(10, 'test'),
  };
}

function tinyTweets(): Dataset {
  const split = (n: number, seed: string) => ({ sequences: Int32Array.from(bytes(n * 6, seed), (b) => b % 40), labels: labels(n, 2), count: n });
  return {
    name: 'sentiment140',
    kind: 'text',
    vocabulary: Array.from({ length: 40 }, (_, i) => `w${i}`),
    sequenceLength: 6,
    classNames: ['negative', 'positive'],
    split: { method: 'official' },
    source: { path: 'memory', verification: 'structure', notes: [] },
    train: split(24, 'train'),
    test: split(8, 'test'),
  };
}

interface Setup {
  model: string;
  build: Omit<ModelBuildOptions, 'activation' | 'seed'>;
  sets: { train: ExampleSet; test: ExampleSet };
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  epochs: number;
  batchSize: number;
  /** Early stopping patience on val_loss; the test picks one that never triggers. */
  patience?: number;
}

const weights = (model: tfl.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

/**
 * Trains `setup` for all epochs straight, and again interrupted after `stopAfter` epochs,
 * checkpointed, restored from disk into fresh objects and resumed; returns both.
 */
async function straightAndResumed(setup: Setup, stopAfter: number) {
  const callbacks = (optimizer: ScheduledOptimizer, history: History, past: History['epochs'] = []): Callback[] => {
    const list: Callback[] = [new LearningRateScheduler(optimizer, setup.schedule), history];
    if (setup.patience !== undefined) {
      const stopper = new EarlyStopping({ patience: setup.patience });
      stopper.replay(past);
      list.push(stopper);
    }
    return list;
  };
  const options = { epochs: setup.epochs, batchSize: setup.batchSize, seed: 17, validation: setup.sets.test };
  const build = () => getModel(setup.model).build({ ...setup.build, activation: 'lisht', seed: 3 });

  const straight = build();
  const straightOptimizer = createOptimizer(setup.optimizer);
  const h1 = new History();
  await fit(straight, setup.sets.train, { ...options, optimizer: straightOptimizer, callbacks: callbacks(straightOptimizer, h1) });

  const dir = await mkdtemp(join(tmpdir(), 'lisht-resume-'));
  try {
    const first = build();
    const firstOptimizer = createOptimizer(setup.optimizer);
    const h0 = new History();
    await fit(first, setup.sets.train, { ...options, epochs: stopAfter, optimizer: firstOptimizer, callbacks: callbacks(firstOptimizer, h0) });
    await saveCheckpoint(dir, first, firstOptimizer, { epoch: stopAfter, state: h0.epochs });
    first.dispose();
    firstOptimizer.dispose();

    const restored = await loadCheckpoint<History['epochs']>(dir);
    assert.ok(restored);
    const optimizer = createOptimizer(setup.optimizer);
    await optimizer.setWeights(restored.optimizerWeights);
    const h2 = new History();
    await fit(restored.model, setup.sets.train, {
      ...options,
      optimizer,
      initialEpoch: restored.meta.epoch,
      callbacks: callbacks(optimizer, h2, restored.meta.state),
    });
    return { straight: { history: h1.epochs, weights: weights(straight) }, resumed: { history: h2.epochs, weights: weights(restored.model) } };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const metrics = (epochs: History['epochs']) => epochs.map((e) => [e.epoch, e.loss, e.accuracy, e.val_loss, e.val_accuracy]);

test('ResNet-20, SGD + momentum + weight decay, step schedule, augmentation: resuming from a checkpoint repeats the uninterrupted run exactly', async () => {
  await useBackend('wasm');
  const data = tinyImages();
  const sets = exampleSets(data, {}, { augment: cifarAugmenter(17, [8, 8, 3]) });
  const { straight, resumed } = await straightAndResumed(
    {
      model: 'resnet-20',
      build: { inputShape: [8, 8, 3], numClasses: 10 },
      sets,
      optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 5e-4 },
      // The rate drops at epoch 3, after the interruption: the resumed run must apply it too.
      schedule: { name: 'step', lr: 0.05, epochs: 3, milestones: [3] },
      epochs: 3,
      batchSize: 10,
      patience: 10,
    },
    1,
  );
  assert.equal(straight.history.length, 3);
  assert.deepEqual(metrics(resumed.history), metrics(straight.history.slice(1)));
  // Every weight, batch normalization's moving statistics included.
  assert.deepEqual(resumed.weights, straight.weights);
});

test('LSTM, Adam + cosine schedule: resuming from a checkpoint repeats the uninterrupted run exactly', async () => {
  await useBackend('wasm');
  const { straight, resumed } = await straightAndResumed(
    {
      model: 'lstm',
      build: { inputShape: [6], numClasses: 2, vocabularySize: 40 },
      sets: exampleSets(tinyTweets()),
      optimizer: { name: 'adam', lr: 0.01 },
      schedule: { name: 'cosine', lr: 0.01, epochs: 3 },
      epochs: 3,
      batchSize: 8,
    },
    2,
  );
  assert.deepEqual(metrics(resumed.history), metrics(straight.history.slice(2)));
  assert.deepEqual(resumed.weights, straight.weights);
});
