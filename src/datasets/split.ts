import { UserError } from '../errors.js';
import { createRng, shuffleInPlace } from '../random.js';
import type { ImageSplit, Labels, SplitOptions, TabularSplit, TextSplit } from './types.js';

export const DEFAULT_TEST_FRACTION = 0.2;
export const DEFAULT_SPLIT_SEED = 42;

/** Row indices of a train/test split. */
export interface SplitIndices {
  train: Int32Array;
  test: Int32Array;
}

/** Checks a split option set and fills in the defaults. */
export function resolveSplitOptions(options: SplitOptions = {}): Required<SplitOptions> {
  const testFraction = options.testFraction ?? DEFAULT_TEST_FRACTION;
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new UserError(`test fraction must be between 0 and 1 (exclusive), got ${testFraction}`);
  }
  if (!Number.isSafeInteger(seed)) throw new UserError(`seed must be an integer, got ${seed}`);
  return { testFraction, seed };
}

/**
 * A deterministic stratified split: within each class, a seeded shuffle, then
 * round(classCount x testFraction) rows go to test. Both index lists come back shuffled (same
 * seed) so that a consumer that forgets to shuffle does not train on one class at a time.
 */
export function stratifiedSplit(labels: ArrayLike<number>, options: SplitOptions = {}): SplitIndices {
  const { testFraction, seed } = resolveSplitOptions(options);
  const rng = createRng(seed);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const rows = byClass.get(labels[i]);
    if (rows) rows.push(i);
    else byClass.set(labels[i], [i]);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = shuffleInPlace(byClass.get(label)!, rng);
    const nTest = Math.round(rows.length * testFraction);
    for (let k = 0; k < rows.length; k++) (k < nTest ? test : train).push(rows[k]);
  }
  if (train.length === 0 || test.length === 0) {
    throw new UserError(
      `a test fraction of ${testFraction} leaves an empty ${train.length === 0 ? 'train' : 'test'} split of ${labels.length} rows`,
    );
  }
  return {
    train: shuffleInPlace(Int32Array.from(train), rng),
    test: shuffleInPlace(Int32Array.from(test), rng),
  };
}

type AnySplit = ImageSplit | TabularSplit | TextSplit;
type RowArray = Uint8Array | Int32Array | Float32Array;

function isRowArray(value: unknown): value is RowArray {
  return value instanceof Uint8Array || value instanceof Int32Array || value instanceof Float32Array;
}

function gatherRows<T extends RowArray>(source: T, rowSize: number, indices: Int32Array): T {
  const out = new (source.constructor as new (length: number) => T)(indices.length * rowSize);
  for (let k = 0; k < indices.length; k++) {
    const from = indices[k] * rowSize;
    out.set(source.subarray(from, from + rowSize), k * rowSize);
  }
  return out;
}

/** The rows `indices` of a split (images, features or sequences with their labels), copied. */
export function takeRows<S extends AnySplit>(split: S, indices: Int32Array): S {
  const out: Record<string, unknown> = { ...split, count: indices.length };
  for (const [key, value] of Object.entries(split)) {
    if (!isRowArray(value)) continue;
    if (value.length % split.count !== 0) {
      throw new Error(`${key} has ${value.length} values, not a multiple of ${split.count} rows`);
    }
    for (let k = 0; k < indices.length; k++) {
      if (indices[k] < 0 || indices[k] >= split.count) throw new RangeError(`row ${indices[k]} out of range`);
    }
    out[key] = gatherRows(value, value.length / split.count, indices);
  }
  return out as S;
}

/** Splits one split in two by `stratifiedSplit` of its labels (e.g. a validation set). */
export function splitRows<S extends AnySplit>(split: S, options: SplitOptions = {}): { train: S; test: S } {
  const indices = stratifiedSplit(split.labels, options);
  return { train: takeRows(split, indices.train), test: takeRows(split, indices.test) };
}

/** Number of examples of each class, indexed by class. */
export function labelCounts(labels: Labels, classCount: number): number[] {
  const counts = new Array<number>(classCount).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}
