import type { Precision } from '../backends/native/precision.js';
/** The JSON that `lisht compare` writes as `summary.json`, and the options it ran with. */
import type { SplitInfo } from '../datasets/types.js';
import type { Monitor } from '../training/early_stopping.js';
import type { OptimizerName } from '../training/optimizers.js';
import type { ScheduleName } from '../training/schedules.js';
import type { GradientFlowRecord } from '../diagnostics/types.js';
import type { EpochRecord } from '../training/epoch_record.js';

export type { EpochRecord };

export type RunStatus = 'pending' | 'running' | 'interrupted' | 'failed' | 'done';

/** One activation's run. */
export interface CompareResult {
  activation: string;
  params: number;
  status: RunStatus;
  /** Accuracy of `predict` + argmax on the test set after the last epoch; null until done. */
  test_accuracy: number | null;
  /** Best validation accuracy and its (1-based) epoch. */
  best_val_accuracy: number | null;
  best_epoch: number | null;
  /** Training accuracy of the last epoch. */
  train_accuracy: number | null;
  /** Wall-clock seconds of training and validation. */
  seconds: number;
  epochs: EpochRecord[];
  /** Why the run failed (e.g. the loss became NaN at epoch 3, step 17). */
  error?: string;
  /** 1-based epoch after which early stopping ended the run, when it did. */
  stopped_epoch?: number;
  /** The Keras-style summary of the model, as printed. */
  model_summary: string;
  /** Per layer, before training (epoch 0) and after every epoch; absent when not recorded. */
  gradient_flow?: GradientFlowRecord[];
}

/** The options a comparison ran with, all resolved (no defaults left open). */
export interface ResolvedCompareOptions {
  dataset: string;
  data: string | null;
  model: string;
  activations: string[];
  epochs: number;
  batchSize: number;
  seed: number;
  limitTrain: number | null;
  limitTest: number | null;
  backend: string;
  /** fp32 or bf16 (absent in runs written before precisions existed: fp32). */
  precision?: Precision;
  optimizer: OptimizerName;
  lr: number;
  /** SGD's momentum; null for Adam. */
  momentum: number | null;
  /** Coupled L2 weight decay (0: none). */
  weightDecay: number;
  schedule: ScheduleName;
  /** The step schedule's milestones (1-based epochs); null for other schedules. */
  milestones: number[] | null;
  augment: boolean;
  earlyStopping: { monitor: Monitor; patience: number } | null;
  fromTestSet: boolean;
  /** `mlp`'s hidden layer widths; null: the model's default. */
  hiddenUnits: number[] | null;
  /** Gradient flow recorded (absent in runs written before it existed: not recorded there). */
  gradientFlow?: boolean;
}

/**
 * What runs written before these options existed ran with (the article's setup), for
 * resuming them.
 */
export const LEGACY_OPTIONS: Pick<
  ResolvedCompareOptions,
  'optimizer' | 'lr' | 'momentum' | 'weightDecay' | 'schedule' | 'milestones' | 'augment' | 'earlyStopping' | 'fromTestSet' | 'hiddenUnits' | 'precision'
> = {
  precision: 'fp32',
  optimizer: 'adam',
  lr: 0.001,
  momentum: null,
  weightDecay: 0,
  schedule: 'none',
  milestones: null,
  augment: false,
  earlyStopping: null,
  fromTestSet: false,
  hiddenUnits: null,
};

/** `summary.json`. */
export interface CompareSummary {
  dataset: string;
  model: string;
  /** The backend that ran, e.g. `wasm` (never `auto`). */
  backend: string;
  status: RunStatus;
  created: string;
  updated: string;
  lisht_version: string;
  train_count: number;
  test_count: number;
  class_names: string[];
  /** How train and test were split (absent in runs written before it was recorded). */
  split?: SplitInfo;
  options: ResolvedCompareOptions;
  results: CompareResult[];
}
