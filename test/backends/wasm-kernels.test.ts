import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '../../src/register.js';
import {
  registerWasmTrainingKernels,
  restoreBuiltinWasmKernels,
  wasmTrainingKernelNames,
} from '../../src/backends/wasm/register.js';
import { setSimdEnabled } from '../../src/backends/wasm/simd/instance.js';
import { useBackend } from '../helpers/backends.js';
import { assertClose, lcgValues, runKernel, sizeOf, type KernelInput, type Shape } from '../helpers/kernels.js';

registerWasmTrainingKernels();

const zeros4 = (shape: Shape) => tf.zeros(shape as [number, number, number, number]) as tf.Tensor4D;

/** Runs `kernel` on cpu and on wasm (with the SIMD loops and with the JS fallbacks). */
async function compareToCpu(kernel: string, inputs: Record<string, KernelInput>, attrs: object, label: string): Promise<void> {
  const [want] = await runKernel('cpu', kernel, inputs, attrs);
  for (const simd of [true, false]) {
    setSimdEnabled(simd);
    try {
      const [got] = await runKernel('wasm', kernel, inputs, attrs);
      assertClose(got!, want!, `${kernel} ${label} simd=${simd}`);
    } finally {
      setSimdEnabled(true);
    }
  }
}

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
interface ConvCase {
  x: Shape; // NHWC, or NCHW when format is NCHW
  filter: Shape;
  strides: number | [number, number];
  pad: Pad;
  format?: 'NHWC' | 'NCHW';
}

