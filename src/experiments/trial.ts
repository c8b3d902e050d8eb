/**
 * Running one claimed trial: the trainer (`src/training/trainer.ts`) with the results store as
 * its sink. Each epoch's metrics (and gradient flow) become a stored row; at the end the test
 * evaluation gives per-class accuracy, the confusion matrix and sample predictions. `lisht run`'s
 * workers and `lisht compare` both run their trials through here.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { applyPrecision } from '../backends/native/precision.js';
import { createRng, permutation } from '../random.js';
import type { Dataset } from '../datasets/types.js';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';
import { getModel } from '../models/registry.js';
import { cifarAugmenter } from '../training/augment.js';
import type { Callback } from '../training/callbacks.js';
import { exampleSets, type ExampleSet } from '../training/data.js';
import type { EpochRecord } from '../training/epoch_record.js';
import { saveModel } from '../training/model_files.js';
import { saveKerasModel } from '../keras/files.js';
import { assertKerasWritable } from '../keras/save.js';
import { createOptimizer, type OptimizerConfig, type ScheduledOptimizer } from '../training/optimizers.js';
import { train } from '../training/trainer.js';
import { INITIAL_DIR } from './run_folder.js';
import type { OptimizerSpec, TrialConfig } from './spec.js';
import type { ClaimedTrial, TrialFinal } from './store.js';
import type { Store } from './store_api.js';

/** The data a trial trains on, loaded once per worker and data set. */
export interface TrialData {
  dataset: Dataset;
  /** Where it was read from and how it was checked, as recorded with the trial. */
  source: string;
  /** The file or folder it was read from. */
  path: string;
}

export interface TrialEnvironment {
  store: Store;
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
  /** Also write the trained model as a Keras 3 `model.keras` in `modelsDir` (issue 22). */
  kerasModel?: boolean;
  /** Aborting stops after the current step; the trial is then given back, not failed. */
  signal?: AbortSignal;
  /** Extra training callbacks, e.g. a progress bar. */
  callbacks?: Callback[];
  /** A bf16 trial on a CPU without bf16 instructions runs emulated instead of being refused (default: LISHT_ALLOW_EMULATED_BF16=1). */
  allowEmulatedBf16?: boolean;
  /** The model as training (re)starts, after `resumedFrom` epochs. */
  onStart?(model: tfl.LayersModel, resumedFrom: number): void | Promise<void>;
  onEpoch?(record: EpochRecord): void | Promise<void>;
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

/** The optimizer a trial names, as the training module takes it. */
export function trialOptimizerConfig(spec: OptimizerSpec): OptimizerConfig {
  return { name: spec.name, lr: spec.learningRate, momentum: spec.momentum, weightDecay: spec.weightDecay ?? 0 };
}

/** The optimizer a trial names, from the training module. */
export function trialOptimizer(spec: OptimizerSpec): ScheduledOptimizer {
  return createOptimizer(trialOptimizerConfig(spec));
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
/** The trained model's Keras 3 file in a trial's models folder, when asked for. */
export const KERAS_MODEL_FILE = 'model.keras';

export async function runTrial(trial: ClaimedTrial, env: TrialEnvironment): Promise<TrialOutcome> {
  const { store, data, leaseMs } = env;
  const { config } = trial;
  // Before the first step, so no step of a bf16 trial runs in fp32 (or the other way round).
  applyPrecision(config.precision ?? 'fp32', tf.getBackend(), { allowEmulated: env.allowEmulatedBf16 });
  const sets = trialSets(config, data.dataset);
  const models = env.modelsDir;
  if (env.kerasModel === true && models !== undefined) {
    // A model Keras 3 cannot express is refused before training, not after it.
    const probe = buildModel(config, data, sets.train.inputShape);
    try {
      assertKerasWritable(probe);
    } finally {
      probe.dispose();
    }
  }
  const outcome = await train(
    {
      build: () => buildModel(config, data, sets.train.inputShape),
      train: sets.train,
      validation: sets.test,
      optimizer: trialOptimizerConfig(config.optimizer),
      ...(config.schedule !== undefined ? { schedule: config.schedule } : {}),
      epochs: config.epochs,
      batchSize: config.batchSize,
      seed: config.seed,
      ...(config.earlyStopping !== undefined ? { earlyStopping: config.earlyStopping } : {}),
      gradientFlow: env.gradientFlow !== false,
    },
    { checkpointDir: env.checkpointDir, key: trial.key, ...(models !== undefined ? { initialModelDir: join(models, INITIAL_DIR) } : {}) },
    {
      resume: async (history, flow, model) => {
        await store.syncEpochs(trial, history, leaseMs, flow);
        await env.onStart?.(model, history.length);
      },
      epoch: async (record, flow) => {
        await store.recordEpoch(trial, record, leaseMs, flow);
        await env.onEpoch?.(record);
      },
      finish: async (model, evaluation) => {
        const labels = sets.test.labels;
        const indices = sampleIndices(sets.test.count, env.samples);
        // Before the trial counts as done, so a done trial always has its model.
        if (models !== undefined) await saveTrialModel(model, models, env.kerasModel === true);
        await store.finishTrial(
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
      },
    },
    { callbacks: env.callbacks, signal: env.signal, writeError: checkpointError },
  );
  if (outcome.status === 'interrupted') return { status: 'stopped', epochsDone: outcome.epochsDone, resumedFrom: outcome.resumedFrom };
  if (outcome.status === 'failed') {
    await store.failTrial(trial, outcome.error, leaseMs);
    if (models !== undefined) await rm(models, { recursive: true, force: true });
    return { status: 'failed', error: outcome.error, resumedFrom: outcome.resumedFrom };
  }
  return { status: 'done', testAccuracy: outcome.evaluation.accuracy, resumedFrom: outcome.resumedFrom };
}

async function saveTrialModel(model: tfl.LayersModel, dir: string, keras: boolean): Promise<void> {
  try {
    await saveModel(model, dir);
    if (keras) await saveKerasModel(model, join(dir, KERAS_MODEL_FILE));
  } catch (err) {
    throw checkpointError(err, dir, 'model');
  }
}
