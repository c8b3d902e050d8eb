/**
 * Keras models on disk (Node): `loadKerasModelFile` reads a `.keras` file, a legacy `.h5`
 * file, or a TensorFlow.js model folder (or its model.json) with its weight files;
 * `saveKerasModel` writes a `.keras` file, `saveKerasH5Model` a legacy `.h5` file.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { writeFileAtomic } from '../reports/write.js';
import { readKerasModel, type LoadedKerasModel } from './load.js';
import { toKerasFile, toKerasH5File } from './save.js';

async function readOrFail(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, code === 'ENOENT' || code === 'EACCES' ? EXIT.NO_INPUT : EXIT.IO);
  }
}

/** Prefixes a loader error with the file it came from. */
function inFile<T>(path: string, work: Promise<T>): Promise<T> {
  return work.catch((err: unknown) => {
    if (err instanceof UserError) throw new UserError(`${path}: ${err.message}`, err.exitCode);
    throw err;
  });
}

/**
 * Loads a Keras model from a path: a `.keras` file, a legacy `.h5` file, or a folder (or
 * model.json) written by tensorflowjs_converter or by lisht. Missing: exit code 66; damaged
 * or not loadable as Keras computes it: 65, with the reason.
 */
export async function loadKerasModelFile(path: string): Promise<LoadedKerasModel> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UserError(`cannot read ${path}: no such file or folder`, EXIT.NO_INPUT);
  }
  const jsonPath = info.isDirectory() ? join(path, 'model.json') : basename(path).endsWith('.json') ? path : undefined;
  if (jsonPath === undefined) return inFile(path, readKerasModel(new Uint8Array(await readOrFail(path))));
  const text = (await readOrFail(jsonPath)).toString('utf8');
  let json: { weightsManifest?: { paths: string[] }[] };
  try {
    json = JSON.parse(text) as typeof json;
  } catch (err) {
    throw new UserError(`${jsonPath} is not valid JSON: ${(err as Error).message}`, EXIT.DATA);
  }
  if (!Array.isArray(json.weightsManifest)) throw new UserError(`${jsonPath} has no weightsManifest: not a TensorFlow.js layers model`, EXIT.DATA);
  const weights: Uint8Array[] = [];
  for (const group of json.weightsManifest) for (const p of group.paths) weights.push(new Uint8Array(await readOrFail(join(dirname(jsonPath), p))));
  return inFile(jsonPath, readKerasModel({ modelJson: json, weights }));
}

/** Writes `model` as a Keras 3 `.keras` file at `path` (atomically). */
export async function saveKerasModel(model: tfl.LayersModel, path: string): Promise<void> {
  await writeFileAtomic(path, await toKerasFile(model));
}

/** Writes `model` as a legacy Keras `.h5` file at `path` (atomically). */
export async function saveKerasH5Model(model: tfl.LayersModel, path: string): Promise<void> {
  await writeFileAtomic(path, await toKerasH5File(model));
}