const CONV_CASES: ConvCase[] = [
  { x: [1, 7, 9, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'valid' },
  { x: [2, 8, 8, 5], filter: [3, 3, 5, 7], strides: 2, pad: 'same' },
  { x: [3, 6, 7, 6], filter: [2, 3, 6, 3], strides: [2, 1], pad: 'same' },
  { x: [2, 9, 9, 4], filter: [3, 3, 4, 8], strides: 1, pad: 'same' },
  { x: [2, 10, 11, 3], filter: [5, 5, 3, 2], strides: 2, pad: 'valid' },
  { x: [1, 6, 7, 3], filter: [3, 3, 3, 5], strides: 2, pad: 1 },
  { x: [1, 5, 5, 2], filter: [3, 3, 2, 3], strides: 1, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  // Pad beyond the filter: dx cannot be one stride-1 XNNPACK conv, takes the col2im path.
  { x: [2, 5, 6, 3], filter: [3, 3, 3, 5], strides: 1, pad: [[0, 0], [3, 0], [1, 1], [0, 0]] },
  { x: [2, 7, 7, 4], filter: [1, 1, 4, 6], strides: 1, pad: 'valid' },
  { x: [2, 3, 8, 7], filter: [3, 3, 3, 5], strides: 1, pad: 'same', format: 'NCHW' },
  { x: [1, 4, 9, 8], filter: [3, 2, 4, 3], strides: 2, pad: 'valid', format: 'NCHW' },
  // Big enough to be cut into batch chunks, the last one partial: dW in chunks of 4 images of
  // 20x20x40 dy; dx (Cin 16) in chunks of 3 images of 34x34x144 cols.
  { x: [7, 22, 22, 3], filter: [3, 3, 3, 40], strides: 1, pad: 'valid' },
  { x: [5, 34, 34, 16], filter: [3, 3, 16, 8], strides: 1, pad: 'same' },
];

function describe(c: ConvCase): string {
  return `x=${c.x} f=${c.filter} s=${c.strides} pad=${JSON.stringify(c.pad)} ${c.format ?? 'NHWC'}`;
}

/** dy's shape: the forward conv's output shape, computed on cpu. */
async function convOutShape(c: ConvCase): Promise<Shape> {
  await useBackend('cpu');
  return tf.tidy(() => {
    const y = tf.conv2d(zeros4(c.x), zeros4(c.filter), c.strides, c.pad, c.format ?? 'NHWC');
    return y.shape;
  });
}

test('Conv2DBackpropFilter on wasm matches cpu (strides 1/2, valid/same/explicit, NHWC/NCHW, batch 1, odd channels)', async () => {
  for (const c of CONV_CASES) {
    const dyShape = await convOutShape(c);
    await compareToCpu(
      'Conv2DBackpropFilter',
      { x: { shape: c.x, values: lcgValues(sizeOf(c.x), 1) }, dy: { shape: dyShape, values: lcgValues(sizeOf(dyShape), 2) } },
      { strides: c.strides, pad: c.pad, dataFormat: c.format ?? 'NHWC', filterShape: c.filter },
      describe(c),
    );
  }
});

test('Conv2DBackpropInput on wasm matches cpu (full-conv and col2im paths)', async () => {
  for (const c of CONV_CASES) {
    const dyShape = await convOutShape(c);
    await compareToCpu(
      'Conv2DBackpropInput',
      { dy: { shape: dyShape, values: lcgValues(sizeOf(dyShape), 3) }, filter: { shape: c.filter, values: lcgValues(sizeOf(c.filter), 4) } },
      { strides: c.strides, pad: c.pad, dataFormat: c.format ?? 'NHWC', inputShape: c.x },
      describe(c),
    );
  }
});

test('MaxPoolGrad on wasm matches cpu, ties, -Infinity and NaN included', async () => {
  const cases: Array<{ x: Shape; filter: number | [number, number]; strides: number | [number, number]; pad: Pad }> = [
    { x: [2, 8, 8, 8], filter: 2, strides: 2, pad: 'valid' },
    { x: [1, 7, 9, 4], filter: 3, strides: 2, pad: 'same' },
    { x: [2, 9, 9, 8], filter: 3, strides: 1, pad: 'valid' },
    { x: [3, 5, 7, 12], filter: [3, 2], strides: [1, 2], pad: 'same' },
    { x: [2, 8, 8, 5], filter: 2, strides: 2, pad: 'same' },
    { x: [1, 7, 7, 3], filter: 3, strides: 2, pad: 1 },
    { x: [1, 4, 4, 4], filter: 2, strides: 2, pad: 'valid' },
    // Disjoint windows that leave pixels out (last row/column; gaps between windows).
    { x: [2, 7, 7, 4], filter: 2, strides: 2, pad: 'valid' },
    { x: [1, 9, 9, 8], filter: 2, strides: 3, pad: 'valid' },
  ];
  for (const c of cases) {
    // Values on a coarse grid so windows hold ties; then some -Infinity and NaN.
    const x = Array.from(lcgValues(sizeOf(c.x), 5), (v) => Math.round(v * 3) / 2);
    for (let i = 0; i < x.length; i += 17) x[i] = -Infinity;
    for (let i = 5; i < x.length; i += 23) x[i] = NaN;
    // A whole window of -Infinity (the first one, at every channel): no gradient at all.
    const channels = c.x[3]!;
    for (const p of [0, 1, c.x[2]!, c.x[2]! + 1]) for (let ch = 0; ch < channels; ch++) x[p * channels + ch] = -Infinity;
    await useBackend('cpu');
    const [outShape, output] = tf.tidy(() => {
      const y = tf.maxPool(tf.tensor4d(x, c.x as [number, number, number, number]), c.filter, c.strides, c.pad);
      return [y.shape, Array.from(y.dataSync())] as const;
    });
    await compareToCpu(
      'MaxPoolGrad',
      {
        dy: { shape: outShape, values: lcgValues(sizeOf(outShape), 6) },
        input: { shape: c.x, values: x },
        output: { shape: outShape, values: output },
      },
      { filterSize: c.filter, strides: c.strides, pad: c.pad },
      `x=${c.x} f=${c.filter} s=${c.strides} pad=${c.pad}`,
    );
  }
});

test('DepthwiseConv2dNative backprops on wasm match cpu', async () => {
  const cases: Array<{ x: Shape; filter: Shape; strides: number | [number, number]; pad: Pad }> = [
    { x: [2, 7, 8, 3], filter: [3, 3, 3, 2], strides: 1, pad: 'same' },
    { x: [1, 9, 9, 4], filter: [3, 3, 4, 1], strides: 2, pad: 'valid' },
    { x: [2, 6, 5, 5], filter: [2, 3, 5, 3], strides: [1, 2], pad: 'same' },
  ];
  for (const c of cases) {
    await useBackend('cpu');
    const dyShape = tf.tidy(() => tf.depthwiseConv2d(zeros4(c.x), zeros4(c.filter), c.strides, c.pad as 'same').shape);
    const label = `x=${c.x} f=${c.filter} s=${c.strides} pad=${c.pad}`;
    const attrs = { strides: c.strides, dilations: 1, pad: c.pad };
    await compareToCpu(
      'DepthwiseConv2dNativeBackpropFilter',
      { x: { shape: c.x, values: lcgValues(sizeOf(c.x), 7) }, dy: { shape: dyShape, values: lcgValues(sizeOf(dyShape), 8) } },
      { ...attrs, filterShape: c.filter },
      label,
    );
    await compareToCpu(
      'DepthwiseConv2dNativeBackpropInput',
      { dy: { shape: dyShape, values: lcgValues(sizeOf(dyShape), 9) }, filter: { shape: c.filter, values: lcgValues(sizeOf(c.filter), 10) } },
      { ...attrs, inputShape: c.x },
      label,
    );
  }
});

test('Sum on wasm matches cpu, over leading axes (replaced) and otherwise (original kernel)', async () => {
  const cases: Array<{ shape: Shape; axis: number | number[]; keepDims?: boolean; dtype?: 'int32' }> = [
    { shape: [60, 9, 9, 8], axis: [0, 1, 2] }, // 4860 rows: several float64-combined blocks
    { shape: [6, 5, 5, 8], axis: [2, 0, 1], keepDims: true },
    { shape: [7, 12], axis: 0 },
    { shape: [5, 6, 3], axis: [0, 1] }, // 3 columns: not a multiple of 4
    { shape: [4, 6, 8], axis: 2 },
    { shape: [4, 6, 8], axis: [0, 1, 2] },
    { shape: [9, 8], axis: 0, dtype: 'int32' },
  ];
  for (const c of cases) {
    const v = c.dtype === 'int32' ? Array.from(lcgValues(sizeOf(c.shape), 11), (x) => Math.round(x * 100)) : lcgValues(sizeOf(c.shape), 11);
    await compareToCpu('Sum', { x: { shape: c.shape, values: v, dtype: c.dtype } }, { axis: c.axis, keepDims: c.keepDims ?? false }, JSON.stringify(c));
  }
});

test('BatchMatMul and _FusedMatMul with transposed and batched operands on wasm match cpu', async () => {
  const cases: Array<{ a: Shape; b: Shape; ta: boolean; tb: boolean }> = [
    { a: [1, 5, 7], b: [1, 7, 3], ta: false, tb: false },
    { a: [1, 7, 5], b: [1, 7, 3], ta: true, tb: false },
    { a: [1, 5, 7], b: [1, 3, 7], ta: false, tb: true },
    { a: [2, 7, 5], b: [2, 3, 7], ta: true, tb: true },
    { a: [3, 6, 4], b: [1, 6, 9], ta: true, tb: false },
    { a: [2, 5, 7], b: [2, 7, 3], ta: false, tb: false },
    { a: [1, 5, 7], b: [3, 3, 7], ta: false, tb: true },
    { a: [2, 3, 4, 5], b: [3, 5, 2], ta: false, tb: false },
  ];
  for (const c of cases) {
    const inputs = { a: { shape: c.a, values: lcgValues(sizeOf(c.a), 12) }, b: { shape: c.b, values: lcgValues(sizeOf(c.b), 13) } };
    const label = `a=${c.a} b=${c.b} ta=${c.ta} tb=${c.tb}`;
    await compareToCpu('BatchMatMul', inputs, { transposeA: c.ta, transposeB: c.tb }, label);
    if (c.a[0] === c.b[0]) {
      const cols = c.tb ? c.b[1]! : c.b[2]!;
      await compareToCpu(
        '_FusedMatMul',
        { ...inputs, bias: { shape: [cols], values: lcgValues(cols, 14) } },
        { transposeA: c.ta, transposeB: c.tb, activation: 'relu' },
        label,
      );
    }
  }
});

test('UnsortedSegmentSum on wasm matches cpu and drops out-of-range ids', async () => {
  await compareToCpu(
    'UnsortedSegmentSum',
    { x: { shape: [6, 4], values: lcgValues(24, 15) }, segmentIds: { shape: [6], values: [0, 2, 2, -1, 5, 1], dtype: 'int32' } },
    { numSegments: 4 },
    'rows',
  );
  await compareToCpu(
    'UnsortedSegmentSum',
    { x: { shape: [5, 3, 2], values: lcgValues(30, 16) }, segmentIds: { shape: [5], values: [1, 0, 1, 2, 0], dtype: 'int32' } },
    { numSegments: 3 },
    'slabs',
  );
});

test('Identity and same-dtype Cast share memory safely; other casts still convert', async () => {
  await useBackend('wasm');
  const x = tf.tensor([1.5, -2.5, 3.25], [3]);
  const y = tf.clone(x);
  const z = tf.cast(x, 'float32');
  const i = tf.cast(x, 'int32');
  x.dispose();
  assert.deepEqual(Array.from(await y.data()), [1.5, -2.5, 3.25]);
  assert.deepEqual(Array.from(await z.data()), [1.5, -2.5, 3.25]);
  assert.deepEqual(Array.from(await i.data()), [1, -2, 3]);
  assert.equal(i.dtype, 'int32');
  tf.dispose([y, z, i]);
});

// A scaled-down seed-cnn: two conv/pool stages, a softmax head, Glorot kernels, zero biases.
function smallCnn(activation: string): tfl.Sequential {
  const act = activation as 'relu';
  const glorot = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ inputShape: [14, 14, 3], filters: 6, kernelSize: 3, activation: act, kernelInitializer: glorot(1) }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.conv2d({ filters: 8, kernelSize: 3, activation: act, kernelInitializer: glorot(2) }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: glorot(3) }));
  return model;
}

