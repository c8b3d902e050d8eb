/**
 * `lisht inspect --db`: a look inside trials of the results store. The trials of one data
 * set, model and seed (one per activation) are laid out as a compare run folder (summary.json
 * from the store, each trial's saved models under `models/<activation>/`), which is then
 * inspected like any compare run, on the data each trial read, split as it was split.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { selectBackend } from '../backends/select.js';
import { loadDataset } from '../datasets/index.js';
import { UserError } from '../errors.js';
import type { CompareResult, CompareSummary } from '../experiments/compare_types.js';
import { modelsRoot } from '../experiments/runner.js';
import { ResultStore, type ExperimentRecord, type TrialRecord } from '../experiments/store.js';
import { formatModelSummary, modelSummary } from '../models/summary.js';
import { writeFileAtomic } from '../reports/write.js';
import { loadModel, MODEL_JSON } from '../training/model_files.js';
import { inspectRunFolder, resolveInspectOptions, type InspectHooks, type InspectOptions } from './inspect.js';
import { openRunFolder, MODELS_DIR } from '../experiments/run_folder.js';
import type { InspectData } from './types.js';

/** Options of {@link inspectTrials}: which trials, where to write, and how to inspect them. */
export interface InspectTrialsOptions extends Omit<InspectOptions, 'run'> {
  /** The results store. */
  db: string;
  /** Experiment name; may be left out when the store holds one. */
  experiment?: string;
  /** Data set and model label, needed when the experiment has several. */
  dataset?: string;
  model?: string;
  /** Seed of the trials; default the lowest with a finished trial. */
  trialSeed?: number;
  /** Folder to write the run folder, its inspection and report into. */
  out: string;
}

function pickExperiment(store: ResultStore, name: string | undefined): ExperimentRecord {
  const all = store.experiments();
  if (name === undefined) {
    if (all.length === 1) return all[0]!;
    throw new UserError(`${store.path} holds ${all.length === 0 ? 'no experiment' : `several experiments (${all.map((e) => e.name).join(', ')}); choose one with --experiment`}`);
  }
  const found = store.experiment(name);
  if (found === undefined) throw new UserError(`${store.path} has no experiment ${name}; it has ${all.map((e) => e.name).join(', ') || 'none'}`);
  return found;
}

/** One finished trial per activation, of one data set, model and seed. */
export function pickTrials(experiment: ExperimentRecord, trials: readonly TrialRecord[], options: Pick<InspectTrialsOptions, 'dataset' | 'model' | 'trialSeed' | 'activations'>): TrialRecord[] {
  const done = trials.filter(
    (t) =>
      t.status === 'done' &&
      (options.dataset === undefined || t.dataset === options.dataset) &&
      (options.model === undefined || t.model === options.model) &&
      (options.activations === undefined || options.activations.includes(t.activation)),
  );
  const what = `experiment ${experiment.name}${options.dataset ? ` on ${options.dataset}` : ''}${options.model ? ` with ${options.model}` : ''}`;
  if (done.length === 0) throw new UserError(`${what} has no finished trial to inspect`);
  const blocks = [...new Set(done.map((t) => `${t.dataset}/${t.model}`))];
  if (blocks.length > 1) throw new UserError(`${what} has finished trials of several data sets and models (${blocks.join(', ')}); choose one with --dataset and --model`);
  const seed = options.trialSeed ?? Math.min(...done.map((t) => t.seed));
  const picked = experiment.spec.activations.flatMap((a) => done.filter((t) => t.activation === a && t.seed === seed).slice(0, 1));
  if (picked.length === 0) throw new UserError(`${what} has no finished trial with seed ${seed}; seeds: ${[...new Set(done.map((t) => t.seed))].sort((a, b) => a - b).join(', ')}`);
  const missing = options.activations?.filter((a) => !picked.some((t) => t.activation === a)) ?? [];
  if (missing.length > 0) throw new UserError(`${what} has no finished trial of ${missing.join(', ')} with seed ${seed}`);
  return picked;
}

/** Marks a folder written by {@link inspectTrials}: the store and trials it came from. */
export const FROM_STORE = 'from-store.json';

/**
 * `out` must be new, empty, or written by an earlier `inspect --db`: anything else (a compare
 * run, whose models would be replaced) is refused.
 */
async function checkOutFolder(out: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(out);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new UserError(`cannot use --out ${out}: ${(err as Error).message}`);
  }
  if (entries.length > 0 && !entries.includes(FROM_STORE)) {
    throw new UserError(`--out ${out} is not empty and was not written by lisht inspect --db; choose a new folder (its files would be replaced)`);
  }
}

