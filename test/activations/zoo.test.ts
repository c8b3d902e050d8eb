import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { ACTIVATION_NAMES, activations, getActivation, resolveActivationName, UserError } from '../../src/index.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';

// Away from the kinks of ReLU-like functions (at 0), where finite differences do not apply.
const POINTS = [-6, -3.2, -1.7, -1, -0.6, -0.21, -0.05, 0.05, 0.21, 0.6, 1, 1.7, 3.2, 6];

test('the zoo has every activation the paper compares, and more', () => {
  for (const name of ['lisht', 'relu', 'leaky_relu', 'prelu', 'elu', 'selu', 'gelu', 'swish', 'mish', 'softplus', 'tanh', 'sigmoid', 'linear']) {
    assert.ok((ACTIVATION_NAMES as readonly string[]).includes(name), name);
    assert.equal(getActivation(name).name, name);
  }
  assert.equal(activations.length, ACTIVATION_NAMES.length);
  assert.equal(resolveActivationName('SiLU'), 'swish');
  assert.equal(resolveActivationName('nope'), undefined);
  assert.throws(() => getActivation('relu7'), (e: unknown) => e instanceof UserError && /unknown activation 'relu7'.*lisht/.test(e.message));
});

for (const spec of activations) {
  test(`${spec.name}: derivative matches central finite differences in float64`, () => {
    const h = 1e-5;
    for (const x of POINTS) {
      const fd = (spec.fn(x + h) - spec.fn(x - h)) / (2 * h);
      const d = spec.derivative(x);
      assert.ok(Math.abs(fd - d) <= 1e-6 * Math.max(1, Math.abs(d)), `${spec.name}'(${x}): derivative ${d}, finite difference ${fd}`);
    }
  });

  for (const backend of TEST_BACKENDS) {
    test(`${spec.name} on ${backend}: tensor op and its gradient match the float64 function and derivative`, async () => {
      await useBackend(backend);
      const x = tf.tensor1d(POINTS);
      const y = await tf.tidy(() => spec.apply(x)).data();
      const g = await tf.grad((v: tf.Tensor) => spec.apply(v))(x).data();
      POINTS.forEach((p, i) => {
        const f = spec.fn(p);
        const d = spec.derivative(p);
        assert.ok(Math.abs(y[i] - f) <= 2e-6 * Math.max(1, Math.abs(f)), `${spec.name}(${p}) = ${y[i]}, want ${f}`);
        assert.ok(Math.abs(g[i] - d) <= 2e-5 * Math.max(1, Math.abs(d)), `${spec.name}'(${p}) = ${g[i]}, want ${d}`);
      });
    });
  }
}

test('issue 12: every stateless activation of the zoo leaves no tensor behind (PReLU made its slope outside tidy)', async () => {
  await useBackend('cpu');
  const x = tf.tensor1d([-2, -0.5, 0, 0.5, 2]);
  for (const spec of activations.filter((a) => a.apply !== undefined)) {
    const before = tf.memory().numTensors;
    const y = spec.apply!(x);
    y.dispose();
    assert.equal(tf.memory().numTensors, before, `${spec.name} leaked ${tf.memory().numTensors - before} tensors`);
  }
  x.dispose();
});
