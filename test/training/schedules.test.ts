import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '../../src/index.js';
import { UserError } from '../../src/errors.js';
import { fit } from '../../src/training/fit.js';
import type { ExampleSet } from '../../src/training/data.js';
import { createOptimizer } from '../../src/training/optimizers.js';
import { checkSchedule, describeSchedule, LearningRateScheduler, scheduledRate, stepMilestones, type ScheduleConfig } from '../../src/training/schedules.js';
import { useBackend } from '../helpers/backends.js';

test("step decay: x0.1 at 50% and 75% of the run by default (He et al.'s 32k and 48k of 64k steps)", () => {
  const config: ScheduleConfig = { name: 'step', lr: 0.1, epochs: 164 };
  assert.deepEqual(stepMilestones(164), [83, 124]);
  const rate = (epoch1: number) => scheduledRate(config, epoch1 - 1);
  for (const [epoch, lr] of [[1, 0.1], [82, 0.1], [83, 0.01], [123, 0.01], [124, 0.001], [164, 0.001]] as const) {
    assert.ok(Math.abs(rate(epoch) - lr) < 1e-12, `epoch ${epoch}: ${rate(epoch)}`);
  }
  const custom: ScheduleConfig = { name: 'step', lr: 1, epochs: 10, milestones: [3, 6], gamma: 0.5 };
  assert.deepEqual(Array.from({ length: 10 }, (_, e) => scheduledRate(custom, e)), [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25]);
  assert.equal(describeSchedule(config), 'step: x0.1 from epochs 83, 124');
});

test('cosine: from the initial rate down towards 0, half way at half the run; none is constant', () => {
  const config: ScheduleConfig = { name: 'cosine', lr: 0.2, epochs: 10 };
  const rates = Array.from({ length: 10 }, (_, e) => scheduledRate(config, e));
  assert.equal(rates[0], 0.2);
  assert.ok(Math.abs(rates[5] - 0.1) < 1e-12);
  assert.ok(rates.every((r, i) => r > 0 && (i === 0 || r < rates[i - 1])), rates.join(', '));
  assert.deepEqual([0, 5, 9].map((e) => scheduledRate({ name: 'none', lr: 0.3, epochs: 10 }, e)), [0.3, 0.3, 0.3]);
});

test('bad schedule settings are refused with the reason', () => {
  const bad: [ScheduleConfig, RegExp][] = [
    [{ name: 'linear' as 'step', lr: 1, epochs: 3 }, /unknown schedule 'linear'; choose one of none, step, cosine/],
    [{ name: 'cosine', lr: 1, epochs: 3, milestones: [2] }, /milestones apply to the step schedule only/],
    [{ name: 'step', lr: 1, epochs: 9, milestones: [5, 3] }, /milestones must be increasing epochs from 2 on, got 5, 3/],
    [{ name: 'step', lr: 1, epochs: 9, milestones: [1] }, /from 2 on/],
    [{ name: 'step', lr: 1, epochs: 9, gamma: 1.5 }, /factor must be in \(0, 1\)/],
  ];
  for (const [config, message] of bad) assert.throws(() => checkSchedule(config), (e: unknown) => e instanceof UserError && message.test(e.message), JSON.stringify(config));
});

test('the scheduler sets the rate each epoch inside fit, for SGD with momentum and for Adam', async () => {
  await useBackend('cpu');
  const x = tf.randomNormal([20, 3], 0, 1, 'float32', 1).dataSync();
  const set: ExampleSet = {
    count: 20,
    inputShape: [3],
    labels: Int32Array.from({ length: 20 }, (_, i) => i % 2),
    inputs: (order, start, end) => tf.tensor2d(Array.from({ length: end - start }, (_, b) => Array.from(x.subarray((order ? order[start + b] : start + b) * 3, (order ? order[start + b] : start + b) * 3 + 3)))),
    targets: (order, start, end) => tf.tensor1d(Array.from({ length: end - start }, (_, b) => (order ? order[start + b] : start + b) % 2), 'int32'),
  };
  for (const name of ['sgd', 'adam'] as const) {
    const optimizer = createOptimizer({ name, lr: 0.1 });
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3], activation: 'softmax' })] });
    const seen: number[] = [];
    await fit(model, set, {
      optimizer,
      epochs: 4,
      batchSize: 10,
      seed: 1,
      callbacks: [new LearningRateScheduler(optimizer, { name: 'step', lr: 0.1, epochs: 4, milestones: [2, 4] }), { onBatchEnd: () => void seen.push(optimizer.currentLearningRate) }],
    });
    const expected = [0.1, 0.1, 0.01, 0.01, 0.01, 0.01, 0.001, 0.001];
    seen.forEach((r, i) => assert.ok(Math.abs(r - expected[i]) < 1e-12, `${name}, step ${i}: ${r}`));
    assert.equal(seen.length, 8);
  }
});
