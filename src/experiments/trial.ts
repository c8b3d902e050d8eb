/**
 * Running one claimed trial: build the model (or restore it from the trial's checkpoint),
 * train it epoch by epoch with a checkpoint and a stored metrics row (and gradient-flow
 * measurement) after each, then evaluate on the test set and store per-class accuracy, the
 * confusion matrix and sample predictions.
 *
 * Order of writes after each epoch: checkpoint first, then the database. A crash between the
 * two leaves a checkpoint one epoch ahead of the database; a resumed run makes the stored
 * epochs equal to the checkpoint's history before training on, so the two always agree.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createRng, permutation } from '../datasets/random.js';
import type { Dataset } from '../datasets/types.js';
import { DEFAULT_PROBE_SIZE, GradientFlowCallback, probeBatch } from '../inspect/gradient_flow.js';
import { INITIAL_DIR } from '../inspect/run_folder.js';
import type { GradientFlowRecord } from '../inspect/types.js';
import { getModel } from '../models/registry.js';
import { cifarAugmenter } from '../training/augment.js';
import type { Callback, EpochLogs } from '../training/callbacks.js';
import { loadCheckpoint, saveCheckpoint } from '../training/checkpoint.js';
import { exampleSets, type ExampleSet } from '../training/data.js';
import { EarlyStopping } from '../training/early_stopping.js';
import { evaluate } from '../training/evaluate.js';
import { fit, TrainingDivergedError } from '../training/fit.js';
import { saveModel } from '../training/model_files.js';
import { createOptimizer, type ScheduledOptimizer } from '../training/optimizers.js';
import { LearningRateScheduler } from '../training/schedules.js';
import type { EpochRecord } from './compare_types.js';
import { epochRecord } from './epoch_record.js';
import type { OptimizerSpec, TrialConfig } from './spec.js';
import type { ClaimedTrial, ResultStore, TrialFinal } from './store.js';

/** What a trial's checkpoint carries besides tensors. */
interface TrialCheckpointState {
  /** Guards against a checkpoint folder left from another database that reused the trial id. */
  trialKey: string;
  epochs: EpochRecord[];
  /** Gradient-flow measurements so far (absent when not recorded). */
  gradientFlow?: GradientFlowRecord[];
}

/** The data a trial trains on, loaded once per worker and data set. */
export interface TrialData {
  dataset: Dataset;
  /** Where it was read from and how it was checked, as recorded with the trial. */
  source: string;
  /** The file or folder it was read from. */
  path: string;
}

export interface TrialEnvironment {
  store: ResultStore;
  data: TrialData;
  checkpointDir: string;
  leaseMs: number;
  /** Test examples whose predictions are kept. */
  samples: number;
  /** Record gradient flow (before training and after every epoch, into the store); default true. */
  gradientFlow?: boolean;
  /**
   * Folder for the trial's trained model, with its initial one in `initial/` (the layout of a
   * compare run's `models/<activation>/`, which `lisht inspect --db` reads); none when absent.
   */
  modelsDir?: string;
  /** Aborting stops after the current step; the trial is then given back, not failed. */
  signal?: AbortSignal;
  onEpoch?(record: EpochRecord): void;
}

export type TrialOutcome =
  | { status: 'done'; testAccuracy: number; resumedFrom: number }
  | { status: 'failed'; error: string; resumedFrom: number }
  | { status: 'stopped'; epochsDone: number; resumedFrom: number };

/** File system errors that mean "cannot write here" rather than a bug. */
const WRITE_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EFBIG']);

/**
 * A UserError for a checkpoint (or a saved model) that could not be written (full disk,
 * read-only or forbidden folder); other errors are returned as they are. The previous
 * checkpoint is intact then.
 */
export function checkpointError(err: unknown, dir: string, what = 'checkpoint'): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === undefined || !WRITE_ERRORS.has(code)) return err;
  const why = code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG' ? 'the disk is full' : 'the folder is not writable';
  return new UserError(`cannot write ${what} ${dir}: ${why} (${code}); the trial resumes from its previous checkpoint on the next run`, EXIT.IO);
}

