/**
 * Finding what a finished `compare` run left behind: its summary, and per activation the
 * trained model and the initial weights. Runs written before initial weights were saved get
 * them rebuilt from the model registry with the recorded seed: the seeded initialisers draw
 * their numbers in JavaScript, so this gives the same weights on every backend.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { CompareSummary } from './compare_types.js';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { getModel } from '../models/registry.js';
import { loadModel, MODEL_JSON } from '../training/model_files.js';

/** Where `compare` saves each activation's models, relative to the run folder. */
export const MODELS_DIR = 'models';

/** The results store of a compare run folder. */
export const RUN_STORE_FILE = 'results.db';
/** Subfolder of `models/<activation>/` with the weights before training. */
export const INITIAL_DIR = 'initial';

/** One activation of a run that can be inspected. */
export interface RunModel {
  activation: string;
  /** Folder of the trained model. */
  dir: string;
  /** Folder of the initial model, or null when the run did not save it. */
  initialDir: string | null;
}

export interface RunFolder {
  dir: string;
  summary: CompareSummary;
  models: RunModel[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens a `compare` output folder. A clear `UserError` when the folder does not exist, is not
 * a compare run, or has no saved model for any (or a requested) activation.
 */
export async function openRunFolder(path: string, activations?: readonly string[]): Promise<RunFolder> {
  const dir = resolve(path);
  if (!(await exists(dir))) throw new UserError(`no run folder ${dir}`);
  let summary: CompareSummary;
  try {
    summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as CompareSummary;
  } catch (err) {
    throw new UserError(`${dir} is not a compare run folder: cannot read summary.json (${(err as Error).message})`);
  }
  if (!Array.isArray(summary.results) || summary.options === undefined) {
    throw new UserError(`${dir}/summary.json is not the summary of a compare run`);
  }
  const wanted = activations ?? summary.results.map((r) => r.activation);
  const unknown = wanted.filter((a) => !summary.results.some((r) => r.activation === a));
  if (unknown.length > 0) {
    throw new UserError(`run ${dir} has no activation ${unknown.join(', ')}; it has ${summary.results.map((r) => r.activation).join(', ')}`);
  }
  const models: RunModel[] = [];
  for (const activation of wanted) {
    const modelDir = join(dir, MODELS_DIR, activation);
    if (!(await exists(join(modelDir, MODEL_JSON)))) continue;
    const initialDir = join(modelDir, INITIAL_DIR);
    models.push({ activation, dir: modelDir, initialDir: (await exists(join(initialDir, MODEL_JSON))) ? initialDir : null });
  }
  const missing = activations?.filter((a) => !models.some((m) => m.activation === a)) ?? [];
  if (missing.length > 0) throw new UserError(`run ${dir} has no saved model for ${missing.join(', ')} (only finished runs save them)`);
  if (models.length === 0) {
    throw new UserError(`run ${dir} has no saved models (${MODELS_DIR}/<activation>/${MODEL_JSON}); only finished runs save them`);
  }
  return { dir, summary, models };
}

/**
 * The model before training: loaded from `initial/`, or rebuilt with the run's model, seed
 * and data shape when the run did not save it.
 */
export async function loadInitialModel(
  run: RunFolder,
  model: RunModel,
  data: { inputShape: number[]; numClasses: number; vocabularySize?: number },
): Promise<{ model: tfl.LayersModel; source: 'saved' | 'rebuilt-from-seed' }> {
  if (model.initialDir !== null) return { model: await loadModel(model.initialDir), source: 'saved' };
  const definition = getModel(run.summary.options.model);
  return {
    model: definition.build({
      inputShape: data.inputShape,
      numClasses: data.numClasses,
      activation: model.activation,
      seed: run.summary.options.seed,
      ...(data.vocabularySize ? { vocabularySize: data.vocabularySize } : {}),
      ...(run.summary.options.hiddenUnits ? { hiddenUnits: run.summary.options.hiddenUnits } : {}),
    }),
    source: 'rebuilt-from-seed',
  };
}

/**
 * The results store a command reads: `<run>/results.db` of a compare run folder, or the `--db`
 * file (default `lisht.db`). Both at once is a usage error.
 */
export function storePath(run: string | undefined, db: string | undefined, defaultDb: string): string {
  if (run !== undefined && db !== undefined) throw new UserError('give a compare run folder or --db, not both');
  if (run === undefined) return db ?? defaultDb;
  let isDir: boolean;
  try {
    isDir = statSync(run).isDirectory();
  } catch {
    throw new UserError(`${run}: no such run folder`, EXIT.NO_INPUT);
  }
  if (!isDir) throw new UserError(`${run} is a file; give a compare run folder, or the database as --db ${run}`);
  const path = join(run, RUN_STORE_FILE);
  if (!existsSync(path)) throw new UserError(`${run} has no ${RUN_STORE_FILE}: it is not a compare run folder (or was written by lisht 0.1)`, EXIT.NO_INPUT);
  return path;
}
