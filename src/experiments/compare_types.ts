/** The JSON that `lisht compare` writes as `summary.json`, and the options it ran with. */

/** Metrics of one finished epoch (1-based `epoch`). */
export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  val_loss: number;
  val_accuracy: number;
  seconds: number;
}

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
  /** The Keras-style summary of the model, as printed. */
  model_summary: string;
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
}

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
  options: ResolvedCompareOptions;
  results: CompareResult[];
}