interface Run {
  grads: Float32Array[];
  losses: number[];
  weights: Float32Array[];
}

/**
 * The gradients at the initial weights, then `steps` Adam steps on one fixed batch, with sparse
 * categorical cross-entropy from the softmax (or tfjs's softmax cross-entropy on its log).
 */
async function train(backend: string, activation: string, steps: number, loss: 'sparse' | 'softmax' = 'sparse'): Promise<Run> {
  await useBackend(backend);
  const model = smallCnn(activation);
  const x = tf.tensor(lcgValues(16 * 14 * 14 * 3, 20), [16, 14, 14, 3]);
  const labels = tf.tensor1d(Array.from({ length: 16 }, (_, i) => (i * 7) % 10), 'int32');
  const oneHot = tf.oneHot(labels, 10);
  const optimizer = tf.train.adam(0.001, 0.9, 0.999, 1e-7);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const objective = () =>
    tf.tidy(() => {
      const probs = model.apply(x, { training: true }) as tf.Tensor;
      if (loss === 'softmax') return tf.losses.softmaxCrossEntropy(oneHot, tf.log(probs)) as tf.Scalar;
      return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7))), -1))) as tf.Scalar;
    });
  const { value: first, grads } = tf.variableGrads(objective, vars);
  const gradValues = await Promise.all(vars.map(async (v) => (await grads[v.name]!.data()) as Float32Array));
  tf.dispose([first, ...Object.values(grads)]);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const value = optimizer.minimize(objective, true, vars)!;
    losses.push((await value.data())[0]!);
    value.dispose();
  }
  const weights = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
  tf.dispose([x, labels, oneHot, ...model.weights.map((w) => w.read())]);
  optimizer.dispose();
  return { grads: gradValues, losses, weights };
}

