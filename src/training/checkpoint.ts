/**
 * Per-epoch checkpoints: model weights, optimizer state and the run's history, enough to
 * continue a run exactly where it stopped. Each checkpoint is written into a fresh folder and
 * only then published by atomically replacing `latest.json`, so a run killed at any moment
 * leaves the previous checkpoint intact.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../reports/write.js';
import { loadModel, saveModel } from './model_files.js';

const LATEST = 'latest.json';
const OPTIMIZER_BIN = 'optimizer.bin';

/** What a checkpoint records besides tensors; `T` is the caller's own state (e.g. history). */
export interface CheckpointMeta<T> {
  /** Epochs finished when it was written. */
  epoch: number;
  state: T;
}

interface Latest<T> extends CheckpointMeta<T> {
  folder: string;
  optimizerSpecs: tf.io.WeightsManifestEntry[];
}

/** Writes a checkpoint after `meta.epoch` epochs into `dir`, replacing the previous one. */
export async function saveCheckpoint<T>(dir: string, model: tfl.LayersModel, optimizer: tf.Optimizer, meta: CheckpointMeta<T>): Promise<void> {
  const folder = `epoch-${String(meta.epoch).padStart(4, '0')}`;
  const path = join(dir, folder);
  await rm(path, { recursive: true, force: true });
  await saveModel(model, path);
  const { data, specs } = await tf.io.encodeWeights(await optimizer.getWeights());
  await writeFile(join(path, OPTIMIZER_BIN), new Uint8Array(data as ArrayBuffer));
  const latest: Latest<T> = { ...meta, folder, optimizerSpecs: specs };
  await writeFileAtomic(join(dir, LATEST), JSON.stringify(latest));
  for (const name of await readdir(dir)) {
    if (name.startsWith('epoch-') && name !== folder) await rm(join(dir, name), { recursive: true, force: true });
  }
}

/** The latest checkpoint in `dir`, or `undefined` when there is none. */
export async function loadCheckpoint<T>(
  dir: string,
): Promise<{ model: tfl.LayersModel; optimizerWeights: { name: string; tensor: tf.Tensor }[]; meta: CheckpointMeta<T> } | undefined> {
  let latest: Latest<T>;
  try {
    latest = JSON.parse(await readFile(join(dir, LATEST), 'utf8')) as Latest<T>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`checkpoint ${join(dir, LATEST)} is unreadable: ${(err as Error).message}`);
  }
  const path = join(dir, latest.folder);
  const model = await loadModel(path);
  const bytes = await readFile(join(path, OPTIMIZER_BIN));
  const decoded = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, latest.optimizerSpecs);
  const optimizerWeights = latest.optimizerSpecs.map((s) => ({ name: s.name, tensor: decoded[s.name] }));
  return { model, optimizerWeights, meta: { epoch: latest.epoch, state: latest.state } };
}
