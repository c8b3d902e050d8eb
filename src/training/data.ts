import * as tf from '@tensorflow/tfjs-core';
import type { Dataset, Labels } from '../datasets/types.js';
import { hasFusedKernel, ImageBatch } from '../fused/kernel_names.js';
import type { BatchContext, ImageAugmenter } from './augment.js';

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
   * null) as a tensor of shape [end - start, ...inputShape]. `context` is given for training
   * batches only (fit passes it), so that a set can augment those and nothing else.
   */
  inputs(order: ArrayLike<number> | null, start: number, end: number, context?: BatchContext): tf.Tensor;
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
    /** Multiplier of uint8 image rows (1/255); feature and token rows are copied as they are. */
    private readonly scale: number,
    private readonly dtype: 'float32' | 'int32',
    /** Applied to the uint8 rows of training batches, before scaling. */
    private readonly augment?: ImageAugmenter,
  ) {
    this.rowSize = inputShape.reduce((a, b) => a * b, 1);
  }

  inputs(order: ArrayLike<number> | null, start: number, end: number, context?: BatchContext): tf.Tensor {
    const n = end - start;
    const size = this.rowSize;
    const shape = [n, ...this.inputShape];
    if (this.rows instanceof Uint8Array && this.dtype === 'float32') {
      if (this.augment !== undefined && context !== undefined) {
        // Gather the batch as uint8, augment it, then scale it like any other batch.
        const raw = new Uint8Array(n * size);
        for (let b = 0; b < n; b++) raw.set(this.row(order, start + b), b * size);
        return imageBatch(this.augment(raw, n, context), null, 0, n, this.scale, shape);
      }
      return imageBatch(this.rows, order, start, end, this.scale, shape);
    }
    // Feature and token rows are copied as they are (only images are scaled).
    const out = this.dtype === 'int32' ? new Int32Array(n * size) : new Float32Array(n * size);
    for (let b = 0; b < n; b++) out.set(this.row(order, start + b), b * size);
    return tf.tensor(out, shape, this.dtype);
  }

  private row(order: ArrayLike<number> | null, i: number): Uint8Array | Float32Array | Int32Array {
    const from = (order === null ? i : order[i]) * this.rowSize;
    return this.rows.subarray(from, from + this.rowSize);
  }

  targets(order: ArrayLike<number> | null, start: number, end: number): tf.Tensor1D {
    const out = new Int32Array(end - start);
    for (let b = 0; b < out.length; b++) out[b] = this.labels[order === null ? start + b : order[start + b]];
    return tf.tensor1d(out, 'int32');
  }
}

/**
 * Rows `order[start..end)` (rows `start..end` when `order` is null) of uint8 `rows`, times
 * `scale`, as a float32 tensor of `shape`: one kernel where the backend has it (`native`, on
 * all cores), else a loop here.
 */
function imageBatch(rows: Uint8Array, order: ArrayLike<number> | null, start: number, end: number, scale: number, shape: number[]): tf.Tensor {
  const n = end - start;
  if (hasFusedKernel(ImageBatch)) {
    const index =
      order === null ? Int32Array.from({ length: n }, (_, b) => start + b) : order instanceof Int32Array ? order.subarray(start, end) : Int32Array.from({ length: n }, (_, b) => order[start + b]!);
    return tf.engine().runKernel(ImageBatch, {}, { rows, index, scale, shape } as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  const size = shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(n * size);
  for (let b = 0; b < n; b++) {
    const from = (order === null ? start + b : order[start + b]!) * size;
    for (let i = 0, o = b * size; i < size; i++, o++) out[o] = rows[from + i]! * scale;
  }
  return tf.tensor(out, shape, 'float32');
}

/** Keeps only the first `limit` examples (all when `limit` is undefined). */
function limited(count: number, limit: number | undefined): number {
  return limit === undefined ? count : Math.min(count, limit);
}

/**
 * The train and test splits of a loaded data set as {@link ExampleSet}s. Images are divided
 * by 255 per batch, as the original article does once for the whole set. `augment` (images
 * only) transforms the training batches that `fit` draws; test batches are never augmented.
 */
export function exampleSets(
  dataset: Dataset,
  limits: { train?: number; test?: number } = {},
  options: { augment?: ImageAugmenter } = {},
): { train: ExampleSet; test: ExampleSet } {
  if (options.augment !== undefined && dataset.kind !== 'image') {
    throw new Error(`augmentation applies to images; ${dataset.name} holds ${dataset.kind} data`);
  }
  const make = (which: 'train' | 'test'): ExampleSet => {
    const limit = limits[which];
    switch (dataset.kind) {
      case 'image': {
        const s = dataset[which];
        const augment = which === 'train' ? options.augment : undefined;
        return new ArrayExampleSet(s.images, s.labels, limited(s.count, limit), [...dataset.imageShape], 1 / 255, 'float32', augment);
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
