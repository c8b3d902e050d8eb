import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createRng, permutation } from '../random.js';
import { dispatch, type Callback, type EpochLogs, type TrainingControl } from './callbacks.js';
import type { ExampleSet } from './data.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { forward } from './forward.js';
import { countCorrect, sparseCategoricalCrossentropy } from './losses.js';

/** Options of {@link fit}. */
export interface FitOptions {
  optimizer: tf.Optimizer;
  epochs: number;
  batchSize: number;
  /** Seed of the per-epoch shuffles: the same seed gives the same batches on every run. */
  seed: number;
  /** Evaluated after every epoch (Keras's `validation_data`). */
  validation?: ExampleSet;
  /** Batch size of validation; default `batchSize`. */
  validationBatchSize?: number;
  callbacks?: Callback[];
  /** Epochs already done (when resuming from a checkpoint); default 0. */
  initialEpoch?: number;
  /** Aborting stops training after the current step; the unfinished epoch is not recorded. */
  signal?: AbortSignal;
}

/** What {@link fit} ends with. */
export interface FitResult {
  /** Number of epochs finished in total, `initialEpoch` included. */
  epochsDone: number;
  interrupted: boolean;
  /** A callback set `control.stopTraining` (e.g. early stopping) before `epochs` were done. */
  stoppedEarly: boolean;
  /** The validation of the last finished epoch, with per-example predictions. */
  lastValidation?: Evaluation;
}

/** The loss became NaN or infinite; names where, so the run can be diagnosed. */
export class TrainingDivergedError extends Error {
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly loss: number,
  ) {
    super(`loss became ${loss} at epoch ${epoch}, step ${step}`);
    this.name = 'TrainingDivergedError';
  }
}

/**
 * The order of the training examples in epoch `epoch` (0-based). A function of the seed and
 * the epoch alone, so a resumed run sees the same batches as an uninterrupted one.
 */
export function epochOrder(count: number, seed: number, epoch: number): Int32Array {
  return permutation(count, createRng(`${seed}:epoch:${epoch}`));
}

/**
 * One optimisation step on a batch: forward in training mode, sparse categorical
 * cross-entropy, gradients, optimizer update. Resolves to the batch's loss and number of
 * correct predictions.
 */
export async function trainStep(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  x: tf.Tensor,
  y: tf.Tensor1D,
): Promise<{ loss: number; correct: number }> {
  let hits: tf.Scalar | undefined;
  const loss = optimizer.minimize(
    () => {
      const probs = forward(model, x, true);
      hits = tf.keep(countCorrect(probs, y));
      return sparseCategoricalCrossentropy(probs, y);
    },
    true,
    vars,
  ) as tf.Scalar;
  const [lossValue] = await loss.data();
  const [correct] = await hits!.data();
  tf.dispose([loss, hits!]);
  return { loss: lossValue, correct };
}

/** The variables a step updates: the model's trainable weights. */
export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Trains `model` on `train` with sparse categorical cross-entropy on its softmax output,
 * shuffling every epoch, validating after each, like Keras's `model.fit`.
 *
 * Every random choice of the loop is a pure function of the seed and the batch's place: the
 * order of epoch e of (seed, e), a batch's augmentation of (seed, e, step). So the RNG state
 * of a run after e epochs is (seed, e), and a checkpoint of model, optimizer and epoch is
 * enough to resume it exactly.
 */
export async function fit(model: tfl.LayersModel, train: ExampleSet, options: FitOptions): Promise<FitResult> {
  const { optimizer, epochs, batchSize, seed, validation, signal } = options;
  const callbacks = options.callbacks ?? [];
  const initialEpoch = options.initialEpoch ?? 0;
  const stepsPerEpoch = Math.ceil(train.count / batchSize);
  const vars = trainableVariables(model);
  let lastValidation: Evaluation | undefined;
  let epochsDone = initialEpoch;
  let interrupted = false;
  const control: TrainingControl = { stopTraining: false };

  await dispatch(callbacks, 'onTrainBegin', { epochs, stepsPerEpoch, initialEpoch, control });
  for (let epoch = initialEpoch; epoch < epochs && !interrupted && !control.stopTraining; epoch++) {
    await dispatch(callbacks, 'onEpochBegin', epoch);
    const started = performance.now();
    const order = epochOrder(train.count, seed, epoch);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let step = 0; step < stepsPerEpoch; step++) {
      const start = step * batchSize;
      const end = Math.min(train.count, start + batchSize);
      // The batch's place in the run lets the set augment it reproducibly (see augment.ts).
      const x = train.inputs(order, start, end, { epoch, step });
      const y = train.targets(order, start, end);
      const { loss: lossValue, correct: hitCount } = await trainStep(model, optimizer, vars, x, y);
      tf.dispose([x, y]);
      if (!Number.isFinite(lossValue)) throw new TrainingDivergedError(epoch + 1, step + 1, lossValue);
      const n = end - start;
      lossSum += lossValue * n;
      correct += hitCount;
      seen += n;
      await dispatch(callbacks, 'onBatchEnd', step, { loss: lossSum / seen, accuracy: correct / seen });
      if (signal?.aborted) {
        interrupted = true;
        break;
      }
    }
    if (interrupted) break;
    const logs: EpochLogs = { loss: lossSum / seen, accuracy: correct / seen, seconds: 0 };
    if (validation !== undefined) {
      lastValidation = await evaluate(model, validation, options.validationBatchSize ?? batchSize);
      logs.val_loss = lastValidation.loss;
      logs.val_accuracy = lastValidation.accuracy;
    }
    logs.seconds = (performance.now() - started) / 1000;
    epochsDone = epoch + 1;
    await dispatch(callbacks, 'onEpochEnd', epoch, logs);
    if (signal?.aborted) interrupted = true;
  }
  await dispatch(callbacks, 'onTrainEnd', { interrupted });
  return { epochsDone, interrupted, stoppedEarly: control.stopTraining && epochsDone < epochs, lastValidation };
}
