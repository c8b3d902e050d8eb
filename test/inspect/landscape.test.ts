import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '../../src/index.js';
import { landscape2dChart } from '../../src/inspect/charts.js';
import { contourLines } from '../../src/inspect/contours.js';
import { filterNorms, filterNormalize, randomDirection } from '../../src/inspect/directions.js';
import { interpolate1d, linspace, LossEvaluator, snapshotWeights, surface2d } from '../../src/inspect/landscape.js';
import { renderSvg } from '../../src/reports/render.js';
import type { ExampleSet } from '../../src/training/data.js';
import { evaluate } from '../../src/training/evaluate.js';
import { useBackend } from '../helpers/backends.js';

function tinyCnn(seed: number, activation: 'relu' | 'lisht' = 'relu'): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: activation as 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }), biasInitializer: tfl.initializers.randomNormal({ seed: seed + 50, stddev: 0.1 }) }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 100 }) }),
    ],
  });
}

/** 30 deterministic 6x6x2 examples, 3 classes. */
function imageSet(count = 30): ExampleSet {
  const size = 6 * 6 * 2;
  const rows = Float32Array.from({ length: count * size }, (_, i) => Math.sin(i * 0.37) * Math.cos(i * 0.011));
  const labels = Int32Array.from({ length: count }, (_, i) => (i * 7) % 3);
  const pick = (order: ArrayLike<number> | null, start: number, end: number) => Array.from({ length: end - start }, (_, b) => (order === null ? start + b : order[start + b]!));
  return {
    count,
    inputShape: [6, 6, 2],
    labels,
    inputs: (order, start, end) => {
      const idx = pick(order, start, end);
      const out = new Float32Array(idx.length * size);
      idx.forEach((i, b) => out.set(rows.subarray(i * size, (i + 1) * size), b * size));
      return tf.tensor4d(out, [idx.length, 6, 6, 2]);
    },
    targets: (order, start, end) => tf.tensor1d(pick(order, start, end).map((i) => labels[i]!), 'int32'),
  };
}

test('filter normalisation gives every direction filter the norm of the weight filter; 1-D weights get zero', async () => {
  await useBackend('cpu');
  const w = [tf.randomNormal([3, 3, 2, 4], 0, 0.3, 'float32', 1), tf.randomNormal([5, 3], 0, 2, 'float32', 2), tf.randomNormal([4], 0, 1, 'float32', 3)];
  const dirs = randomDirection(w, 7);
  for (const i of [0, 1]) {
    const want = filterNorms(w[i]!);
    const got = filterNorms(dirs[i]!);
    assert.equal(got.length, w[i]!.shape[w[i]!.rank - 1]);
    got.forEach((n, j) => assert.ok(Math.abs(n - want[j]!) < 1e-5 * want[j]!, `weight ${i} filter ${j}: ${n} vs ${want[j]}`));
    assert.notDeepEqual([...dirs[i]!.dataSync()], [...w[i]!.dataSync()], 'a direction, not the weights');
  }
  assert.deepEqual([...dirs[2]!.dataSync()], [0, 0, 0, 0], 'bias direction is zero');
  // Same seed, same direction; another seed, another one; a frozen weight gets zero.
  assert.deepEqual([...randomDirection(w, 7)[0]!.dataSync()], [...dirs[0]!.dataSync()]);
  assert.notDeepEqual([...randomDirection(w, 8)[0]!.dataSync()], [...dirs[0]!.dataSync()]);
  assert.ok(randomDirection(w, 7, [true])[0]!.dataSync().every((v) => v === 0));
  // A filter of the direction that is all zero stays zero (no NaN).
  const zeroFilter = filterNormalize(tf.tensor2d([[0, 1], [0, 1]]), tf.tensor2d([[3, 4], [0, 0]]));
  // Column 0 of the direction is zero and stays so; column 1, [1, 1], gets norm ||[4, 0]|| = 4.
  const got = [...zeroFilter.dataSync()];
  [0, 4 / Math.SQRT2, 0, 4 / Math.SQRT2].forEach((want, i) => assert.ok(Math.abs(got[i]! - want) < 1e-6, `${got} vs ${want} at ${i}`));
  assert.throws(() => filterNormalize(tf.zeros([2, 3]), tf.zeros([3, 2])), /shape/);
});

for (const backend of ['cpu', 'wasm']) {
  test(`the 1-D interpolation starts at the initial model's loss and ends at the trained model's (${backend})`, async () => {
    await useBackend(backend);
    const set = imageSet();
    const initial = tinyCnn(1);
    const trained = tinyCnn(2);
    const w0 = snapshotWeights(initial);
    const w1 = snapshotWeights(trained);
    const evaluator = new LossEvaluator(set, 1000, 7);
    assert.equal(evaluator.count, 30);
    const before = tf.memory().numTensors;
    const line = await interpolate1d(trained, evaluator, w0, w1, linspace(0, 1, 5));
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    // Independent reference: the training code's own evaluation of the two models.
    const loss0 = (await evaluate(initial, set, 30)).loss;
    const loss1 = (await evaluate(trained, set, 30)).loss;
    assert.deepEqual(line.alpha, [0, 0.25, 0.5, 0.75, 1]);
    assert.ok(Math.abs(line.loss[0]! - loss0) < 1e-5, `alpha 0: ${line.loss[0]} vs initial ${loss0}`);
    assert.ok(Math.abs(line.loss[4]! - loss1) < 1e-5, `alpha 1: ${line.loss[4]} vs trained ${loss1}`);
    assert.notEqual(loss0, loss1);
    // The model is left at the trained weights.
    assert.ok(Math.abs((await evaluator.evaluate(trained)).loss - loss1) < 1e-6);
    tf.dispose([...w0, ...w1]);
    evaluator.dispose();
    initial.dispose();
    trained.dispose();
  });
}

test('the 2-D surface is centred on the trained loss; overflowing points are missing, drawn grey, not a crash', async () => {
  await useBackend('wasm');
  const set = imageSet();
  const model = tinyCnn(3, 'lisht');
  const center = snapshotWeights(model);
  const d1 = randomDirection(center, 1);
  const d2 = randomDirection(center, 2);
  const evaluator = new LossEvaluator(set, 30, 16);
  const trainedLoss = (await evaluator.evaluate(model)).loss;
  const coords = [-1e38, -0.5, 0, 0.5, 1e38];
  const before = tf.memory().numTensors;
  const surface = await surface2d(model, evaluator, center, d1, d2, coords, coords);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  assert.equal(surface.loss.length, 5);
  assert.ok(Math.abs(surface.loss[2]![2]! - trainedLoss) < 1e-6, 'centre = trained weights');
  assert.ok(surface.loss[2]![1] !== null && surface.loss[2]![1] !== surface.loss[2]![2], 'a finite step changes the loss');
  assert.equal(surface.loss[0]![0], null, 'weights of ±1e38 overflow: missing, not a number');
  assert.ok(surface.loss.flat().filter((v) => v === null).length >= 9);
  const chart = landscape2dChart('lisht', surface, contourLines(surface.loss, surface.x, surface.y, [trainedLoss * 1.01]), [0.5, 2]);
  const svg = await renderSvg(chart);
  assert.match(svg, /#bdbdbd/i, 'missing cells drawn grey');
  tf.dispose([...center, ...d1, ...d2]);
  evaluator.dispose();
  model.dispose();
});
