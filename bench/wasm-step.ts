/**
 * Times seed-cnn training steps on the wasm backend and shows where the time goes.
 *
 *   npm run build && node dist/bench/wasm-step.js [--steps 20] [--warmup 3] [--batch 100]
 *     [--activation relu] [--loss sparse|softmax] [--profile-steps 3] [--compare]
 *
 * `--compare` also times the wasm backend's own slow kernels (only the missing ones added), in
 * the same process and interleaved, so the two medians see the same machine load.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  registerWasmTrainingKernels,
  restoreBuiltinWasmKernels,
  wasmTrainingKernelNames,
} from '../src/backends/wasm/register.js';
// Registers `lisht` (kernels, activation name) for --activation lisht.
import '../src/register.js';
import { median } from '../src/training/bench.js';

const { values: opts } = parseArgs({
  options: {
    steps: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    batch: { type: 'string', default: '100' },
    activation: { type: 'string', default: 'relu' },
    loss: { type: 'string', default: 'sparse' },
    'profile-steps': { type: 'string', default: '3' },
    compare: { type: 'boolean', default: false },
  },
});
const steps = Number(opts.steps);
const warmup = Number(opts.warmup);
const batch = Number(opts.batch);
const profileSteps = Number(opts['profile-steps']);

function seedCnn(activation: string): tfl.Sequential {
  const act = activation as 'relu';
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ inputShape: [32, 32, 3], filters: 32, kernelSize: 3, activation: act }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: act }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

/** One Adam step; returns the loss value. */
function makeStep(model: tfl.Sequential, x: tf.Tensor4D, labels: tf.Tensor1D) {
  const optimizer = tf.train.adam(0.001, 0.9, 0.999, 1e-7);
  const oneHot = tf.oneHot(labels, 10);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return (): number => {
    const loss = optimizer.minimize(
      () =>
        tf.tidy(() => {
          const probs = model.apply(x, { training: true }) as tf.Tensor2D;
          if (opts.loss === 'softmax') return tf.losses.softmaxCrossEntropy(oneHot, tf.log(probs));
          const clipped = tf.clipByValue(probs, 1e-7, 1 - 1e-7);
          return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.log(clipped)), -1)));
        }) as tf.Scalar,
      true,
      vars,
    )!;
    const value = loss.dataSync()[0]!;
    loss.dispose();
    return value;
  };
}

function timeOnce(step: () => number): number {
  const t0 = performance.now();
  step();
  return performance.now() - t0;
}

/** CPU time (user + system) of one step: on a shared machine, less inflated by load than wall time. */
function cpuTimeOnce(step: () => number): number {
  const t0 = process.cpuUsage();
  step();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

interface Row {
  calls: number;
  ms: number;
}

/**
 * Per-kernel time of `n` profiled steps, per step, and the profiled steps' mean wall time.
 * Composite op scopes (`foo__op`, whose time includes their kernels') are skipped.
 */
async function profile(step: () => number, n: number): Promise<{ rows: Map<string, Row>; wallMs: number }> {
  const rows = new Map<string, Row>();
  let wallMs = 0;
  for (let i = 0; i < n; i++) {
    const info = await tf.profile(() => {
      wallMs += timeOnce(step) / n;
    });
    for (const k of info.kernels) {
      if (tf.getKernel(k.name, 'wasm') == null) continue;
      const shapes = k.inputShapes.map((s) => (s == null ? '-' : `[${s.join(',')}]`)).join(' ');
      for (const key of [k.name, `${k.name} ${shapes}`]) {
        const row = rows.get(key) ?? { calls: 0, ms: 0 };
        row.calls += 1 / n;
        row.ms += (k.kernelTimeMs as number) / n;
        rows.set(key, row);
      }
    }
  }
  return { rows, wallMs };
}

function printTable(title: string, rows: Array<[string, Row]>, stepMs: number): void {
  console.log(`\n${title}`);
  console.log(`${'ms/step'.padStart(8)} ${'%'.padStart(5)} ${'calls'.padStart(6)}  kernel`);
  for (const [key, r] of rows) {
    const pct = ((100 * r.ms) / stepMs).toFixed(1);
    console.log(`${r.ms.toFixed(2).padStart(8)} ${pct.padStart(5)} ${r.calls.toFixed(0).padStart(6)}  ${key}`);
  }
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmTrainingKernels();
  tf.util.assert(tf.getBackend() === 'wasm', () => 'wasm backend did not start');

  const model = seedCnn(opts.activation!);
  const x = tf.randomNormal([batch, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const labels = tf.randomUniform([batch], 0, 10, 'int32', 2) as tf.Tensor1D;
  const step = makeStep(model, x, labels);
  const names = wasmTrainingKernelNames();
  console.log(
    `seed-cnn (${model.countParams()} params), batch ${batch}, ${opts.activation}, ${opts.loss} loss, ` +
      `backend ${tf.getBackend()}; added ${names.added.join(', ')}; replaced ${names.replaced.join(', ') || 'none'}`,
  );

  const useFast = (fast: boolean) => (fast ? registerWasmTrainingKernels() : restoreBuiltinWasmKernels());
  const variants = opts.compare ? [true, false] : [true];
  const times = new Map<boolean, number[]>(variants.map((v) => [v, []]));
  const cpuTimes: number[] = [];
  for (const v of variants) {
    useFast(v);
    for (let i = 0; i < warmup; i++) step();
  }
  // Interleaved so both variants see the same load on a shared machine.
  for (let i = 0; i < steps; i++) {
    for (const v of variants) {
      useFast(v);
      times.get(v)!.push(timeOnce(step));
    }
  }
  useFast(true);
  for (let i = 0; i < steps; i++) cpuTimes.push(cpuTimeOnce(step));
  useFast(true);
  const fastMs = median(times.get(true)!);
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`\nmedian ${fastMs.toFixed(1)} ms/step over ${steps} steps ` +
    `(min ${Math.min(...times.get(true)!).toFixed(1)}, max ${Math.max(...times.get(true)!).toFixed(1)}); ` +
    `load average ${load} on ${availableParallelism()} cores`);
  console.log(`median CPU time ${median(cpuTimes).toFixed(1)} ms/step (min ${Math.min(...cpuTimes).toFixed(1)})`);
  if (opts.compare) {
    const slow = times.get(false)!;
    console.log(`builtin wasm kernels (only missing ones added): median ${median(slow).toFixed(1)} ms/step`);
  }
  console.log(`loss after all steps: ${step().toFixed(4)}`);

  if (profileSteps > 0) {
    const { rows, wallMs } = await profile(step, profileSteps);
    const byKernel = [...rows].filter(([k]) => !k.includes(' ')).sort((a, b) => b[1].ms - a[1].ms);
    const byShape = [...rows].filter(([k]) => k.includes(' ')).sort((a, b) => b[1].ms - a[1].ms);
    const kernelSum = byKernel.reduce((s, [, r]) => s + r.ms, 0);
    printTable(`per kernel (tf.profile, mean of ${profileSteps} profiled steps of ${wallMs.toFixed(1)} ms wall):`, byKernel, wallMs);
    console.log(`${kernelSum.toFixed(2).padStart(8)} ${((100 * kernelSum) / wallMs).toFixed(1).padStart(5)}         sum of kernels; the rest is engine/JS overhead`);
    printTable('top kernel calls by input shapes:', byShape.slice(0, 15), wallMs);
  }
}

await main();
