/**
 * Early stopping as Keras's `EarlyStopping` callback: stop when the monitored metric has not
 * improved by more than `minDelta` for `patience` epochs in a row.
 */
import { UserError } from '../errors.js';
import type { Callback, EpochLogs, TrainBeginInfo, TrainingControl } from './callbacks.js';

/** Metrics early stopping can watch; losses must fall, accuracies rise. */
export const MONITORS = ['val_loss', 'val_accuracy', 'loss', 'accuracy'] as const;
export type Monitor = (typeof MONITORS)[number];

export interface EarlyStoppingOptions {
  /** Default `val_loss`, as Keras. */
  monitor?: Monitor;
  /** Epochs without improvement before stopping; default 0, as Keras. */
  patience?: number;
  /** Smallest change that counts as an improvement; default 0. */
  minDelta?: number;
}

/**
 * Keras's `EarlyStopping(monitor, patience, min_delta)` with `mode='auto'`: training stops
 * after `patience` epochs in a row without improvement (after the first such epoch when
 * `patience` is 0), at the end of an epoch. Its state (best
 * value, epochs waited) follows from the epochs' logs alone, so a resumed run rebuilds it
 * with {@link EarlyStopping.replay} instead of saving it.
 */
export class EarlyStopping implements Callback {
  readonly monitor: Monitor;
  readonly patience: number;
  readonly minDelta: number;
  private best = Infinity;
  private wait = 0;
  private control?: TrainingControl;
  /** 1-based epoch after which training was stopped, or `null`. */
  stoppedEpoch: number | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor ?? 'val_loss';
    this.patience = options.patience ?? 0;
    this.minDelta = Math.abs(options.minDelta ?? 0);
    if (!(MONITORS as readonly string[]).includes(this.monitor)) throw new UserError(`early stopping cannot monitor '${this.monitor}'; choose one of ${MONITORS.join(', ')}`);
    if (!Number.isSafeInteger(this.patience) || this.patience < 0) throw new UserError(`early stopping patience must be an integer >= 0, got ${this.patience}`);
    if (!Number.isFinite(this.minDelta)) throw new UserError(`early stopping min delta must be a number, got ${options.minDelta}`);
  }

  /** Accuracies are maximised; compared as their negatives, like losses. */
  private score(logs: EpochLogs): number | undefined {
    const value = logs[this.monitor];
    if (value === undefined || Number.isNaN(value)) return undefined;
    return this.monitor.endsWith('accuracy') ? -value : value;
  }

  /**
   * Feeds past epochs' logs (of the run being resumed) through the same rule; true when
   * patience ran out at the last of them, i.e. the run was already over.
   */
  replay(past: readonly EpochLogs[]): boolean {
    let stop = false;
    for (const logs of past) stop = this.update(logs);
    return stop;
  }

  /** Updates best and wait; true when patience ran out. */
  private update(logs: EpochLogs): boolean {
    const score = this.score(logs);
    if (score === undefined) {
      throw new UserError(`early stopping monitors '${this.monitor}', which this run does not measure (it needs validation data)`);
    }
    if (score < this.best - this.minDelta) {
      this.best = score;
      this.wait = 0;
      return false;
    }
    this.wait++;
    return this.wait >= this.patience;
  }

  onTrainBegin(info: TrainBeginInfo): void {
    this.control = info.control;
    this.stoppedEpoch = null;
  }

  onEpochEnd(epoch: number, logs: EpochLogs): void {
    if (this.update(logs) && this.control !== undefined) {
      this.control.stopTraining = true;
      this.stoppedEpoch = epoch + 1;
    }
  }
}