/** A compare summary of the picked trials, from what the store recorded. */
async function summaryOf(store: ResultStore, trials: readonly TrialRecord[], models: string): Promise<CompareSummary> {
  const ids = trials.map((t) => t.id);
  const epochs = store.epochs(ids);
  const flows = store.gradientFlow(ids);
  const classNames = store.classMetrics(ids).get(ids[0]!)?.map((c) => c.className) ?? [];
  const first = trials[0]!;
  const c = first.config;
  const results: CompareResult[] = [];
  for (const t of trials) {
    const model = await loadModel(join(models, String(t.id)));
    const summaryText = formatModelSummary(modelSummary(model));
    model.dispose();
    const flow = flows.get(t.id) ?? [];
    results.push({
      activation: t.activation,
      params: t.params ?? 0,
      status: 'done',
      test_accuracy: t.testAccuracy,
      best_val_accuracy: t.bestTestAccuracy,
      best_epoch: t.bestEpoch,
      train_accuracy: t.trainAccuracy,
      seconds: t.trainSeconds ?? 0,
      epochs: epochs.get(t.id) ?? [],
      model_summary: summaryText,
      ...(flow.length > 0 ? { gradient_flow: flow } : {}),
    });
  }
  return {
    dataset: first.dataset,
    model: c.model.name,
    backend: first.backend ?? 'unknown',
    status: 'done',
    created: first.createdAt,
    updated: new Date().toISOString(),
    lisht_version: first.lishtVersion ?? 'unknown',
    train_count: first.trainCount ?? 0,
    test_count: first.testCount ?? 0,
    class_names: classNames,
    options: {
      dataset: c.dataset.name,
      data: first.dataPath,
      model: c.model.name,
      activations: trials.map((t) => t.activation),
      epochs: c.epochs,
      batchSize: c.batchSize,
      seed: c.seed,
      limitTrain: c.dataset.limitTrain ?? null,
      limitTest: c.dataset.limitTest ?? null,
      backend: first.backend ?? 'unknown',
      optimizer: c.optimizer.name,
      lr: c.optimizer.learningRate,
      momentum: c.optimizer.momentum ?? null,
      weightDecay: c.optimizer.weightDecay ?? 0,
      schedule: c.schedule?.name ?? 'none',
      milestones: c.schedule?.milestones ?? null,
      augment: c.augment === true,
      earlyStopping: c.earlyStopping ? { monitor: c.earlyStopping.monitor, patience: c.earlyStopping.patience } : null,
      fromTestSet: c.dataset.fromTestSet === true,
      hiddenUnits: c.model.hiddenUnits ?? null,
      gradientFlow: results.some((r) => r.gradient_flow !== undefined),
    },
    results,
  };
}

/**
 * Inspects stored trials (one per activation, same data set, model and seed): writes
 * `options.out` as a compare run folder with `inspect/` and `report.html`. Clear errors for
 * an unknown store, experiment, data set, model or seed, and for trials without saved models.
 */
export async function inspectTrials(options: InspectTrialsOptions, hooks: InspectHooks = {}): Promise<InspectData> {
  const opts = resolveInspectOptions({ ...options, run: options.out });
  const out = resolve(options.out);
  await checkOutFolder(out);
  const store = ResultStore.open(options.db, { readonly: true });
  // The models are read (for their summaries) before the inspection proper starts.
  await selectBackend(opts.backend).catch((err: unknown) => {
    store.close();
    throw err;
  });
  let trials: TrialRecord[];
  let summary: CompareSummary;
  const models = modelsRoot(options.db);
  try {
    const experiment = pickExperiment(store, options.experiment);
    trials = pickTrials(experiment, store.trials(experiment.id), options);
    const unsaved = trials.filter((t) => !existsSync(join(models, String(t.id), MODEL_JSON)));
    if (unsaved.length > 0) {
      throw new UserError(
        `${unsaved.length === 1 ? 'trial' : 'trials'} ${unsaved.map((t) => `${t.id} (${t.activation})`).join(', ')} of ${options.db} ${unsaved.length === 1 ? 'has' : 'have'} no saved model in ${models}/ ` +
          '(run with --no-save-models, or by a lisht that did not keep models); run the experiment again into a new database to inspect it',
      );
    }
    summary = await summaryOf(store, trials, models);
  } finally {
    store.close();
  }
  await mkdir(join(out, MODELS_DIR), { recursive: true });
  await writeFileAtomic(join(out, FROM_STORE), JSON.stringify({ db: resolve(options.db), trials: trials.map((t) => t.id) }) + '\n');
  for (const t of trials) await cp(join(models, String(t.id)), join(out, MODELS_DIR, t.activation), { recursive: true, force: true });
  await writeFileAtomic(join(out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  const run = await openRunFolder(out);
  const d = trials[0]!.config.dataset;
  const load = () => loadDataset(d.name, { data: trials[0]!.dataPath ?? undefined, split: d.split, fromTestSet: d.fromTestSet, text: d.text });
  return inspectRunFolder(run, load, opts, hooks);
}
