import * as tf from '@tensorflow/tfjs-core';
import type { Dataset, Labels } from '../datasets/types.js';

/**
 * One split of a data set as the training loop sees it: examples addressed by index, turned
 * into float tensors one batch at a time, so the full set stays compact (uint8 for images).
 */
export interface ExampleSet {
  readonly count: number;
  /** Shape of one example, e.g. [32, 32, 3]. */
  readonly inputShape: number[];
  readonly labels: Labels;
  /**
   * The inputs of examples `order[start..end)` (of examples `start..end` when `order` is
   * null) as a tensor of shape [end - start, ...inputShape].
   */
  inputs(order: ArrayLike<number> | null, start: number, end: number): tf.Tensor;
  /** Their labels as an int32 tensor of shape [end - start]. */
  targets(order: ArrayLike<number> | null, start: number, end: number): tf.Tensor1D;
}

class ArrayExampleSet implements ExampleSet {
  private readonly rowSize: number;

  constructor(
    private readonly rows: Uint8Array | Float32Array | Int32Array,
    readonly labels: Labels,
    readonly count: number,
    readonly inputShape: number[],
    /** Multiplier applied while copying (1/255 for uint8 images, 1 otherwise). */
    private readonly scale: number,
    private readonly dtype: 'float32' | 'int32',
  ) {
    this.rowSize = inputShape.reduce((a, b) => a * b, 1);
  }

  inputs(order: ArrayLike<number> | null, start: number, end: number): tf.Tensor {
    const n = end - start;
    const size = this.rowSize;
    const out = this.dtype === 'int32' ? new Int32Array(n * size) : new Float32Array(n * size);
    for (let b = 0; b < n; b++) {
      const from = (order === null ? start + b : order[start + b]) * size;
      const row = this.rows.subarray(from, from + size);
      if (this.scale === 1) out.set(row, b * size);
      else for (let i = 0, o = b * size; i < size; i++, o++) out[o] = row[i] * this.scale;
    }
    return tf.tensor(out, [n, ...this.inputShape], this.dtype);
  }

  targets(order: ArrayLike<number> | null, start: number, end: number): tf.Tensor1D {
    const out = new Int32Array(end - start);
    for (let b = 0; b < out.length; b++) out[b] = this.labels[order === null ? start + b : order[start + b]];
    return tf.tensor1d(out, 'int32');
  }
}

/** Keeps only the first `limit` examples (all when `limit` is undefined). */
function limited(count: number, limit: number | undefined): number {
  return limit === undefined ? count : Math.min(count, limit);
}

/**
 * The train and test splits of a loaded data set as {@link ExampleSet}s. Images are divided
 * by 255 per batch, as the original article does once for the whole set.
 */
export function exampleSets(dataset: Dataset, limits: { train?: number; test?: number } = {}): { train: ExampleSet; test: ExampleSet } {
  const make = (which: 'train' | 'test'): ExampleSet => {
    const limit = limits[which];
    switch (dataset.kind) {
      case 'image': {
        const s = dataset[which];
        return new ArrayExampleSet(s.images, s.labels, limited(s.count, limit), [...dataset.imageShape], 1 / 255, 'float32');
      }
      case 'tabular': {
        const s = dataset[which];
        return new ArrayExampleSet(s.features, s.labels, limited(s.count, limit), [dataset.featureCount], 1, 'float32');
      }
      case 'text': {
        const s = dataset[which];
        return new ArrayExampleSet(s.sequences, s.labels, limited(s.count, limit), [dataset.sequenceLength], 1, 'int32');
      }
    }
  };
  return { train: make('train'), test: make('test') };
}
