/**
 * Loss landscapes: the training loss along a line from the initial to the trained weights
 * (Goodfellow et al. 2015) and over a plane through the trained weights spanned by two
 * filter-normalised random directions (Li et al. 2018).
 *
 * Fast by construction: the data subset is uploaded once and reused at every point; a point
 * only rewrites the weight variables in place (no new model) and runs batched inference
 * forward passes; the loss and correct count of a point come back in one read.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ExampleSet } from '../training/data.js';
import { EPSILON } from '../training/losses.js';
import type { Interpolation1d, Surface2d } from './types.js';

/**
 * Loss and accuracy of a model's current weights on a fixed set of examples, uploaded once
 * and shared by every point and every model evaluated.
 */
export class LossEvaluator {
  private readonly batches: { x: tf.Tensor; y: tf.Tensor1D }[] = [];
  readonly count: number;

  /** Uploads the first `count` examples of `set` (all when fewer), in batches of `batchSize`. */
  constructor(set: ExampleSet, count: number, batchSize: number) {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
    this.count = Math.min(count, set.count);
    for (let start = 0; start < this.count; start += batchSize) {
      const end = Math.min(this.count, start + batchSize);
      this.batches.push({ x: set.inputs(null, start, end), y: set.targets(null, start, end) });
    }
  }

  /**
   * Mean sparse categorical cross-entropy (clipped as in training) and accuracy, in inference
   * mode. NaN when the forward pass produces NaN (e.g. overflowing weights).
   */
  async evaluate(model: tfl.LayersModel): Promise<{ loss: number; accuracy: number }> {
    const totals = tf.tidy(() => {
      let loss: tf.Tensor = tf.scalar(0);
      let correct: tf.Tensor = tf.scalar(0);
      let broken: tf.Tensor = tf.scalar(0);
      for (const { x, y } of this.batches) {
        const probs = model.apply(x, { training: false }) as tf.Tensor2D;
        const picked = tf.sum(tf.mul(tf.oneHot(y, probs.shape[1]), tf.clipByValue(probs, EPSILON, 1 - EPSILON)), -1);
        loss = tf.add(loss, tf.sum(tf.neg(tf.log(picked))));
        correct = tf.add(correct, tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), y), 'float32')));
        broken = tf.add(broken, tf.sum(tf.cast(tf.logicalNot(tf.isFinite(probs)), 'float32')));
      }
      return tf.stack([loss, correct, broken]);
    });
    const [loss, correct, broken] = await totals.data();
    totals.dispose();
    // Backends differ on whether clipping keeps a NaN; counting non-finite outputs means a
    // broken forward pass is reported as NaN everywhere, never as a finite, clipped loss.
    if (broken! > 0) return { loss: NaN, accuracy: NaN };
    return { loss: loss! / this.count, accuracy: correct! / this.count };
  }

  dispose(): void {
    for (const b of this.batches) tf.dispose([b.x, b.y]);
    this.batches.length = 0;
  }
}

/** The model's weights (trainable or not) as copies, in `model.weights` order. */
export function snapshotWeights(model: tfl.LayersModel): tf.Tensor[] {
  return model.weights.map((w) => tf.clone(w.read()));
}

/** Writes `values` (in `model.weights` order) into the model's variables, in place. */
export function assignWeights(model: tfl.LayersModel, values: readonly tf.Tensor[]): void {
  const weights = model.weights;
  if (values.length !== weights.length) throw new RangeError(`${values.length} values for ${weights.length} weights`);
  weights.forEach((w, i) => w.write(values[i]!));
}

/** `n` evenly spaced numbers from `from` to `to`, both included. */
export function linspace(from: number, to: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`linspace needs at least 2 points, got ${n}`);
  // Computed from both ends so the last point is exactly `to`.
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? to : from + ((to - from) * i) / (n - 1)));
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);

/** Wall-clock and process CPU time since it was started, in seconds. */
function stopwatch(): () => { seconds: number; cpu_seconds: number } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - wall) / 1000, cpu_seconds: (used.user + used.system) / 1e6 };
  };
}

/** Reports progress: points done and in all. */
export type ProgressFn = (done: number, total: number) => void;

/**
 * The loss along (1 - alpha) * initial + alpha * final at each `alphas` value. Written this
 * way (not initial + alpha * (final - initial)) so alpha 0 and 1 are the two models exactly.
 * Leaves the model at `final`.
 */
export async function interpolate1d(
  model: tfl.LayersModel,
  evaluator: LossEvaluator,
  initial: readonly tf.Tensor[],
  final: readonly tf.Tensor[],
  alphas: readonly number[],
  onProgress?: ProgressFn,
): Promise<Interpolation1d> {
  const elapsed = stopwatch();
  const loss: (number | null)[] = [];
  const accuracy: (number | null)[] = [];
  try {
    for (const [k, alpha] of alphas.entries()) {
      const values = initial.map((w0, i) => tf.tidy(() => tf.add(tf.mul(w0, 1 - alpha), tf.mul(final[i]!, alpha))));
      assignWeights(model, values);
      tf.dispose(values);
      const r = await evaluator.evaluate(model);
      loss.push(finite(r.loss));
      accuracy.push(finite(r.accuracy));
      onProgress?.(k + 1, alphas.length);
    }
  } finally {
    assignWeights(model, final);
  }
  return { alpha: [...alphas], loss, accuracy, ...elapsed() };
}

/**
 * The loss at center + x * d1 + y * d2 for every x of `xs` and y of `ys`, as
 * `loss[row of y][column of x]`. Leaves the model at `center`.
 */
export async function surface2d(
  model: tfl.LayersModel,
  evaluator: LossEvaluator,
  center: readonly tf.Tensor[],
  d1: readonly tf.Tensor[],
  d2: readonly tf.Tensor[],
  xs: readonly number[],
  ys: readonly number[],
  onProgress?: ProgressFn,
): Promise<Surface2d> {
  const elapsed = stopwatch();
  const loss: (number | null)[][] = [];
  const accuracy: (number | null)[][] = [];
  // Weights whose directions are both zero (biases, BatchNorm) never change: not rewritten.
  const moving = center.map((_, i) => tf.tidy(() => tf.any(tf.notEqual(tf.concat([tf.reshape(d1[i]!, [-1]), tf.reshape(d2[i]!, [-1])]), 0)).dataSync()[0] === 1));
  const total = xs.length * ys.length;
  try {
    for (const y of ys) {
      const lossRow: (number | null)[] = [];
      const accRow: (number | null)[] = [];
      for (const x of xs) {
        const values = center.map((c, i) => (moving[i] ? tf.tidy(() => tf.add(c, tf.add(tf.mul(d1[i]!, x), tf.mul(d2[i]!, y)))) : c));
        assignWeights(model, values);
        tf.dispose(values.filter((_, i) => moving[i]));
        const r = await evaluator.evaluate(model);
        lossRow.push(finite(r.loss));
        accRow.push(finite(r.accuracy));
        onProgress?.(loss.length * xs.length + lossRow.length, total);
      }
      loss.push(lossRow);
      accuracy.push(accRow);
    }
  } finally {
    assignWeights(model, center);
  }
  return { x: [...xs], y: [...ys], loss, accuracy, ...elapsed() };
}
