/**
 * The native backend under the mixed_bfloat16 policy: the seed-cnn's and a ResNet's loss and
 * gradients against the same model in float32, special values through the bf16 conv ->
 * LiSHT-pool path, the fused kernels still fused, and the policy's bookkeeping.
 *
 * Tolerances: bf16 keeps 8 significant bits, so each rounded operand is off by at most
 * 2^-9 (0.2%) relative, and with fp32 accumulation a convolution's output by about that
 * (checked exactly below: the bf16 kernels equal the fp32 ones on rounded operands). Through a
 * network: the loss within 1e-3 relative (measured ~1e-4), each gradient's norm within 2e-2
 * (measured up to 9e-3), and a cosine similarity of at least 0.98 between each bf16 gradient
 * and its fp32 counterpart (measured 0.993 at worst: the seed-cnn's first filter under ReLU,
 * where a max-pool window whose two largest values swap order under rounding sends its
 * gradient to another pixel).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '../../src/register.js';
import {
  getPrecisionPolicy,
  kernelCounts,
  loadNativeAddon,
  nativeAddonUnavailableReason,
  registerNativeBackend,
  setPrecisionPolicy,
} from '../../src/backends/native/index.js';
import { lisht } from '../../src/activations/ops/lisht.js';
import { activationMaxPool, conv2dBias } from '../../src/fused/ops.js';
import { AdamUpdate, ActivationMaxPool, Conv2DBias } from '../../src/fused/kernel_names.js';
import { getActivation } from '../../src/activations/zoo.js';
import { getModel } from '../../src/models/registry.js';
import { ResNetLayers, residualUnit } from '../../src/models/resnet_blocks.js';
import { sparseCategoricalCrossentropy } from '../../src/training/losses.js';
import { forward } from '../../src/training/forward.js';
import { createAdam } from '../../src/training/optimizers.js';
import { trainableVariables, trainStep } from '../../src/training/fit.js';

const unavailable = nativeAddonUnavailableReason();
const noBf16 = unavailable === undefined && !loadNativeAddon().bf16Support().native ? 'this CPU has no AVX512-BF16 (the refusal is tested in native-bf16-cli)' : false;
const skip = unavailable ?? noBf16;

const LOSS_RTOL = 1e-3;
const NORM_RTOL = 2e-2;
const MIN_COSINE = 0.98;

function values(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * scale;
  }
  return out;
}

/** conv -> BN -> LiSHT, a ResNet unit with the identity shortcut, one halving with the zero-pad shortcut, BN -> LiSHT -> pool -> dense. */
function residualBlocks(seed: number): tfl.LayersModel {
  const layers = new ResNetLayers(getActivation('lisht'), seed);
  const input = tfl.input({ shape: [16, 16, 3] });
  let x = layers.preActivation(layers.conv(input, 16, 3, 1, 'conv1'), 'conv1');
  x = residualUnit(layers, x, { filters: 16, strides: 1, bottleneck: false, shortcut: 'zero-pad', preActivation: 'none' }, 'unit1');
  x = residualUnit(layers, x, { filters: 32, strides: 2, bottleneck: false, shortcut: 'zero-pad', preActivation: 'both' }, 'unit2');
  x = layers.preActivation(x, 'final');
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: layers.dense(x, 10, 'dense') });
}

const norm = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot / (norm(a) * norm(b));
}

/** Loss and every weight gradient of a fresh model from `make`, on native, under `policy`. */
function lossAndGradients(policy: 'float32' | 'mixed_bfloat16', make: () => { model: tfl.LayersModel; x: tf.Tensor; y: tf.Tensor1D }): Float32Array[] {
  setPrecisionPolicy(policy);
  const { model, x, y } = make();
  const vars = trainableVariables(model);
  const { value, grads } = tf.variableGrads(() => sparseCategoricalCrossentropy(forward(model, x, true), y), vars);
  const out = [value, ...vars.map((v) => grads[v.name]!)].map((t) => Float32Array.from(t.dataSync()));
  tf.dispose([x, y, value, ...Object.values(grads)]);
  model.dispose();
  return out;
}

