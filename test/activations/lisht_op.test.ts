import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { lisht, compositeLishtConfigs, Lisht, LishtGrad } from '../../src/index.js';
import { TEST_BACKENDS, useBackend } from '../helpers/backends.js';
import { compareToReference, denseGrid } from '../helpers/float.js';
import { LISHT_RTOL, refGrad, refLisht } from '../helpers/lisht_reference.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { setSimdEnabled, simdFor } from '../../src/backends/wasm/simd/instance.js';


const grid = denseGrid();
const want = Float64Array.from(grid, refLisht);
const wantGrad = Float64Array.from(grid, refGrad);

// A backend that has every cpu kernel but Lisht/LishtGrad, which it composes from its own
// Tanh, Mul, ... kernels: the path tensorflow (tfjs-node) takes.
const COMPOSITE = 'cpu-composite-test';
tf.registerBackend(COMPOSITE, () => new MathBackendCPU(), -1);
for (const k of tf.getKernelsForBackend('cpu')) {
  if (k.kernelName !== Lisht && k.kernelName !== LishtGrad) tf.registerKernel({ ...k, backendName: COMPOSITE });
}
for (const k of compositeLishtConfigs(COMPOSITE)) tf.registerKernel(k);

// On wasm, float32 data goes through the SIMD module four lanes at a time and the tail through
// JS; both paths must meet the same bound (and the SIMD one must really run here).
test('lisht on wasm without SIMD (the JS loops) matches float64 within 1e-6, forward and gradient', async () => {
  await useBackend('wasm');
  assert.notEqual(simdFor(tf.backend() as BackendWasm), null, 'the SIMD module instantiates on this engine');
  setSimdEnabled(false);
  try {
    assert.deepEqual(compareToReference(grid, await lisht(tf.tensor1d(grid)).data(), want, LISHT_RTOL), []);
    assert.deepEqual(compareToReference(grid, await tf.grad((x: tf.Tensor) => lisht(x))(tf.tensor1d(grid)).data(), wantGrad, LISHT_RTOL), []);
  } finally {
    setSimdEnabled(true);
  }
});

