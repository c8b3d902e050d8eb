/**
 * The fused training path (conv2dBias, activationMaxPool, fuseSequential): on `native`, the
 * same values and gradients as the standard ops composed on `cpu`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '../../src/register.js';
import { kernelCounts, nativeAddonUnavailableReason, registerNativeBackend } from '../../src/backends/native/index.js';
import { fuseBatchNormLayers } from '../../src/fused/batch_norm_layers.js';
import type { PoolActivation } from '../../src/fused/kernel_names.js';
import { activationMaxPool, batchNormTraining, conv2dBias } from '../../src/fused/ops.js';
import { fuseSequential } from '../../src/fused/sequential.js';
import { exampleSets } from '../../src/training/data.js';

import { assertValuesClose, lcgValues, sizeOf } from '../helpers/kernels.js';

const skip = nativeAddonUnavailableReason();
if (skip === undefined) registerNativeBackend();

type Shape4 = [number, number, number, number];

async function on<T>(backend: string, f: () => T): Promise<T> {
  assert.ok(await tf.setBackend(backend));
  return f();
}

const nativeCalls = (name: string) => kernelCounts.native.get(name) ?? 0;

interface Case {
  x: Shape4;
  filter: Shape4;
  strides: number;
  pad: 'valid' | 'same';
  pool: number | [number, number];
  poolStrides?: number | [number, number];
  poolPad?: 'valid' | 'same';
}

const CASES: Case[] = [
  { x: [1, 9, 9, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'valid', pool: 2 },
  { x: [3, 10, 11, 4], filter: [3, 2, 4, 7], strides: 1, pad: 'same', pool: 3, poolStrides: 2, poolPad: 'same' },
  { x: [2, 12, 12, 6], filter: [3, 3, 6, 18], strides: 2, pad: 'same', pool: [2, 3], poolStrides: [1, 2] },
  { x: [2, 32, 32, 3], filter: [3, 3, 3, 32], strides: 1, pad: 'valid', pool: 2 }, // seed-cnn layer 1
  { x: [2, 15, 15, 32], filter: [3, 3, 32, 64], strides: 1, pad: 'valid', pool: 2 }, // seed-cnn layer 2
];

describe('fused conv + activation + pool on native match the composed ops on cpu', { skip }, () => {
  for (const activation of ['linear', 'relu', 'lisht'] as PoolActivation[]) {
    test(`${activation}: values and gradients of x, filter and bias`, async () => {
      for (const c of CASES) {
        const label = `${activation} x=${c.x} f=${c.filter} s=${c.strides} ${c.pad} pool=${c.pool}/${c.poolStrides ?? c.pool} ${c.poolPad ?? 'valid'}`;
        const run = () =>
          tf.tidy(() => {
            const x = tf.tensor4d(lcgValues(sizeOf(c.x), 1), c.x);
            const w = tf.tensor4d(lcgValues(sizeOf(c.filter), 2), c.filter);
            const b = tf.tensor1d(lcgValues(c.filter[3], 3));
            const f = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => {
              const z = conv2dBias(xi as tf.Tensor4D, wi as tf.Tensor4D, bi as tf.Tensor1D, { strides: c.strides, pad: c.pad });
              const y = activationMaxPool(z, activation, { poolSize: c.pool, strides: c.poolStrides, pad: c.poolPad });
              return tf.sum(tf.mul(y, tf.tensor(lcgValues(y.size, 4), y.shape)));
            };
            const { value, grads } = tf.valueAndGrads(f)([x, w, b]);
            return [value, ...grads].map((t) => Float32Array.from(t.dataSync()));
          });
        const want = await on('cpu', run);
        const before = [nativeCalls('Conv2DBias'), nativeCalls('ActivationMaxPoolGrad')];
        const got = await on('native', run);
        // The kernels of the fused path ran (not a composition of standard ops).
        assert.ok(nativeCalls('Conv2DBias') > before[0]! && nativeCalls('ActivationMaxPoolGrad') > before[1]!, `${label}: fused kernels did not run`);
        ['loss', 'dx', 'dfilter', 'dbias'].forEach((name, i) => assertValuesClose(got[i]!, want[i]!, `${label} ${name}`));
      }
    });
  }

  test('activationMaxPool: ties, NaN and -Infinity follow TF.js (first strict max, NaN never wins)', async () => {
    // Overlapping windows (the scatter path) and tiling ones with 16k channels and a leftover
    // row and column (the vector path).
    const configs: Array<{ shape: Shape4; pool: number; strides: number }> = [
      { shape: [2, 6, 7, 5], pool: 2, strides: 1 },
      { shape: [2, 7, 9, 16], pool: 2, strides: 2 },
      { shape: [1, 8, 8, 32], pool: 3, strides: 3 },
    ];
    for (const { shape, pool, strides } of configs) {
      const xs = Array.from(lcgValues(sizeOf(shape), 5), (v) => Math.round(v * 3) / 2);
      for (let i = 0; i < xs.length; i += 13) xs[i] = NaN;
      for (let i = 3; i < xs.length; i += 11) xs[i] = -Infinity;
      for (const activation of ['linear', 'relu', 'lisht'] as PoolActivation[]) {
        const run = () =>
          tf.tidy(() => {
            const x = tf.tensor4d(xs, shape);
            const f = (xi: tf.Tensor) => tf.sum(tf.mul(activationMaxPool(xi as tf.Tensor4D, activation, { poolSize: pool, strides }), 0.5));
            const grad = tf.grad(f)(x);
            return [Float32Array.from(activationMaxPool(x, activation, { poolSize: pool, strides }).dataSync()), Float32Array.from(grad.dataSync())];
          });
        const want = await on('cpu', run);
        const got = await on('native', run);
        ['y', 'dx'].forEach((name, i) => assertValuesClose(got[i]!, want[i]!, `${activation} ${shape} pool ${pool}/${strides} ${name}`));
      }
    }
  });

  test('batchNormTraining: outputs and gradients (through the statistics too) match the composed ops on cpu', async () => {
    for (const shape of [[4, 5, 6, 3], [10, 7], [1, 3, 3, 16]] as number[][]) {
      const c = shape[shape.length - 1]!;
      const run = () =>
        tf.tidy(() => {
          // Shifted, so that the mean is far from 0 and centering matters.
          const x = tf.add(tf.tensor(lcgValues(sizeOf(shape), 1), shape), 3);
          const scale = tf.tensor1d(lcgValues(c, 2));
          const offset = tf.tensor1d(lcgValues(c, 3));
          const weights = tf.tensor(lcgValues(sizeOf(shape), 4), shape);
          const f = (xi: tf.Tensor, si: tf.Tensor, oi: tf.Tensor) => {
            const [y, mean, variance] = batchNormTraining(xi, si as tf.Tensor1D, oi as tf.Tensor1D, 1e-3);
            return tf.addN([tf.sum(tf.mul(y, weights)), tf.mul(tf.sum(mean), 0.7), tf.mul(tf.sum(variance), -1.3)]);
          };
          const [y, mean, variance] = batchNormTraining(x, scale, offset, 1e-3);
          const grads = tf.grads(f)([x, scale, offset]);
          return [y, mean, variance, ...grads].map((t) => Float32Array.from(t.dataSync()));
        });
      const want = await on('cpu', run);
      const before = nativeCalls('BatchNormTrainingGrad');
      const got = await on('native', run);
      assert.equal(nativeCalls('BatchNormTrainingGrad') - before, 1);
      ['y', 'mean', 'variance', 'dx', 'dscale', 'doffset'].forEach((name, i) => assertValuesClose(got[i]!, want[i]!, `${shape} ${name}`));
    }
  });

  test('fuseBatchNormLayers: a functional model with BatchNormalization trains like tfjs-layers, moving statistics included', async () => {
    const build = () => {
      const input = tfl.input({ shape: [6, 6, 3] });
      // No bias: batch normalization cancels it, leaving its gradient float noise.
      const conv = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tfl.SymbolicTensor;
      const bn = tfl.layers.batchNormalization({ momentum: 0.9 }).apply(conv) as tfl.SymbolicTensor;
      const bn2 = tfl.layers.batchNormalization({ epsilon: 1e-2, momentum: 0.5 }).apply(tfl.layers.reLU().apply(bn)) as tfl.SymbolicTensor;
      const pooled = tfl.layers.globalAveragePooling2d({}).apply(bn2) as tfl.SymbolicTensor;
      const out = tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }).apply(pooled) as tfl.SymbolicTensor;
      return tfl.model({ inputs: input, outputs: out });
    };
    const step = (fuse: boolean) => {
      const model = build();
      if (fuse) fuseBatchNormLayers(model);
      const x = tf.tensor4d(lcgValues(4 * 6 * 6 * 3, 7), [4, 6, 6, 3]);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
      const moving = model.weights.filter((w) => w.originalName.includes('moving')).map((w) => Float32Array.from(w.read().dataSync()));
      const out = [value, ...vars.map((v) => grads[v.name]!)].map((t) => Float32Array.from(t.dataSync()));
      tf.dispose([x, value, ...Object.values(grads)]);
      model.dispose();
      return [...out, ...moving];
    };
    const want = await on('cpu', () => step(false));
    const before = nativeCalls('BatchNormTraining');
    const got = await on('native', () => step(true));
    assert.equal(nativeCalls('BatchNormTraining') - before, 2, 'both layers ran fused');
    assert.equal(got.length, 1 + 7 + 4, 'loss, seven gradients, four moving statistics');
    got.forEach((g, i) => assertValuesClose(g, want[i]!, `loss/gradient/moving statistic ${i}`));
    // Inference mode runs the layers' own path, with the moving statistics.
    const infer = (fuse: boolean) => {
      const model = build();
      if (fuse) fuseBatchNormLayers(model);
      const y = model.apply(tf.tensor4d(lcgValues(2 * 6 * 6 * 3, 8), [2, 6, 6, 3]), { training: false }) as tf.Tensor;
      const v = Float32Array.from(y.dataSync());
      model.dispose();
      return v;
    };
    const calls = nativeCalls('BatchNormTraining');
    assertValuesClose(await on('native', () => infer(true)), await on('cpu', () => infer(false)), 'inference');
    assert.equal(nativeCalls('BatchNormTraining'), calls, 'inference does not take the training path');
  });

  test('fuseSequential: a Keras Sequential with fused Conv2D + MaxPool pairs trains like model.apply', async () => {
    for (const activation of ['relu', 'lisht', 'linear'] as const) {
      const step = () => {
        const model = tfl.sequential({
          layers: [
            tfl.layers.conv2d({ inputShape: [12, 12, 3], filters: 16, kernelSize: 3, activation: activation as 'relu' }),
            tfl.layers.maxPooling2d({ poolSize: 2 }),
            tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 1, padding: 'same', activation: activation as 'relu' }),
            tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
            tfl.layers.flatten(),
            tfl.layers.dense({ units: 4, activation: 'softmax' }),
          ],
        });
        const fused = fuseSequential(model);
        assert.ok(fused !== undefined, 'both pairs fuse');
        const x = tf.tensor4d(lcgValues(2 * 12 * 12 * 3, 6), [2, 12, 12, 3]);
        const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const grads = (f: (x: tf.Tensor) => tf.Tensor) => tf.variableGrads(() => tf.mean(tf.square(f(x))) as tf.Scalar, vars);
        const before = nativeCalls('Conv2DBias');
        const gf = grads((t) => fused(t, true));
        assert.equal(nativeCalls('Conv2DBias') - before, 2, 'ran the fused kernels');
        const gp = grads((t) => model.apply(t, { training: true }) as tf.Tensor);
        const out = {
          fused: [gf.value, ...Object.values(gf.grads)].map((t) => Float32Array.from(t.dataSync())),
          plain: [gp.value, ...Object.values(gp.grads)].map((t) => Float32Array.from(t.dataSync())),
        };
        tf.dispose([x, gf.value, gp.value, ...Object.values(gf.grads), ...Object.values(gp.grads)]);
        model.dispose();
        return out;
      };
      const { fused, plain } = await on('native', step);
      assert.equal(fused.length, 7, 'loss and six gradients');
      fused.forEach((g, i) => assertValuesClose(g, plain[i]!, `${activation} loss/gradient ${i}`));
    }
  });

  test('fuseSequential leaves alone what the fused ops do not cover', () => {
    const conv = (args: object) => tfl.layers.conv2d({ filters: 4, kernelSize: 3, ...args });
    const pool = () => tfl.layers.maxPooling2d({ poolSize: 2 });
    const unfusable = [
      [conv({ inputShape: [8, 8, 2], activation: 'elu' }), pool()],
      [conv({ inputShape: [8, 8, 2], dilationRate: 2 }), pool()],
      [conv({ inputShape: [8, 8, 2], useBias: false }), pool()],
      [conv({ inputShape: [8, 8, 2] }), tfl.layers.averagePooling2d({ poolSize: 2 })],
      [conv({ inputShape: [8, 8, 2] }), tfl.layers.activation({ activation: 'relu' }), pool()],
    ];
    for (const layers of unfusable) {
      const model = tfl.sequential({ layers });
      assert.equal(fuseSequential(model), undefined, layers.map((l) => l.getClassName()).join(' + '));
      model.dispose();
    }
    const input = tfl.input({ shape: [8, 8, 2] });
    const functional = tfl.model({ inputs: input, outputs: pool().apply(conv({}).apply(input)) as tfl.SymbolicTensor });
    assert.equal(fuseSequential(functional), undefined, 'functional models run as they are');
  });
});

describe('ImageBatch: uint8 training batches as float32', { skip }, () => {
  const images = Uint8Array.from({ length: 7 * 4 * 4 * 3 }, (_, i) => (i * 37 + 11) % 256);
  const labels = Int32Array.from({ length: 7 }, (_, i) => i % 3);
  const dataset = {
    kind: 'image' as const,
    name: 'tiny',
    imageShape: [4, 4, 3] as const,
    classNames: ['a', 'b', 'c'],
    train: { images, labels, count: 7 },
    test: { images, labels, count: 7 },
  };

  test('native gives the bits of the JS loop (byte * (1/255) in double, rounded once), in any order', async () => {
    const order = Int32Array.of(6, 0, 3, 5, 1, 2, 4);
    const batches = async (backend: string) =>
      on(backend, () => {
        const { train } = exampleSets(dataset as unknown as Parameters<typeof exampleSets>[0]);
        return [train.inputs(order, 1, 6), train.inputs(null, 2, 5), train.inputs([4, 4, 0], 0, 3)].map((t) => {
          const v = t.dataSync().slice();
          t.dispose();
          return v;
        });
      });
    const before = nativeCalls('ImageBatch');
    const native = await batches('native');
    assert.equal(nativeCalls('ImageBatch') - before, 3, 'every batch went through the native kernel');
    const cpu = await batches('cpu');
    for (let i = 0; i < cpu.length; i++) assert.deepEqual(Array.from(native[i]!), Array.from(cpu[i]!));
    // The first row of the first batch is order[1] = image 0.
    assert.equal(native[0]![5], Math.fround(images[5]! * (1 / 255)));
  });

  test('a row index outside the data set is a RangeError, not a read out of bounds', async () => {
    await on('native', () => {
      assert.throws(
        () => tf.engine().runKernel('ImageBatch', {}, { rows: images, index: Int32Array.of(0, 7), scale: 1, shape: [2, 4, 4, 3] } as unknown as tf.NamedAttrMap),
        /row index 7 out of range/,
      );
    });
  });
});
