/**
 * Learning-rate schedules: the rate of each epoch as a pure function of the epoch, set by a
 * callback at every epoch's start. Being a function of the epoch alone, a resumed run gets the
 * same rates as an uninterrupted one without saving anything.
 */
import { UserError } from '../errors.js';
import type { Callback } from './callbacks.js';
import type { ScheduledOptimizer } from './optimizers.js';

/** Schedule names of `lisht compare --schedule`. */
export const SCHEDULE_NAMES = ['none', 'step', 'cosine'] as const;
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];

/** A schedule and its settings. */
export interface ScheduleConfig {
  name: ScheduleName;
  /** Initial learning rate. */
  lr: number;
  /** Total epochs of the run (cosine decays to 0 over them; step places default milestones). */
  epochs: number;
  /**
   * Step only: epochs (1-based, as printed) from whose start on the rate is multiplied by
   * `gamma` once more; default 50% and 75% of `epochs`, He et al.'s 32k and 48k of 64k steps.
   */
  milestones?: number[];
  /** Step only: factor at each milestone; default 0.1. */
  gamma?: number;
}

/** The milestones of a step schedule: the given ones, or He et al.'s 50% and 75% of the run. */
export function stepMilestones(epochs: number, milestones?: readonly number[]): number[] {
  return milestones !== undefined ? [...milestones] : [...new Set([Math.ceil(epochs * 0.5) + 1, Math.ceil(epochs * 0.75) + 1])];
}

/** Checks a schedule's settings; errors name the setting. */
export function checkSchedule(config: ScheduleConfig): void {
  if (!(SCHEDULE_NAMES as readonly string[]).includes(config.name)) {
    throw new UserError(`unknown schedule '${config.name}'; choose one of ${SCHEDULE_NAMES.join(', ')}`);
  }
  if (config.milestones !== undefined) {
    if (config.name !== 'step') throw new UserError('milestones apply to the step schedule only');
    const m = config.milestones;
    if (m.length === 0 || m.some((e, i) => !Number.isSafeInteger(e) || e < 2 || (i > 0 && e <= m[i - 1]))) {
      throw new UserError(`milestones must be increasing epochs from 2 on, got ${m.join(', ')}`);
    }
  }
  const gamma = config.gamma ?? 0.1;
  if (!(gamma > 0 && gamma < 1)) throw new UserError(`the step schedule's factor must be in (0, 1), got ${gamma}`);
}

/**
 * The learning rate of epoch `epoch` (0-based): constant for `none`; `lr * gamma^k` after `k`
 * milestones for `step`; `lr * (1 + cos(pi * epoch / epochs)) / 2` for `cosine` (SGDR without
 * restarts, per epoch: the last epoch still trains at a small positive rate).
 */
export function scheduledRate(config: ScheduleConfig, epoch: number): number {
  switch (config.name) {
    case 'none':
      return config.lr;
    case 'step': {
      const passed = stepMilestones(config.epochs, config.milestones).filter((m) => epoch + 1 >= m).length;
      return config.lr * (config.gamma ?? 0.1) ** passed;
    }
    case 'cosine':
      return (config.lr * (1 + Math.cos((Math.PI * epoch) / config.epochs))) / 2;
  }
}

/** Sets the optimizer's learning rate at the start of every epoch, as Keras's `LearningRateScheduler`. */
export class LearningRateScheduler implements Callback {
  constructor(
    private readonly optimizer: ScheduledOptimizer,
    private readonly config: ScheduleConfig,
  ) {
    checkSchedule(config);
  }

  onEpochBegin(epoch: number): void {
    this.optimizer.setLearningRate(scheduledRate(this.config, epoch));
  }
}

/** How reports name a schedule, e.g. `step: x0.1 at epochs 83, 124`. */
export function describeSchedule(config: ScheduleConfig): string {
  switch (config.name) {
    case 'none':
      return 'none (constant learning rate)';
    case 'step':
      return `step: x${config.gamma ?? 0.1} from epochs ${stepMilestones(config.epochs, config.milestones).join(', ')}`;
    case 'cosine':
      return `cosine from ${config.lr} towards 0 over ${config.epochs} epochs`;
  }
}