test('a seed-cnn-like model trains on wasm: same gradients as cpu, loss goes down, weights follow the cpu run', async () => {
  const steps = 6;
  const cpu = await train('cpu', 'relu', steps);
  const wasm = await train('wasm', 'relu', steps);
  cpu.grads.forEach((want, i) => {
    assertClose({ shape: [want.length], values: wasm.grads[i]! }, { shape: [want.length], values: want }, `gradient ${i}`);
  });
  assert.ok(wasm.losses[steps - 1]! < wasm.losses[0]!, `loss went from ${wasm.losses[0]} to ${wasm.losses[steps - 1]}`);
  for (let i = 0; i < steps; i++) {
    assert.ok(Math.abs(wasm.losses[i]! - cpu.losses[i]!) <= 1e-4 * cpu.losses[i]!, `step ${i}: loss ${wasm.losses[i]} vs cpu ${cpu.losses[i]}`);
  }
  // Adam moves each weight by ~lr = 1e-3 per step whatever the gradient's scale, so only a
  // tight bound tells a right gradient from a scaled one; float noise here is ~1e-7.
  for (let w = 0; w < cpu.weights.length; w++) {
    let err = 0;
    for (let i = 0; i < cpu.weights[w]!.length; i++) err = Math.max(err, Math.abs(wasm.weights[w]![i]! - cpu.weights[w]![i]!));
    assert.ok(err < 1e-5, `weight ${w}: max difference ${err}`);
  }
});

