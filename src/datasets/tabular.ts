import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fsInputError, inputError } from './errors.js';
import { resolveSplitOptions, stratifiedSplit, takeRows } from './split.js';
import type { DatasetSource, SplitOptions, TabularDataset, TabularDatasetName, TabularSplit } from './types.js';

/** All rows of a table before the split. */
export interface TabularTable {
  featureNames: string[];
  classNames: string[];
  features: Float32Array;
  labels: Uint8Array;
  count: number;
}

/** Splits a table (stratified, seeded; there is no official split) into a data set. */
export function splitTable(
  name: TabularDatasetName,
  table: TabularTable,
  source: DatasetSource,
  options: SplitOptions = {},
): TabularDataset {
  const { testFraction, seed } = resolveSplitOptions(options);
  const all: TabularSplit = { features: table.features, labels: table.labels, count: table.count };
  const indices = stratifiedSplit(table.labels, { testFraction, seed });
  return {
    kind: 'tabular',
    name,
    classNames: table.classNames,
    featureNames: table.featureNames,
    featureCount: table.featureNames.length,
    train: takeRows(all, indices.train),
    test: takeRows(all, indices.test),
    split: { method: 'stratified', from: 'all', testFraction, seed },
    source,
  };
}

/**
 * The CSV file a `--data` path names: the path itself, or the first of `fileNames` inside it
 * when it is a folder.
 */
export async function resolveCsvFile(path: string, fileNames: string[]): Promise<string> {
  const info = await stat(path).catch((err: unknown) => Promise.reject(fsInputError(path, err)));
  if (!info.isDirectory()) return path;
  for (const name of fileNames) {
    const candidate = join(path, name);
    if (await stat(candidate).then((s) => s.isFile(), () => false)) return candidate;
  }
  throw inputError(path, `no ${fileNames.join(' or ')} in this folder`);
}