for (const backend of [...TEST_BACKENDS, COMPOSITE]) {
  test(`lisht on ${backend} matches float64 within 1e-6 over [-1e30, 1e30]`, async () => {
    await useBackend(backend);
    const got = await lisht(tf.tensor1d(grid)).data();
    assert.deepEqual(compareToReference(grid, got, want, LISHT_RTOL), []);
  });

  test(`lisht gradient on ${backend} matches float64 within 1e-6 over [-1e30, 1e30]`, async () => {
    await useBackend(backend);
    const got = await tf.grad((x: tf.Tensor) => lisht(x))(tf.tensor1d(grid)).data();
    assert.deepEqual(compareToReference(grid, got, wantGrad, LISHT_RTOL), []);
  });

  test(`lisht on ${backend}: special values, symmetry, exact |x| for large |x|`, async () => {
    await useBackend(backend);
    const x = tf.tensor1d([Infinity, -Infinity, NaN, 0, -0, 1e30, -1e30, 12, -12, 3.5]);
    const y = Array.from(await lisht(x).data());
    assert.deepEqual(y.slice(0, 2), [Infinity, Infinity]);
    assert.ok(Number.isNaN(y[2]));
    assert.deepEqual(y.slice(3, 9), [0, 0, Math.fround(1e30), Math.fround(1e30), 12, 12]);
    const g = Array.from(await tf.grad((v: tf.Tensor) => lisht(v))(x).data());
    assert.deepEqual(g.slice(0, 2), [1, -1]);
    assert.ok(Number.isNaN(g[2]));
    assert.equal(g[3], 0);
    assert.deepEqual(g.slice(5, 7), [1, -1]);
    const neg = await lisht(tf.neg(tf.tensor1d(grid))).data();
    const pos = await lisht(tf.tensor1d(grid)).data();
    for (let i = 0; i < grid.length; i++) if (!Number.isNaN(grid[i])) assert.equal(neg[i], pos[i], `lisht(-x) != lisht(x) at ${grid[i]}`);
  });

  test(`lisht gradient on ${backend} chains with an upstream gradient`, async () => {
    await useBackend(backend);
    const x = tf.tensor1d([-3, -0.5, 0.25, 2, 40]);
    const w = tf.tensor1d([0.5, -2, 3, 1.5, -1]);
    const got = await tf.grad((v: tf.Tensor) => tf.sum(tf.mul(lisht(v), w)))(x).data();
    const xs = await x.data();
    const ws = await w.data();
    got.forEach((g, i) => assert.ok(Math.abs(g - ws[i] * refGrad(xs[i])) <= LISHT_RTOL * Math.abs(ws[i] * refGrad(xs[i])), `at ${xs[i]}`));
  });

  test(`lisht on ${backend}: int32 and bool give float32, like tf.tanh`, async () => {
    await useBackend(backend);
    const yi = lisht(tf.tensor1d([-2, 0, 3], 'int32'));
    assert.equal(yi.dtype, 'float32');
    assert.deepEqual(compareToReference([-2, 0, 3], await yi.data(), [-2, 0, 3].map(refLisht), LISHT_RTOL), []);
    const yb = lisht(tf.tensor1d([true, false], 'bool'));
    assert.equal(yb.dtype, 'float32');
    assert.deepEqual(compareToReference([1, 0], await yb.data(), [refLisht(1), 0], LISHT_RTOL), []);
    assert.equal(lisht(tf.tensor1d([-1.5, 2])).shape.length, 1);
    assert.deepEqual(lisht(tf.zeros([2, 3, 4])).shape, [2, 3, 4]);
  });

  test(`lisht on ${backend} does not leak tensors`, async () => {
    await useBackend(backend);
    const x = tf.randomNormal([64]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grad((v: tf.Tensor) => lisht(v))(x);
    });
    lisht(x).dispose();
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });
}

test('lisht rejects non-numeric dtypes with a clear error', async () => {
  await useBackend('cpu');
  assert.throws(() => lisht(tf.tensor1d(['a', 'b'])), /numeric tensor.*'string'/);
  assert.throws(() => lisht(tf.complex([1], [2])), /numeric tensor.*'complex64'/);
});

test('lisht accepts plain arrays', async () => {
  await useBackend('cpu');
  assert.deepEqual(Array.from(await lisht([[-1, 1]]).data()), [refLisht(1), refLisht(1)].map(Math.fround));
});

test("the package's main entry is importable by its own name", async () => {
  const self = (await import('lisht')) as Record<string, unknown>;
  assert.equal(typeof self.lisht, 'function');
  assert.equal(typeof self.getActivation, 'function');
});

test("the Node entry 'lisht/node' holds the main entry and the Node-only parts, with the Node selectBackend", async () => {
  const main = (await import('lisht')) as Record<string, unknown>;
  const node = (await import('lisht/node')) as Record<string, unknown>;
  for (const name of Object.keys(main).filter((n) => n !== 'selectBackend' && n !== 'BACKEND_NAMES')) assert.equal(node[name], main[name], name);
  for (const name of ['saveModel', 'loadModel', 'fileSaveHandler', 'compare', 'inspect', 'benchTraining', 'requireNativeBackend', 'VERSION']) {
    assert.ok(node[name] !== undefined, `lisht/node exports ${name}`);
    assert.equal(main[name], undefined, `lisht (browser-safe) does not export ${name}`);
  }
  assert.ok((node.BACKEND_NAMES as string[]).includes('native'));
  assert.ok(!(main.BACKEND_NAMES as string[]).includes('native'));
  assert.equal(typeof (node.datasets as Record<string, unknown>).loadDataset, 'function');
});