test('every kernel of a training step exists on wasm (relu/tanh, sparse/softmax loss) and nothing leaks', async () => {
  for (const [activation, loss] of [['relu', 'sparse'], ['tanh', 'softmax']] as const) {
    await useBackend('wasm');
    const used = new Set<string>();
    const profile = await tf.profile(async () => {
      await train('wasm', activation, 1, loss);
    });
    for (const k of profile.kernels) used.add(k.name);
    const kernels = [...used].filter((name) => tf.getKernel(name, 'cpu') != null);
    assert.ok(kernels.includes('Conv2DBackpropFilter') && kernels.includes('MaxPoolGrad'), kernels.join(' '));
    const missing = kernels.filter((name) => tf.getKernel(name, 'wasm') == null);
    assert.deepEqual(missing, [], `${activation}/${loss}: no wasm kernel for ${missing.join(', ')}`);

    const backend = tf.backend();
    await train('wasm', activation, 1, loss);
    const before = backend.numDataIds();
    await train('wasm', activation, 3, loss);
    assert.equal(backend.numDataIds(), before, `${activation}/${loss}: heap tensors leaked`);
  }
});

test('registerWasmTrainingKernels is idempotent and restoreBuiltinWasmKernels undoes the replacements', async () => {
  await useBackend('wasm');
  const { added, replaced } = wasmTrainingKernelNames();
  assert.ok(added.includes('Conv2DBackpropFilter'));
  const mine = replaced.map((name) => tf.getKernel(name, 'wasm')!.kernelFunc);
  registerWasmTrainingKernels();
  assert.deepEqual(replaced.map((name) => tf.getKernel(name, 'wasm')!.kernelFunc), mine);
  restoreBuiltinWasmKernels();
  try {
    replaced.forEach((name, i) => assert.notEqual(tf.getKernel(name, 'wasm')!.kernelFunc, mine[i], name));
    for (const name of added) assert.ok(tf.getKernel(name, 'wasm'), `${name} stays registered`);
    // The originals still work after the swap (their setup ran at backend init).
    const y = tf.matMul(tf.ones([2, 3]), tf.ones([2, 3]), false, true);
    assert.deepEqual(Array.from(await y.data()), [3, 3, 3, 3]);
  } finally {
    registerWasmTrainingKernels();
  }
  assert.deepEqual(replaced.map((name) => tf.getKernel(name, 'wasm')!.kernelFunc), mine);
});
