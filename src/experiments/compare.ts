/**
 * The original article's experiment as a library function: train one model per activation
 * on identical data, order and initial-weight seed, validate on the test set after every
 * epoch, and write summary.json, charts, an HTML report and the trained models.
 */
import { access, mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { getActivation } from '../activations/zoo.js';
import { selectBackend } from '../backends/select.js';
import { loadDataset, parseDatasetName } from '../datasets/index.js';
import type { Dataset, DatasetName, SplitInfo } from '../datasets/types.js';
import { UserError } from '../errors.js';
import { defaultModelFor } from '../models/defaults.js';
import { DATASET_INPUTS } from '../models/inputs.js';
import { DEFAULT_PROBE_SIZE, GradientFlowCallback, probeBatch } from '../inspect/gradient_flow.js';
import { INITIAL_DIR } from '../inspect/run_folder.js';
import { formatModelSummary, modelSummary } from '../models/summary.js';
import { checkModelFits, getModel } from '../models/registry.js';
import type { ModelBuildOptions } from '../models/types.js';
import { writeFileAtomic } from '../reports/write.js';
import { cifarAugmenter } from '../training/augment.js';
import type { Callback, EpochLogs } from '../training/callbacks.js';
import { loadCheckpoint, saveCheckpoint } from '../training/checkpoint.js';
import { exampleSets, type ExampleSet } from '../training/data.js';
import { EarlyStopping } from '../training/early_stopping.js';
import { fit, TrainingDivergedError } from '../training/fit.js';
import { saveModel } from '../training/model_files.js';
import { createOptimizer, resolveOptimizerConfig } from '../training/optimizers.js';
import { checkSchedule, LearningRateScheduler, stepMilestones } from '../training/schedules.js';
import { VERSION } from '../version.js';
import { epochRecord } from './epoch_record.js';
import { writeCompareOutputs } from './compare_outputs.js';
import { parseCompareOptions, type CompareOptions } from './compare_options.js';
import { LEGACY_OPTIONS, type CompareResult, type CompareSummary, type EpochRecord, type ResolvedCompareOptions } from './compare_types.js';

export const SUMMARY_JSON = 'summary.json';

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
}