function assertBf16Close(bf16: Float32Array[], fp32: Float32Array[]): void {
  assert.equal(bf16.length, fp32.length);
  if (process.env.LISHT_BF16_STATS) {
    const stats = bf16.slice(1).map((g, i) => `${(Math.abs(norm(g) - norm(fp32[i + 1]!)) / norm(fp32[i + 1]!)).toExponential(1)}/${cosine(g, fp32[i + 1]!).toFixed(4)}`);
    console.log(`loss ${(Math.abs(bf16[0]![0]! - fp32[0]![0]!) / fp32[0]![0]!).toExponential(2)} grads ${stats.join(' ')}`);
  }
  const loss = Math.abs(bf16[0]![0]! - fp32[0]![0]!) / Math.abs(fp32[0]![0]!);
  assert.ok(loss <= LOSS_RTOL, `loss: relative error ${loss} (bf16 ${bf16[0]![0]}, fp32 ${fp32[0]![0]})`);
  let differs = false;
  for (let i = 1; i < bf16.length; i++) {
    const g = bf16[i]!;
    const w = fp32[i]!;
    const rel = Math.abs(norm(g) - norm(w)) / norm(w);
    assert.ok(rel <= NORM_RTOL, `gradient ${i}: norm relative error ${rel}`);
    const c = cosine(g, w);
    assert.ok(c >= MIN_COSINE, `gradient ${i}: cosine similarity ${c}`);
    differs ||= g.some((v, j) => v !== w[j]);
  }
  // Otherwise the bf16 path did not run at all.
  assert.ok(differs, 'bf16 gradients are not bit-identical to fp32 ones');
}

