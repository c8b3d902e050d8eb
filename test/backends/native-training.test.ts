/**
 * The `native` backend as a whole: its registration, a seed-cnn training step's gradients
 * (unfused and fused) and three optimizer steps against `cpu`, and a 500-step run with no growth in tensors or memory.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '../../src/register.js';
import { Lisht, LishtGrad } from '../../src/activations/index.js';
import { AdamUpdate, MomentumUpdate } from '../../src/fused/kernel_names.js';
import { applyAdamUpdate, applyMomentumUpdate } from '../../src/fused/optimizer_updates.js';
import {
  NATIVE_KERNEL_CONFIGS,
  NativeBackend,
  kernelCounts,
  nativeAddonUnavailableReason,
  nativeBackendInfo,
  registerNativeBackend,
} from '../../src/backends/native/index.js';
import { getModel } from '../../src/models/registry.js';
import { sparseCategoricalCrossentropy } from '../../src/training/losses.js';
import { forward } from '../../src/training/forward.js';
import { createAdam, createOptimizer } from '../../src/training/optimizers.js';
import { trainableVariables, trainStep } from '../../src/training/fit.js';
import { assertValuesClose } from '../helpers/kernels.js';

const skip = nativeAddonUnavailableReason();

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32;
  }
  return out;
}

describe('native backend', { skip }, () => {
  test('registers at a priority TF.js never picks by itself, with every cpu kernel and its own Lisht', () => {
    assert.equal(registerNativeBackend(), true);
    assert.equal(registerNativeBackend(), true, 'idempotent');
    assert.ok(tf.engine().registryFactory['native']!.priority < tf.engine().registryFactory['cpu']!.priority);
    const native = new Set(tf.getKernelsForBackend('native').map((k) => k.kernelName));
    for (const k of tf.getKernelsForBackend('cpu')) assert.ok(native.has(k.kernelName), `missing ${k.kernelName}`);
    for (const name of [Lisht, LishtGrad, 'Conv2D', 'MaxPool', 'Add']) {
      const ours = NATIVE_KERNEL_CONFIGS.find((c) => c.kernelName === name)!;
      assert.equal(tf.getKernel(name, 'native')!.kernelFunc, ours.kernelFunc, `${name} is the native kernel`);
    }
    const info = nativeBackendInfo();
    assert.match(info.dnnl, /^\d+\.\d+\.\d+$/);
    assert.ok(info.threads >= 1);
  });

  /**
   * Loss and every weight gradient of the model `make` builds, on its batch, through `predict`:
   * on cpu and on native, which must agree within 1e-4 and run each of `nativeKernels`.
   */
  async function assertGradientsMatchCpu(
    make: () => { model: tfl.LayersModel; x: tf.Tensor; y: tf.Tensor1D },
    predict: (model: tfl.LayersModel, x: tf.Tensor) => tf.Tensor,
    nativeKernels: string[],
  ): Promise<void> {
    registerNativeBackend();
    const run = async (backend: string) => {
      assert.ok(await tf.setBackend(backend));
      const { model, x, y } = make();
      const vars = trainableVariables(model);
      const before = new Map(kernelCounts.native);
      const { value, grads } = tf.variableGrads(() => sparseCategoricalCrossentropy(predict(model, x), y), vars);
      const out = [value, ...vars.map((v) => grads[v.name]!)].map((t) => Float32Array.from(t.dataSync()));
      const ran = [...kernelCounts.native].filter(([k, n]) => n > (before.get(k) ?? 0)).map(([k]) => k);
      tf.dispose([x, y, value, ...Object.values(grads)]);
      model.dispose();
      return { out, ran };
    };
    const want = await run('cpu');
    const got = await run('native');
    for (const k of nativeKernels) assert.ok(got.ran.includes(k), `${k} ran natively`);
    assert.equal(got.out.length, want.out.length, 'tensor count');
    got.out.forEach((g, i) => assertValuesClose(g, want.out[i]!, `loss, gradients: tensor ${i}`, 1e-4));
  }

  // The model as tfjs-layers runs it (each Keras layer's kernels) and as training runs it (fused pairs).
  const paths = {
    'model.apply': { run: (m: tfl.LayersModel, x: tf.Tensor) => m.apply(x, { training: true }) as tf.Tensor, kernels: ['Conv2DBackpropFilter', 'MaxPoolGrad'] },
    forward: { run: (m: tfl.LayersModel, x: tf.Tensor) => forward(m, x, true), kernels: ['Conv2DBiasFilterGrad', 'ActivationMaxPoolGrad'] },
  };
  for (const activation of ['relu', 'lisht']) {
    for (const [pathName, path] of Object.entries(paths)) {
      test(`seed-cnn (${activation}, ${pathName}): loss and every weight gradient match cpu within 1e-4`, async () => {
        const activationKernels = pathName === 'forward' ? [] : [activation === 'lisht' ? LishtGrad : 'Relu'];
        await assertGradientsMatchCpu(
          () => ({
            model: getModel('seed-cnn').build({ inputShape: [32, 32, 3], numClasses: 10, activation, seed: 7 }),
            x: tf.tensor4d(values(3 * 32 * 32 * 3, 1), [3, 32, 32, 3]),
            y: tf.tensor1d([1, 4, 9], 'int32'),
          }),
          path.run,
          [...path.kernels, ...activationKernels],
        );
      });
    }
  }

  test('lstm (lisht): loss and every weight gradient match cpu within 1e-4, through the native split, transpose and segment sum', async () => {
    await assertGradientsMatchCpu(
      () => ({
        model: getModel('lstm').build({ inputShape: [6], numClasses: 2, activation: 'lisht', seed: 4, vocabularySize: 50 }),
        x: tf.tensor2d(Int32Array.from({ length: 3 * 6 }, (_, i) => (i * 17) % 50), [3, 6], 'int32'),
        y: tf.tensor1d([0, 1, 1], 'int32'),
      }),
      (model, x) => forward(model, x, true),
      ['SplitV', 'UnsortedSegmentSum', LishtGrad],
    );
  });

  for (const [name, kernel] of [['adam', AdamUpdate], ['sgd', MomentumUpdate]] as const) {
    test(`trainStep with ${name} and weight decay: three steps on native (fused, one-kernel update) match cpu`, async () => {
      registerNativeBackend();
      const run = async (backend: string) => {
        assert.ok(await tf.setBackend(backend));
        const model = getModel('seed-cnn').build({ inputShape: [32, 32, 3], numClasses: 10, activation: 'lisht', seed: 11 });
        const optimizer = createOptimizer({ name, lr: 0.01, weightDecay: 1e-3 });
        const vars = trainableVariables(model);
        const calls = kernelCounts.native.get(kernel) ?? 0;
        const losses: number[] = [];
        for (let step = 0; step < 3; step++) {
          const x = tf.tensor4d(values(4 * 32 * 32 * 3, 20 + step), [4, 32, 32, 3]);
          const y = tf.tensor1d([step, 3, 5, 8], 'int32');
          losses.push((await trainStep(model, optimizer, vars, x, y)).loss);
          tf.dispose([x, y]);
        }
        const out = [Float32Array.from(losses), ...vars.map((v) => Float32Array.from(v.dataSync()))];
        const fused = (kernelCounts.native.get(kernel) ?? 0) - calls;
        model.dispose();
        optimizer.dispose();
        return { out, fused };
      };
      const want = await run('cpu');
      const got = await run('native');
      assert.equal(want.fused, 0);
      assert.equal(got.fused, 3 * 6, 'one update kernel per variable and step');
      assert.equal(got.out.length, want.out.length, 'tensor count');
      got.out.forEach((g, i) => assertValuesClose(g, want.out[i]!, `losses, weights: tensor ${i}`, 1e-4));
    });
  }

  // Each fused update against the tfjs optimizer it stands in for.
  const updates: Array<{ name: string; tfjs: string; kernel: string; make: () => tf.Optimizer; apply: (o: tf.Optimizer, g: tf.NamedTensorMap) => boolean }> = [
    {
      name: 'applyAdamUpdate',
      tfjs: 'tf.AdamOptimizer',
      kernel: AdamUpdate,
      make: () => tf.train.adam(0.01, 0.9, 0.999, 1e-7),
      apply: (o, g) => applyAdamUpdate(o as tf.AdamOptimizer, g),
    },
    {
      name: 'applyMomentumUpdate',
      tfjs: 'tf.MomentumOptimizer',
      kernel: MomentumUpdate,
      make: () => tf.train.momentum(0.01, 0.9),
      apply: (o, g) => applyMomentumUpdate(o as tf.MomentumOptimizer, g),
    },
  ];
  for (const u of updates) {
    test(`${u.name}: the same weights and optimizer state as ${u.tfjs}; false off native`, async () => {
      registerNativeBackend();
      const run = async (backend: string, fused: boolean) => {
        assert.ok(await tf.setBackend(backend));
        const tag = `${u.name}_${backend}_${fused}`;
        // 300,000 elements: split across threads (see native/common.h); 7: one short vector.
        const vars = [tf.variable(tf.tensor1d(values(300000, 4)), true, `w_${tag}`), tf.variable(tf.tensor1d(values(7, 5)), true, `b_${tag}`)];
        const opt = u.make();
        for (let step = 0; step < 3; step++) {
          const grads = Object.fromEntries(vars.map((v, i) => [v.name, tf.sub(tf.tensor1d(values(v.size, 10 + step * 2 + i)), 0.5)]));
          if (fused) assert.ok(u.apply(opt, grads));
          else opt.applyGradients(grads);
          tf.dispose(Object.values(grads));
        }
        const state = await opt.getWeights();
        const out = [...vars, ...state.map((s) => s.tensor)].map((t) => Float32Array.from(t.dataSync()));
        tf.dispose(vars);
        opt.dispose();
        return out;
      };
      assert.ok(await tf.setBackend('cpu'));
      assert.equal(u.apply(u.make(), {}), false, 'returns false on cpu');
      const want = await run('cpu', false);
      const before = kernelCounts.native.get(u.kernel) ?? 0;
      const got = await run('native', true);
      assert.equal((kernelCounts.native.get(u.kernel) ?? 0) - before, 6);
      assert.equal(got.length, want.length);
      got.forEach((g, i) => {
        for (let j = 0; j < g.length; j++) {
          assert.ok(Math.abs(g[j]! - want[i]![j]!) <= 1e-6 * Math.max(Math.abs(want[i]![j]!), 1e-3), `tensor ${i}[${j}]: ${g[j]} vs ${want[i]![j]}`);
        }
      });
    });
  }

  test('500 training steps: tensor count constant, memory flat', async (t) => {
    registerNativeBackend();
    assert.ok(await tf.setBackend('native'));
    const backend = tf.backend() as NativeBackend;
    const model = getModel('seed-cnn').build({ inputShape: [32, 32, 3], numClasses: 10, activation: 'lisht', seed: 3 });
    const optimizer = createAdam();
    const vars = trainableVariables(model);
    const x = tf.tensor4d(values(50 * 32 * 32 * 3, 2), [50, 32, 32, 3]);
    const y = tf.tensor1d(Int32Array.from({ length: 50 }, (_, i) => i % 10), 'int32');
    const snapshot = () => ({ tensors: tf.memory().numTensors, dataIds: backend.numDataIds(), rss: process.memoryUsage().rss });
    let at50 = snapshot();
    for (let i = 1; i <= 500; i++) {
      await trainStep(model, optimizer, vars, x, y);
      if (i === 50) at50 = snapshot();
    }
    const at500 = snapshot();
    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
    assert.equal(at500.tensors, at50.tensors, 'tensors');
    assert.equal(at500.dataIds, at50.dataIds, 'backend data ids');
    const growthMiB = (at500.rss - at50.rss) / 2 ** 20;
    t.diagnostic(`tensors ${at50.tensors} -> ${at500.tensors}; RSS ${(at50.rss / 2 ** 20).toFixed(0)} -> ${(at500.rss / 2 ** 20).toFixed(0)} MiB (steps 50 -> 500)`);
    assert.ok(growthMiB < 32, `RSS grew ${growthMiB.toFixed(1)} MiB between steps 50 and 500`);
    assert.ok(backend.recycledIdleBytes <= 512 * 2 ** 20);
  });
});
