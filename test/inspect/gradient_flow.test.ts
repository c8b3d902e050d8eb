import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '../../src/index.js';
import { GradientFlowCallback, measureGradientFlow, probeBatch } from '../../src/diagnostics/gradient_flow.js';
import { activationSites, recordActivations, disposeRecorded } from '../../src/diagnostics/probe.js';
import type { ExampleSet } from '../../src/training/data.js';
import { fit } from '../../src/training/fit.js';
import { useBackend } from '../helpers/backends.js';

// Two examples, two inputs; hidden Dense(2) then Dense(2, softmax). Hidden unit 1 is negative
// for both examples, so with ReLU it is dead.
const X = [
  [1, 2],
  [0.5, -1],
];
const LABELS = [0, 1];
const W1 = [
  [0.5, -1],
  [0.25, -0.5],
];
const B1 = [0.1, -0.2];
const W2 = [
  [0.3, -0.2],
  [0.7, 0.1],
];
const B2 = [0.05, -0.05];

function tinyModel(activation: 'relu' | 'tanh' | 'lisht', w1 = W1, b1 = B1): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [2], units: 2, activation: activation as 'relu', name: 'hidden' }),
      tfl.layers.dense({ units: 2, activation: 'softmax', name: 'out' }),
    ],
  });
  model.setWeights([tf.tensor2d(w1), tf.tensor1d(b1), tf.tensor2d(W2), tf.tensor1d(B2)]);
  return model;
}

const F = {
  relu: { f: (z: number) => Math.max(0, z), d: (z: number) => (z > 0 ? 1 : 0) },
  tanh: { f: Math.tanh, d: (z: number) => 1 - Math.tanh(z) ** 2 },
  lisht: { f: (z: number) => z * Math.tanh(z), d: (z: number) => Math.tanh(z) + z * (1 - Math.tanh(z) ** 2) },
};

/** The network and its backward pass written out by hand, in float64. */
function byHand(act: keyof typeof F, w1 = W1, b1 = B1) {
  const n = X.length;
  const z1 = X.map((x) => [0, 1].map((j) => x[0]! * w1[0]![j]! + x[1]! * w1[1]![j]! + b1[j]!));
  const h = z1.map((row) => row.map(F[act].f));
  const logits = h.map((row) => [0, 1].map((k) => row[0]! * W2[0]![k]! + row[1]! * W2[1]![k]! + B2[k]!));
  const p = logits.map((l) => {
    const m = Math.max(...l);
    const e = l.map((v) => Math.exp(v - m));
    const s = e[0]! + e[1]!;
    return e.map((v) => v / s);
  });
  const loss = -p.reduce((s, row, i) => s + Math.log(row[LABELS[i]!]!), 0) / n;
  // dL/dlogits = (p - onehot) / n
  const g = p.map((row, i) => row.map((v, k) => (v - (LABELS[i] === k ? 1 : 0)) / n));
  const dW2 = [0, 1].map((j) => [0, 1].map((k) => h[0]![j]! * g[0]![k]! + h[1]![j]! * g[1]![k]!));
  const db2 = [0, 1].map((k) => g[0]![k]! + g[1]![k]!);
  const dh = g.map((row) => [0, 1].map((j) => row[0]! * W2[j]![0]! + row[1]! * W2[j]![1]!));
  const dz1 = dh.map((row, i) => row.map((v, j) => v * F[act].d(z1[i]![j]!)));
  const dW1 = [0, 1].map((a) => [0, 1].map((j) => X[0]![a]! * dz1[0]![j]! + X[1]![a]! * dz1[1]![j]!));
  const db1 = [0, 1].map((j) => dz1[0]![j]! + dz1[1]![j]!);
  const norm = (...parts: number[][]) => Math.sqrt(parts.flat().reduce((s, v) => s + v * v, 0));
  const hv = h.flat();
  const mean = hv.reduce((a, b) => a + b, 0) / hv.length;
  const std = Math.sqrt(hv.reduce((a, b) => a + (b - mean) ** 2, 0) / hv.length);
  const deriv = z1.map((row) => row.map(F[act].d));
  const units = [0, 1];
  const dead = units.filter((j) => h.every((row) => row[j] === 0));
  const low = (v: number) => Math.abs(v) < 1e-3;
  const saturated = units.filter((j) => !dead.includes(j) && deriv.every((row) => low(row[j]!)));
  return {
    loss,
    hidden: { grad: norm(...dW1, db1), weight: norm(...w1, b1) },
    out: { grad: norm(...dW2, db2), weight: norm(...W2, B2) },
    stats: {
      mean,
      std,
      zero: hv.filter((v) => v === 0).length / hv.length,
      dead: dead.length / 2,
      lowGradient: deriv.flat().filter(low).length / hv.length,
      saturated: saturated.length / 2,
    },
  };
}