describe('native backend, mixed_bfloat16', { skip }, () => {
  after(() => {
    if (!skip) setPrecisionPolicy('float32');
  });

  test('the policy has Keras names, defaults to float32, and rejects other names', async () => {
    registerNativeBackend();
    assert.ok(await tf.setBackend('native'));
    assert.equal(getPrecisionPolicy(), 'float32');
    setPrecisionPolicy('mixed_bfloat16');
    assert.equal(getPrecisionPolicy(), 'mixed_bfloat16');
    setPrecisionPolicy('float32');
    assert.equal(getPrecisionPolicy(), 'float32');
    assert.throws(() => setPrecisionPolicy('mixed_float16' as 'float32'), /unknown precision policy 'mixed_float16'; choose one of float32, mixed_bfloat16/);
  });

  test("the seed-cnn's second convolution runs oneDNN's bf16 kernels under the policy, fp32 ones otherwise", () => {
    const addon = loadNativeAddon();
    const geom = Int32Array.of(8, 15, 15, 32, 64, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 13, 13);
    setPrecisionPolicy('float32');
    for (const impl of Object.values(addon.conv2dImpl(geom))) assert.doesNotMatch(impl ?? '', /:bf16$/);
    setPrecisionPolicy('mixed_bfloat16');
    for (const impl of Object.values(addon.conv2dImpl(geom))) assert.match(impl ?? '', /:bf16$/);
    setPrecisionPolicy('float32');
  });

  test('the bf16 convolutions and matrix product equal fp32 ones on bf16-rounded operands (fp32 accumulation)', () => {
    const addon = loadNativeAddon();
    const rounded = (x: Float32Array) => {
      const y = new Float32Array(x.length);
      addon.toBf16Roundtrip(x, y);
      return y;
    };
    const relError = (got: Float32Array, want: Float32Array) => Math.sqrt(got.reduce((s, v, i) => s + (v - want[i]!) ** 2, 0)) / norm(want);
    const centred = (n: number, seed: number) => values(n, seed).map((v) => v - 0.5);
    // The seed-cnn's second convolution, and a strided one with far-side padding (ResNet's halving).
    for (const g of [
      [4, 15, 15, 32, 64, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 13, 13],
      [4, 16, 16, 16, 32, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 8, 8],
    ]) {
      const geom = Int32Array.from(g);
      const [n, ih, iw, ic, oc, kh, kw] = g as [number, number, number, number, number, number, number];
      const [oh, ow] = [g[15]!, g[16]!];
      const x = centred(n * ih * iw * ic, 1);
      const w = centred(kh * kw * ic * oc, 2);
      const dy = centred(n * oh * ow * oc, 3);
      const run = (bf16: boolean, x: Float32Array, w: Float32Array, dy: Float32Array) => {
        setPrecisionPolicy(bf16 ? 'mixed_bfloat16' : 'float32');
        const y = new Float32Array(n * oh * ow * oc);
        const dx = new Float32Array(x.length);
        const dw = new Float32Array(w.length);
        const db = new Float32Array(oc);
        assert.ok(addon.conv2dForward(x, w, null, y, geom, 0));
        assert.ok(addon.conv2dBackwardData(dy, w, dx, geom));
        assert.ok(addon.conv2dBackwardFilter(x, dy, dw, db, geom));
        return [y, dx, dw, db];
      };
      const bf16 = run(true, x, w, dy);
      const reference = run(false, rounded(x), rounded(w), rounded(dy));
      const plain = run(false, x, w, dy);
      bf16.forEach((t, i) => {
        assert.ok(relError(t, reference[i]!) < 1e-5, `geometry ${g.join(',')}, output ${i}: ${relError(t, reference[i]!)} from fp32 on rounded operands`);
        // The bias gradient (i = 3) is a sum of dy, which bf16 rounds as well.
        if (i < 3) assert.ok(relError(t, plain[i]!) > 1e-4, `output ${i} is rounded at all`);
      });
    }
    const [m, k, cols] = [8, 300, 10];
    const a = centred(m * k, 4);
    const b = centred(k * cols, 5);
    const product = (bf16: boolean, a: Float32Array, b: Float32Array) => {
      setPrecisionPolicy(bf16 ? 'mixed_bfloat16' : 'float32');
      const c = new Float32Array(m * cols);
      addon.matmul(a, b, c, 1, 1, m, cols, k, false, true, null, 0);
      return c;
    };
    assert.ok(relError(product(true, a, b), product(false, rounded(a), rounded(b))) < 1e-5, 'matmul (b transposed)');
    setPrecisionPolicy('float32');
  });

  for (const activation of ['relu', 'lisht']) {
    test(`seed-cnn (${activation}): bf16 loss and gradients match fp32 within bf16 tolerances`, async () => {
      registerNativeBackend();
      assert.ok(await tf.setBackend('native'));
      const make = () => ({
        model: getModel('seed-cnn').build({ inputShape: [32, 32, 3], numClasses: 10, activation, seed: 7 }),
        x: tf.tensor4d(values(8 * 32 * 32 * 3, 1), [8, 32, 32, 3]),
        y: tf.tensor1d([1, 4, 9, 0, 2, 3, 5, 7], 'int32'),
      });
      const fp32 = lossAndGradients('float32', make);
      const before = kernelCounts.native.get(Conv2DBias) ?? 0;
      const bf16 = lossAndGradients('mixed_bfloat16', make);
      assert.ok((kernelCounts.native.get(Conv2DBias) ?? 0) > before, 'conv+bias stays one fused kernel');
      assertBf16Close(bf16, fp32);
    });
  }

  test('residual units (lisht, batch norm in fp32, identity and zero-pad shortcuts): bf16 loss and gradients match fp32 within bf16 tolerances', async () => {
    registerNativeBackend();
    assert.ok(await tf.setBackend('native'));
    const make = () => ({ model: residualBlocks(3), x: tf.tensor4d(values(8 * 16 * 16 * 3, 2), [8, 16, 16, 3]), y: tf.tensor1d([2, 6, 1, 8, 0, 3, 5, 9], 'int32') });
    assertBf16Close(lossAndGradients('mixed_bfloat16', make), lossAndGradients('float32', make));
  });

  test('bf16 rounding keeps 0, -0, +-Infinity and NaN, and rounds to nearest even', () => {
    const addon = loadNativeAddon();
    const special = [0, -0, Infinity, -Infinity, NaN, 1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -2.5, 3.4028234663852886e38];
    const expected = [0, -0, Infinity, -Infinity, NaN, 1, 1, 1 + 2 ** -6, -2.5, Infinity];
    // 40 of each: the 32-wide vector loop and the scalar tail both.
    const x = Float32Array.from({ length: 40 * special.length }, (_, i) => special[i % special.length]!);
    const y = new Float32Array(x.length);
    addon.toBf16Roundtrip(x, y);
    y.forEach((v, i) => assert.ok(Object.is(v, expected[i % special.length]), `${x[i]} -> ${v}, want ${expected[i % special.length]}`));
  });

  test('conv + bias -> LiSHT max-pool in bf16: the fp32 rules at 0, +-Infinity and NaN, finite values close to fp32', async () => {
    registerNativeBackend();
    assert.ok(await tf.setBackend('native'));
    const [n, h, c, oc] = [2, 10, 16, 16];
    const xs = values(n * h * h * c, 5, 2);
    // A zero block (its outputs are exactly the bias, 0: LiSHT(0) = 0) and single special pixels.
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < c; k++) xs[((0 * h + i) * h + j) * c + k] = 0;
    xs[((1 * h + 2) * h + 2) * c + 0] = Infinity;
    xs[((1 * h + 6) * h + 6) * c + 1] = -Infinity;
    xs[((1 * h + 2) * h + 7) * c + 2] = NaN;
    const w = values(3 * 3 * c * oc, 6, 1);
    const run = (policy: 'float32' | 'mixed_bfloat16') => {
      setPrecisionPolicy(policy);
      return tf.tidy(() => {
        const x = tf.tensor4d(xs, [n, h, h, c]);
        const conv = conv2dBias(x, tf.tensor4d(w, [3, 3, c, oc]), tf.zeros([oc]) as tf.Tensor1D);
        // Max-pooling drops NaN (TF.js's rule: NaN never wins a window; a window of NaNs gives -Infinity).
        const pooled = activationMaxPool(conv, 'lisht', { poolSize: 2 });
        return [...lisht(conv).dataSync(), ...pooled.dataSync()];
      });
    };
    const fp32 = run('float32');
    const before = kernelCounts.native.get(ActivationMaxPool) ?? 0;
    const bf16 = run('mixed_bfloat16');
    assert.equal((kernelCounts.native.get(ActivationMaxPool) ?? 0) - before, 1, 'activation + pooling stays one fused kernel');
    assert.equal(bf16.length, fp32.length);
    const kind = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : v === 0 ? 'zero' : 'finite');
    const kinds = new Set<string>();
    fp32.forEach((want, i) => {
      const got = bf16[i]!;
      kinds.add(kind(want));
      assert.equal(kind(got), kind(want), `output ${i}: bf16 ${got}, fp32 ${want}`);
      if (kind(want) === 'finite') assert.ok(Math.abs(got - want) <= 2e-2 * Math.max(1, Math.abs(want)), `output ${i}: bf16 ${got}, fp32 ${want}`);
    });
    // LiSHT(+-Inf) = +Inf, LiSHT(NaN) = NaN, a zero patch gives LiSHT(0) = 0; -Inf only from pooling NaNs.
    for (const k of ['NaN', '+Inf', '-Inf', 'zero', 'finite']) assert.ok(kinds.has(k), `the case ${k} occurs (seen: ${[...kinds].join(', ')})`);
  });

  test('trainStep under bf16: fused Adam on float32 master weights, losses close to fp32', async () => {
    registerNativeBackend();
    assert.ok(await tf.setBackend('native'));
    const run = (policy: 'float32' | 'mixed_bfloat16') => {
      setPrecisionPolicy(policy);
      const model = getModel('seed-cnn').build({ inputShape: [32, 32, 3], numClasses: 10, activation: 'lisht', seed: 11 });
      const optimizer = createAdam();
      const vars = trainableVariables(model);
      const calls = kernelCounts.native.get(AdamUpdate) ?? 0;
      return (async () => {
        const losses: number[] = [];
        for (let step = 0; step < 3; step++) {
          const x = tf.tensor4d(values(8 * 32 * 32 * 3, 20 + step), [8, 32, 32, 3]);
          const y = tf.tensor1d([step, 3, 5, 8, 1, 0, 2, 9], 'int32');
          losses.push((await trainStep(model, optimizer, vars, x, y)).loss);
          tf.dispose([x, y]);
        }
        const dtypes = new Set(vars.map((v) => v.dtype));
        const fused = (kernelCounts.native.get(AdamUpdate) ?? 0) - calls;
        model.dispose();
        optimizer.dispose();
        return { losses, dtypes, fused };
      })();
    };
    const fp32 = await run('float32');
    const bf16 = await run('mixed_bfloat16');
    assert.deepEqual([...bf16.dtypes], ['float32'], 'master weights stay float32');
    assert.equal(bf16.fused, 3 * 6, 'one Adam kernel per variable and step');
    bf16.losses.forEach((l, i) => assert.ok(Math.abs(l - fp32.losses[i]!) <= LOSS_RTOL * fp32.losses[i]!, `step ${i}: loss ${l} vs fp32 ${fp32.losses[i]}`));
  });
});
