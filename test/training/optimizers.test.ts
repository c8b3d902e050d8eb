import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '../../src/index.js';
import { UserError } from '../../src/errors.js';
import { createAdam, createOptimizer, describeOptimizer, resolveOptimizerConfig, type ScheduledOptimizer } from '../../src/training/optimizers.js';
import { useBackend } from '../helpers/backends.js';
import { registerWasmTrainingKernels } from '../../src/backends/wasm/register.js';

registerWasmTrainingKernels();

/** Minimises 0.5 * sum(w^2) (gradient w) for `steps` steps from `start`; returns w after each. */
function descend(optimizer: tf.Optimizer, start: number[], steps: number, onStep?: (i: number) => void): number[][] {
  const w = tf.variable(tf.tensor1d(start));
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) {
    onStep?.(i);
    optimizer.minimize(() => tf.mul(0.5, tf.sum(tf.square(w))) as tf.Scalar, false, [w]);
    out.push(Array.from(w.dataSync()));
  }
  w.dispose();
  return out;
}

const close = (a: number[][], b: number[][], what: string) =>
  a.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - b[i][j]) < 1e-6, `${what}: step ${i + 1}: ${v} vs ${b[i][j]}`)));

test('SGD: momentum as He et al.\'s Torch (v = m v + g, w -= lr v) with coupled L2 weight decay', async () => {
  await useBackend('cpu');
  const [lr, m, wd] = [0.1, 0.9, 0.01];
  const got = descend(createOptimizer({ name: 'sgd', lr, momentum: m, weightDecay: wd }), [1, -2], 3);
  // By hand: g = w + wd w.
  const expected: number[][] = [];
  let w = [1, -2];
  let v = [0, 0];
  for (let i = 0; i < 3; i++) {
    v = v.map((vi, j) => m * vi + (w[j] + wd * w[j]));
    w = w.map((wi, j) => wi - lr * v[j]);
    expected.push(w);
  }
  close(got, expected, 'sgd');
});

test('Adam without weight decay is exactly tfjs Adam with Keras\'s epsilon; with it, L2 enters the gradient', async () => {
  await useBackend('cpu');
  const ours = descend(createAdam(0.05), [0.3, -1, 2], 4);
  const reference = descend(tf.train.adam(0.05, 0.9, 0.999, 1e-7), [0.3, -1, 2], 4);
  assert.deepEqual(ours, reference);
  // Adam's first step moves every weight by lr * sign(g) (bias-corrected m / sqrt(v) = g / |g|).
  const [first] = descend(createOptimizer({ name: 'adam', lr: 0.05, weightDecay: 0.5 }), [0.3, -1, 2], 1);
  close([first], [[0.25, -0.95, 1.95]], 'adam + decay, first step');
});

test('the learning rate can be changed between steps, for Adam and for SGD', async () => {
  await useBackend('cpu');
  const sgd = createOptimizer({ name: 'sgd', lr: 0.1, momentum: 0, weightDecay: 0 });
  const sgdSteps = descend(sgd, [1], 2, (i) => i === 1 && sgd.setLearningRate(0.5));
  close(sgdSteps, [[0.9], [0.45]], 'sgd');
  assert.equal(sgd.currentLearningRate, 0.5);
  const adam: ScheduledOptimizer = createAdam(0.1);
  const adamSteps = descend(adam, [1], 2, (i) => i === 1 && adam.setLearningRate(0.01));
  // Step 2: m and v of a constant-sign gradient still give a step of about lr.
  assert.ok(Math.abs(adamSteps[0][0] - 0.9) < 1e-6);
  assert.ok(Math.abs(adamSteps[0][0] - adamSteps[1][0] - 0.01) < 2e-3, `second Adam step ${adamSteps[0][0] - adamSteps[1][0]}`);
  assert.equal(adam.currentLearningRate, 0.01);
});

test('optimizer settings: defaults per optimizer, clear errors for bad values', () => {
  assert.deepEqual(resolveOptimizerConfig({ name: 'adam' }), { name: 'adam', lr: 0.001, momentum: null, weightDecay: 0 });
  assert.deepEqual(resolveOptimizerConfig({ name: 'sgd' }), { name: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
  assert.equal(describeOptimizer(resolveOptimizerConfig({ name: 'adam' })), 'Adam (learning rate 0.001, epsilon 1e-7)');
  assert.equal(describeOptimizer(resolveOptimizerConfig({ name: 'sgd' })), 'SGD (learning rate 0.1, momentum 0.9, weight decay 0.0001 (L2, coupled))');
  const bad: [Parameters<typeof resolveOptimizerConfig>[0], RegExp][] = [
    [{ name: 'sgd', lr: 0 }, /learning rate must be a positive number, got 0/],
    [{ name: 'adam', lr: -1 }, /learning rate/],
    [{ name: 'sgd', momentum: 1 }, /momentum must be in \[0, 1\), got 1/],
    [{ name: 'sgd', momentum: -0.1 }, /momentum/],
    [{ name: 'adam', momentum: 0.9 }, /momentum applies to the sgd optimizer only/],
    [{ name: 'sgd', weightDecay: -1e-4 }, /weight decay must be a number >= 0/],
    [{ name: 'rmsprop' as 'adam' }, /unknown optimizer 'rmsprop'; choose one of adam, sgd/],
  ];
  for (const [config, message] of bad) assert.throws(() => resolveOptimizerConfig(config), (e: unknown) => e instanceof UserError && message.test(e.message), JSON.stringify(config));
});

test('SGD state survives getWeights/setWeights: a restored optimizer continues identically', async () => {
  await useBackend('cpu');
  const w = tf.variable(tf.tensor1d([1, 2]), true, 'w-restore');
  const loss = () => tf.sum(tf.square(w)) as tf.Scalar;
  const a = createOptimizer({ name: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 1e-3 });
  a.minimize(loss, false, [w]);
  const saved = (await a.getWeights()).map((x) => ({ name: x.name, tensor: tf.clone(x.tensor) }));
  const start = tf.clone(w);
  a.minimize(loss, false, [w]);
  const straight = Array.from(w.dataSync());
  w.assign(start);
  const b = createOptimizer({ name: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 1e-3 });
  await b.setWeights(saved);
  b.minimize(loss, false, [w]);
  assert.deepEqual(Array.from(w.dataSync()), straight);
  assert.equal(b.iterations, 2);
  w.dispose();
});

for (const backend of ['cpu', 'wasm']) {
  test(`Adam restored after 25 steps continues bit for bit on ${backend} (tfjs alone drifts in the last bits)`, async () => {
    await useBackend(backend);
    const run = async (restoreAt?: number) => {
      const w = tf.variable(tf.tensor1d([0.5, -0.3, 0.2]));
      const target = tf.tensor1d([1, 2, 3]);
      let optimizer = createAdam();
      for (let i = 0; i < 30; i++) {
        if (i === restoreAt) {
          const saved = (await optimizer.getWeights()).map((x) => ({ name: x.name, tensor: tf.clone(x.tensor) }));
          optimizer = createAdam();
          await optimizer.setWeights(saved);
        }
        optimizer.minimize(() => tf.sum(tf.square(tf.sub(w, target))) as tf.Scalar, false, [w]);
      }
      const out = Array.from(w.dataSync());
      tf.dispose([w, target]);
      return out;
    };
    assert.deepEqual(await run(25), await run());
  });
}