const close = (got: number | null | undefined, want: number, what: string, tol = 1e-5) =>
  assert.ok(got !== null && got !== undefined && Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `${what}: got ${got}, want ${want}`);

async function check(act: keyof typeof F, w1 = W1, b1 = B1) {
  const model = tinyModel(act, w1, b1);
  const x = tf.tensor2d(X);
  const y = tf.tensor1d(LABELS, 'int32');
  const before = tf.memory().numTensors;
  const record = await measureGradientFlow(model, x, y, 3);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  const want = byHand(act, w1, b1);
  assert.equal(record.epoch, 3);
  assert.equal(record.probe_size, 2);
  close(record.loss, want.loss, 'loss');
  assert.deepEqual(record.layers.map((l) => [l.layer, l.class_name]), [['hidden', 'Dense'], ['out', 'Dense']]);
  const [hidden, out] = record.layers;
  close(hidden!.grad_norm, want.hidden.grad, 'hidden gradient norm');
  close(hidden!.weight_norm, want.hidden.weight, 'hidden weight norm');
  close(out!.grad_norm, want.out.grad, 'output gradient norm');
  close(out!.weight_norm, want.out.weight, 'output weight norm');
  assert.equal(out!.activation, null, 'the softmax output is not an activation site');
  const s = hidden!.activation!;
  assert.equal(s.activation, act);
  assert.equal(s.units, 2);
  close(s.mean, want.stats.mean, 'mean');
  close(s.std, want.stats.std, 'std');
  assert.equal(s.zero_fraction, want.stats.zero, 'zero fraction');
  assert.equal(s.dead_fraction, want.stats.dead, 'dead fraction');
  assert.equal(s.low_gradient_fraction, want.stats.lowGradient, 'low-gradient fraction');
  assert.equal(s.saturated_fraction, want.stats.saturated, 'saturated fraction');
  tf.dispose([x, y]);
  model.dispose();
  return record;
}

for (const backend of ['cpu', 'wasm']) {
  test(`gradient flow on a tiny ReLU model equals the hand computation (${backend})`, async () => {
    await useBackend(backend);
    const r = await check('relu');
    // The hand computation's facts, stated: unit 1 is dead, so half the units and outputs.
    assert.equal(r.layers[0]!.activation!.dead_fraction, 0.5);
    assert.equal(r.layers[0]!.activation!.zero_fraction, 0.5);
    assert.equal(r.layers[0]!.activation!.saturated_fraction, 0, 'dead units are not counted as saturated');
  });

  test(`gradient flow: tanh units driven to ±1 count as saturated, not dead (${backend})`, async () => {
    await useBackend(backend);
    // Unit 0 gets |z| >= 5.5 for both examples: tanh'(z) < 1e-3 there.
    const r = await check('tanh', [[10, 0.3], [0, 0.2]], [0.5, 0]);
    assert.equal(r.layers[0]!.activation!.saturated_fraction, 0.5);
    assert.equal(r.layers[0]!.activation!.dead_fraction, 0);
  });

  test(`gradient flow: LiSHT has no dead units where ReLU has one (${backend})`, async () => {
    await useBackend(backend);
    const r = await check('lisht');
    assert.equal(r.layers[0]!.activation!.dead_fraction, 0);
    assert.equal(r.layers[0]!.activation!.zero_fraction, 0);
  });
}