async function saveTrialModel(model: tfl.LayersModel, dir: string): Promise<void> {
  try {
    await saveModel(model, dir);
  } catch (err) {
    throw checkpointError(err, dir, 'model');
  }
}

/** The optimizer a trial names, from the training module. */
export function trialOptimizer(spec: OptimizerSpec): ScheduledOptimizer {
  return createOptimizer({ name: spec.name, lr: spec.learningRate, momentum: spec.momentum, weightDecay: spec.weightDecay ?? 0 });
}

/**
 * The trial's view of its data: the splits (limited as configured) and, when it augments,
 * a training set whose augmentation is a function of (seed, epoch, step), so resuming is exact.
 */
export function trialSets(config: TrialConfig, dataset: Dataset): { train: ExampleSet; test: ExampleSet } {
  const augment = config.augment && dataset.kind === 'image' ? cifarAugmenter(config.seed, dataset.imageShape) : undefined;
  return exampleSets(dataset, { train: config.dataset.limitTrain, test: config.dataset.limitTest }, { augment });
}

/**
 * The test examples shown in reports: a fixed shuffle of the test split, the same for every
 * trial on that data set, so each activation's predictions are shown for the same images.
 */
export function sampleIndices(testCount: number, count: number): number[] {
  return Array.from(permutation(testCount, createRng('lisht-report-samples')).subarray(0, Math.min(count, testCount)));
}

/** Per-class counts and the confusion matrix of `predictions` against `labels`. */
export function classResults(labels: ArrayLike<number>, predictions: ArrayLike<number>, classNames: readonly string[]): Pick<TrialFinal, 'classes' | 'confusion'> {
  const n = classNames.length;
  const confusion = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < predictions.length; i++) confusion[labels[i]!]![predictions[i]!]!++;
  const classes = classNames.map((name, c) => ({ name, support: confusion[c]!.reduce((a, b) => a + b, 0), correct: confusion[c]![c]! }));
  return { classes, confusion };
}

function buildModel(config: TrialConfig, data: TrialData, inputShape: number[]): tfl.LayersModel {
  const vocabularySize = data.dataset.kind === 'text' ? data.dataset.vocabulary.length : undefined;
  return getModel(config.model.name).build({
    inputShape,
    numClasses: data.dataset.classNames.length,
    activation: config.activation,
    seed: config.seed,
    ...(config.model.hiddenUnits ? { hiddenUnits: config.model.hiddenUnits } : {}),
    ...(vocabularySize !== undefined ? { vocabularySize } : {}),
  });
}

/**
 * Runs `trial` to the end (or until `env.signal` aborts), resuming from its checkpoint when
 * there is one. Throws ClaimLostError when another process took the trial over, and store
 * errors (disk full, ...) as UserErrors; divergence is recorded as a failed trial.
 */
