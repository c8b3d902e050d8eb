/**
 * Every kernel the `native` backend accelerates against the `cpu` backend's, on odd shapes,
 * strides, padding modes and batch 1, and checks that the native path (not the cpu fallback)
 * is what ran. Skipped, with the reason, when the addon is not built here.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../../src/register.js';
import { kernelCounts, nativeAddonUnavailableReason, registerNativeBackend } from '../../src/backends/native/index.js';
import { Lisht, LishtGrad, lishtScalar, lishtDerivativeScalar } from '../../src/activations/index.js';
import { useBackend } from '../helpers/backends.js';
import { compareToReference, denseGrid } from '../helpers/float.js';
import { assertClose, lcgInput, lcgValues, runKernel, sizeOf, type KernelInput, type Shape } from '../helpers/kernels.js';

const skip = nativeAddonUnavailableReason();
if (skip === undefined) registerNativeBackend();

type Shape4 = [number, number, number, number];
type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
/** Runs `kernel` on cpu and native, compares, and checks the native implementation ran (or fell back when `expectFallback`). */
async function compareToCpu(kernel: string, inputs: Record<string, KernelInput | null> | KernelInput[], attrs: object, label: string, expectFallback = false, tol = 1e-4): Promise<void> {
  const want = await runKernel('cpu', kernel, inputs, attrs);
  const before = kernelCounts.native.get(kernel) ?? 0;
  const got = await runKernel('native', kernel, inputs, attrs);
  const ranNatively = (kernelCounts.native.get(kernel) ?? 0) > before;
  assert.equal(ranNatively, !expectFallback, `${kernel} ${label}: expected the ${expectFallback ? 'cpu fallback' : 'native kernel'} to run`);
  assert.equal(got.length, want.length);
  got.forEach((g, i) => assertClose(g, want[i]!, `${kernel} ${label}`, tol));
}

interface ConvCase {
  x: Shape;
  filter: Shape;
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  roundingMode?: 'floor' | 'round' | 'ceil';
  format?: 'NHWC' | 'NCHW';
}

