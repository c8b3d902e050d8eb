/**
 * The original article's experiment as a library function: train one model per activation
 * on identical data, order and initial-weight seed, validate on the test set after every
 * epoch, and write summary.json, charts, an HTML report and the trained models.
 *
 * A comparison is a one-seed run of the experiments machinery: its folder holds a results
 * store (`results.db`, the schema `lisht run` writes) with one trial per activation, each run
 * by `runTrial` as a worker would; summary.json is derived from that store after every epoch.
 * So `lisht results`, `lisht report` and `lisht inspect` read a compare folder as they read a
 * `--db`.
 */
import { access, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { constants, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getActivation } from '../activations/zoo.js';
import { checkPrecisionRequest } from '../backends/native/precision.js';
import { BACKEND_NAMES, selectBackend } from '../backends/select.js';
import { loadDataset, parseDatasetName } from '../datasets/index.js';
import type { Dataset, DatasetName, SplitInfo } from '../datasets/types.js';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { defaultModelFor } from '../models/defaults.js';
import { DATASET_INPUTS } from '../models/inputs.js';
import { formatModelSummary, modelSummary } from '../models/summary.js';
import { checkHiddenUnits } from '../models/mlp.js';
import { checkModelFits, getModel } from '../models/registry.js';
import { writeFileAtomic } from '../reports/write.js';
import type { Callback } from '../training/callbacks.js';
import { resolveOptimizerConfig } from '../training/optimizers.js';
import { checkSchedule, stepMilestones } from '../training/schedules.js';
import { VERSION } from '../version.js';
import { writeCompareOutputs } from './compare_outputs.js';
import { flagName, parseCompareOptions, type CompareOptions, type ParsedCompareOptions } from './compare_options.js';
import { LEGACY_OPTIONS, type CompareResult, type CompareSummary, type ResolvedCompareOptions } from './compare_types.js';
import { processStartTime } from './liveness.js';
import { gitCommit } from './provenance.js';
import { LOCK_FILE, lockFolder, type FolderLock } from './folder_lock.js';
import { MODELS_DIR, RUN_STORE_FILE } from './run_folder.js';
import { planTrials, specHash, type ExperimentSpec } from './spec.js';
import { thisHost, type Claimant, type TrialRecord } from './store.js';
import { SqliteStore } from './sqlite_store.js';
import type { Store } from './store_api.js';
import { runTrial, trialSets, type TrialData } from './trial.js';
import { withLease } from './worker.js';
import { DEFAULT_LEASE_MS } from './worker_protocol.js';
import { makeDir } from '../make_dir.js';
import { shellQuote } from '../shell_quote.js';

export const SUMMARY_JSON = 'summary.json';

/** The results store inside a compare run folder. */
export const STORE_FILE = RUN_STORE_FILE;

/** The experiment name a comparison's store holds its trials under. */
export const COMPARE_EXPERIMENT = 'compare';

/** What {@link compare} reports while it runs. */
export type CompareEvent =
  | { type: 'backend'; backend: string }
  | { type: 'dataset'; name: string; train: number; test: number; source: string; split: SplitInfo }
  | { type: 'model-start'; activation: string; summary: string; resumedAfterEpoch: number }
  | { type: 'model-end'; result: CompareResult }
  | { type: 'outputs'; dir: string; files: string[] };

/** How the caller watches a comparison. */
export interface CompareHooks {
  onEvent?(event: CompareEvent): void;
  /** Extra training callbacks per activation, e.g. a progress bar. */
  callbacks?(activation: string): Callback[];
  /** Aborting stops after the current step and writes what was measured. */
  signal?: AbortSignal;
  /** Also write each trained model as `models/<activation>/model.keras` (Keras 3). */
  kerasModels?: boolean;
}

function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Creates `dir` if needed and checks it can be written; resolves to whether it was created. */
async function ensureWritableDir(dir: string): Promise<boolean> {
  const created = !existsSync(dir);
  try {
    await makeDir(dir);
    await access(dir, constants.W_OK);
    const probe = join(dir, `.write-test-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot write to output folder ${dir}: ${(err as Error).message}`, EXIT.CANT_CREATE);
  }
  return created;
}

/** What a compare run writes into its folder, and so what `force` replaces. */
const RUN_FILES = [SUMMARY_JSON, RUN_STORE_FILE, `${RUN_STORE_FILE}-wal`, `${RUN_STORE_FILE}-shm`, `${RUN_STORE_FILE}-journal`, 'checkpoints', MODELS_DIR, 'charts', 'inspect', 'report.html', 'results.md', 'results.csv', 'results.json', 'comparison.png'];

/**
 * A new run's folder must be new or empty: a non-empty one holds someone's results (maybe a
 * comparison to `--resume`). With `force`, resolves to the entries of an earlier run there,
 * which {@link replaceOldRun} removes once the new run has its data and backend; other files
 * are left alone.
 */
async function checkOutFolder(out: string, force: boolean): Promise<string[]> {
  const entries = (await readdir(out)).filter((name) => name !== LOCK_FILE);
  if (entries.length === 0) return [];
  const isRun = entries.includes(RUN_STORE_FILE) || entries.includes(SUMMARY_JSON);
  if (!force) {
    throw new UserError(
      `--out ${out} is not empty${isRun ? ` and holds a comparison (continue it with --resume ${shellQuote(out)})` : ''}; ` +
        `choose a new folder, or pass --force to replace ${isRun ? 'that run' : 'a run there'}`,
      EXIT.CANT_CREATE,
    );
  }
  return entries.filter((name) => RUN_FILES.includes(name) || /^accuracy-.+\.png$/.test(name));
}

/**
 * Removes the earlier run's `entries` from `out`: first renamed, each at once, into one folder
 * beside them, so that no later step ever sees half of the old run mixed with the new one.
 */
async function replaceOldRun(out: string, entries: readonly string[]): Promise<void> {
  if (entries.length === 0) return;
  const trash = join(out, `.replaced-${process.pid}`);
  await makeDir(trash);
  for (const name of entries) await rename(join(out, name), join(trash, name));
  await rm(trash, { recursive: true, force: true });
}

/** Reads and checks a run's summary.json, naming the file in every error. */
async function readSummary(dir: string): Promise<CompareSummary> {
  const path = join(dir, SUMMARY_JSON);
  let summary: CompareSummary;
  try {
    summary = JSON.parse(await readFile(path, 'utf8')) as CompareSummary;
  } catch (err) {
    throw new UserError(`cannot resume from ${dir}: ${path} is missing or unreadable (${(err as Error).message})`, EXIT.NO_INPUT);
  }
  const o = summary?.options as Partial<ResolvedCompareOptions> | undefined;
  if (typeof o !== 'object' || o === null || !Array.isArray(summary.results) || typeof o.dataset !== 'string' || !Array.isArray(o.activations) || typeof o.seed !== 'number') {
    throw new UserError(`cannot resume from ${dir}: ${path} is not the summary of a comparison (no options or results)`, EXIT.DATA);
  }
  return summary;
}

/** Resolves every option of a new run: canonical names, absolute paths, the optimizer's defaults. */
function resolveOptions(parsed: ParsedCompareOptions): ResolvedCompareOptions {
  const dataset = parseDatasetName(parsed.dataset);
  const optimizer = resolveOptimizerConfig({ name: parsed.optimizer, lr: parsed.lr, momentum: parsed.momentum, weightDecay: parsed.weightDecay });
  return {
    dataset,
    data: parsed.data === undefined ? null : resolve(parsed.data),
    model: parsed.model ?? defaultModelFor(dataset),
    activations: parsed.activations.map((a) => getActivation(a).name),
    epochs: parsed.epochs,
    batchSize: parsed.batchSize,
    seed: parsed.seed ?? Math.floor(Math.random() * 2 ** 31),
    limitTrain: parsed.limitTrain ?? null,
    limitTest: parsed.limitTest ?? null,
    backend: parsed.backend,
    precision: parsed.precision,
    optimizer: optimizer.name,
    lr: optimizer.lr,
    momentum: optimizer.momentum,
    weightDecay: optimizer.weightDecay,
    schedule: parsed.schedule,
    milestones: parsed.schedule === 'step' ? stepMilestones(parsed.epochs, parsed.milestones) : null,
    augment: parsed.augment,
    earlyStopping: parsed.earlyStopping === undefined ? null : { monitor: parsed.earlyStoppingMonitor, patience: parsed.earlyStopping },
    fromTestSet: parsed.fromTestSet,
    hiddenUnits: parsed.hiddenUnits ?? null,
    gradientFlow: parsed.gradientFlow,
  };
}

/** Options that say where and how to run, not what: they may differ on a resume. */
const RUN_ONLY = new Set(['resume', 'out', 'force', 'backend', 'allowEmulatedBf16']);

/**
 * The options given with `resume` that differ from what the run was started with, as
 * `--flag value (the run has other)`: a resumed run continues exactly what it started with.
 */
function resumeConflicts(given: CompareOptions, parsed: ParsedCompareOptions, run: ResolvedCompareOptions): string[] {
  const wanted = resolveOptions(parsed);
  const show = (v: unknown) => (Array.isArray(v) ? v.join(',') : v === null ? 'none' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const conflicts: string[] = [];
  for (const [field, value] of Object.entries(given)) {
    if (value === undefined || RUN_ONLY.has(field)) continue;
    const key = (field === 'earlyStoppingMonitor' ? 'earlyStopping' : field) as keyof ResolvedCompareOptions;
    if (JSON.stringify(wanted[key]) !== JSON.stringify(run[key])) conflicts.push(`${flagName(field)} ${show(wanted[key])} (the run has ${show(run[key])})`);
  }
  return conflicts;
}

/** What {@link prepare} hands to {@link run}. */
interface Prepared {
  resolved: ResolvedCompareOptions;
  out: string;
  previous?: CompareSummary;
  /** Whether this call created `out` (and so removes it again if nothing gets written). */
  created: boolean;
  /** The backend to start: the run's own, or on a resume the one asked for. */
  backend: string;
  /** The lock on `out`, held until the run ends. */
  lock: FolderLock;
  /** `--force`: the earlier run's entries, replaced once data and backend are ready. */
  replace: string[];
  allowEmulatedBf16?: boolean;
}

/**
 * Resolves options, validates names, data and output before any training starts, and locks
 * the output folder. Nothing in an existing folder is changed here.
 */
async function prepare(options: CompareOptions): Promise<Prepared> {
  const parsed = parseCompareOptions(options);
  if (parsed.resume !== undefined) {
    const out = resolve(parsed.resume);
    if (parsed.out !== undefined && resolve(parsed.out) !== out) throw new UserError(`--out ${parsed.out} with --resume ${parsed.resume}: a resumed run stays in its folder`);
    if (!existsSync(out)) throw new UserError(`cannot resume from ${out}: no such folder`, EXIT.NO_INPUT);
    const lock = lockFolder(out, 'lisht compare');
    try {
      const previous = await readSummary(out);
      if (!existsSync(join(out, STORE_FILE))) {
        throw new UserError(`cannot resume ${out}: it has no ${STORE_FILE} (it was written by lisht 0.1, which kept its state in summary.json); finish it with that version or start a new comparison`, EXIT.DATA);
      }
      // Runs written before the training options existed ran with the article's settings.
      const run: ResolvedCompareOptions = { ...LEGACY_OPTIONS, ...previous.options };
      const conflicts = resumeConflicts(options, parsed, run);
      if (conflicts.length > 0) throw new UserError(`cannot resume ${out} with other settings than it was started with: ${conflicts.join('; ')}. Leave them out, or start a new comparison`);
      // Only where it runs may change: another backend continues the same training. The run's
      // options keep the backend it was started with; summary.json's `backend` says which trained.
      const backend = options.backend ?? run.backend;
      checkBeforeLoading({ ...run, backend });
      checkPrecisionRequest(run.precision ?? 'fp32', backend, { allowEmulated: parsed.allowEmulatedBf16 });
      await ensureWritableDir(out);
      return { resolved: run, backend, out, previous, created: false, lock, replace: [], allowEmulatedBf16: parsed.allowEmulatedBf16 };
    } catch (err) {
      lock.release();
      throw err;
    }
  }
  const resolved = resolveOptions(parsed);
  const out = resolve(parsed.out ?? join('runs', `${resolved.dataset}-${timestamp(new Date())}`));
  checkBeforeLoading(resolved);
  checkPrecisionRequest(resolved.precision ?? 'fp32', resolved.backend, { allowEmulated: parsed.allowEmulatedBf16 });
  const created = await ensureWritableDir(out);
  let lock: FolderLock | undefined;
  try {
    lock = lockFolder(out, 'lisht compare');
    const replace = await checkOutFolder(out, parsed.force);
    return { resolved, backend: resolved.backend, out, created, lock, replace, allowEmulatedBf16: parsed.allowEmulatedBf16 };
  } catch (err) {
    lock?.release();
    if (created) await rmdir(out).catch(() => undefined);
    throw err;
  }
}

/** Everything that can be checked without the data: names, model vs data set, option combinations. */
function checkBeforeLoading(resolved: ResolvedCompareOptions): void {
  if (!(BACKEND_NAMES as readonly string[]).includes(resolved.backend)) {
    throw new UserError(`unknown backend '${resolved.backend}'; choose one of ${BACKEND_NAMES.join(', ')}`);
  }
  if (new Set(resolved.activations).size !== resolved.activations.length) {
    throw new UserError(`activations must differ, got ${resolved.activations.join(', ')}`);
  }
  const dataset = parseDatasetName(resolved.dataset);
  const definition = getModel(resolved.model);
  const input = DATASET_INPUTS[dataset];
  checkModelFits(definition, dataset, input, resolved.activations);
  if (resolved.hiddenUnits !== null && definition.name !== 'mlp') {
    throw new UserError(`--hidden-units applies to model 'mlp' only, not '${definition.name}'`);
  }
  if (resolved.hiddenUnits !== null) checkHiddenUnits(resolved.hiddenUnits, input.inputShape.reduce((a, b) => a * b, 1), input.numClasses);
  if (resolved.augment && input.kind !== 'image') {
    throw new UserError(`--augment (pad, random crop, flip) applies to images; ${dataset} holds ${input.kind} data`);
  }
  if (resolved.fromTestSet && dataset !== 'mnist' && dataset !== 'fashion-mnist') {
    throw new UserError(`--from-test-set applies to mnist and fashion-mnist only, not ${dataset}`);
  }
  checkSchedule({ name: resolved.schedule, lr: resolved.lr, epochs: resolved.epochs, milestones: resolved.milestones ?? undefined });
}

/**
 * The comparison as an experiment spec: one data set, one model, one seed, the activations in
 * the order given. Its trials are exactly what `lisht run` would run for this spec.
 */
export function compareSpec(resolved: ResolvedCompareOptions): ExperimentSpec {
  const optimizer = resolveOptimizerConfig({ name: resolved.optimizer, lr: resolved.lr, momentum: resolved.momentum ?? undefined, weightDecay: resolved.weightDecay });
  const model = getModel(resolved.model).name;
  return {
    name: COMPARE_EXPERIMENT,
    datasets: [
      {
        name: parseDatasetName(resolved.dataset),
        ...(resolved.data !== null ? { data: resolved.data } : {}),
        ...(resolved.fromTestSet ? { fromTestSet: true } : {}),
        ...(resolved.limitTrain !== null ? { limitTrain: resolved.limitTrain } : {}),
        ...(resolved.limitTest !== null ? { limitTest: resolved.limitTest } : {}),
      },
    ],
    models: [{ name: model, label: model, ...(resolved.hiddenUnits !== null ? { hiddenUnits: resolved.hiddenUnits } : {}) }],
    activations: resolved.activations,
    seeds: [resolved.seed],
    epochs: resolved.epochs,
    batchSize: resolved.batchSize,
    optimizer: {
      name: optimizer.name,
      learningRate: optimizer.lr,
      ...(optimizer.momentum !== null && optimizer.momentum !== undefined ? { momentum: optimizer.momentum } : {}),
      ...(optimizer.weightDecay > 0 ? { weightDecay: optimizer.weightDecay } : {}),
    },
    ...(resolved.schedule !== 'none' ? { schedule: { name: resolved.schedule, ...(resolved.milestones !== null ? { milestones: resolved.milestones } : {}) } } : {}),
    ...(resolved.augment ? { augment: true as const } : {}),
    ...(resolved.earlyStopping !== null ? { earlyStopping: { ...resolved.earlyStopping, minDelta: 0 } } : {}),
    ...(resolved.precision === 'bf16' ? { precision: 'bf16' as const } : {}),
    backend: resolved.backend,
    baseline: resolved.activations.includes('relu') ? 'relu' : resolved.activations[0]!,
    samples: 16,
  };
}

/** Where an activation's trial keeps its checkpoint and models inside the run folder. */
function trialPlaces(out: string, activation: string): { checkpointDir: string; modelsDir: string } {
  return { checkpointDir: join(out, 'checkpoints', activation), modelsDir: join(out, MODELS_DIR, activation) };
}

function compareStatus(trial: TrialRecord): CompareResult['status'] {
  if (trial.status === 'pending') return trial.epochsDone > 0 ? 'interrupted' : 'pending';
  return trial.status;
}

/** One activation's result as summary.json keeps it, from its stored trial. */
async function resultFromStore(store: Store, trial: TrialRecord, modelText: { params: number; summary: string } | undefined, withFlow: boolean): Promise<CompareResult> {
  const epochs = (await store.epochs([trial.id])).get(trial.id) ?? [];
  let best: { accuracy: number; epoch: number } | undefined;
  for (const e of epochs) if (best === undefined || e.val_accuracy > best.accuracy) best = { accuracy: e.val_accuracy, epoch: e.epoch };
  const status = compareStatus(trial);
  const result: CompareResult = {
    activation: trial.activation,
    params: trial.params ?? modelText?.params ?? 0,
    status,
    test_accuracy: trial.status === 'done' ? trial.testAccuracy : null,
    best_val_accuracy: best?.accuracy ?? null,
    best_epoch: best?.epoch ?? null,
    train_accuracy: epochs.at(-1)?.accuracy ?? null,
    seconds: epochs.reduce((sum, e) => sum + e.seconds, 0),
    epochs,
    model_summary: modelText?.summary ?? '',
  };
  if (trial.status === 'failed' && trial.error !== null) result.error = trial.error;
  if (trial.status === 'done' && epochs.length < trial.epochs) result.stopped_epoch = epochs.length;
  if (withFlow) result.gradient_flow = (await store.gradientFlow([trial.id])).get(trial.id) ?? [];
  return result;
}

/**
 * Runs the comparison and resolves to its summary (also written to `<out>/summary.json`
 * after every epoch). A model whose loss becomes NaN is marked failed and the others still
 * run. Interrupted runs (see `hooks.signal`) resolve with status `interrupted` and can be
 * continued with `resume: <out>`.
 */
export async function compare(options: CompareOptions, hooks: CompareHooks = {}): Promise<CompareSummary> {
  const prepared = await prepare(options);
  try {
    return await run(prepared, hooks);
  } catch (err) {
    prepared.lock.release();
    // A folder this call made and nothing was written to (a bad archive, a backend that
    // cannot start) goes again; rmdir leaves any folder with results in it.
    if (prepared.created) await rmdir(prepared.out).catch(() => undefined);
    throw err;
  } finally {
    prepared.lock.release();
  }
}

/**
 * The backends that trained this run's epochs, from the store's record of each attempt (a
 * resume on another backend adds it); `current` when nothing has trained yet.
 */
async function trainedBackends(store: Store, experimentId: number, current: string): Promise<string> {
  const trials = await store.trials(experimentId);
  const runs = [...(await store.runs(trials.map((t) => t.id))).values()].flat().sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1));
  const used = [...new Set(runs.filter((r) => r.backend !== null && r.endEpoch !== null && r.endEpoch > r.startEpoch).map((r) => r.backend!))];
  return used.length === 0 ? current : used.join('+');
}

