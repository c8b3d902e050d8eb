import type { BatchLogs, Callback, EpochLogs, TrainBeginInfo } from './callbacks.js';

/** Where progress goes: a TTY gets a live bar, anything else one line per epoch. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const BAR_WIDTH = 30;
/** Redraw the live bar at most this often, so printing never costs training time. */
const REDRAW_MS = 100;

function metrics(logs: Partial<EpochLogs> & BatchLogs): string {
  const parts = [`loss: ${logs.loss.toFixed(4)}`, `accuracy: ${logs.accuracy.toFixed(4)}`];
  if (logs.val_loss !== undefined) parts.push(`val_loss: ${logs.val_loss.toFixed(4)}`);
  if (logs.val_accuracy !== undefined) parts.push(`val_accuracy: ${logs.val_accuracy.toFixed(4)}`);
  return parts.join(' - ');
}

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m < 60 ? `${m}:${String(s).padStart(2, '0')}` : `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

function perStep(seconds: number, steps: number): string {
  const ms = (seconds * 1000) / Math.max(1, steps);
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s/step` : `${Math.round(ms)}ms/step`;
}

/**
 * Keras's progress bar (`verbose=1`): `Epoch 3/50`, then a live
 * `123/500 [=====>....] - ETA: 12s - loss: ... - accuracy: ...` line on a TTY, finished as
 * `500/500 [====] - 38s 76ms/step - loss - accuracy - val_loss - val_accuracy`. Elsewhere
 * (logs, CI) one line per epoch, with the same figures.
 */
export class ProgressBar implements Callback {
  private epochs = 0;
  private steps = 0;
  private epochStart = 0;
  private lastDraw = 0;
  private lastStep = 0;

  constructor(
    private readonly out: ProgressStream,
    /** Printed before each epoch line, e.g. the activation being trained. */
    private readonly prefix = '',
  ) {}

  onTrainBegin(info: TrainBeginInfo): void {
    this.epochs = info.epochs;
    this.steps = info.stepsPerEpoch;
  }

  onEpochBegin(epoch: number): void {
    this.epochStart = performance.now();
    this.lastDraw = 0;
    if (this.out.isTTY) this.out.write(`${this.prefix}Epoch ${epoch + 1}/${this.epochs}\n`);
  }

  onBatchEnd(step: number, logs: BatchLogs): void {
    this.lastStep = step + 1;
    if (!this.out.isTTY) return;
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS && step + 1 < this.steps) return;
    this.lastDraw = now;
    const done = step + 1;
    const filled = Math.floor((BAR_WIDTH * done) / this.steps);
    const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? (done === this.steps ? '=' : '>') : '') + '.'.repeat(BAR_WIDTH - filled);
    const elapsed = (now - this.epochStart) / 1000;
    const eta = (elapsed / done) * (this.steps - done);
    const width = String(this.steps).length;
    const line = `${String(done).padStart(width)}/${this.steps} [${bar}] - ETA: ${duration(eta)} - ${metrics(logs)}`;
    this.out.write(`\r${line.slice(0, Math.max(20, (this.out.columns ?? 200) - 1))}\x1b[K`);
  }

  onEpochEnd(epoch: number, logs: EpochLogs): void {
    const timing = `${duration(logs.seconds)} ${perStep(logs.seconds, this.steps)}`;
    if (this.out.isTTY) {
      this.out.write(`\r${this.steps}/${this.steps} [${'='.repeat(BAR_WIDTH)}] - ${timing} - ${metrics(logs)}\x1b[K\n`);
    } else {
      this.out.write(`${this.prefix}Epoch ${epoch + 1}/${this.epochs} - ${timing} - ${metrics(logs)}\n`);
    }
  }

  onTrainEnd(info: { interrupted: boolean }): void {
    if (info.interrupted) this.out.write(`${this.out.isTTY ? '\n' : ''}${this.prefix}interrupted after step ${this.lastStep}; the unfinished epoch is not recorded\n`);
  }
}
