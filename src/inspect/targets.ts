/**
 * What `lisht inspect` looks inside: one finished trial per activation, of one data set, model
 * and seed, with its saved models, read from a results store: the store of a compare run folder
 * (`<run>/results.db`, models in `<run>/models/<activation>/`) or a `--db` of `lisht run`
 * (models in `<db>.models/<trial id>/`). Both are opened the same way and inspected by one
 * code path, on the data each trial read, split as it was split.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { COMPARE_EXPERIMENT } from '../experiments/compare.js';
import { writeCompareOutputs } from '../experiments/compare_outputs.js';
import type { CompareSummary } from '../experiments/compare_types.js';
import { LOCK_FILE, lockFolder, type FolderLock } from '../experiments/folder_lock.js';
import { writeReport } from '../experiments/report.js';
import { INITIAL_DIR, MODELS_DIR, storePath } from '../experiments/run_folder.js';
import { openStore, isPostgresUrl } from '../experiments/open_store.js';
import { DEFAULT_DB } from '../experiments/runner.js';
import type { TrialConfig } from '../experiments/spec.js';
import type { ExperimentRecord, TrialRecord } from '../experiments/store.js';
import type { Store } from '../experiments/store_api.js';
import type { GradientFlowRun } from '../reports/gradient_flow.js';
import type { Section } from '../reports/html.js';
import { writeFileAtomic } from '../reports/write.js';
import { MODEL_JSON } from '../training/model_files.js';
import { makeDir } from '../make_dir.js';

/** Which trials to inspect and where they are. */
export interface TargetOptions {
  /** A compare run folder; or give `db` and `out`. */
  run?: string;
  /** A results store of `lisht run`. */
  db?: string;
  /** With `db`: the folder to write the inspection and its report into. */
  out?: string;
  /** Experiment name; may be left out when the store holds one. */
  experiment?: string;
  /** Data set and model label, needed when the experiment has several. */
  dataset?: string;
  model?: string;
  /** Seed of the trials; default the lowest with a finished trial. */
  trialSeed?: number;
  /** Only these activations; default every one with a finished trial. */
  activations?: string[];
}

/** One activation's trained model and, when saved, its model before training. */
export interface TargetModel {
  activation: string;
  dir: string;
  initialDir: string | null;
  trial: TrialRecord;
}

/** Trials opened for inspection. */
export interface InspectTarget {
  /** Where `inspect/` is written and the report rewritten. */
  dir: string;
  /** The trials' shared configuration (the activation aside). */
  config: TrialConfig;
  /** The data file or folder the trials read. */
  dataPath: string | null;
  models: TargetModel[];
  /** Their recorded gradient flow. */
  flow: GradientFlowRun[];
  /** Rewrites the report with `sections` added; resolves to the files written (relative to `dir`). */
  writeReport(sections: readonly Section[]): Promise<string[]>;
  close(): Promise<void>;
}

async function pickExperiment(store: Store, name: string | undefined): Promise<ExperimentRecord> {
  const all = await store.experiments();
  if (name === undefined) {
    if (all.length === 1) return all[0]!;
    throw new UserError(`${store.path} holds ${all.length === 0 ? 'no experiment' : `several experiments (${all.map((e) => e.name).join(', ')}); choose one with --experiment`}`);
  }
  const found = all.find((e) => e.name === name);
  if (found === undefined) throw new UserError(`${store.path} has no experiment ${name}; it has ${all.map((e) => e.name).join(', ') || 'none'}`);
  return found;
}

/** One finished trial per activation, of one data set, model and seed. */
export function pickTrials(experiment: ExperimentRecord, trials: readonly TrialRecord[], options: Pick<TargetOptions, 'dataset' | 'model' | 'trialSeed' | 'activations'>): TrialRecord[] {
  const done = trials.filter(
    (t) =>
      t.status === 'done' &&
      (options.dataset === undefined || t.dataset === options.dataset) &&
      (options.model === undefined || t.model === options.model) &&
      (options.activations === undefined || options.activations.includes(t.activation)),
  );
  const what = `experiment ${experiment.name}${options.dataset ? ` on ${options.dataset}` : ''}${options.model ? ` with ${options.model}` : ''}`;
  const unknown = options.activations?.filter((a) => !experiment.spec.activations.includes(a)) ?? [];
  if (unknown.length > 0) throw new UserError(`experiment ${experiment.name} has no activation ${unknown.join(', ')}; it has ${experiment.spec.activations.join(', ')}`);
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

/** Marks a folder written by `inspect --db`: the store and trials it came from. */
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
  if (entries.some((e) => e !== LOCK_FILE) && !entries.includes(FROM_STORE)) {
    throw new UserError(`--out ${out} is not empty and was not written by lisht inspect --db; choose a new folder (its files would be replaced)`);
  }
}