async function run({ resolved, backend: backendName, out, previous, replace, allowEmulatedBf16 }: Prepared, hooks: CompareHooks): Promise<CompareSummary> {
  const emit = (e: CompareEvent) => hooks.onEvent?.(e);
  const definition = getModel(resolved.model);

  const name: DatasetName = parseDatasetName(resolved.dataset);
  const dataset: Dataset = await loadDataset(name, { data: resolved.data ?? undefined, fromTestSet: resolved.fromTestSet || undefined });
  const data: TrialData = { dataset, source: `${dataset.source.path} (${dataset.source.verification})`, path: dataset.source.path };
  const spec = compareSpec(resolved);
  const planned = planTrials(spec);
  const sets = trialSets(planned[0]!.config, dataset);
  const counts = { train: sets.train.count, test: sets.test.count };
  checkModelFits(definition, dataset.name, {
    kind: dataset.kind,
    inputShape: sets.train.inputShape,
    numClasses: dataset.classNames.length,
    // The loaded data set's own vocabulary, which a --data file may make smaller than the default.
    vocabularySize: dataset.kind === 'text' ? dataset.vocabulary.length : undefined,
  });
  emit({ type: 'dataset', name: dataset.name, train: counts.train, test: counts.test, source: dataset.source.path, split: dataset.split });

  const backend = await selectBackend(backendName);
  emit({ type: 'backend', backend });
  // Only now, with the new run's data loaded and its backend started, does the old run go.
  await replaceOldRun(out, replace);

  const store = SqliteStore.open(join(out, STORE_FILE));
  try {
    const { experimentId } = await store.registerExperiment(spec, specHash(spec), planned, { text: JSON.stringify(resolved, null, 2) });
    const claimant: Claimant = { pid: process.pid, host: thisHost(), pidStart: processStartTime(process.pid), backend, lishtVersion: VERSION, gitCommit: gitCommit() };
    const models = new Map<string, { params: number; summary: string }>();
    for (const r of previous?.results ?? []) if (r.model_summary !== '') models.set(r.activation, { params: r.params, summary: r.model_summary });
    const now = new Date().toISOString();
    const summary: CompareSummary = {
      dataset: dataset.name,
      model: definition.name,
      backend,
      status: 'running',
      created: previous?.created ?? now,
      updated: now,
      lisht_version: VERSION,
      train_count: counts.train,
      test_count: counts.test,
      class_names: dataset.classNames,
      split: dataset.split,
      options: resolved,
      results: [],
    };
    const save = async () => {
      const byKey = new Map((await store.trials(experimentId)).map((t) => [t.key, t]));
      summary.results = [];
      for (const p of planned) summary.results.push(await resultFromStore(store, byKey.get(p.key)!, models.get(p.config.activation), resolved.gradientFlow === true));
      summary.backend = await trainedBackends(store, experimentId, previous?.backend ?? backend);
      summary.updated = new Date().toISOString();
      await writeFileAtomic(join(out, SUMMARY_JSON), JSON.stringify(summary, null, 2) + '\n');
    };
    await save();

    for (const plannedTrial of planned) {
      if (hooks.signal?.aborted) break;
      const activation = plannedTrial.config.activation;
      const trial = await store.claimTrial(experimentId, claimant, DEFAULT_LEASE_MS, new Set([plannedTrial.key]));
      if (trial === undefined) continue; // done, failed, or running in another process
      const places = trialPlaces(out, activation);
      const outcome = await withLease(store, trial, DEFAULT_LEASE_MS, (lost) =>
        runTrial(trial, {
          store,
          data,
          checkpointDir: places.checkpointDir,
          modelsDir: places.modelsDir,
          kerasModel: hooks.kerasModels === true,
          leaseMs: DEFAULT_LEASE_MS,
          samples: spec.samples,
          gradientFlow: resolved.gradientFlow === true,
          allowEmulatedBf16,
          signal: hooks.signal === undefined ? lost : AbortSignal.any([hooks.signal, lost]),
          callbacks: hooks.callbacks?.(activation),
          onStart: async (model, resumedFrom) => {
            const text = formatModelSummary(modelSummary(model));
            models.set(activation, { params: model.countParams(), summary: text });
            emit({ type: 'model-start', activation, summary: text, resumedAfterEpoch: resumedFrom });
            await save();
          },
          onEpoch: save,
        }),
      );
      if (outcome.status === 'stopped') await store.releaseTrial(trial, 'stopped');
      await save();
      emit({ type: 'model-end', result: summary.results.find((r) => r.activation === activation)! });
      if (outcome.status === 'stopped') break;
    }
    summary.status = summary.results.some((r) => r.status === 'interrupted' || r.status === 'pending' || r.status === 'running')
      ? 'interrupted'
      : summary.results.every((r) => r.status === 'failed')
        ? 'failed'
        : 'done';
    summary.updated = new Date().toISOString();
    await writeFileAtomic(join(out, SUMMARY_JSON), JSON.stringify(summary, null, 2) + '\n');
    const files = await writeCompareOutputs(out, summary, store);
    // The checkpoints folder goes once no activation has one left.
    await rmdir(join(out, 'checkpoints')).catch(() => undefined);
    emit({ type: 'outputs', dir: out, files: [SUMMARY_JSON, STORE_FILE, ...files, ...summary.results.filter((r) => r.status === 'done').map((r) => `${MODELS_DIR}/${r.activation}/model.json`)] });
    return summary;
  } finally {
    await store.close();
  }
}
