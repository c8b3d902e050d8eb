/**
 * The original article's experiment as a library function: train one model per activation
 * on identical data, order and initial-weight seed, validate on the test set after every
 * epoch, and write summary.json, charts, an HTML report and the trained models.
 */
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import '../index.js';
import { getActivation } from '../activations/zoo.js';
import { selectBackend } from '../backends/select.js';
import { loadDataset, parseDatasetName } from '../datasets/index.js';
import type { Dataset } from '../datasets/types.js';
import { UserError } from '../errors.js';
import { formatModelSummary, modelSummary } from '../models/summary.js';
import { getModel } from '../models/registry.js';
import { writeFileAtomic } from '../reports/write.js';
import type { Callback, EpochLogs } from '../training/callbacks.js';
import { loadCheckpoint, saveCheckpoint } from '../training/checkpoint.js';
import { exampleSets, type ExampleSet } from '../training/data.js';
import { fit, TrainingDivergedError } from '../training/fit.js';
import { saveModel } from '../training/model_files.js';
import { createAdam } from '../training/optimizers.js';
import { VERSION } from '../version.js';
import { writeCompareOutputs } from './compare_outputs.js';
import { parseCompareOptions, type CompareOptions } from './compare_options.js';
import type { CompareResult, CompareSummary, EpochRecord, ResolvedCompareOptions } from './compare_types.js';

export const SUMMARY_JSON = 'summary.json';

/** What {@link compare} reports while it runs. */
export type CompareEvent =
  | { type: 'backend'; backend: string }
  | { type: 'dataset'; name: string; train: number; test: number; source: string }
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
  const record: EpochRecord = {
    epoch: epoch + 1,
    loss: logs.loss,
    accuracy: logs.accuracy,
    val_loss: logs.val_loss ?? NaN,
    val_accuracy: logs.val_accuracy ?? NaN,
    seconds: logs.seconds,
  };
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
    resolved = { ...previous.options, backend: options.backend ?? previous.options.backend };
  } else {
    resolved = {
      dataset: parseDatasetName(parsed.dataset),
      data: parsed.data === undefined ? null : resolve(parsed.data),
      model: parsed.model,
      activations: parsed.activations.map((a) => getActivation(a).name),
      epochs: parsed.epochs,
      batchSize: parsed.batchSize,
      seed: parsed.seed ?? Math.floor(Math.random() * 2 ** 31),
      limitTrain: parsed.limitTrain ?? null,
      limitTest: parsed.limitTest ?? null,
      backend: parsed.backend,
    };
    out = resolve(parsed.out ?? join('runs', `${resolved.dataset}-${timestamp(new Date())}`));
  }
  if (new Set(resolved.activations).size !== resolved.activations.length) {
    throw new UserError(`activations must differ, got ${resolved.activations.join(', ')}`);
  }
  getModel(resolved.model);
  await ensureWritableDir(out);
  return { resolved, out, previous };
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

  const dataset: Dataset = await loadDataset(parseDatasetName(resolved.dataset), { data: resolved.data ?? undefined });
  if (!definition.accepts.includes(dataset.kind)) {
    throw new UserError(`model '${definition.name}' does not fit data set '${dataset.name}' (${dataset.kind} data; it takes ${definition.accepts.join(', ')})`);
  }
  const sets = exampleSets(dataset, { train: resolved.limitTrain ?? undefined, test: resolved.limitTest ?? undefined });
  emit({ type: 'dataset', name: dataset.name, train: sets.train.count, test: sets.test.count, source: dataset.source.path });

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
    const interrupted = await trainOne(result, { resolved, out, sets, inputShape: sets.train.inputShape, numClasses: dataset.classNames.length, hooks, save });
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
  inputShape: number[];
  numClasses: number;
  hooks: CompareHooks;
  save(): Promise<void>;
}

/** Trains one activation's model; resolves to true when the run was interrupted. */
async function trainOne(result: CompareResult, ctx: TrainContext): Promise<boolean> {
  const { resolved, out, sets, hooks } = ctx;
  const checkpointDir = join(out, 'checkpoints', result.activation);
  const checkpoint = await loadCheckpoint<CompareResult>(checkpointDir);
  let model: tfl.LayersModel;
  const optimizer = createAdam();
  if (checkpoint !== undefined) {
    model = checkpoint.model;
    Object.assign(result, checkpoint.meta.state);
    await optimizer.setWeights(checkpoint.optimizerWeights);
  } else {
    model = getModel(resolved.model).build({ inputShape: ctx.inputShape, numClasses: ctx.numClasses, activation: result.activation, seed: resolved.seed });
    Object.assign(result, emptyResult(result.activation));
  }
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
  try {
    const run = await fit(model, sets.train, {
      optimizer,
      epochs: resolved.epochs,
      batchSize: resolved.batchSize,
      seed: resolved.seed,
      validation: sets.test,
      initialEpoch: checkpoint?.meta.epoch ?? 0,
      callbacks: [recorder, ...(hooks.callbacks?.(result.activation) ?? [])],
      signal: hooks.signal,
    });
    if (run.interrupted) {
      result.status = 'interrupted';
    } else {
      // The article's final step: predict on the test set, argmax, accuracy. With the test set
      // as validation data, the last epoch's validation already is exactly that.
      result.test_accuracy = run.lastValidation?.accuracy ?? null;
      result.status = 'done';
      await saveModel(model, join(out, 'models', result.activation));
      await rm(checkpointDir, { recursive: true, force: true });
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