function targetModels(trials: readonly TrialRecord[], root: string, name: (t: TrialRecord) => string, where: string): TargetModel[] {
  const dirOf = (t: TrialRecord) => join(root, name(t));
  const unsaved = trials.filter((t) => !existsSync(join(dirOf(t), MODEL_JSON)));
  if (unsaved.length > 0) {
    throw new UserError(
      `${unsaved.length === 1 ? 'trial' : 'trials'} ${unsaved.map((t) => `${t.id} (${t.activation})`).join(', ')} of ${where} ${unsaved.length === 1 ? 'has' : 'have'} no saved model in ${root}/ ` +
        '(run with --no-save-models, or by a lisht that did not keep models); run it again to inspect it',
    );
  }
  return trials.map((trial) => {
    const dir = dirOf(trial);
    const initialDir = join(dir, INITIAL_DIR);
    return { activation: trial.activation, dir, initialDir: existsSync(join(initialDir, MODEL_JSON)) ? initialDir : null, trial };
  });
}

async function flowOf(store: Store, trials: readonly TrialRecord[]): Promise<GradientFlowRun[]> {
  const flows = await store.gradientFlow(trials.map((t) => t.id));
  return trials.flatMap((t) => {
    const records = flows.get(t.id) ?? [];
    return records.length > 0 ? [{ activation: t.activation, records }] : [];
  });
}

/**
 * Opens the trials `options` name. Clear errors for a folder that is not a run, an unknown
 * store, experiment, data set, model, seed or activation, and for trials without saved models.
 */
export async function openTarget(options: TargetOptions): Promise<InspectTarget> {
  if ((options.run === undefined) === (options.db === undefined)) throw new UserError('give one of: a compare run folder, or --db with --out');
  if (options.db !== undefined && options.out === undefined) throw new UserError('--db needs --out: the folder to write the inspected trials into');
  const fromRun = options.run !== undefined;
  const run = fromRun ? resolve(options.run!) : undefined;
  if (run !== undefined && !existsSync(run)) throw new UserError(`no run folder ${run}`);
  const store = await openStore(storePath(run, options.db, DEFAULT_DB), { readonly: true });
  // Models stored in PostgreSQL are copied out to a folder of this machine while inspected.
  const scratch = options.db !== undefined && isPostgresUrl(options.db) ? await mkdtemp(join(tmpdir(), 'lisht-inspect-')) : undefined;
  let lock: FolderLock | undefined;
  const close = async () => {
    lock?.release();
    await store.close();
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  };
  try {
    const experiment = await pickExperiment(store, fromRun ? COMPARE_EXPERIMENT : options.experiment);
    const trials = pickTrials(experiment, await store.trials(experiment.id), options);
    const models = fromRun
      ? targetModels(trials, join(run!, MODELS_DIR), (t) => t.activation, run!)
      : targetModels(trials, await store.modelsRoot(trials.map((t) => t.id), scratch ?? ''), (t) => String(t.id), store.path);
    const dir = run ?? resolve(options.out!);
    if (!fromRun) await makeDir(dir);
    // Another writer of this folder (a compare still training, a second inspect) would
    // rewrite its report under us.
    lock = lockFolder(dir, 'lisht inspect');
    if (!fromRun) {
      await checkOutFolder(dir);
      await writeFileAtomic(join(dir, FROM_STORE), JSON.stringify({ db: isPostgresUrl(options.db!) ? store.path : resolve(options.db!), trials: trials.map((t) => t.id) }) + '\n');
    }
    return {
      dir,
      config: trials[0]!.config,
      dataPath: trials[0]!.dataPath,
      models,
      flow: await flowOf(store, trials),
      writeReport: async (sections) => {
        if (fromRun) {
          const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as CompareSummary;
          return writeCompareOutputs(dir, summary, store, sections);
        }
        return (await writeReport(store, { out: dir, experiment: experiment.name, extraSections: sections })).files;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