export async function runTrial(trial: ClaimedTrial, env: TrialEnvironment): Promise<TrialOutcome> {
  const { store, data, checkpointDir, leaseMs } = env;
  const { config } = trial;
  const checkpoint = await loadCheckpoint<TrialCheckpointState>(checkpointDir);
  const usable = checkpoint !== undefined && checkpoint.meta.state.trialKey === trial.key;
  if (checkpoint !== undefined && !usable) {
    checkpoint.model.dispose();
    tf.dispose(checkpoint.optimizerWeights.map((w) => w.tensor));
    await rm(checkpointDir, { recursive: true, force: true });
  }
  const sets = trialSets(config, data.dataset);
  const optimizer = trialOptimizer(config.optimizer);
  let model: tfl.LayersModel;
  let history: EpochRecord[];
  let flow: GradientFlowRecord[];
  if (usable) {
    model = checkpoint.model;
    await optimizer.setWeights(checkpoint.optimizerWeights);
    history = [...checkpoint.meta.state.epochs];
    flow = [...(checkpoint.meta.state.gradientFlow ?? [])];
  } else {
    model = buildModel(config, data, sets.train.inputShape);
    history = [];
    flow = [];
    if (env.modelsDir !== undefined) await saveTrialModel(model, join(env.modelsDir, INITIAL_DIR));
  }
  const resumedFrom = history.length;
  store.syncEpochs(trial, history, leaseMs, flow);

  const callbacks: Callback[] = [];
  if (config.schedule !== undefined) {
    callbacks.push(new LearningRateScheduler(optimizer, { ...config.schedule, lr: config.optimizer.learningRate, epochs: config.epochs }));
  }
  if (env.gradientFlow !== false) {
    // Before the recorder, so an epoch's checkpoint and stored row come with its measurement.
    callbacks.push(new GradientFlowCallback(model, probeBatch(sets.train, DEFAULT_PROBE_SIZE, config.seed), flow));
  }
  let flowStored = flow.length;
  callbacks.push({
    onEpochEnd: async (epoch, logs) => {
      const record = epochRecord(epoch, logs);
      history.push(record);
      try {
        await saveCheckpoint<TrialCheckpointState>(checkpointDir, model, optimizer, { epoch: epoch + 1, state: { trialKey: trial.key, epochs: history, gradientFlow: flow } });
      } catch (err) {
        throw checkpointError(err, checkpointDir);
      }
      store.recordEpoch(trial, record, leaseMs, flow.slice(flowStored));
      flowStored = flow.length;
      env.onEpoch?.(record);
    },
  });
  // Early stopping's state follows from the epochs so far (a run can end stopped right after
  // its last checkpoint); it decides after the recorder has stored the epoch.
  const stopper = config.earlyStopping && new EarlyStopping(config.earlyStopping);
  const alreadyStopped = stopper?.replay(history) ?? false;
  if (stopper !== undefined) callbacks.push(stopper);
  try {
    const run = alreadyStopped
      ? { interrupted: false, epochsDone: resumedFrom, lastValidation: undefined }
      : await fit(model, sets.train, {
          optimizer,
          epochs: config.epochs,
          batchSize: config.batchSize,
          seed: config.seed,
          validation: sets.test,
          initialEpoch: resumedFrom,
          callbacks,
          signal: env.signal,
        });
    if (run.interrupted) return { status: 'stopped', epochsDone: run.epochsDone, resumedFrom };
    // The last epoch's validation is the final test evaluation; a run that resumed after the
    // last epoch (killed before storing the results) evaluates the restored model instead.
    const evaluation = run.lastValidation ?? (await evaluate(model, sets.test, config.batchSize));
    const labels = sets.test.labels;
    const indices = sampleIndices(sets.test.count, env.samples);
    // Before the trial counts as done, so a done trial always has its model.
    if (env.modelsDir !== undefined) await saveTrialModel(model, env.modelsDir);
    store.finishTrial(
      trial,
      {
        params: model.countParams(),
        trainCount: sets.train.count,
        testCount: sets.test.count,
        dataSource: data.source,
        dataPath: data.path,
        testLoss: evaluation.loss,
        testAccuracy: evaluation.accuracy,
        ...classResults(labels, evaluation.predictions, data.dataset.classNames),
        samples: indices.map((i) => ({ exampleIndex: i, trueClass: labels[i]!, predictedClass: evaluation.predictions[i]! })),
      },
      leaseMs,
    );
    await rm(checkpointDir, { recursive: true, force: true });
    return { status: 'done', testAccuracy: evaluation.accuracy, resumedFrom };
  } catch (err) {
    if (!(err instanceof TrainingDivergedError)) throw err;
    store.failTrial(trial, err.message, leaseMs);
    await rm(checkpointDir, { recursive: true, force: true });
    if (env.modelsDir !== undefined) await rm(env.modelsDir, { recursive: true, force: true });
    return { status: 'failed', error: err.message, resumedFrom };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}
