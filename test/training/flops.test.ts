import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/index.js';
import { buildSeedCnn } from '../../src/models/seed_cnn.js';
import { trainingStepFlops } from '../../src/training/flops.js';
import { useBackend } from '../helpers/backends.js';

test("seed-cnn's training step is about 2.2 GFLOP at batch 100", async () => {
  await useBackend('cpu');
  const model = buildSeedCnn({ inputShape: [32, 32, 3], numClasses: 10, activation: 'relu', seed: 1 });
  // conv1: forward + weight gradient; conv2 and dense: forward + weight and input gradients.
  const conv1 = 2 * 100 * 30 * 30 * (3 * 3 * 3 * 32);
  const conv2 = 2 * 100 * 13 * 13 * (3 * 3 * 32 * 64);
  const dense = 2 * 100 * 2304 * 10;
  assert.equal(trainingStepFlops(model, 100), 2 * conv1 + 3 * conv2 + 3 * dense);
  assert.ok(Math.abs(trainingStepFlops(model, 100) / 1e9 - 2.19) < 0.01);
});
