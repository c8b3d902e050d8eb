/**
 * Timing training steps of a model, the figure `lisht bench` and `npm run bench` report:
 * warm-up steps first (kernel compilation, memory growth), then each timed step measured on
 * its own, reported as the median.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../errors.js';
import { createRng } from '../random.js';
import { getModel } from '../models/registry.js';
import type { ModelInput } from '../models/types.js';
import { createOptimizer, type OptimizerConfig } from './optimizers.js';
import { trainableVariables, trainStep } from './fit.js';

export interface BenchOptions {
  model: string;
  activation: string;
  /** The data set's input: its shape, classes, kind (text gets token ids) and vocabulary. */
  input: ModelInput;
  batchSize: number;
  /** Default Adam with Keras's defaults (the article's). */
  optimizer?: OptimizerConfig;
  /** Timed steps; default 20. */
  steps?: number;
  /** Untimed steps first; default 10 (the JIT, oneDNN's caches and memory pools settle). */
  warmup?: number;
}

export interface BenchResult {
  backend: string;
  model: string;
  activation: string;
  optimizer: string;
  batch_size: number;
  steps: number;
  /** Median of the timed steps. */
  ms_per_step: number;
  min_ms: number;
  max_ms: number;
  images_per_sec: number;
}

/**
 * The most input values one benchmark batch may hold: 2^28 (1 GiB of float32); beyond it the
 * typed array cannot be made, or the backend runs out of memory in the first step.
 */
export const MAX_BENCH_BATCH_VALUES = 2 ** 28;

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Times training steps on the current backend with random data of the data set's kind and shape. */
export async function benchTraining(options: BenchOptions): Promise<BenchResult> {
  const steps = options.steps ?? 20;
  const warmup = options.warmup ?? 10;
  const { input } = options;
  const values = options.batchSize * input.inputShape.reduce((a, b) => a * b, 1);
  if (values > MAX_BENCH_BATCH_VALUES) {
    const most = Math.floor(MAX_BENCH_BATCH_VALUES / (values / options.batchSize));
    throw new UserError(`batch size ${options.batchSize} makes a batch of ${values} input values; at most ${MAX_BENCH_BATCH_VALUES} (a batch size of ${most} here)`);
  }
  const model = getModel(options.model).build({ ...input, activation: options.activation, seed: 1 });
  const optimizerConfig = options.optimizer ?? { name: 'adam' };
  const optimizer = createOptimizer(optimizerConfig);
  const vars = trainableVariables(model);
  const rng = createRng('bench');
  const size = options.batchSize * input.inputShape.reduce((a, b) => a * b, 1);
  const shape = [options.batchSize, ...input.inputShape];
  const x =
    input.kind === 'text'
      ? tf.tensor(Int32Array.from({ length: size }, () => Math.floor(rng() * input.vocabularySize!)), shape, 'int32')
      : tf.tensor(Float32Array.from({ length: size }, () => rng()), shape);
  const y = tf.tensor1d(Int32Array.from({ length: options.batchSize }, () => Math.floor(rng() * input.numClasses)), 'int32');
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + steps; i++) {
      const t0 = performance.now();
      await trainStep(model, optimizer, vars, x, y);
      if (i >= warmup) times.push(performance.now() - t0);
    }
  } finally {
    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
  }
  const ms = median(times);
  return {
    backend: tf.getBackend(),
    model: options.model,
    activation: options.activation,
    optimizer: optimizerConfig.name,
    batch_size: options.batchSize,
    steps,
    ms_per_step: ms,
    min_ms: Math.min(...times),
    max_ms: Math.max(...times),
    images_per_sec: (options.batchSize * 1000) / ms,
  };
}
