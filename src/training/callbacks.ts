/**
 * Training callbacks, in the shape of Keras's: small objects that watch the loop. The loop
 * calls every hook of every callback in order; a hook may be async.
 */

/** Metrics of one epoch, named as Keras names them. */
export interface EpochLogs {
  loss: number;
  accuracy: number;
  val_loss?: number;
  val_accuracy?: number;
  /** Wall-clock seconds of the epoch, validation included. */
  seconds: number;
}

/** Running metrics after a training step, averaged over the epoch so far. */
export interface BatchLogs {
  loss: number;
  accuracy: number;
}

/**
 * What callbacks may change in the loop, like Keras's `model.stop_training`: setting
 * `stopTraining` ends training after the current epoch (e.g. early stopping).
 */
export interface TrainingControl {
  stopTraining: boolean;
}

export interface TrainBeginInfo {
  epochs: number;
  stepsPerEpoch: number;
  /** First epoch this run trains (0-based; above 0 when resuming). */
  initialEpoch: number;
  /** Keep it to stop training from a later hook. */
  control: TrainingControl;
}

export interface Callback {
  onTrainBegin?(info: TrainBeginInfo): void | Promise<void>;
  /** `epoch` is 0-based. */
  onEpochBegin?(epoch: number): void | Promise<void>;
  /** `step` is 0-based within the epoch. */
  onBatchEnd?(step: number, logs: BatchLogs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: EpochLogs): void | Promise<void>;
  /** Called once at the end, also when training was interrupted. */
  onTrainEnd?(info: { interrupted: boolean }): void | Promise<void>;
}

/** Calls `hook` on every callback that has it, in order. */
export async function dispatch<K extends keyof Callback>(
  callbacks: readonly Callback[],
  hook: K,
  ...args: Parameters<NonNullable<Callback[K]>>
): Promise<void> {
  for (const cb of callbacks) {
    const fn = cb[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
    if (fn !== undefined) await fn.apply(cb, args);
  }
}

/** Records the logs of every epoch, like Keras's `History`. */
export class History implements Callback {
  readonly epochs: (EpochLogs & { epoch: number })[] = [];

  onEpochEnd(epoch: number, logs: EpochLogs): void {
    this.epochs.push({ epoch: epoch + 1, ...logs });
  }
}
