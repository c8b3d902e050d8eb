/**
 * The one resumable trainer behind `lisht compare` and `lisht run`: build a model (or restore it
 * and its optimizer from the last checkpoint), train it epoch by epoch with a checkpoint after
 * each, and hand every finished epoch to a sink. What the callers record (summary.json, a
 * results store) and print is theirs; the sequence of training is here, once.
 *
 * Order of writes after each epoch: checkpoint first, then the sink. A crash between the two
 * leaves a checkpoint one epoch ahead of the sink's record; {@link TrainerSink.resume} hands the
 * checkpoint's whole history to the sink before training goes on, so the two always agree.
 */
import { rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { DEFAULT_PROBE_SIZE, GradientFlowCallback, probeBatch } from '../diagnostics/gradient_flow.js';
import type { GradientFlowRecord } from '../diagnostics/types.js';
import type { Callback } from './callbacks.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import type { ExampleSet } from './data.js';
import { EarlyStopping, type EarlyStoppingOptions } from './early_stopping.js';
import { epochRecord, type EpochRecord } from './epoch_record.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { fit, TrainingDivergedError } from './fit.js';
import { saveModel } from './model_files.js';
import { createOptimizer, resolveOptimizerConfig, type OptimizerConfig } from './optimizers.js';
import { LearningRateScheduler, type ScheduleConfig } from './schedules.js';

/** What a trained model is and how it trains; everything that determines its numbers. */
export interface TrainerConfig {
  /** Builds the untrained model (same seed, same weights). */
  build(): tfl.LayersModel;
  train: ExampleSet;
  /** Evaluated after every epoch; its last evaluation is the final test result. */
  validation: ExampleSet;
  optimizer: OptimizerConfig;
  /** Absent: a constant learning rate. */
  schedule?: Omit<ScheduleConfig, 'lr' | 'epochs'>;
  epochs: number;
  batchSize: number;
  /** Seed of the epoch order (and of the gradient-flow probe batch). */
  seed: number;
  earlyStopping?: EarlyStoppingOptions;
  /** Record the gradient flow on a fixed probe batch before training and after every epoch. */
  gradientFlow: boolean;
}

/** Where the trainer keeps its state. */
export interface TrainerPlace {
  /** The checkpoint folder (written after every epoch, removed when training ends). */
  checkpointDir: string;
  /**
   * Identity of the training this checkpoint belongs to: a checkpoint that carries another key
   * (a folder left by another database that reused the id) is discarded, not resumed.
   */
  key: string;
  /** Where the untrained model is saved when training starts from scratch (for `lisht inspect`). */
  initialModelDir?: string;
}

/** What the trainer tells its caller, in order. */
export interface TrainerSink {
  /**
   * Before training: the epochs (and gradient flow) already done, from the checkpoint (empty
   * when starting from scratch), and the model as it starts.
   */
  resume?(history: readonly EpochRecord[], flow: readonly GradientFlowRecord[], model: tfl.LayersModel): Promise<void> | void;
  /** After each epoch's checkpoint: the epoch and the gradient-flow records measured since the last call. */
  epoch(record: EpochRecord, flow: readonly GradientFlowRecord[]): Promise<void> | void;
  /**
   * Training ended (all epochs, or stopped early): the model is still alive and the checkpoint
   * still there, so a crash here resumes into `finish` again rather than losing the run.
   */
  finish(model: tfl.LayersModel, evaluation: Evaluation, info: { stoppedEarly: boolean }): Promise<void> | void;
}

/** How a {@link train} call ended. */
export type TrainerOutcome =
  | { status: 'done'; evaluation: Evaluation; stoppedEarly: boolean; epochsDone: number; resumedFrom: number }
  | { status: 'failed'; error: string; epochsDone: number; resumedFrom: number }
  | { status: 'interrupted'; epochsDone: number; resumedFrom: number };

/** What a checkpoint carries besides tensors. */
interface CheckpointState {
  key: string;
  epochs: EpochRecord[];
  /** Absent when gradient flow is not recorded. */
  gradientFlow?: GradientFlowRecord[];
}

/** Options of one {@link train} call that do not change its numbers. */
export interface TrainOptions {
  /** Extra callbacks, e.g. a progress bar; they run after the trainer's own. */
  callbacks?: Callback[];
  /** Aborting stops after the current step; the checkpoint of the last epoch stays. */
  signal?: AbortSignal;
  /** Wraps errors of writing a checkpoint or model (a full disk) for the caller's message. */
  writeError?(err: unknown, dir: string, what: 'checkpoint' | 'model'): unknown;
}

/**
 * Trains to the end, to an abort or to divergence (a NaN loss: `failed`, checkpoint removed),
 * resuming exactly from the last checkpoint in `place` when there is one. The model and the
 * optimizer are disposed before it resolves.
 */
export async function train(config: TrainerConfig, place: TrainerPlace, sink: TrainerSink, options: TrainOptions = {}): Promise<TrainerOutcome> {
  const wrap = options.writeError ?? ((err: unknown) => err);
  const checkpoint = await loadCheckpoint<CheckpointState>(place.checkpointDir);
  const usable = checkpoint !== undefined && checkpoint.meta.state.key === place.key;
  if (checkpoint !== undefined && !usable) {
    checkpoint.model.dispose();
    tf.dispose(checkpoint.optimizerWeights.map((w) => w.tensor));
    await rm(place.checkpointDir, { recursive: true, force: true });
  }
  const optimizer = createOptimizer(config.optimizer);
  let model: tfl.LayersModel;
  let history: EpochRecord[] = [];
  let flow: GradientFlowRecord[] = [];
  if (usable) {
    model = checkpoint.model;
    await optimizer.setWeights(checkpoint.optimizerWeights);
    history = [...checkpoint.meta.state.epochs];
    flow = [...(checkpoint.meta.state.gradientFlow ?? [])];
  } else {
    model = config.build();
    if (place.initialModelDir !== undefined) await save(model, place.initialModelDir);
  }
  const resumedFrom = history.length;
  try {
    await sink.resume?.(history, flow, model);
    const callbacks: Callback[] = [];
    if (config.schedule !== undefined) {
      callbacks.push(new LearningRateScheduler(optimizer, { ...config.schedule, lr: resolveOptimizerConfig(config.optimizer).lr, epochs: config.epochs }));
    }
    if (config.gradientFlow) {
      // Before the recorder, so an epoch's checkpoint and record come with its measurement.
      callbacks.push(new GradientFlowCallback(model, probeBatch(config.train, DEFAULT_PROBE_SIZE, config.seed), flow));
    }
    let flowReported = flow.length;
    callbacks.push({
      onEpochEnd: async (epoch, logs) => {
        const record = epochRecord(epoch, logs);
        history.push(record);
        const state: CheckpointState = { key: place.key, epochs: history, ...(config.gradientFlow ? { gradientFlow: flow } : {}) };
        try {
          await saveCheckpoint<CheckpointState>(place.checkpointDir, model, optimizer, { epoch: epoch + 1, state });
        } catch (err) {
          throw wrap(err, place.checkpointDir, 'checkpoint');
        }
        await sink.epoch(record, flow.slice(flowReported));
        flowReported = flow.length;
      },
    });
    // Early stopping's state follows from the epochs so far (a run can end stopped right after
    // its last checkpoint); it decides after the recorder has the epoch.
    const stopper = config.earlyStopping && new EarlyStopping(config.earlyStopping);
    const alreadyStopped = stopper?.replay(history) ?? false;
    if (stopper !== undefined) callbacks.push(stopper);
    const run = alreadyStopped
      ? { interrupted: false, stoppedEarly: true, epochsDone: resumedFrom, lastValidation: undefined }
      : await fit(model, config.train, {
          optimizer,
          epochs: config.epochs,
          batchSize: config.batchSize,
          seed: config.seed,
          validation: config.validation,
          initialEpoch: resumedFrom,
          callbacks: [...callbacks, ...(options.callbacks ?? [])],
          signal: options.signal,
        });
    if (run.interrupted) return { status: 'interrupted', epochsDone: run.epochsDone, resumedFrom };
    // The last epoch's validation is the final test evaluation; a run that resumed after its
    // last epoch (killed before finishing) evaluates the restored model instead.
    const evaluation = run.lastValidation ?? (await evaluate(model, config.validation, config.batchSize));
    await sink.finish(model, evaluation, { stoppedEarly: run.stoppedEarly });
    await rm(place.checkpointDir, { recursive: true, force: true });
    return { status: 'done', evaluation, stoppedEarly: run.stoppedEarly, epochsDone: history.length, resumedFrom };
  } catch (err) {
    if (!(err instanceof TrainingDivergedError)) throw err;
    await rm(place.checkpointDir, { recursive: true, force: true });
    return { status: 'failed', error: err.message, epochsDone: history.length, resumedFrom };
  } finally {
    model.dispose();
    optimizer.dispose();
  }

  async function save(m: tfl.LayersModel, dir: string): Promise<void> {
    try {
      await saveModel(m, dir);
    } catch (err) {
      throw wrap(err, dir, 'model');
    }
  }
}