const CONV_CASES: ConvCase[] = [
  { x: [1, 7, 9, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'valid' },
  { x: [2, 8, 8, 5], filter: [3, 3, 5, 7], strides: 2, pad: 'same' },
  { x: [3, 6, 7, 6], filter: [2, 3, 6, 3], strides: [2, 1], pad: 'same' },
  { x: [2, 9, 9, 4], filter: [3, 3, 4, 8], strides: 1, pad: 'same' },
  { x: [2, 10, 11, 3], filter: [5, 5, 3, 2], strides: 2, pad: 'valid' },
  { x: [2, 5, 5, 3], filter: [1, 1, 3, 4], strides: 3, pad: 'same' },
  { x: [1, 6, 7, 3], filter: [3, 3, 3, 5], strides: 2, pad: 1 },
  { x: [1, 7, 8, 3], filter: [3, 3, 3, 5], strides: 2, pad: 1, roundingMode: 'ceil' },
  { x: [1, 5, 5, 2], filter: [3, 3, 2, 3], strides: 1, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  { x: [2, 5, 6, 3], filter: [3, 3, 3, 5], strides: 1, pad: [[0, 0], [3, 0], [1, 1], [0, 0]] },
  { x: [2, 7, 7, 4], filter: [1, 1, 4, 6], strides: 1, pad: 'valid' },
  { x: [2, 15, 15, 32], filter: [3, 3, 32, 64], strides: 1, pad: 'valid' }, // the seed-cnn's second layer
  // 1 or 3 input channels and 16k output channels: the hand-written gradients.
  { x: [2, 32, 32, 3], filter: [3, 3, 3, 32], strides: 1, pad: 'valid' }, // the seed-cnn's first layer
  { x: [1, 9, 8, 3], filter: [3, 3, 3, 16], strides: 2, pad: 'same' },
  { x: [2, 7, 6, 3], filter: [3, 3, 3, 16], strides: 1, pad: 'same' },
  { x: [2, 11, 10, 1], filter: [5, 5, 1, 16], strides: 1, pad: 'same' },
  { x: [3, 8, 7, 1], filter: [3, 3, 1, 32], strides: [1, 2], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
];
const DILATED: ConvCase[] = [
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid', dilations: 2 },
  { x: [1, 8, 9, 2], filter: [2, 3, 2, 3], strides: 1, pad: 'same', dilations: [2, 1] },
];
const NCHW: ConvCase = { x: [2, 3, 8, 7], filter: [3, 3, 3, 5], strides: 1, pad: 'same', format: 'NCHW' };

const label = (c: ConvCase) => `x=${c.x} f=${c.filter} s=${c.strides} pad=${JSON.stringify(c.pad)} d=${c.dilations ?? 1}${c.roundingMode ? ' ' + c.roundingMode : ''}`;

async function convOutShape(c: ConvCase): Promise<Shape> {
  await useBackend('cpu');
  return tf.tidy(() => tf.conv2d(tf.zeros(c.x as Shape4) as tf.Tensor4D, tf.zeros(c.filter as Shape4) as tf.Tensor4D, c.strides, c.pad, c.format ?? 'NHWC', c.dilations, c.roundingMode).shape);
}

function convAttrs(c: ConvCase): object {
  return { strides: c.strides, pad: c.pad, dataFormat: c.format ?? 'NHWC', dilations: c.dilations ?? 1, dimRoundingMode: c.roundingMode };
}

describe('native kernels match cpu', { skip }, () => {
  test('Conv2D: strides, valid/same/explicit/numeric padding, rounding, dilation, batch 1', async () => {
    for (const c of [...CONV_CASES, ...DILATED]) {
      await compareToCpu('Conv2D', { x: lcgInput(c.x, 1), filter: lcgInput(c.filter, 2) }, convAttrs(c), label(c));
    }
    await compareToCpu('Conv2D', { x: lcgInput(NCHW.x, 1), filter: lcgInput(NCHW.filter, 2) }, convAttrs(NCHW), 'NCHW', true);
  });

  test('FusedConv2D: bias and linear/relu fused; other activations fall back', async () => {
    for (const c of CONV_CASES) {
      const oc = c.filter[3]!;
      for (const activation of ['linear', 'relu']) {
        for (const bias of [lcgInput([oc], 3), null]) {
          await compareToCpu('FusedConv2D', { x: lcgInput(c.x, 1), filter: lcgInput(c.filter, 2), bias }, { ...convAttrs(c), activation }, `${label(c)} ${activation} bias=${bias !== null}`);
        }
      }
    }
    const c = CONV_CASES[1]!;
    await compareToCpu('FusedConv2D', { x: lcgInput(c.x, 1), filter: lcgInput(c.filter, 2), bias: lcgInput([7], 3) }, { ...convAttrs(c), activation: 'elu' }, 'elu', true);
  });

  test('Conv2DBackpropInput and Conv2DBackpropFilter', async () => {
    for (const c of CONV_CASES) {
      const dyShape = await convOutShape(c);
      const attrs = { ...convAttrs(c), dilations: 1 };
      await compareToCpu('Conv2DBackpropInput', { dy: lcgInput(dyShape, 4), filter: lcgInput(c.filter, 5) }, { ...attrs, inputShape: c.x }, label(c));
      await compareToCpu('Conv2DBackpropFilter', { x: lcgInput(c.x, 6), dy: lcgInput(dyShape, 7) }, { ...attrs, filterShape: c.filter }, label(c));
    }
  });

  test('conv gradients through tf.grads (Conv2D and FusedConv2D with bias)', async () => {
    for (const c of CONV_CASES.slice(0, 6)) {
      const grads = async (backend: string) => {
        await useBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor4d(lcgValues(sizeOf(c.x), 8), c.x as Shape4);
          const w = tf.tensor4d(lcgValues(sizeOf(c.filter), 9), c.filter as Shape4);
          const b = tf.tensor1d(lcgValues(c.filter[3]!, 10));
          const f = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => {
            const y = tf.fused.conv2d({ x: xi as tf.Tensor4D, filter: wi as tf.Tensor4D, bias: bi, strides: c.strides, pad: c.pad as 'same', dimRoundingMode: c.roundingMode });
            const z = tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, c.strides, c.pad as 'same', 'NHWC', 1, c.roundingMode);
            return tf.sum(tf.mul(tf.add(y, tf.square(z)), tf.tensor(lcgValues(sizeOf(y.shape), 11), y.shape)));
          };
          return tf.grads(f)([x, w, b]).map((g) => ({ shape: g.shape, values: Float32Array.from(g.dataSync()) }));
        });
      };
      const want = await grads('cpu');
      const got = await grads('native');
      got.forEach((g, i) => assertClose(g, want[i]!, `grad ${i} ${label(c)}`));
    }
  });

  test('MaxPool and MaxPoolGrad, ties, -Infinity and NaN included', async () => {
    const cases: Array<{ x: Shape; filter: number | [number, number]; strides: number | [number, number]; pad: Pad }> = [
      { x: [2, 8, 8, 8], filter: 2, strides: 2, pad: 'valid' },
      { x: [1, 7, 9, 4], filter: 3, strides: 2, pad: 'same' },
      { x: [2, 9, 9, 8], filter: 3, strides: 1, pad: 'valid' },
      { x: [3, 5, 7, 12], filter: [3, 2], strides: [1, 2], pad: 'same' },
      { x: [2, 13, 13, 5], filter: 2, strides: 2, pad: 'valid' },
      { x: [1, 7, 7, 3], filter: 3, strides: 2, pad: 1 },
      { x: [1, 30, 30, 32], filter: 2, strides: 2, pad: 'valid' },
    ];
    for (const c of cases) {
      const x = Array.from(lcgValues(sizeOf(c.x), 5), (v) => Math.round(v * 3) / 2); // coarse: windows hold ties
      for (let i = 0; i < x.length; i += 17) x[i] = -Infinity;
      for (let i = 5; i < x.length; i += 23) x[i] = NaN;
      const ch = c.x[3]!;
      for (const p of [0, 1, c.x[2]!, c.x[2]! + 1]) for (let k = 0; k < ch; k++) x[p * ch + k] = -Infinity; // a window with no max
      const attrs = { filterSize: c.filter, strides: c.strides, pad: c.pad };
      const name = `x=${c.x} f=${c.filter} s=${c.strides} pad=${c.pad}`;
      await compareToCpu('MaxPool', { x: { shape: c.x, values: x } }, attrs, name);
      const [y] = await runKernel('cpu', 'MaxPool', { x: { shape: c.x, values: x } }, attrs);
      await compareToCpu('MaxPoolGrad', { dy: lcgInput(y!.shape, 6), input: { shape: c.x, values: x }, output: y! }, attrs, name);
    }
  });

  test('BatchMatMul and _FusedMatMul: transposes, batches, broadcast batch, bias, relu', async () => {
    const cases: Array<{ a: Shape; b: Shape; ta: boolean; tb: boolean }> = [
      { a: [5, 7], b: [7, 3], ta: false, tb: false },
      { a: [7, 5], b: [7, 3], ta: true, tb: false },
      { a: [5, 7], b: [3, 7], ta: false, tb: true },
      { a: [7, 5], b: [3, 7], ta: true, tb: true },
      { a: [3, 4, 6], b: [3, 6, 2], ta: false, tb: false },
      { a: [1, 4, 6], b: [3, 6, 2], ta: false, tb: false },
      { a: [2, 3, 6, 4], b: [1, 1, 6, 5], ta: true, tb: false },
      { a: [1, 100, 2304], b: [1, 2304, 10], ta: false, tb: false },
    ];
    for (const c of cases) {
      const name = `a=${c.a} b=${c.b} ta=${c.ta} tb=${c.tb}`;
      await compareToCpu('BatchMatMul', { a: lcgInput(c.a, 1), b: lcgInput(c.b, 2) }, { transposeA: c.ta, transposeB: c.tb }, name);
      const n = c.tb ? c.b[c.b.length - 2]! : c.b[c.b.length - 1]!;
      for (const activation of ['linear', 'relu']) {
        await compareToCpu('_FusedMatMul', { a: lcgInput(c.a, 1), b: lcgInput(c.b, 2), bias: lcgInput([n], 3) }, { transposeA: c.ta, transposeB: c.tb, activation }, `${name} ${activation}`);
      }
    }
  });

  test('binary ops: equal shapes, scalars on either side, bias-like and any other broadcast', async () => {
    const pairs: Array<[Shape, Shape]> = [
      [[3, 4, 5], [3, 4, 5]],
      [[3, 4, 5], []],
      [[], [3, 4, 5]],
      [[100, 7, 7, 32], [32]],
      [[5], [2, 3, 5]],
      [[1, 1, 4], [2, 3, 4]],
      [[100, 1], [100, 10]],
      [[2, 3, 4], [2, 3, 1]],
      [[2, 3, 1, 1], [2, 3, 4, 5]],
      [[3, 1], [1, 4]],
      [[2, 3, 4], [2, 1, 4]],
      [[128, 1, 1, 64], [128, 8, 8, 64]], // global average pooling's gradient
      [[4, 1, 3], [5, 1]],
    ];
    for (const op of ['Add', 'Sub', 'Multiply', 'RealDiv', 'SquaredDifference']) {
      for (const [sa, sb] of pairs) {
        const b = lcgInput(sb, 2);
        if (op === 'RealDiv') b.values = Float32Array.from(b.values, (v) => v + (v >= 0 ? 0.5 : -0.5));
        // One rounding either way: far tighter than the 1e-4 of the accumulating kernels.
        await compareToCpu(op, { a: lcgInput(sa, 1), b }, {}, `${sa} ${sb}`, false, 1e-6);
      }
    }
    // int32 stays on cpu.
    await compareToCpu('Add', { a: { shape: [3], values: [1, 2, 3], dtype: 'int32' }, b: { shape: [3], values: [4, 5, 6], dtype: 'int32' } }, {}, 'int32', true);
  });

  test('unary ops, special values included', async () => {
    const x = Float32Array.from([...lcgValues(1000, 3), 0, -0, Infinity, -Infinity, NaN, 1e-40, -1e-40, 3e38, -3e38]);
    for (const op of ['Relu', 'Step', 'Square', 'Sqrt', 'Neg', 'Abs', 'Reciprocal']) {
      await compareToCpu(op, { x: { shape: [x.length], values: x } }, op === 'Step' ? { alpha: 0.25 } : {}, op, false, 1e-6);
    }
    // Large enough to be split across threads (native/common.h).
    const big = lcgInput([1100000], 6);
    for (const op of ['Relu', 'Sigmoid']) await compareToCpu(op, { x: big }, {}, `${op} 1.1M`, false, 1e-6);
    await compareToCpu('Add', { a: big, b: lcgInput([1100000], 7) }, {}, 'Add 1.1M', false, 1e-6);
  });

  test('Tanh and Sigmoid (the LSTM gates): each element within 1e-6 of float64 maths, specials included', async () => {
    const grid = denseGrid();
    const reference = { Tanh: Math.tanh, Sigmoid: (v: number) => 1 / (1 + Math.exp(-v)) };
    for (const [op, f] of Object.entries(reference)) {
      await compareToCpu(op, { x: { shape: [grid.length], values: grid } }, {}, op, false, 1e-6);
      const [y] = await runKernel('native', op, { x: { shape: [grid.length], values: grid } }, {});
      assert.deepEqual(compareToReference(grid, y!.values, Float64Array.from(grid, f), 1e-6), [], op);
    }
  });

  test('Softmax over the last axis, special values included', async () => {
    const x = Array.from(lcgValues(7 * 13, 9), (v) => v * 30);
    x[3] = NaN;
    x[20] = -Infinity;
    x[40] = Infinity;
    for (let j = 0; j < 13; j++) x[65 + j] = -Infinity; // a row of -Infinity only
    await compareToCpu('Softmax', { logits: { shape: [7, 13], values: x } }, { dim: -1 }, '7x13', false, 1e-6);
    await compareToCpu('Softmax', { logits: lcgInput([100, 10], 4) }, { dim: 1 }, '100x10', false, 1e-6);
    await compareToCpu('Softmax', { logits: lcgInput([2, 3, 5], 5) }, { dim: -1 }, '2x3x5', false, 1e-6);
  });

  test('Sum and Mean over consecutive axes (keepDims too); others fall back', async () => {
    const cases: Array<[Shape, number | number[], boolean, boolean]> = [
      [[100, 13, 13, 64], [0, 1, 2], false, false],
      [[7, 5, 3], [0], true, false],
      [[7, 5, 3], [-1], false, false],
      [[7, 5, 3], [1, 2], true, false],
      [[9, 1000], [0, 1], false, false],
      [[200000], [0], false, false],
      [[1100000], [0], false, false], // large enough for two threads (native/common.h)
      [[2100, 512], [0], false, false],
      [[128, 8, 8, 64], [1, 2], false, false], // global average pooling
      [[4, 5, 6, 7], [1, 2], true, false],
      [[4, 5, 6], [1], false, false],
      [[7, 5, 3], [0, 2], false, true],
    ];
    for (const [shape, axis, keepDims, fallback] of cases) {
      for (const kernel of ['Sum', 'Mean']) {
        await compareToCpu(kernel, { x: lcgInput(shape, 4) }, { axis, keepDims }, `${shape} axis=${axis} keepDims=${keepDims}`, fallback);
      }
    }
  });

  test('FusedBatchNorm: per-channel and scalar statistics, absent offset or scale; other shapes fall back', async () => {
    const x = lcgInput([2, 4, 5, 3], 8);
    const channel = (seed: number, positive = false): KernelInput => ({ shape: [3], values: lcgValues(3, seed).map((v) => (positive ? Math.abs(v) + 0.1 : v)) });
    const full = { x, mean: channel(1), variance: channel(2, true), offset: channel(3), scale: channel(4) };
    await compareToCpu('FusedBatchNorm', full, { varianceEpsilon: 1e-3 }, 'per channel', false, 1e-6);
    await compareToCpu('FusedBatchNorm', { ...full, offset: null, scale: null }, { varianceEpsilon: 1e-5 }, 'no offset or scale', false, 1e-6);
    await compareToCpu('FusedBatchNorm', { x, mean: { shape: [], values: [0.25] }, variance: { shape: [], values: [0.5] }, offset: { shape: [], values: [-1] }, scale: { shape: [], values: [2] } }, { varianceEpsilon: 1e-3 }, 'scalar statistics', false, 1e-6);
    const perExample = (seed: number): KernelInput => ({ shape: [2, 1, 1, 3], values: lcgValues(6, seed).map((v) => Math.abs(v) + 0.1) });
    await compareToCpu('FusedBatchNorm', { x, mean: perExample(9), variance: perExample(10), offset: perExample(11), scale: perExample(12) }, { varianceEpsilon: 1e-3 }, 'per-example statistics', true, 1e-6);
  });

  // Copies: the values must be exactly the cpu kernel's.
  test('Tile: repeats on any axes, rank 1 to 5, a scalar, an empty axis; int32 falls back', async () => {
    const cases: Array<[Shape, number[]]> = [
      [[1, 1, 1, 16], [128, 32, 32, 1]], // a BatchNorm gradient's statistics back to the activation's shape
      [[5], [3]],
      [[2, 3], [2, 1]],
      [[2, 3], [1, 4]],
      [[3, 1, 2], [2, 5, 3]],
      [[2, 2, 1, 3, 2], [1, 2, 3, 1, 2]],
      [[], []],
      [[2, 3], [0, 2]],
    ];
    for (const [shape, reps] of cases) await compareToCpu('Tile', { x: lcgInput(shape, 5) }, { reps }, `${shape} reps=${reps}`, false, 0);
    await compareToCpu('Tile', { x: { shape: [2, 3], values: [1, 2, 3, 4, 5, 6], dtype: 'int32' } }, { reps: [2, 2] }, 'int32', true, 0);
  });

  test('Slice: contiguous and strided runs, -1 sizes, rank 1 to 6, empty results', async () => {
    const cases: Array<[Shape, number[], number[]]> = [
      [[128, 16, 2, 16, 2, 16], [0, 0, 0, 0, 0, 0], [128, 16, 1, 16, 1, 16]], // the ResNet shortcut's subsampling
      [[8, 16, 16, 32], [0, 0, 0, 8], [8, 16, 16, 16]],
      [[10], [3], [4]],
      [[6, 7], [1, 0], [3, 7]],
      [[6, 7], [2, 3], [-1, 2]],
      [[4, 5, 6], [1, 2, 3], [2, 2, 2]],
      [[3, 4, 5], [0, 0, 0], [3, 4, 5]],
      [[3, 4, 5], [1, 1, 1], [0, 2, 2]],
    ];
    for (const [shape, begin, sz] of cases) await compareToCpu('Slice', { x: lcgInput(shape, 6) }, { begin, size: sz }, `${shape} begin=${begin} size=${sz}`, false, 0);
  });

  test('SplitV and Transpose: pieces along any axis, any permutation (the LSTM gates and time-major layout)', async () => {
    const splits: Array<[Shape, number | number[], number]> = [
      [[10, 512], 4, 1], // an LSTM's four gates
      [[6, 4, 5], [1, 2, 3], 0],
      [[3, 8, 2], [5, -1], 1],
      [[2, 3, 4, 6], 2, -1],
    ];
    for (const [shape, numOrSizeSplits, axis] of splits) {
      await compareToCpu('SplitV', { x: lcgInput(shape, 9) }, { numOrSizeSplits, axis }, `${shape} ${JSON.stringify(numOrSizeSplits)} axis=${axis}`, false, 0);
    }
    const perms: Array<[Shape, number[]]> = [
      [[10, 40, 128], [1, 0, 2]],
      [[7, 9], [1, 0]],
      [[2, 3, 4, 5], [0, 2, 1, 3]],
      [[2, 3, 4, 5], [3, 2, 1, 0]],
      [[4, 5, 6], [0, 1, 2]],
      [[5], [0]],
    ];
    for (const [shape, perm] of perms) await compareToCpu('Transpose', { x: lcgInput(shape, 10) }, { perm }, `${shape} perm=${perm}`, false, 0);
  });

  test('GatherV2: any axis, repeated ids, an embedding lookup; out-of-range ids get the cpu error', async () => {
    const cases: Array<[Shape, Shape, number[], number]> = [
      [[20002, 128], [10, 40], Array.from({ length: 400 }, (_, i) => (i * 7919) % 20002), 0],
      [[5, 3], [4], [4, 0, 0, 2], 0],
      [[2, 6, 3], [2, 2], [5, 1, 1, 0], 1],
      [[3, 4], [3], [3, 3, 0], 1],
    ];
    for (const [shape, idShape, ids, axis] of cases) {
      const inputs = { x: lcgInput(shape, 12), indices: { shape: idShape, values: ids, dtype: 'int32' as const } };
      await compareToCpu('GatherV2', inputs, { axis, batchDims: 0 }, `${shape} ids ${idShape} axis=${axis}`, false, 0);
    }
    await useBackend('native');
    assert.throws(() => tf.gather(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor1d([2], 'int32')).dataSync(), /GatherV2|index/);
  });

  test('UnsortedSegmentSum: repeated, missing and out-of-range ids; an embedding gradient', async () => {
    const cases: Array<[Shape, number[], number]> = [
      [[6, 3], [0, 2, 2, 5, -1, 9], 6],
      [[4, 2, 3], [1, 1, 1, 1], 3],
      // An embedding's gradient, small: the cpu reference compares every id with every segment.
      [[120, 8], Array.from({ length: 120 }, (_, i) => (i * 7919) % 1000), 1000],
    ];
    for (const [shape, ids, numSegments] of cases) {
      const inputs = { x: lcgInput(shape, 11), segmentIds: { shape: [ids.length], values: ids, dtype: 'int32' as const } };
      await compareToCpu('UnsortedSegmentSum', inputs, { numSegments }, `${shape} ${numSegments} segments`, false, 1e-6);
    }
  });

  test('PadV2: any axes, asymmetric, constant values; the zero-padded ResNet shortcut', async () => {
    const cases: Array<[Shape, Array<[number, number]>, number]> = [
      [[128, 16, 16, 16], [[0, 0], [0, 0], [0, 0], [8, 8]], 0], // the ResNet's channel padding
      [[128, 16, 1, 16, 1, 16], [[0, 0], [0, 0], [0, 1], [0, 0], [0, 1], [0, 0]], 0],
      [[5], [[2, 3]], 1.5],
      [[3, 4], [[1, 0], [0, 2]], -2],
      [[2, 3, 4], [[0, 0], [1, 1], [0, 0]], 0],
      [[2, 3, 4], [[1, 2], [0, 0], [3, 0]], 7],
    ];
    for (const [shape, paddings, constantValue] of cases) {
      await compareToCpu('PadV2', { x: lcgInput(shape, 7) }, { paddings, constantValue }, `${shape} paddings=${JSON.stringify(paddings)}`, false, 0);
    }
  });

  test('Concat: any axis, two to four inputs of different extents, an empty one; int32 falls back', async () => {
    const cases: Array<[Shape[], number]> = [
      [[[100, 128], [100, 128], [100, 128], [100, 128]], 1], // the LSTM's gate gradients
      [[[2, 3], [4, 3]], 0],
      [[[2, 3, 4], [2, 1, 4], [2, 5, 4]], 1],
      [[[2, 3, 4], [2, 3, 2]], -1],
      [[[3, 2, 2], [3, 0, 2], [3, 1, 2]], 1],
      [[[5], [7]], 0],
    ];
    for (const [shapes, axis] of cases) {
      await compareToCpu('Concat', shapes.map((shape, i) => lcgInput(shape, 20 + i)), { axis }, `${JSON.stringify(shapes)} axis=${axis}`, false, 0);
    }
    const int32 = { shape: [2], values: [1, 2], dtype: 'int32' as const };
    await compareToCpu('Concat', [int32, int32], { axis: 0 }, 'int32', true, 0);
  });

  test('Lisht and LishtGrad: match cpu, and float64 within 1e-6 over [-1e30, 1e30]', async () => {
    const grid = denseGrid();
    const dy = lcgValues(grid.length, 12);
    await compareToCpu(Lisht, { x: { shape: [grid.length], values: grid } }, {}, 'grid');
    await compareToCpu(LishtGrad, { dy: { shape: [grid.length], values: dy }, x: { shape: [grid.length], values: grid } }, {}, 'grid');
    const [y] = await runKernel('native', Lisht, { x: { shape: [grid.length], values: grid } }, {});
    const [g] = await runKernel('native', LishtGrad, { dy: { shape: [grid.length], values: new Float32Array(grid.length).fill(1) }, x: { shape: [grid.length], values: grid } }, {});
    // Where x^2 overflows float32, the float32 result is Infinity.
    const want = Float64Array.from(grid, (v) => (Math.abs(lishtScalar(v)) > 3.4028234663852886e38 ? Infinity : lishtScalar(v)));
    assert.deepEqual(compareToReference(grid, y!.values, want, 1e-6), []);
    assert.deepEqual(compareToReference(grid, g!.values, Float64Array.from(grid, lishtDerivativeScalar), 1e-6), []);
    assert.deepEqual(Array.from(g!.values.subarray(2, 4)), [1, -1]); // the grid starts 0, -0, Inf, -Inf, NaN
    assert.ok(Number.isNaN(g!.values[4]!) && Number.isNaN(y!.values[4]!));
  });

  test('Lisht of int32 input gives float32', async () => {
    await compareToCpu(Lisht, { x: { shape: [5], values: [-2, -1, 0, 1, 3], dtype: 'int32' } }, {}, 'int32');
  });
});
