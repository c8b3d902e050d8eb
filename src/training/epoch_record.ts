import type { EpochLogs } from './callbacks.js';

/** Metrics of one finished epoch (1-based `epoch`). */
export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  val_loss: number;
  val_accuracy: number;
  seconds: number;
}

/** The stored record of an epoch (1-based), as `compare` and `run` both keep it. */
export function epochRecord(epoch: number, logs: EpochLogs): EpochRecord {
  return { epoch: epoch + 1, loss: logs.loss, accuracy: logs.accuracy, val_loss: logs.val_loss ?? NaN, val_accuracy: logs.val_accuracy ?? NaN, seconds: logs.seconds };
}