function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    const probe = join(dir, `.write-test-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe);
  } catch (err) {
    throw new UserError(`cannot write to output folder ${dir}: ${(err as Error).message}`);
  }
}

async function readSummary(dir: string): Promise<CompareSummary> {
  const path = join(dir, SUMMARY_JSON);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as CompareSummary;
  } catch (err) {
    throw new UserError(`cannot resume from ${dir}: ${path} is missing or unreadable (${(err as Error).message})`);
  }
}

function emptyResult(activation: string): CompareResult {
  return { activation, params: 0, status: 'pending', test_accuracy: null, best_val_accuracy: null, best_epoch: null, train_accuracy: null, seconds: 0, epochs: [], model_summary: '' };
}

function recordEpoch(result: CompareResult, epoch: number, logs: EpochLogs): void {
  const record = epochRecord(epoch, logs);
  result.epochs.push(record);
  result.seconds += logs.seconds;
  result.train_accuracy = record.accuracy;
  if (result.best_val_accuracy === null || record.val_accuracy > result.best_val_accuracy) {
    result.best_val_accuracy = record.val_accuracy;
    result.best_epoch = record.epoch;
  }
}

/** Resolves options, validates names, data and output before any training starts. */
async function prepare(options: CompareOptions): Promise<{ resolved: ResolvedCompareOptions; out: string; previous?: CompareSummary }> {
  const parsed = parseCompareOptions(options);
  let previous: CompareSummary | undefined;
  let resolved: ResolvedCompareOptions;
  let out: string;
  if (parsed.resume !== undefined) {
    out = resolve(parsed.resume);
    previous = await readSummary(out);
    // A resumed run continues exactly what it started with; only the backend may change.
    // Runs written before the training options existed ran with the article's settings.
    resolved = { ...LEGACY_OPTIONS, ...previous.options, backend: options.backend ?? previous.options.backend };
  } else {
    const dataset = parseDatasetName(parsed.dataset);
    const optimizer = resolveOptimizerConfig({ name: parsed.optimizer, lr: parsed.lr, momentum: parsed.momentum, weightDecay: parsed.weightDecay });
    resolved = {
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
    out = resolve(parsed.out ?? join('runs', `${resolved.dataset}-${timestamp(new Date())}`));
  }
  checkBeforeLoading(resolved);
  await ensureWritableDir(out);
  return { resolved, out, previous };
}

/** Everything that can be checked without the data: names, model vs data set, option combinations. */
function checkBeforeLoading(resolved: ResolvedCompareOptions): void {
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
  if (resolved.augment && input.kind !== 'image') {
    throw new UserError(`--augment (pad, random crop, flip) applies to images; ${dataset} holds ${input.kind} data`);
  }
  if (resolved.fromTestSet && dataset !== 'mnist' && dataset !== 'fashion-mnist') {
    throw new UserError(`--from-test-set applies to mnist and fashion-mnist only, not ${dataset}`);
  }
  checkSchedule({ name: resolved.schedule, lr: resolved.lr, epochs: resolved.epochs, milestones: resolved.milestones ?? undefined });
}

/**
 * Runs the comparison and resolves to its summary (also written to `<out>/summary.json`
 * after every epoch). A model whose loss becomes NaN is marked failed and the others still
 * run. Interrupted runs (see `hooks.signal`) resolve with status `interrupted` and can be
 * continued with `resume: <out>`.
 */
export async function compare(options: CompareOptions, hooks: CompareHooks = {}): Promise<CompareSummary> {
  const { resolved, out, previous } = await prepare(options);
  const emit = (e: CompareEvent) => hooks.onEvent?.(e);
  const definition = getModel(resolved.model);

  const name: DatasetName = parseDatasetName(resolved.dataset);
  const dataset: Dataset = await loadDataset(name, { data: resolved.data ?? undefined, fromTestSet: resolved.fromTestSet || undefined });
  const augment = resolved.augment && dataset.kind === 'image' ? cifarAugmenter(resolved.seed, dataset.imageShape) : undefined;
  const sets = exampleSets(dataset, { train: resolved.limitTrain ?? undefined, test: resolved.limitTest ?? undefined }, { augment });
  const build = {
    inputShape: sets.train.inputShape,
    numClasses: dataset.classNames.length,
    // The loaded data set's own vocabulary, which a --data file may make smaller than the default.
    vocabularySize: dataset.kind === 'text' ? dataset.vocabulary.length : undefined,
    hiddenUnits: resolved.hiddenUnits ?? undefined,
  };
  checkModelFits(definition, dataset.name, { kind: dataset.kind, ...build });
  emit({ type: 'dataset', name: dataset.name, train: sets.train.count, test: sets.test.count, source: dataset.source.path, split: dataset.split });

  const backend = await selectBackend(resolved.backend);
  emit({ type: 'backend', backend });

  const now = new Date().toISOString();
  const summary: CompareSummary = {
    dataset: dataset.name,
    model: definition.name,
    backend,
    status: 'running',
    created: previous?.created ?? now,
    updated: now,
    lisht_version: VERSION,
    train_count: sets.train.count,
    test_count: sets.test.count,
    class_names: dataset.classNames,
    split: dataset.split,
    options: resolved,
    results: resolved.activations.map((a) => previous?.results.find((r) => r.activation === a) ?? emptyResult(a)),
  };
  const save = async () => {
    summary.updated = new Date().toISOString();
    await writeFileAtomic(join(out, SUMMARY_JSON), JSON.stringify(summary, null, 2) + '\n');
  };
  await save();

  for (const result of summary.results) {
    if (result.status === 'done' || result.status === 'failed') continue;
    if (hooks.signal?.aborted) break;
    const interrupted = await trainOne(result, { resolved, out, sets, build, hooks, save });
    emit({ type: 'model-end', result });
    if (interrupted) break;
  }
  summary.status = summary.results.some((r) => r.status === 'interrupted' || r.status === 'pending') ? 'interrupted' : summary.results.every((r) => r.status === 'failed') ? 'failed' : 'done';
  await save();
  const files = await writeCompareOutputs(out, summary);
  emit({ type: 'outputs', dir: out, files: [SUMMARY_JSON, ...files, ...summary.results.filter((r) => r.status === 'done').map((r) => `models/${r.activation}/model.json`)] });
  return summary;
}

interface TrainContext {
  resolved: ResolvedCompareOptions;
  out: string;
  sets: { train: ExampleSet; test: ExampleSet };
  /** Build options besides activation and seed. */
  build: Omit<ModelBuildOptions, 'activation' | 'seed'>;
  hooks: CompareHooks;
  save(): Promise<void>;
}

/** Trains one activation's model; resolves to true when the run was interrupted. */
async function trainOne(result: CompareResult, ctx: TrainContext): Promise<boolean> {
  const { resolved, out, sets, hooks } = ctx;
  const checkpointDir = join(out, 'checkpoints', result.activation);
  const checkpoint = await loadCheckpoint<CompareResult>(checkpointDir);
  let model: tfl.LayersModel;
  const optimizer = createOptimizer({ name: resolved.optimizer, lr: resolved.lr, momentum: resolved.momentum ?? undefined, weightDecay: resolved.weightDecay });
  if (checkpoint !== undefined) {
    model = checkpoint.model;
    Object.assign(result, checkpoint.meta.state);
    await optimizer.setWeights(checkpoint.optimizerWeights);
  } else {
    model = getModel(resolved.model).build({ ...ctx.build, activation: result.activation, seed: resolved.seed });
    Object.assign(result, emptyResult(result.activation));
    // `lisht inspect` needs the weights before training (histograms, the 1-D loss landscape).
    await saveModel(model, join(out, 'models', result.activation, INITIAL_DIR));
  }
  const callbacks: Callback[] = [];
  if (resolved.schedule !== 'none') {
    callbacks.push(new LearningRateScheduler(optimizer, { name: resolved.schedule, lr: resolved.lr, epochs: resolved.epochs, milestones: resolved.milestones ?? undefined }));
  }
  if (resolved.gradientFlow === true) {
    if (checkpoint === undefined) result.gradient_flow = [];
    // Before the recorder, so the checkpoint and summary of an epoch hold its measurement.
    callbacks.push(new GradientFlowCallback(model, probeBatch(sets.train, DEFAULT_PROBE_SIZE, resolved.seed), (result.gradient_flow ??= [])));
  }
  const stopper = resolved.earlyStopping === null ? undefined : new EarlyStopping(resolved.earlyStopping);
  // Its state follows from the epochs so far; a checkpoint written just before it stopped the
  // run means the run is over.
  const alreadyStopped = stopper?.replay(result.epochs) ?? false;
  const summaryText = formatModelSummary(modelSummary(model));
  result.params = model.countParams();
  result.model_summary = summaryText;
  result.status = 'running';
  delete result.error;
  hooks.onEvent?.({ type: 'model-start', activation: result.activation, summary: summaryText, resumedAfterEpoch: checkpoint?.meta.epoch ?? 0 });
  await ctx.save();

  const recorder: Callback = {
    onEpochEnd: async (epoch, logs) => {
      recordEpoch(result, epoch, logs);
      await saveCheckpoint(checkpointDir, model, optimizer, { epoch: epoch + 1, state: result });
      await ctx.save();
    },
  };
  // The stopper decides after the recorder has the epoch, so a checkpoint never misses one.
  if (stopper !== undefined) callbacks.push(recorder, stopper);
  else callbacks.push(recorder);
  try {
    const run = alreadyStopped
      ? { interrupted: false, stoppedEarly: true, lastValidation: undefined }
      : await fit(model, sets.train, {
          optimizer,
          epochs: resolved.epochs,
          batchSize: resolved.batchSize,
          seed: resolved.seed,
          validation: sets.test,
          initialEpoch: checkpoint?.meta.epoch ?? 0,
          callbacks: [...callbacks, ...(hooks.callbacks?.(result.activation) ?? [])],
          signal: hooks.signal,
        });
    if (run.interrupted) {
      result.status = 'interrupted';
    } else {
      // The article's final step: predict on the test set, argmax, accuracy. With the test set
      // as validation data, the last epoch's validation already is exactly that.
      result.test_accuracy = run.lastValidation?.accuracy ?? result.epochs.at(-1)?.val_accuracy ?? null;
      if (run.stoppedEarly) result.stopped_epoch = result.epochs.length;
      result.status = 'done';
      await saveModel(model, join(out, 'models', result.activation));
      await rm(checkpointDir, { recursive: true, force: true });
      // The parent goes too once no activation has a checkpoint left (rmdir fails while one does).
      await rmdir(dirname(checkpointDir)).catch(() => undefined);
    }
  } catch (err) {
    if (!(err instanceof TrainingDivergedError)) throw err;
    result.status = 'failed';
    result.error = err.message;
  } finally {
    model.dispose();
    optimizer.dispose();
  }
  await ctx.save();
  return result.status === 'interrupted';
}