test('recording activations leaves the model as it was, also when the forward pass throws', async () => {
  await useBackend('cpu');
  const model = tinyModel('relu');
  const layer = model.getLayer('hidden') as unknown as { activation: unknown };
  const original = layer.activation;
  const x = tf.tensor2d(X);
  const plain = (model.predict(x) as tf.Tensor).arraySync();
  const { result, recorded } = recordActivations(activationSites(model), () => model.apply(x) as tf.Tensor);
  assert.equal(recorded.length, 1);
  assert.deepEqual(recorded[0]!.output.shape, [2, 2]);
  assert.deepEqual(result.arraySync(), plain);
  assert.equal(layer.activation, original);
  assert.throws(() => recordActivations(activationSites(model), () => {
    throw new Error('boom');
  }), /boom/);
  assert.equal(layer.activation, original);
  disposeRecorded(recorded);
  tf.dispose([x, result]);
  model.dispose();
});

test('standalone activation layers (LiSHT layer, PReLU) are probed too', async () => {
  await useBackend('cpu');
  const { getActivation } = await import('../../src/activations/zoo.js');
  for (const name of ['lisht', 'prelu']) {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [2], units: 3, name: 'lin' }), getActivation(name).layer({ name: 'act' }), tfl.layers.dense({ units: 2, activation: 'softmax' })],
    });
    const sites = activationSites(model);
    assert.deepEqual(sites.map((s) => [s.layer.name, s.kind]), [['act', 'layer']], name);
    const r = await measureGradientFlow(model, tf.tensor2d(X), tf.tensor1d(LABELS, 'int32'), 0);
    const act = r.layers.find((l) => l.layer === 'act')!;
    assert.equal(act.activation!.units, 3);
    if (name === 'prelu') assert.ok(act.grad_norm! > 0, 'PReLU has a learned slope, so a gradient');
    model.dispose();
  }
});

/** A small in-memory ExampleSet of 2-feature examples. */
function tinySet(count: number): ExampleSet {
  const features = Float32Array.from({ length: count * 2 }, (_, i) => Math.sin(i * 1.7));
  const labels = Int32Array.from({ length: count }, (_, i) => i % 2);
  return {
    count,
    inputShape: [2],
    labels,
    inputs: (order, start, end) => tf.tensor2d(Array.from({ length: end - start }, (_, b) => {
      const i = order === null ? start + b : order[start + b]!;
      return [features[2 * i]!, features[2 * i + 1]!];
    })),
    targets: (order, start, end) => tf.tensor1d(Array.from({ length: end - start }, (_, b) => labels[order === null ? start + b : order[start + b]!]!), 'int32'),
  };
}

test('the callback records epoch 0 and every epoch on the same probe examples, without leaking tensors', async () => {
  await useBackend('cpu');
  const model = tinyModel('relu');
  const set = tinySet(40);
  const probe = probeBatch(set, 16, 3);
  assert.equal(probe.indices.length, 16);
  assert.deepEqual([...probeBatch(set, 16, 3).indices], [...probe.indices], 'same seed, same probe');
  assert.equal(probeBatch(set, 100, 3).indices.length, 40, 'never more than the set');
  const optimizer = tf.train.adam(0.05);
  const callback = new GradientFlowCallback(model, probe);
  const before = tf.memory().numTensors;
  await fit(model, set, { optimizer, epochs: 3, batchSize: 10, seed: 1, callbacks: [callback] });
  assert.deepEqual(callback.records.map((r) => r.epoch), [0, 1, 2, 3]);
  assert.ok(callback.records.every((r) => r.probe_size === 16 && r.layers.length === 2));
  const norms = callback.records.map((r) => r.layers[0]!.weight_norm!);
  assert.notEqual(norms[0], norms[3], 'training moved the weights');
  // Resuming after epoch 3 does not measure epoch 0 again.
  await fit(model, set, { optimizer, epochs: 4, batchSize: 10, seed: 1, initialEpoch: 3, callbacks: [callback] });
  assert.deepEqual(callback.records.map((r) => r.epoch), [0, 1, 2, 3, 4]);
  optimizer.dispose();
  // Adam's slots are the only new tensors (two per weight, plus its step counters).
  assert.ok(tf.memory().numTensors - before <= 10, `leaked ${tf.memory().numTensors - before} tensors`);
  model.dispose();
});
